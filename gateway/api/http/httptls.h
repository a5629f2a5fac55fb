// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDateTime>
#include <QFileSystemWatcher>
#include <QObject>
#include <QSslConfiguration>
#include <QString>
#include <QTimer>

#include <optional>

namespace edgegate {

class Gauge;
class Metrics;

/// The certificate, key and optional client CA of a TLS listener, loaded from PEM files and
/// loaded again, without a restart, when the files change or reload() is called (SIGHUP). A new
/// pair that cannot be used (unreadable, not PEM, key not matching the certificate) is refused
/// with an error in the log, and the one in use stays.
class HttpTls : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        QString certFile; ///< PEM: the certificate, then its chain
        QString keyFile; ///< PEM: the private key (RSA or EC), unencrypted
        QString clientCaFile; ///< PEM: CAs whose client certificates are required; empty: none asked
        [[nodiscard]] bool enabled() const { return !certFile.isEmpty(); }
    };

    /// `listener` labels edgegate_tls_certificate_expiry_seconds.
    HttpTls(Settings settings, const QString &listener, Metrics &metrics, QObject *parent = nullptr);

    /// Loads the files; false with `error` set when they cannot be used (at start: the service stops).
    bool load(QString *error);
    /// Loads the files again; the configuration in use stays if they cannot be used.
    void reload();

    /// The gateway CA's certificate (PEM): new connections ask devices for a client certificate of it,
    /// which the device links verify. Empty: none is asked for (unless clientCaFile requires one).
    void setDeviceCa(const QByteArray &pem);

    /// What new connections are set up with.
    [[nodiscard]] const QSslConfiguration &configuration() const { return m_configuration; }
    [[nodiscard]] QDateTime expiry() const { return m_expiry; }

signals:
    /// A new certificate is in use.
    void reloaded();
    /// On every load and every minute: when the certificate in use expires.
    void expiryChecked(const QString &listener, const QDateTime &expiry);

private:
    std::optional<QSslConfiguration> read(QString *error) const;
    void watch();
    void updateExpiry();

    Settings m_settings;
    QString m_listener;
    QSslConfiguration m_configuration;
    QByteArray m_deviceCa;
    QDateTime m_expiry;
    QFileSystemWatcher m_watcher;
    QTimer m_settle; ///< files replaced one after the other are loaded once
    QTimer m_expiryTimer;
    Gauge &m_expiryGauge;
};

} // namespace edgegate
