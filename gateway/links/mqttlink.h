// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QObject>
#include <QSocketNotifier>
#include <QString>
#include <QTimer>

#include <chrono>
#include <deque>
#include <memory>
#include <unordered_map>

struct mosquitto;
struct mosquitto_message;
struct mqtt5__property; // NOLINT(bugprone-reserved-identifier): libmosquitto's name

namespace edgegate {

class Counter;
class Gauge;
class Ingest;
class Metrics;

/// The link to the local MQTT broker, driven by libmosquitto inside the Qt event loop:
/// notifiers on its socket and a housekeeping timer, no thread of its own. Turns device
/// topics into inbound messages for Ingest and keeps the gateway's own status topic.
class MqttLink : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        QString host = QStringLiteral("127.0.0.1");
        quint16 port = 1883;
        bool v5 = true;
        QString clientId;
        QString username;
        QString password;
        QString gatewayId;
        std::chrono::seconds keepalive{30};
        std::chrono::milliseconds reconnectMin{500};
        std::chrono::milliseconds reconnectMax{30000};
    };

    enum class State { Idle, Connecting, Connected, WaitingToReconnect, Stopping };

    MqttLink(const Settings &settings, Ingest &ingest, Metrics &metrics, QObject *parent = nullptr);
    ~MqttLink() override;

    /// Connects, and keeps reconnecting until stop().
    void start();
    /// Publishes the gateway's offline status, disconnects cleanly and emits stopped().
    void stop();

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] bool isConnected() const { return m_state == State::Connected; }

    /// Queues a publish; false when not connected or the library refused it.
    bool publish(const QString &topic, const QByteArray &payload, int qos, bool retain);

    /// Publishes a message translated from another protocol on a device topic the link itself
    /// subscribes to, so that its echo is not ingested a second time: MQTT 5 subscriptions carry
    /// No Local; under 3.1.1 the link recognises its own payloads when they come back.
    bool republish(const QString &topic, const QByteArray &payload, int qos);

    /// The filters subscribed on every connection.
    [[nodiscard]] static QStringList subscriptions();

signals:
    void connectedChanged(bool connected);
    void stopped();

private:
    static void onConnect(mosquitto *mosq, void *self, int rc, int flags, const mqtt5__property *props);
    static void onDisconnect(mosquitto *mosq, void *self, int rc, const mqtt5__property *props);
    static void onMessage(mosquitto *mosq, void *self, const mosquitto_message *message, const mqtt5__property *props);

    void connectToBroker();
    void attachSocket();
    void detachSocket();
    void readable();
    void writable();
    void housekeeping();
    void updateWriteInterest();
    void connectionLost(const QString &reason);
    void scheduleReconnect();
    void setState(State state);
    void handleMessage(const mosquitto_message *message);
    void finishStop();

    Settings m_settings;
    Ingest &m_ingest;
    mosquitto *m_mosq = nullptr;
    State m_state = State::Idle;
    bool m_everConnected = false;
    bool m_lossLogged = false;
    bool m_stopEmitted = false;
    int m_attempt = 0;
    std::unique_ptr<QSocketNotifier> m_readNotifier;
    std::unique_ptr<QSocketNotifier> m_writeNotifier;
    QTimer m_miscTimer;
    QTimer m_reconnectTimer;
    QTimer m_stopGuard;
    QString m_statusTopic;
    // MQTT 3.1.1 only: fingerprints of republished messages whose echo has not come back yet.
    std::unordered_map<size_t, int> m_pendingEchoes;
    std::deque<size_t> m_echoOrder;
    Gauge &m_connectedGauge;
    Counter &m_reconnects;
    Counter &m_attempts;
    Counter &m_retainedSkipped;
    Counter &m_echoesSkipped;
};

} // namespace edgegate
