// SPDX-License-Identifier: Apache-2.0
#include "gateway/sinks/outbox/outboxtarget.h"

#include "gateway/core/ingest/normalize.h"
#include "gateway/sinks/outbox/outbox.h"

namespace edgegate {

using namespace Qt::StringLiterals;

OutboxTarget::OutboxTarget(Outbox &outbox, Encoder encoder)
    : m_outbox(outbox)
    , m_encoder(std::move(encoder))
{
}

std::optional<RouteTarget::Record> OutboxTarget::encode(const Envelope &envelope) const
{
    return m_encoder(envelope);
}

bool OutboxTarget::canHold(const QString &deviceId, const Record &record) const
{
    return m_outbox.canEverHold(Outbox::storedSize(deviceId, record.key, record.payload));
}

bool OutboxTarget::hasRoomFor(const QString &deviceId, const QList<Record> &records) const
{
    qint64 bytes = 0;
    for (const Record &r : records)
        bytes += Outbox::storedSize(deviceId, r.key, r.payload);
    return m_outbox.hasRoomForBytes(bytes);
}

bool OutboxTarget::store(const QString &deviceId, const Record &record)
{
    return m_outbox.append(deviceId, record.key, record.payload) == Outbox::AppendResult::Stored;
}

OutboxTarget::Encoder OutboxTarget::upstream(const QString &prefix, const QString &gatewayId)
{
    const QString base = prefix + u'/' + gatewayId + u'/';
    return [base](const Envelope &e) -> std::optional<Record> {
        const QByteArray topic = (base + deviceTopic(e.deviceId, e.kind)).toUtf8();
        if (e.kind == MessageKind::Telemetry)
            return Record{topic, normalizedJson(e)};
        return Record{topic, e.raw};
    };
}

OutboxTarget::Encoder OutboxTarget::republish()
{
    return [](const Envelope &e) -> std::optional<Record> {
        // MQTT telemetry is on the local broker already.
        if (e.kind != MessageKind::Telemetry || e.source == Protocol::Mqtt)
            return std::nullopt;
        return Record{deviceTopic(e.deviceId, MessageKind::Telemetry).toUtf8(), normalizedJson(e)};
    };
}

OutboxTarget::Encoder OutboxTarget::influx(const InfluxSink::Settings &settings,
                                           std::function<QString(const QString &)> deviceType)
{
    return [settings, deviceType = std::move(deviceType)](const Envelope &e) -> std::optional<Record> {
        if (e.kind != MessageKind::Telemetry)
            return std::nullopt;
        const QString type = deviceType(e.deviceId);
        QByteArray lines;
        if (settings.measurement.isEmpty() || type.isEmpty()) {
            lines = InfluxSink::lines(settings, e, type);
        } else {
            InfluxSink::Settings point = settings;
            point.tags.append({u"type"_s, type});
            lines = InfluxSink::lines(point, e, type);
        }
        if (lines.isEmpty())
            return std::nullopt;
        return Record{{}, std::move(lines)};
    };
}

} // namespace edgegate
