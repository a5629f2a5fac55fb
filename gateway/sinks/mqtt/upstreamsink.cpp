// SPDX-License-Identifier: Apache-2.0
#include "gateway/sinks/mqtt/upstreamsink.h"

#include "gateway/core/common/metrics.h"

#include <QLoggingCategory>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcUpstream, "edgegate.upstream")

namespace {

constexpr int Qos = 1;

QByteArray statusTopicFor(const UpstreamSink::Settings &settings)
{
    return (settings.prefix + u'/' + settings.gatewayId + u"/status"_s).toUtf8();
}

MosquittoClient::Settings clientSettings(const UpstreamSink::Settings &settings)
{
    MosquittoClient::Settings client;
    client.host = settings.host;
    client.port = settings.port;
    client.v5 = settings.v5;
    client.clientId
        = settings.clientId.isEmpty() ? u"edgegate-%1-upstream"_s.arg(settings.gatewayId) : settings.clientId;
    client.username = settings.username;
    client.password = settings.password;
    client.keepalive = settings.keepalive;
    client.reconnectMin = settings.reconnectMin;
    client.reconnectMax = settings.reconnectMax;
    client.tls = settings.tls;
    client.will = {statusTopicFor(settings), QByteArrayLiteral("offline"), Qos, true};
    client.maxInflight = settings.inflightWindow;
    // The Forwarder re-sends whatever was not confirmed; libmosquitto must not do it as well.
    client.discardUnconfirmedOnLoss = true;
    return client;
}

} // namespace

QByteArray UpstreamSink::topicFor(const QString &prefix, const QString &gatewayId, const QString &deviceId)
{
    return (prefix + u'/' + gatewayId + u"/devices/"_s + deviceId + u"/telemetry"_s).toUtf8();
}

UpstreamSink::UpstreamSink(const Settings &settings, Metrics &metrics, QObject *parent)
    : MqttSink(settings.inflightWindow, u"edgegate_upstream"_s, u"the upstream broker"_s, lcUpstream(), metrics, parent)
    , m_statusTopic(statusTopicFor(settings))
    , m_client(clientSettings(settings),
               {QByteArrayLiteral("edgegate.upstream"), u"edgegate_upstream"_s, u"the upstream broker"_s}, metrics)
{
    connect(&m_client, &MosquittoClient::connected, this, &UpstreamSink::onConnected);
    connect(&m_client, &MosquittoClient::connectedChanged, this, &UpstreamSink::onConnectedChanged);
    connect(&m_client, &MosquittoClient::published, this, &UpstreamSink::onPublished);
    connect(&m_client, &MosquittoClient::stopped, this, &UpstreamSink::stopped);
}

UpstreamSink::~UpstreamSink() = default;

QString UpstreamSink::name() const
{
    return u"upstream"_s;
}

void UpstreamSink::start()
{
    m_client.start();
}

void UpstreamSink::onConnected()
{
    m_client.publish(m_statusTopic, QByteArrayLiteral("online"), Qos, true);
}

void UpstreamSink::stop()
{
    // A clean DISCONNECT suppresses the will, so say offline ourselves first.
    if (m_client.isConnected())
        m_client.publish(m_statusTopic, QByteArrayLiteral("offline"), Qos, true);
    m_client.stop();
}

std::optional<int> UpstreamSink::publishEntry(const OutboxEntry &entry, int *error)
{
    return m_client.publish(entry.key, entry.payload, Qos, false, error);
}

} // namespace edgegate
