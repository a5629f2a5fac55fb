// SPDX-License-Identifier: Apache-2.0
#include "gateway/sinks/sinkchannels.h"

#include "gateway/core/routing/router.h"
#include "gateway/sinks/mqtt/republishsink.h"
#include "gateway/sinks/sink.h"

namespace edgegate {

SinkChannels::SinkChannels(Router &router, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_router(router)
    , m_metrics(metrics)
{
}

SinkChannels::~SinkChannels() = default;

void SinkChannels::add(std::unique_ptr<Sink> sink, const OutboxPolicy &policy, OutboxTarget::Encoder encoder)
{
    Channel channel;
    const QString name = sink->name();
    channel.outbox = std::make_unique<Outbox>(name, policy.store, m_metrics);
    channel.target = std::make_unique<OutboxTarget>(*channel.outbox, std::move(encoder));
    channel.policy = policy;
    m_router.addTarget(name, *channel.target);
    connect(channel.outbox.get(), &Outbox::dropped, this,
            [this, name](quint64 count, const QString &reason) { emit dropped(name, count, reason); });
    channel.sink = std::move(sink);
    m_channels.push_back(std::move(channel));
}

UpstreamSink &SinkChannels::addUpstream(const UpstreamSink::Settings &settings, const OutboxPolicy &policy)
{
    auto sink = std::make_unique<UpstreamSink>(settings, m_metrics);
    UpstreamSink &upstream = *sink;
    add(std::move(sink), policy, OutboxTarget::upstream(settings.prefix, settings.gatewayId));
    return upstream;
}

void SinkChannels::addInflux(const InfluxSink::Settings &settings, const OutboxPolicy &policy,
                             std::function<QString(const QString &)> deviceType)
{
    add(std::make_unique<InfluxSink>(settings, m_metrics), policy,
        OutboxTarget::influx(settings, std::move(deviceType)));
}

void SinkChannels::addRepublish(MqttLink &mqtt, const OutboxPolicy &policy)
{
    constexpr int RepublishWindow = 100; // PUBACKs awaited at once from the local broker
    add(std::make_unique<RepublishSink>(mqtt, RepublishWindow, m_metrics), policy, OutboxTarget::republish());
}

bool SinkChannels::open(QString *error)
{
    for (Channel &channel : m_channels) {
        if (!channel.outbox->open(error))
            return false;
        channel.forwarder
            = std::make_unique<Forwarder>(*channel.outbox, *channel.sink, channel.policy.forwarding, m_metrics);
    }
    return true;
}

void SinkChannels::sync()
{
    for (Channel &channel : m_channels)
        channel.outbox->sync();
}

QList<wsapi::OutboxStatus> SinkChannels::status() const
{
    QList<wsapi::OutboxStatus> out;
    for (const Channel &c : m_channels)
        out.append({c.sink->name(), c.outbox->depthMessages(), c.outbox->depthBytes(), c.policy.store.maxBytes});
    return out;
}

} // namespace edgegate
