// SPDX-License-Identifier: Apache-2.0
#include "mqtttransport.h"

#include "gateway/devicelinks/mqtt/mosquittoclient.h"

#include <QJsonDocument>

#include <mosquitto.h>

namespace edgegate::sim {

using namespace Qt::StringLiterals;

namespace {
constexpr std::chrono::seconds DrainTime{3};
}

MqttTransport::MqttTransport(const QString &deviceId, const QString &host, quint16 port, Metrics &metrics,
                             QObject *parent)
    : Transport(parent)
    , m_id(deviceId)
    , m_host(host)
    , m_port(port)
    , m_metrics(metrics)
{
    m_drainGuard.setSingleShot(true);
    m_drainGuard.setInterval(DrainTime);
    connect(&m_drainGuard, &QTimer::timeout, this, &MqttTransport::finishClose);
}

MqttTransport::~MqttTransport() = default;

void MqttTransport::open()
{
    m_closing = false;
    m_inflight.clear();
    MosquittoClient::Settings settings;
    settings.host = m_host;
    settings.port = m_port;
    settings.clientId = m_id;
    settings.keepalive = std::chrono::seconds(30);
    settings.reconnectMax = std::chrono::milliseconds(5000);
    settings.will = {u"devices/%1/status"_s.arg(m_id).toUtf8(), QByteArrayLiteral("offline"), 1, true};
    // Each open() after a reboot starts from a new client: nothing from before the reboot is re-sent.
    settings.discardUnconfirmedOnLoss = true;
    m_client = std::make_unique<MosquittoClient>(
        settings,
        MosquittoClient::Identity{QByteArrayLiteral("edgegate.sim.mqtt"), u"edgegate_sim_mqtt"_s, u"the broker"_s},
        m_metrics);
    if (!m_client->configurationError().isEmpty()) {
        emit disconnected(m_client->configurationError());
        return;
    }
    const QByteArray commandsTopic = u"devices/%1/commands"_s.arg(m_id).toUtf8();
    const QByteArray otaTopic = u"devices/%1/ota"_s.arg(m_id).toUtf8();
    m_client->setMessageHandler([this, commandsTopic, otaTopic](const mosquitto_message *message) {
        const QByteArray topic(message->topic);
        const QJsonObject body
            = QJsonDocument::fromJson(QByteArray(static_cast<const char *>(message->payload), message->payloadlen))
                  .object();
        if (body.isEmpty())
            return;
        // A retained command would replay at every reconnect; an update notification is kept.
        if (topic == commandsTopic && !message->retain)
            emit commandReceived(body);
        else if (topic == otaTopic)
            emit otaReceived(body);
    });
    connect(m_client.get(), &MosquittoClient::connected, this, [this, commandsTopic, otaTopic] {
        m_client->subscribe(commandsTopic, 1);
        m_client->subscribe(otaTopic, 1);
        publish(Channel::Heartbeat, u"devices/%1/status"_s.arg(m_id).toUtf8(), QByteArrayLiteral("online"), true);
        emit connected();
    });
    connect(m_client.get(), &MosquittoClient::disconnected, this, [this] {
        // Whatever was on its way is gone with the connection (a new client takes over at reconnect).
        for (auto it = m_inflight.cbegin(); it != m_inflight.cend(); ++it)
            emit sendDone(it.value(), false, u"connection lost"_s);
        m_inflight.clear();
        if (!m_closing)
            emit disconnected(u"connection to the broker lost"_s);
    });
    connect(m_client.get(), &MosquittoClient::published, this, [this](int mid, int reasonCode) {
        const auto it = m_inflight.constFind(mid);
        if (it == m_inflight.cend())
            return;
        const Channel channel = it.value();
        m_inflight.erase(it);
        emit sendDone(channel, reasonCode < 0x80, reasonCode < 0x80 ? QString() : u"refused by the broker"_s);
        if (m_closing && m_inflight.isEmpty())
            finishClose();
    });
    connect(m_client.get(), &MosquittoClient::stopped, this, [this] {
        m_client.release()->deleteLater();
        emit closed();
    });
    m_client->start();
}

void MqttTransport::close()
{
    if (!m_client || m_closing)
        return;
    m_closing = true;
    // The clean disconnect below drops the will, so the last word is said here.
    publish(Channel::Heartbeat, u"devices/%1/status"_s.arg(m_id).toUtf8(), QByteArrayLiteral("offline"), true);
    if (m_inflight.isEmpty())
        finishClose();
    else
        m_drainGuard.start();
}

void MqttTransport::finishClose()
{
    m_drainGuard.stop();
    if (m_client && m_client->state() != MosquittoClient::State::Stopping)
        m_client->stop();
}

void MqttTransport::send(Channel channel, const QJsonObject &payload)
{
    const QByteArray json = QJsonDocument(payload).toJson(QJsonDocument::Compact);
    switch (channel) {
    case Channel::Telemetry:
        publish(channel, u"devices/%1/telemetry"_s.arg(m_id).toUtf8(), json, false);
        break;
    case Channel::Heartbeat:
        publish(channel, u"devices/%1/status"_s.arg(m_id).toUtf8(), QByteArrayLiteral("online"), true);
        break;
    case Channel::Meta:
        publish(channel, u"devices/%1/meta"_s.arg(m_id).toUtf8(), json, true);
        break;
    case Channel::CommandAck:
        publish(channel, u"devices/%1/commands/ack"_s.arg(m_id).toUtf8(), json, false);
        break;
    case Channel::OtaProgress:
        publish(channel, u"devices/%1/ota/progress"_s.arg(m_id).toUtf8(), json, false);
        break;
    }
}

void MqttTransport::publish(Channel channel, const QByteArray &topic, const QByteArray &payload, bool retain)
{
    if (!m_client || !m_client->isConnected()) {
        emit sendDone(channel, false, u"not connected to the broker"_s);
        return;
    }
    const std::optional<int> mid = m_client->publish(topic, payload, 1, retain);
    if (!mid) {
        emit sendDone(channel, false, u"the MQTT library refused the publish"_s);
        return;
    }
    m_inflight.insert(*mid, channel);
}

} // namespace edgegate::sim
