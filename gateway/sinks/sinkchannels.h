// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/sinks/forwarder.h"
#include "gateway/sinks/mqtt/upstreamsink.h"
#include "gateway/sinks/outbox/outbox.h"
#include "gateway/sinks/outbox/outboxtarget.h"
#include "shared/wsprotocol.h"

#include <QObject>

#include <memory>
#include <vector>

namespace edgegate {

class Metrics;
class MqttLink;
class Router;
class Sink;

/// How one sink's outbox is bounded and drained: the settings of its Outbox and its Forwarder.
struct OutboxPolicy
{
    OutboxSettings store;
    ForwarderSettings forwarding;
};

/// The sinks, each with its durable outbox, the target the router stores into and, once the
/// outbox is open, the forwarder that sends from it.
class SinkChannels : public QObject
{
    Q_OBJECT
public:
    SinkChannels(Router &router, Metrics &metrics, QObject *parent = nullptr);
    ~SinkChannels() override;

    /// Makes the sink a router target under its name; its outbox lives in `policy.store.directory`.
    void add(std::unique_ptr<Sink> sink, const OutboxPolicy &policy, OutboxTarget::Encoder encoder);
    /// The cloud broker, under "upstream".
    UpstreamSink &addUpstream(const UpstreamSink::Settings &settings, const OutboxPolicy &policy);
    /// InfluxDB, under "influxdb"; `deviceType` gives the measurement or type tag of a device's points.
    void addInflux(const InfluxSink::Settings &settings, const OutboxPolicy &policy,
                   std::function<QString(const QString &deviceId)> deviceType);
    /// Telemetry from the other links as JSON on the local broker, under "republish".
    void addRepublish(MqttLink &mqtt, const OutboxPolicy &policy);
    /// Opens every outbox (what a previous run left is sent first) and starts forwarding.
    bool open(QString *error);
    /// Makes everything written durable now.
    void sync();
    [[nodiscard]] QList<wsapi::OutboxStatus> status() const;

signals:
    /// An outbox dropped entries to make room (the outbox_overflow alert rules follow this).
    void dropped(const QString &sink, quint64 count, const QString &reason);

private:
    struct Channel
    {
        std::unique_ptr<Outbox> outbox;
        std::unique_ptr<OutboxTarget> target;
        std::unique_ptr<Sink> sink;
        std::unique_ptr<Forwarder> forwarder; ///< made once the outbox is open
        OutboxPolicy policy;
    };

    Router &m_router;
    Metrics &m_metrics;
    std::vector<Channel> m_channels;
};

} // namespace edgegate
