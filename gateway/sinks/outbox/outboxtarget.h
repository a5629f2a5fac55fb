// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/routing/router.h"
#include "gateway/sinks/influx/influxsink.h"

#include <functional>

namespace edgegate {

class Outbox;

/// A sink's outbox as the router sees it, with the encoding that turns an envelope into what
/// the sink sends (computed when the message is stored, so a restart sends the same bytes).
class OutboxTarget : public RouteTarget
{
public:
    using Encoder = std::function<std::optional<Record>(const Envelope &)>;

    OutboxTarget(Outbox &outbox, Encoder encoder);

    [[nodiscard]] std::optional<Record> encode(const Envelope &envelope) const override;
    [[nodiscard]] bool canHold(const QString &deviceId, const Record &record) const override;
    [[nodiscard]] bool hasRoomFor(const QString &deviceId, const QList<Record> &records) const override;
    bool store(const QString &deviceId, const Record &record) override;

    /// `{prefix}/{gatewayId}/devices/{id}/{kind}` and normalized JSON (telemetry) or the payload
    /// as received (status, meta).
    [[nodiscard]] static Encoder upstream(const QString &prefix, const QString &gatewayId);
    /// `devices/{id}/telemetry` on the local broker, for telemetry that did not come over MQTT.
    [[nodiscard]] static Encoder republish();
    /// Line protocol for telemetry (InfluxSink::lines). With one measurement set for all, the
    /// device's type becomes a `type` tag so that types can still be told apart.
    [[nodiscard]] static Encoder influx(const InfluxSink::Settings &settings,
                                        std::function<QString(const QString &deviceId)> deviceType);

private:
    Outbox &m_outbox;
    Encoder m_encoder;
};

} // namespace edgegate
