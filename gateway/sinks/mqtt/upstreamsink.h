// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/devicelinks/mqtt/mosquittoclient.h"
#include "gateway/sinks/mqtt/mqttsink.h"

#include <QByteArray>
#include <QString>

#include <chrono>

namespace edgegate {

class Metrics;

/// The cloud broker: a connection of its own (MosquittoClient, clean session) that publishes each
/// outbox entry at QoS 1 on the topic the entry carries, within an in-flight window, and confirms
/// it on PUBACK. The gateway's status is `{prefix}/{gatewayId}/status`: "online" (retained) on
/// each connect, "offline" before a clean stop, and the same as the will when the gateway vanishes.
/// Unconfirmed entries are not re-sent by libmosquitto after a reconnect (each reconnect starts
/// from a fresh instance): the Forwarder sends them again, once.
class UpstreamSink : public MqttSink
{
    Q_OBJECT
public:
    struct Settings
    {
        QString host;
        quint16 port = 8883;
        QString clientId; ///< empty: edgegate-{gatewayId}-upstream
        QString username;
        QString password;
        bool v5 = true;
        std::chrono::seconds keepalive{30};
        std::chrono::milliseconds reconnectMin{1000};
        std::chrono::milliseconds reconnectMax{60000};
        MosquittoClient::Tls tls = [] {
            MosquittoClient::Tls on;
            on.enabled = true; // to the cloud: TLS unless said otherwise
            return on;
        }();
        QString prefix = QStringLiteral("edge");
        QString gatewayId;
        int inflightWindow = 100;
    };

    UpstreamSink(const Settings &settings, Metrics &metrics, QObject *parent = nullptr);
    ~UpstreamSink() override;

    /// Where the caller puts a device's telemetry when it enqueues an entry for this sink.
    [[nodiscard]] static QByteArray topicFor(const QString &prefix, const QString &gatewayId, const QString &deviceId);

    [[nodiscard]] QString name() const override;

    /// Empty when the settings could be applied; else why not (start() does nothing then).
    [[nodiscard]] QString configurationError() const { return m_client.configurationError(); }
    [[nodiscard]] QByteArray statusTopic() const { return m_statusTopic; }
    [[nodiscard]] QString clientId() const { return m_client.settings().clientId; }

    /// Connects, and keeps reconnecting until stop().
    void start();
    /// Publishes "offline", disconnects cleanly and emits stopped().
    void stop();

signals:
    void stopped();

protected:
    std::optional<int> publishEntry(const OutboxEntry &entry, int *error) override;

private:
    void onConnected();

    QByteArray m_statusTopic;
    MosquittoClient m_client;
};

} // namespace edgegate
