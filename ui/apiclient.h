// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/wsprotocol.h"
#include "ui/alertmodel.h"
#include "ui/backoff.h"
#include "ui/campaignmodel.h"
#include "ui/devicemodel.h"
#include "ui/firmwaremodel.h"

#include <QHash>
#include <QJsonValue>
#include <QPointer>
#include <QQmlEngine>
#include <QSslCertificate>
#include <QTimer>
#include <QUrl>
#include <QVariantMap>
#include <QWebSocket>

#include <functional>

/// The dashboard's connection to edgegated's WebSocket API (/ws): authenticates, keeps the device,
/// alert, campaign and firmware models filled from the snapshots and changes, sends requests and hands
/// out their replies, and reconnects with a jittered exponential backoff (1 s .. 30 s). Nothing blocks.
class ApiClient : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QString url READ url WRITE setUrl NOTIFY urlChanged)
    Q_PROPERTY(QString token READ token WRITE setToken NOTIFY tokenChanged)
    /// A PEM file of CA certificates trusted for wss:// besides the system's (a gateway's own CA).
    Q_PROPERTY(QString caFile READ caFile WRITE setCaFile NOTIFY caFileChanged)
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    /// Seconds left before the next try while Waiting.
    Q_PROPERTY(int reconnectIn READ reconnectIn NOTIFY reconnectInChanged)
    Q_PROPERTY(QString gatewayId READ gatewayId NOTIFY gatewayChanged)
    Q_PROPERTY(QString gatewayVersion READ gatewayVersion NOTIFY gatewayChanged)
    /// "admin", "viewer", or "" while not connected.
    Q_PROPERTY(QString role READ role NOTIFY sessionChanged)
    Q_PROPERTY(QString user READ user NOTIFY sessionChanged)
    Q_PROPERTY(bool canWrite READ canWrite NOTIFY sessionChanged)
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)
    /// The last status frame's object, keys as on the wire.
    Q_PROPERTY(QVariantMap status READ status NOTIFY statusChanged)
    /// "http://host:port" of the gateway the url points at (REST, firmware uploads).
    Q_PROPERTY(QString httpBaseUrl READ httpBaseUrl NOTIFY urlChanged)
    Q_PROPERTY(DeviceModel *devices READ devices CONSTANT)
    Q_PROPERTY(AlertModel *alerts READ alerts CONSTANT)
    Q_PROPERTY(CampaignModel *campaigns READ campaigns CONSTANT)
    Q_PROPERTY(FirmwareModel *firmware READ firmware CONSTANT)

public:
    enum State { Disconnected, Connecting, Authenticating, Connected, Waiting };
    Q_ENUM(State)

    /// Called with the reply to a request made from C++.
    using ReplyHandler = std::function<void(const edgegate::wsapi::Reply &reply)>;

    explicit ApiClient(QObject *parent = nullptr);
    ~ApiClient() override;

    [[nodiscard]] QString url() const { return m_url; }
    void setUrl(const QString &url);
    [[nodiscard]] QString token() const { return m_token; }
    void setToken(const QString &token);
    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] int reconnectIn() const { return m_reconnectIn; }
    [[nodiscard]] QString gatewayId() const { return m_gatewayId; }
    [[nodiscard]] QString gatewayVersion() const { return m_gatewayVersion; }
    [[nodiscard]] QString role() const { return m_role; }
    [[nodiscard]] QString user() const { return m_user; }
    [[nodiscard]] bool canWrite() const;
    [[nodiscard]] QString lastError() const { return m_lastError; }
    [[nodiscard]] QString caFile() const { return m_caFile; }
    void setCaFile(const QString &path);
    [[nodiscard]] QVariantMap status() const { return m_status; }
    [[nodiscard]] QString httpBaseUrl() const;
    [[nodiscard]] DeviceModel *devices() const { return m_devices; }
    [[nodiscard]] AlertModel *alerts() const { return m_alerts; }
    [[nodiscard]] CampaignModel *campaigns() const { return m_campaigns; }
    [[nodiscard]] FirmwareModel *firmware() const { return m_firmware; }

    /// Connects (again) to url; a connection already open is closed first.
    Q_INVOKABLE void open();
    /// Closes and stays disconnected.
    Q_INVOKABLE void close();
    /// Skips the wait, or retries after a refused token.
    Q_INVOKABLE void reconnectNow();

    /// Sends an action; the answer comes as replied() (and actionFailed() on failure). Returns the id.
    Q_INVOKABLE int request(const QString &action, const QVariant &params = {});
    /// The same from C++, with a handler for the reply that is dropped with `context`.
    int request(QStringView action, const QJsonObject &params, QObject *context, ReplyHandler handler);

    Q_INVOKABLE int acknowledgeAlert(int id, const QString &note = {});
    Q_INVOKABLE int clearAlert(int id);
    Q_INVOKABLE int approveDevice(const QString &id);
    Q_INVOKABLE int rejectDevice(const QString &id);
    Q_INVOKABLE int setMaintenance(const QString &id, bool on);
    Q_INVOKABLE int sendCommand(const QString &device, const QString &name, const QVariant &params = {});
    Q_INVOKABLE int createCampaign(const QVariant &body);
    Q_INVOKABLE int pauseCampaign(const QString &id);
    Q_INVOKABLE int resumeCampaign(const QString &id);
    Q_INVOKABLE int cancelCampaign(const QString &id);
    Q_INVOKABLE int refreshFirmware();
    Q_INVOKABLE int deleteFirmware(const QString &name, const QString &version);

    /// Follows a device's live telemetry (counted: each subscribe needs its unsubscribe).
    Q_INVOKABLE void subscribeTelemetry(const QString &deviceId);
    Q_INVOKABLE void unsubscribeTelemetry(const QString &deviceId);

signals:
    void urlChanged();
    void tokenChanged();
    void stateChanged();
    void reconnectInChanged();
    void gatewayChanged();
    void sessionChanged();
    void lastErrorChanged();
    void caFileChanged();
    void statusChanged();
    void replied(int id, bool ok, const QVariant &result, const QString &code, const QString &message);
    void actionFailed(const QString &action, const QString &code, const QString &message);
    /// Live samples of a subscribed device: a list of {name, value, time (ms since epoch)}.
    void telemetry(const QString &device, const QVariant &samples);
    /// The same, decoded, for C++ users.
    void telemetryReceived(const edgegate::wsapi::TelemetryUpdate &update);
    /// An OTA job created or changed.
    void otaJobChanged(const edgegate::OtaJob &job);
    /// A session began (Connected): snapshots follow; C++ users reload what they show.
    void sessionStarted();

private:
    struct Pending
    {
        QString action;
        bool internal = false;
        QPointer<QObject> context;
        ReplyHandler handler;
    };

    void connectSocket();
    /// The url or the token: a new one is tried even after a refused token.
    void setPeerSetting(QString &setting, const QString &value, void (ApiClient::*changed)());
    void setState(State state);
    void setLastError(const QString &error);
    void setReconnectIn(int seconds);
    void startConnection();
    void scheduleReconnect();
    void stopTimers();
    void resetSession();
    void onConnected();
    void onDisconnected();
    void onTextMessage(const QString &text);
    void handleFrame(const edgegate::wsapi::Frame &frame);
    void handleReply(const edgegate::wsapi::Reply &reply);
    void failPending(const QString &code, const QString &message);
    void sendFrame(const QByteArray &frame);
    void sendSubscription(QStringView type, const QStringList &devices);
    int sendRequest(const QJsonObject &params, Pending pending);
    /// Fills the firmware model; an internal request (the one at session start) emits no replied().
    int requestFirmwareList(bool internal);

    QWebSocket m_socket;
    QTimer m_retryTimer;
    QTimer m_countdownTimer;
    QTimer m_handshakeTimer;
    Backoff m_backoff;
    QString m_url;
    QString m_token;
    State m_state = Disconnected;
    int m_reconnectIn = 0;
    QString m_gatewayId;
    QString m_gatewayVersion;
    QString m_role;
    QString m_user;
    QString m_lastError;
    QString m_caFile;
    QList<QSslCertificate> m_trusted; ///< from m_caFile
    QString m_certificateProblem; ///< why the last TLS handshake did not trust the gateway
    QVariantMap m_status;
    bool m_wantOpen = false; ///< open() was called and close() not since
    bool m_tokenRefused = false; ///< no retries until url/token change or reconnectNow()
    int m_nextId = 1;
    QHash<int, Pending> m_pending;
    QHash<QString, int> m_subscriptions; ///< device id -> subscriber count
    DeviceModel *m_devices;
    AlertModel *m_alerts;
    CampaignModel *m_campaigns;
    FirmwareModel *m_firmware;
};
