// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/common/ratelimitedlog.h"

#include <QByteArray>
#include <QLoggingCategory>
#include <QObject>
#include <QSocketNotifier>
#include <QString>
#include <QTimer>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

struct mosquitto;
struct mosquitto_message;
struct mqtt5__property; // NOLINT(bugprone-reserved-identifier): libmosquitto's name

namespace edgegate {

class Counter;
class Gauge;
class Metrics;

/// One MQTT connection through libmosquitto, driven inside the Qt event loop: notifiers on its
/// socket (the write notifier only while libmosquitto has something to write) and a housekeeping
/// timer for keepalive and retries; no thread of its own. It connects, reconnects after a jittered
/// exponential backoff until stop(), and reports what happens as signals. What to subscribe, what
/// to publish and what a message means is the owner's business (MqttLink, UpstreamSink).
class MosquittoClient : public QObject
{
    Q_OBJECT
public:
    enum class State { Idle, Connecting, Connected, WaitingToReconnect, Stopping };

    struct Tls
    {
        bool enabled = false;
        QString caFile; ///< PEM; empty: the system's trusted CAs
        QString certFile; ///< with keyFile: a client certificate (mutual TLS)
        QString keyFile;
        QString version; ///< "tlsv1.2" or "tlsv1.3"; empty: the library's default
        /// Skips the check that the certificate was made for the host connected to. Anyone with
        /// any certificate from the same CA could then pose as the broker: for labs only.
        bool insecure = false;
    };

    /// Published by the broker when the connection ends without a DISCONNECT. Empty topic: none.
    struct Will
    {
        QByteArray topic;
        QByteArray payload;
        int qos = 1;
        bool retain = true;
    };

    struct Settings
    {
        QString host = QStringLiteral("127.0.0.1");
        quint16 port = 1883;
        bool v5 = true;
        QString clientId;
        QString username;
        QString password;
        std::chrono::seconds keepalive{30};
        std::chrono::milliseconds reconnectMin{500};
        std::chrono::milliseconds reconnectMax{30000};
        Tls tls;
        Will will;
        /// QoS 1/2 publishes on the wire awaiting their acknowledgement; more wait in libmosquitto.
        int maxInflight = 20;
        /// libmosquitto keeps QoS 1/2 publishes that were not acknowledged when a connection is
        /// lost and sends them again (DUP) after the next CONNACK, clean session or not. An owner
        /// that re-sends them itself sets this: each reconnect then starts from a new instance
        /// with nothing queued.
        bool discardUnconfirmedOnLoss = false;
        /// 0: a clean session. Otherwise the broker keeps the session (subscriptions and the QoS 1/2
        /// messages for it) this many seconds after a disconnect. Under MQTT 5 that takes a CONNECT
        /// property, which libmosquitto 2.0 only sends from its blocking connect: each attempt then
        /// blocks for the TCP handshake, so use it for a broker on the same host or LAN only.
        quint32 sessionExpiry = 0;
    };

    /// How this connection shows up in logs and metrics.
    struct Identity
    {
        QByteArray logCategory; ///< "edgegate.mqtt"
        QString metricPrefix; ///< "edgegate_mqtt": {prefix}_connected, _reconnects_total, _connect_attempts_total
        QString peer; ///< "the broker": in log lines and metric help
    };

    /// Receives each message while libmosquitto handles it: the pointer is valid for the call only.
    /// A QoS 1 message was already acknowledged to the broker when this runs.
    using MessageHandler = std::function<void(const mosquitto_message *message)>;

    MosquittoClient(const Settings &settings, const Identity &identity, Metrics &metrics, QObject *parent = nullptr);
    ~MosquittoClient() override;

    /// Empty when the settings could be applied; else why not (a TLS file that cannot be read...).
    /// start() does nothing then.
    [[nodiscard]] QString configurationError() const { return m_configError; }

    /// Connects, and keeps reconnecting until stop().
    void start();
    /// Disconnects cleanly (the broker drops the will) and emits stopped(), at the latest after
    /// a short guard time. Publish a last word before calling it.
    void stop();

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] bool isConnected() const { return m_state == State::Connected; }
    /// Whether the broker kept the session of the connection that is up (CONNACK's session present).
    [[nodiscard]] bool sessionPresent() const { return m_sessionPresent; }
    [[nodiscard]] const Settings &settings() const { return m_settings; }

    /// Queues a publish; its message id, or nothing when not connected or the library refused it
    /// (`error`, if given, receives the MOSQ_ERR_* code). published() follows once the broker
    /// acknowledged a QoS 1/2 message, or once a QoS 0 message was written, which can happen
    /// before this returns.
    std::optional<int> publish(const QByteArray &topic, const QByteArray &payload, int qos, bool retain,
                               int *error = nullptr);

    /// Subscribes with MQTT 5 subscription options (MQTT_SUB_OPT_*; ignored under 3.1.1). Valid
    /// for the current connection only: subscribe again on each connected().
    bool subscribe(const QByteArray &filter, int qos, int options = 0);

    void setMessageHandler(MessageHandler handler) { m_messageHandler = std::move(handler); }

    /// While paused, the socket is not read once the session is up: the broker's messages wait in
    /// the kernel's buffers and then in the broker, and TCP slows the sender down. Writes, and the
    /// keepalive pings, go on; but the broker's answers are not read either, so libmosquitto
    /// closes the connection after about two keepalive periods of pause (a ping after one, then
    /// no answer seen for another).
    void setReadPaused(bool paused);
    [[nodiscard]] bool isReadPaused() const { return m_readPaused; }

signals:
    /// A session is up (CONNACK accepted): subscribe and announce here.
    void connected();
    /// The session that connected() announced is gone (lost, or stopped).
    void disconnected();
    void connectedChanged(bool connected);
    /// The broker acknowledged the publish `mid` (QoS 1/2), or a QoS 0 publish was written.
    /// `reasonCode` is the MQTT 5 PUBACK/PUBCOMP reason (>= 0x80: refused); 0 under 3.1.1.
    void published(int mid, int reasonCode);
    void stopped();

private:
    static void onConnect(mosquitto *mosq, void *self, int rc, int flags, const mqtt5__property *props);
    static void onDisconnect(mosquitto *mosq, void *self, int rc, const mqtt5__property *props);
    static void onPublish(mosquitto *mosq, void *self, int mid, int reasonCode, const mqtt5__property *props);
    static void onMessage(mosquitto *mosq, void *self, const mosquitto_message *message, const mqtt5__property *props);
    static void onLog(mosquitto *mosq, void *self, int level, const char *text);

    bool createInstance();
    void connectToBroker();
    void attachSocket();
    void detachSocket();
    void updateReadInterest();
    void updateWriteInterest();
    void readable();
    void writable();
    /// After a read or a write on the socket: a failure loses the connection, else the write interest follows.
    void afterSocketIo(int rc);
    void housekeeping();
    void connectionLost(const QString &reason);
    void scheduleReconnect();
    void setState(State state);
    void finishStop();
    [[nodiscard]] QString errorText(int rc) const;
    [[nodiscard]] QString endpoint() const;

    Settings m_settings;
    QByteArray m_logName; // QLoggingCategory keeps the pointer: declared before m_log
    QLoggingCategory m_log;
    QString m_peer;
    mosquitto *m_mosq = nullptr;
    QString m_configError;
    QString m_lastLibraryError; // the last error libmosquitto logged (a TLS verification failure...)
    State m_state = State::Idle;
    bool m_recreate = false;
    bool m_everConnected = false;
    bool m_lossLogged = false;
    bool m_stopEmitted = false;
    bool m_readPaused = false;
    bool m_sessionPresent = false;
    int m_attempt = 0;
    MessageHandler m_messageHandler;
    RateLimitedLog m_warnings;
    std::unique_ptr<QSocketNotifier> m_readNotifier;
    std::unique_ptr<QSocketNotifier> m_writeNotifier;
    QTimer m_miscTimer;
    QTimer m_reconnectTimer;
    QTimer m_stopGuard;
    Gauge &m_connectedGauge;
    Counter &m_reconnects;
    Counter &m_attempts;
};

} // namespace edgegate
