// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QQmlEngine>
#include <QSettings>

/// The dashboard's saved settings (QSettings "EdgeGate"/"Dashboard"): gateway url, token, the CA file
/// trusted for wss:// and language.
class AppSettings : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QString url READ url WRITE setUrl NOTIFY urlChanged)
    Q_PROPERTY(QString token READ token WRITE setToken NOTIFY tokenChanged)
    Q_PROPERTY(QString caFile READ caFile WRITE setCaFile NOTIFY caFileChanged)
    /// "" for the system locale, "en" or "de".
    Q_PROPERTY(QString language READ language WRITE setLanguage NOTIFY languageChanged)

public:
    explicit AppSettings(QObject *parent = nullptr);

    [[nodiscard]] QString url() const { return saved(u"url"); }
    void setUrl(const QString &url) { save(u"url", url, &AppSettings::urlChanged); }
    [[nodiscard]] QString token() const { return saved(u"token"); }
    void setToken(const QString &token) { save(u"token", token, &AppSettings::tokenChanged); }
    [[nodiscard]] QString caFile() const { return saved(u"ca_file"); }
    void setCaFile(const QString &path) { save(u"ca_file", path, &AppSettings::caFileChanged); }
    [[nodiscard]] QString language() const { return saved(u"language"); }
    void setLanguage(const QString &language) { save(u"language", language, &AppSettings::languageChanged); }

    /// Installs the translator for `language` and calls retranslate() on this object's QML engine.
    Q_INVOKABLE void applyLanguage();

    /// Replaces the application's dashboard translator with the one for `language` ("" = system locale),
    /// loaded from :/i18n/edgegate_<lang>.qm; false when there is none (untranslated text then).
    static bool installTranslator(const QString &language);

signals:
    void urlChanged();
    void tokenChanged();
    void caFileChanged();
    void languageChanged();

private:
    [[nodiscard]] QString saved(QAnyStringView key) const;
    /// Saves `value` under `key` and emits `changed` when it differs from what is saved.
    void save(QAnyStringView key, const QString &value, void (AppSettings::*changed)());

    QSettings m_settings;
};
