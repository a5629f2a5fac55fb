// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/ingest/ingest.h"

#include "gateway/core/analytics/analytics.h"
#include "gateway/core/common/metrics.h"
#include "gateway/core/common/ratelimitedlog.h"
#include "gateway/core/devices/deviceregistry.h"
#include "gateway/core/ingest/receiveclock.h"
#include "gateway/core/routing/router.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcIngest, "edgegate.ingest")

namespace {

constexpr std::array AllProtocols{Protocol::Mqtt, Protocol::Coap, Protocol::Http, Protocol::WebSocket};
constexpr std::array AllKinds{MessageKind::Telemetry, MessageKind::Status,     MessageKind::Meta,
                              MessageKind::Event,     MessageKind::Command,    MessageKind::CommandAck,
                              MessageKind::Ota,       MessageKind::OtaProgress};

std::vector<double> latencyBuckets()
{
    return {0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1.0};
}

struct ReportedStatus
{
    DeviceStatus status;
    std::optional<qint64> uptimeS;
};

// `online`, `"online"` or `{"status": "online", "uptime": seconds}`.
std::optional<ReportedStatus> parseStatus(const QByteArray &payload)
{
    QByteArray text = payload.trimmed();
    std::optional<qint64> uptime;
    if (text.startsWith('{') || text.startsWith('"')) {
        const QJsonDocument doc = QJsonDocument::fromJson(u"[%1]"_s.arg(QString::fromUtf8(text)).toUtf8());
        const QJsonValue v = doc.array().at(0);
        if (v.isObject()) {
            const QJsonValue u = v.toObject().value(u"uptime"_s);
            // A negative, huge or non-numeric uptime is left out; the status itself still counts.
            if (u.isDouble() && u.toDouble() >= 0 && u.toDouble() < 1e12)
                uptime = static_cast<qint64>(u.toDouble());
        }
        text = (v.isObject() ? v.toObject().value(u"status"_s) : v).toString().toUtf8();
    }
    const auto status = deviceStatusFromName(QString::fromUtf8(text.toLower()));
    // Maintenance is an operator's decision, not something a device can claim.
    if (!status || *status == DeviceStatus::Maintenance)
        return std::nullopt;
    return ReportedStatus{*status, uptime};
}

// A status or meta message as routes see it: no samples, the payload as it came.
Envelope passOn(const InboundMessage &message)
{
    Envelope envelope;
    envelope.deviceId = message.deviceId;
    envelope.kind = message.kind;
    envelope.source = message.protocol;
    envelope.raw = message.payload;
    envelope.qos = message.qos;
    envelope.receivedAtNs = message.receivedAtNs;
    envelope.receivedMono = message.receivedMono;
    return envelope;
}

} // namespace

Ingest::Ingest(const Settings &settings, DeviceRegistry &registry, Analytics &analytics, Router &router,
               Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_decoder(settings.maxPayloadBytes)
    , m_metaParser(settings.maxPayloadBytes)
    , m_registry(registry)
    , m_analytics(analytics)
    , m_metrics(metrics)
    , m_router(router)
    , m_heldTotal(metrics.counter(u"edgegate_messages_held_total"_s,
                                  u"Messages held back because their device awaits approval."_s))
    , m_heldDropped(metrics.counter(u"edgegate_messages_dropped_total"_s,
                                    u"Messages dropped after acceptance, by reason."_s,
                                    {{u"reason"_s, u"pending_overflow"_s}}))
    , m_heldRefused(metrics.counter(u"edgegate_messages_dropped_total"_s, {}, {{u"reason"_s, u"held_outbox_full"_s}}))
    , m_anomalies(metrics.counter(u"edgegate_anomalies_total"_s, u"Samples flagged as anomalies."_s))
    , m_latency(metrics.histogram(u"edgegate_ingest_latency_seconds"_s,
                                  u"Time from receiving a telemetry message to the end of its processing."_s,
                                  latencyBuckets()))
{
    for (Protocol p : AllProtocols) {
        for (MessageKind k : AllKinds) {
            m_messages[static_cast<size_t>(p)][static_cast<size_t>(k)]
                = &metrics.counter(u"edgegate_messages_total"_s, u"Messages received, by protocol and kind."_s,
                                   {{u"protocol"_s, protocolName(p)}, {u"kind"_s, messageKindName(k)}});
        }
    }
    // Every reason a message can be refused for exists from the start, so rates work from zero.
    for (BadInput reason : AllBadInputs) {
        m_badByReason[size_t(reason)]
            = &metrics.counter(u"edgegate_bad_messages_total"_s, u"Messages refused as bad input, by reason."_s,
                               {{u"reason"_s, badInputLabel(reason)}});
    }
    for (Limit limit : LimitLabels.values()) {
        m_refusedByLimit[size_t(limit)]
            = &metrics.counter(u"edgegate_messages_rejected_total"_s, RejectedHelp, {{u"reason"_s, limitLabel(limit)}});
    }
    metrics.counter(u"edgegate_messages_dropped_total"_s, {}, {{u"reason"_s, u"device_removed"_s}});
    metrics.addGauge(u"edgegate_messages_held"_s, u"Messages now held for devices awaiting approval."_s,
                     [this] { return static_cast<double>(heldCount()); });

    analytics.setOverflowCounter(&metrics.counter(
        u"edgegate_samples_untracked_total"_s,
        u"Samples not tracked by analytics because their device already has the maximum number of metrics."_s));
    connect(&registry, &DeviceRegistry::deviceApproved, this, &Ingest::releaseHeld);
    connect(&registry, &DeviceRegistry::deviceRemoved, this, &Ingest::dropHeld);
}

QString IngestResult::code() const
{
    switch (outcome) {
    case Outcome::Accepted:
    case Outcome::Held:
        return {};
    case Outcome::Denied:
        return u"unknown_device"_s;
    case Outcome::Busy:
        return u"outbox_full"_s;
    case Outcome::Overloaded:
    case Outcome::Throttled:
        return limitLabel(limit);
    case Outcome::BadInput:
        return badInputLabel(bad);
    }
    return {};
}

IngestResult IngestResult::refusedBy(Limit limit, std::chrono::seconds retryAfter, QString detail)
{
    IngestResult result{isPerSource(limit) ? Outcome::Throttled : Outcome::Overloaded, {}, std::move(detail)};
    result.limit = limit;
    result.retryAfter = retryAfter;
    return result;
}

qint64 Ingest::stampReceived(qint64 readingNs)
{
    const quint64 setBack = m_receiveClock.setBackCount();
    const qint64 stamp = m_receiveClock.stamp(readingNs);
    if (m_receiveClock.setBackCount() != setBack) {
        qCWarning(lcIngest).noquote() << u"the system clock went back more than %1 s: receive times follow it"_s.arg(
            ReceiveClock::MaxHoldNs / 1'000'000'000);
    } else if (m_receiveClock.behindNs() > 1'000'000'000 && m_warnings.allow(u"clock_behind"_s)) {
        qCWarning(lcIngest).noquote()
            << u"the system clock is %1 s behind the last receive time: receive times stay just after it until "
               "the clock catches up"_s.arg(double(m_receiveClock.behindNs()) / 1e9, 0, 'f', 1);
    }
    return stamp;
}

IngestResult Ingest::handle(InboundMessage message)
{
    message.receivedAtNs = stampReceived(message.receivedAtNs);
    m_messages[static_cast<size_t>(message.protocol)][static_cast<size_t>(message.kind)]->inc();
    // Whatever a known device sends shows it is alive; commands and OTA offers come from elsewhere.
    if ((message.kind == MessageKind::CommandAck || message.kind == MessageKind::Event
         || message.kind == MessageKind::OtaProgress)
        && m_registry.find(message.deviceId)) {
        m_registry.admit(message.deviceId, message.protocol, msFromNs(message.receivedAtNs), {}, message.proof);
    }
    switch (message.kind) {
    case MessageKind::Telemetry:
        return handleTelemetry(message);
    case MessageKind::Status:
        return handleStatus(message);
    case MessageKind::Meta:
        return handleMeta(message);
    case MessageKind::CommandAck:
        if (message.payload.size() > m_settings.maxPayloadBytes)
            return reject(message.protocol, BadInput::TooLarge, message.deviceId, u"command ack too large"_s);
        emit commandAckReceived(message.deviceId, message.payload, message.protocol);
        return {};
    case MessageKind::Command:
        if (message.payload.size() > m_settings.maxPayloadBytes)
            return reject(message.protocol, BadInput::TooLarge, message.deviceId, u"command too large"_s);
        emit commandPublished(message.deviceId, message.payload);
        return {};
    case MessageKind::OtaProgress:
        if (message.payload.size() > m_settings.maxPayloadBytes)
            return reject(message.protocol, BadInput::TooLarge, message.deviceId, u"OTA progress too large"_s);
        emit otaProgressReceived(message.deviceId, message.payload, message.protocol);
        return {};
    default:
        // Events are counted; their handling comes with that feature.
        return {};
    }
}

IngestResult Ingest::reject(Protocol protocol, BadInput reason, const QString &deviceId, const QString &detail)
{
    m_badByReason[size_t(reason)]->inc();
    const QString label = badInputLabel(reason);
    logRefusal(protocol, label, deviceId, detail);
    if (!deviceId.isEmpty())
        m_registry.recordError(deviceId, label + u": "_s + detail, QDateTime::currentMSecsSinceEpoch());
    return {IngestResult::Outcome::BadInput, reason, detail};
}

IngestResult Ingest::refuse(Protocol protocol, Limit limit, const QString &deviceId, std::chrono::seconds retryAfter,
                            const QString &detail)
{
    m_refusedByLimit[size_t(limit)]->inc();
    logRefusal(protocol, limitLabel(limit), deviceId, detail);
    return IngestResult::refusedBy(limit, retryAfter, detail);
}

void Ingest::logRefusal(Protocol protocol, const QString &label, const QString &deviceId, const QString &detail)
{
    if (const auto suppressed = m_warnings.allow(label)) {
        const QString from = deviceId.isEmpty() ? QString() : u" from "_s + loggable(deviceId);
        const QString more = *suppressed ? u" (%1 more since the last report)"_s.arg(*suppressed) : QString();
        qCWarning(lcIngest).noquote() << u"refused %1 message%2 (%3): %4%5"_s.arg(protocolName(protocol), from, label,
                                                                                  loggable(detail, 300), more);
    }
}

IngestResult Ingest::handleTelemetry(const InboundMessage &message)
{
    DecodeResult decoded = m_decoder.decode(message.payload, message.format, message.receivedAtNs);
    if (decoded.error) {
        return reject(message.protocol, *decoded.error, message.deviceId, decoded.detail);
    }
    Envelope envelope;
    envelope.deviceId = message.deviceId;
    envelope.kind = message.kind;
    envelope.source = message.protocol;
    envelope.samples = std::move(decoded.samples);
    envelope.raw = message.payload;
    envelope.qos = message.qos;
    envelope.receivedAtNs = message.receivedAtNs;
    envelope.hasDeviceTime = decoded.hasDeviceTime;
    envelope.receivedMono = message.receivedMono;

    switch (const auto admission = m_registry.admit(message.deviceId, message.protocol, msFromNs(message.receivedAtNs),
                                                    message.source, message.proof)) {
    case DeviceRegistry::Admission::Denied:
    case DeviceRegistry::Admission::Full:
    case DeviceRegistry::Admission::TooFast:
        return refused(message, admission);
    case DeviceRegistry::Admission::Pending:
        hold(envelope);
        return {IngestResult::Outcome::Held, {}, {}};
    case DeviceRegistry::Admission::Accepted:
        if (const Router::Result r = process(envelope); r != Router::Result::Stored)
            return unrouted(message, r);
        // Held messages are left out: their wait for an operator is not ingest latency.
        m_latency.observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - envelope.receivedMono).count());
        return {};
    }
    return {};
}

IngestResult Ingest::denied(const InboundMessage &message)
{
    if (m_warnings.allow(u"unknown_device"_s)) {
        qCWarning(lcIngest).noquote() << "refused" << messageKindName(message.kind) << "from unknown device"
                                      << message.deviceId << "(registry policy deny)";
    }
    return {IngestResult::Outcome::Denied, {}, u"device is not registered"_s};
}

IngestResult Ingest::unrouted(const InboundMessage &message, Router::Result result)
{
    if (result == Router::Result::TooLarge) {
        return reject(message.protocol, BadInput::TooLarge, message.deviceId,
                      u"%1 larger than an outbox can hold"_s.arg(messageKindName(message.kind)));
    }
    // An outbox makes room as its sink drains: soon worth another try.
    IngestResult busy{
        IngestResult::Outcome::Busy,
        {},
        u"no room to store %1 from %2; try again later"_s.arg(messageKindName(message.kind), message.deviceId)};
    busy.retryAfter = std::chrono::seconds(1);
    return busy;
}

std::optional<IngestResult> Ingest::admit(const InboundMessage &message)
{
    const auto admission = m_registry.admit(message.deviceId, message.protocol, msFromNs(message.receivedAtNs),
                                            message.source, message.proof);
    if (admission == DeviceRegistry::Admission::Accepted || admission == DeviceRegistry::Admission::Pending)
        return std::nullopt;
    return refused(message, admission);
}

IngestResult Ingest::refused(const InboundMessage &message, DeviceRegistry::Admission admission)
{
    const qint64 nowMs = msFromNs(message.receivedAtNs);
    switch (admission) {
    case DeviceRegistry::Admission::Full:
        // Devices are removed by an operator, not by time: a new one may wait long.
        return refuse(message.protocol, Limit::Devices, message.deviceId, std::chrono::seconds(300),
                      u"the registry holds registry.max_devices devices"_s);
    case DeviceRegistry::Admission::TooFast:
        return refuse(message.protocol, Limit::NewDevicesFromSource, message.deviceId,
                      m_registry.newDeviceRetryAfter(nowMs),
                      u"too many new devices from %1 this minute (registry.new_devices_per_minute)"_s.arg(
                          message.source.isEmpty() ? protocolName(message.protocol) : loggable(message.source, 64)));
    default:
        return denied(message);
    }
}

std::optional<IngestResult> Ingest::forward(const InboundMessage &message)
{
    // A device awaiting approval sends nothing on until it is approved.
    if (!approved(message.deviceId))
        return std::nullopt;
    if (const Router::Result r = routed(passOn(message)); r != Router::Result::Stored)
        return unrouted(message, r);
    return std::nullopt;
}

Router::Result Ingest::routed(const Envelope &envelope)
{
    return m_router.route(envelope);
}

bool Ingest::approved(const QString &deviceId) const
{
    const DeviceInfo *device = m_registry.find(deviceId);
    return device && device->approval == Approval::Approved;
}

Router::Result Ingest::process(const Envelope &envelope)
{
    // Stored for its sinks first: a message refused for lack of room must leave analytics untouched,
    // since the device sends it again.
    if (const Router::Result r = routed(envelope); r != Router::Result::Stored)
        return r;
    const QList<Anomaly> anomalies = m_analytics.process(envelope);
    for (const Anomaly &a : anomalies) {
        m_anomalies.inc();
        emit anomalyDetected(a);
    }
    emit telemetryAccepted(envelope);
    return Router::Result::Stored;
}

void Ingest::hold(const Envelope &envelope)
{
    m_heldTotal.inc();
    // Bounded twice: per device, and in all, so a flood of made-up ids cannot eat the memory.
    if (m_settings.pendingBuffer <= 0 || m_heldCount >= MaxHeldInAll) {
        m_heldDropped.inc();
        if (m_warnings.allow(u"pending_overflow"_s))
            qCWarning(lcIngest) << "too many messages held for devices awaiting approval: dropping new ones";
        return;
    }
    auto &queue = m_held[envelope.deviceId];
    if (static_cast<int>(queue.size()) >= m_settings.pendingBuffer) {
        queue.pop_front();
        --m_heldCount;
        m_heldDropped.inc();
        if (m_warnings.allow(u"pending_overflow"_s)) {
            qCWarning(lcIngest).noquote() << "device" << envelope.deviceId << "awaits approval and has more than"
                                          << m_settings.pendingBuffer << "held messages: dropping the oldest";
        }
    }
    queue.push_back(envelope);
    queue.back().raw.clear(); // the decoded samples are what gets processed later
    ++m_heldCount;
}

void Ingest::releaseHeld(const QString &deviceId)
{
    const auto queue = m_held.take(deviceId);
    m_heldCount -= static_cast<qsizetype>(queue.size());
    if (!queue.empty())
        qCInfo(lcIngest).noquote() << "releasing" << queue.size() << "held messages of" << deviceId;
    for (const Envelope &envelope : queue) {
        // The devices were told their messages were taken: nobody is left to send them again.
        if (process(envelope) != Router::Result::Stored)
            m_heldRefused.inc();
    }
}

void Ingest::dropHeld(const QString &deviceId)
{
    const auto queue = m_held.take(deviceId);
    m_heldCount -= static_cast<qsizetype>(queue.size());
    if (!queue.empty())
        m_metrics.counter(u"edgegate_messages_dropped_total"_s, {}, {{u"reason"_s, u"device_removed"_s}})
            .inc(queue.size());
    m_analytics.removeDevice(deviceId);
}

qsizetype Ingest::heldCount() const
{
    return m_heldCount;
}

IngestResult Ingest::handleStatus(const InboundMessage &message)
{
    if (message.payload.size() > m_settings.maxPayloadBytes) {
        return reject(message.protocol, BadInput::TooLarge, message.deviceId, u"status payload too large"_s);
    }
    const auto reported = parseStatus(message.payload);
    if (!reported) {
        return reject(message.protocol, BadInput::BadStatus, message.deviceId,
                      u"status must be online, offline or error, got '%1'"_s.arg(
                          loggable(QString::fromUtf8(message.payload), 64)));
    }
    const DeviceStatus status = reported->status;
    if (!m_registry.find(message.deviceId)) {
        // A device saying it is offline is no reason to register it.
        if (status == DeviceStatus::Offline)
            return {};
        if (auto refused = admit(message))
            return std::move(*refused);
    }
    if (auto refused = forward(message))
        return std::move(*refused);
    m_registry.setReportedStatus(message.deviceId, status, msFromNs(message.receivedAtNs), reported->uptimeS);
    return {};
}

IngestResult Ingest::handleMeta(const InboundMessage &message)
{
    MetaParse parsed = m_metaParser.parse(message.payload, message.format);
    if (!parsed.meta)
        return reject(message.protocol, parsed.reason, message.deviceId, parsed.detail);
    const DeviceMeta &meta = *parsed.meta;
    // Metadata merges across announcements: the bound holds for what the device ends up with.
    if (const DeviceInfo *known = m_registry.find(message.deviceId)) {
        qsizetype total = known->metadata.size();
        for (auto it = meta.metadata.cbegin(); it != meta.metadata.cend(); ++it)
            total += known->metadata.contains(it.key()) ? 0 : 1;
        if (total > MetaParser::MaxMetadataEntries) {
            return reject(message.protocol, BadInput::BadMeta, message.deviceId,
                          u"the device would have more than %1 metadata entries"_s.arg(MetaParser::MaxMetadataEntries));
        }
    }
    // A replayed announcement of a known device is its last known state: it neither brings the device
    // online nor goes to the sinks again.
    if (message.replayed && m_registry.find(message.deviceId)) {
        m_registry.applyMeta(message.deviceId, meta);
        return {};
    }
    if (auto refused = admit(message))
        return std::move(*refused);
    if (auto refused = forward(message))
        return std::move(*refused);
    m_registry.applyMeta(message.deviceId, meta);
    // A replayed announcement says what the device ran before, not what it runs after an update.
    if (meta.firmware && !message.replayed)
        emit firmwareAnnounced(message.deviceId, *meta.firmware);
    return {};
}

} // namespace edgegate
