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

    [[nodiscard]] QString url() const;
    void setUrl(const QString &url);
    [[nodiscard]] QString token() const;
    void setToken(const QString &token);
    [[nodiscard]] QString caFile() const;
    void setCaFile(const QString &path);
    [[nodiscard]] QString language() const;
    void setLanguage(const QString &language);

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
    QSettings m_settings;
};
