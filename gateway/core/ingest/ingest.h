// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/analytics/analytics.h"
#include "gateway/core/common/ratelimitedlog.h"
#include "gateway/core/devices/devicemeta.h"
#include "gateway/core/devices/deviceregistry.h"
#include "gateway/core/ingest/badinput.h"
#include "gateway/core/ingest/envelope.h"
#include "gateway/core/ingest/limit.h"
#include "gateway/core/ingest/payloaddecoder.h"
#include "gateway/core/ingest/receiveclock.h"
#include "gateway/core/routing/router.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <array>
#include <chrono>
#include <deque>

namespace edgegate {

class Counter;
class DeviceRegistry;
class Histogram;
class Metrics;

/// What became of one message; each link maps it to its protocol's answer in one place.
struct IngestResult
{
    enum class Outcome {
        Accepted, ///< processed (or, for kinds not handled yet, counted)
        Held, ///< kept until an operator approves the device
        Denied, ///< the registry policy refuses the device
        Busy, ///< an outbox has no room (overflow reject_new): the device should try again later
        Overloaded, ///< a gateway-wide budget (`limit`) is spent: the device should try again in a while
        Throttled, ///< its source used up its share of a budget (`limit`): the same
        BadInput, ///< refused for `bad`
    };
    Outcome outcome = Outcome::Accepted;
    BadInput bad = BadInput::Empty; ///< with BadInput
    QString detail;
    Limit limit = Limit::Sessions; ///< with Overloaded and Throttled
    std::chrono::seconds retryAfter{0}; ///< with Busy, Overloaded and Throttled: when another try may work

    /// A refusal under `limit`: Throttled for a per-source share, Overloaded otherwise.
    [[nodiscard]] static IngestResult refusedBy(Limit limit, std::chrono::seconds retryAfter, QString detail);

    /// The gateway took responsibility for the message: the device may be acknowledged.
    [[nodiscard]] bool taken() const { return outcome == Outcome::Accepted || outcome == Outcome::Held; }
    /// The code a refusal is answered with: badInputLabel(bad), `unknown_device`, `outbox_full` or
    /// limitLabel(limit); empty for Accepted and Held.
    [[nodiscard]] QString code() const;
};

/// Where every link hands its messages: decodes and validates them, admits the device through
/// the registry, runs analytics and announces anomalies and accepted telemetry. No sockets here.
class Ingest : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        qsizetype maxPayloadBytes = 65536;
        int pendingBuffer = 100; ///< messages held per device awaiting approval
    };

    /// Accepted messages go to `router`.
    Ingest(const Settings &settings, DeviceRegistry &registry, Analytics &analytics, Router &router, Metrics &metrics,
           QObject *parent = nullptr);

    /// Messages held for all pending devices together, whatever registry.pending_buffer allows each.
    static constexpr qsizetype MaxHeldInAll = 50000;

    /// Gives the message its unique receive time (see ReceiveClock), then handles it.
    IngestResult handle(InboundMessage message);

    /// For input a link refused before it became a message (bad topic, invalid id): counted
    /// and logged like any bad input. `deviceId` may be empty when no valid id was found.
    IngestResult reject(Protocol protocol, BadInput reason, const QString &deviceId, const QString &detail);

    /// For a message a budget refused (see Limit): counted in edgegate_messages_rejected_total and
    /// logged at a limited rate.
    IngestResult refuse(Protocol protocol, Limit limit, const QString &deviceId, std::chrono::seconds retryAfter,
                        const QString &detail);

    /// Messages held for devices awaiting approval.
    [[nodiscard]] qsizetype heldCount() const;

signals:
    /// Telemetry that passed every check, after analytics.
    void telemetryAccepted(const edgegate::Envelope &envelope);
    /// Analytics flagged a sample (before telemetryAccepted of its message); alert rules decide.
    void anomalyDetected(const edgegate::Anomaly &anomaly);
    /// A device acknowledged a command (`{"id": ..., "result": ...}`).
    void commandAckReceived(const QString &deviceId, const QByteArray &payload, edgegate::Protocol protocol);
    /// Someone published a command for a device on its MQTT command topic.
    void commandPublished(const QString &deviceId, const QByteArray &payload);
    /// A device reported OTA progress (`{"job": ..., "state": ...}`), not judged yet.
    void otaProgressReceived(const QString &deviceId, const QByteArray &payload, edgegate::Protocol protocol);
    /// A device announced its firmware in a meta message: every announcement, changed or not, but
    /// not a retained one the broker replays at subscription.
    void firmwareAnnounced(const QString &deviceId, const QString &firmware);

private:
    qint64 stampReceived(qint64 readingNs);
    IngestResult handleTelemetry(const InboundMessage &message);
    IngestResult handleStatus(const InboundMessage &message);
    IngestResult handleMeta(const InboundMessage &message);
    IngestResult denied(const InboundMessage &message);
    /// One warning per reason label at most every 10 s, with the device's text escaped.
    void logRefusal(Protocol protocol, const QString &label, const QString &deviceId, const QString &detail);
    /// The answer for a message whose unknown device the registry did not take.
    IngestResult refused(const InboundMessage &message, DeviceRegistry::Admission admission);
    /// Routes, then analyses and announces; the router's answer (nothing is done unless Stored).
    Router::Result process(const Envelope &envelope);
    Router::Result routed(const Envelope &envelope);
    /// The answer for a message the router did not store.
    IngestResult unrouted(const InboundMessage &message, Router::Result result);
    /// Registers the device of a status or meta message if the policy lets it; the refusal when not.
    std::optional<IngestResult> admit(const InboundMessage &message);
    /// Routes a status or meta message unless its device awaits approval; the refusal when it could not be stored.
    std::optional<IngestResult> forward(const InboundMessage &message);
    [[nodiscard]] bool approved(const QString &deviceId) const;
    void hold(const Envelope &envelope);
    void releaseHeld(const QString &deviceId);
    void dropHeld(const QString &deviceId);

    Settings m_settings;
    PayloadDecoder m_decoder;
    MetaParser m_metaParser;
    DeviceRegistry &m_registry;
    Analytics &m_analytics;
    Metrics &m_metrics;
    Router &m_router;
    RateLimitedLog m_warnings;
    ReceiveClock m_receiveClock;
    QHash<QString, std::deque<Envelope>> m_held;
    qsizetype m_heldCount = 0;
    std::array<Counter *, AllBadInputs.size()> m_badByReason{};
    std::array<Counter *, LimitLabels.size()> m_refusedByLimit{};
    std::array<std::array<Counter *, 8>, 4> m_messages{}; // [protocol][kind]
    Counter &m_heldTotal;
    Counter &m_heldDropped;
    Counter &m_heldRefused;
    Counter &m_anomalies;
    Histogram &m_latency;
};

} // namespace edgegate
