// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/links/mosquittoclient.h"

#include <QByteArray>
#include <QObject>
#include <QString>

#include <chrono>
#include <deque>
#include <optional>
#include <unordered_map>

struct mosquitto_message;

namespace edgegate {

class Counter;
class Ingest;
class Metrics;

/// The link to the local MQTT broker, over a MosquittoClient (libmosquitto inside the Qt event
/// loop). Turns device topics into inbound messages for Ingest and keeps the gateway's own status
/// topic.
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
        /// See MosquittoClient::Settings. Off by default: commands in flight when the broker goes
        /// away then still reach it after the reconnect; so does anything an owner re-sends itself.
        bool discardUnconfirmedOnLoss = false;
    };

    using State = MosquittoClient::State;

    MqttLink(const Settings &settings, Ingest &ingest, Metrics &metrics, QObject *parent = nullptr);
    ~MqttLink() override;

    /// Connects, and keeps reconnecting until stop().
    void start();
    /// Publishes the gateway's offline status, disconnects cleanly and emits stopped().
    void stop();

    [[nodiscard]] State state() const { return m_client.state(); }
    [[nodiscard]] bool isConnected() const { return m_client.isConnected(); }

    /// Queues a publish; false when not connected or the library refused it.
    bool publish(const QString &topic, const QByteArray &payload, int qos, bool retain);

    /// Publishes a message translated from another protocol on a device topic the link itself
    /// subscribes to, so that its echo is not ingested a second time: MQTT 5 subscriptions carry
    /// No Local; under 3.1.1 the link recognises its own payloads when they come back. Returns the
    /// message id that published() reports, or nothing when not connected or refused (`error`, if
    /// given: the MOSQ_ERR_* code).
    std::optional<int> republish(const QString &topic, const QByteArray &payload, int qos, int *error = nullptr);

    /// The filters subscribed on every connection.
    [[nodiscard]] static QStringList subscriptions();

signals:
    void connectedChanged(bool connected);
    /// The broker acknowledged publish `mid` (see MosquittoClient::published).
    void published(int mid, int reasonCode);
    void stopped();

private:
    void onConnected();
    void handleMessage(const mosquitto_message *message);

    Settings m_settings;
    Ingest &m_ingest;
    MosquittoClient m_client;
    QString m_statusTopic;
    // MQTT 3.1.1 only: fingerprints of republished messages whose echo has not come back yet.
    std::unordered_map<size_t, int> m_pendingEchoes;
    std::deque<size_t> m_echoOrder;
    Counter &m_retainedSkipped;
    Counter &m_echoesSkipped;
};

} // namespace edgegate
