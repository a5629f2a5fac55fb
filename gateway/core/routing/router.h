// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/common/ratelimitedlog.h"
#include "gateway/core/ingest/envelope.h"
#include "gateway/core/routing/route.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>
#include <map>
#include <optional>
#include <vector>

namespace edgegate {

class Counter;
class Metrics;

/// Where the router stores what a sink is to send: the sink's outbox, seen through this.
class RouteTarget
{
public:
    /// What the sink sends for one message: where to and which bytes.
    struct Record
    {
        QByteArray key;
        QByteArray payload;
    };

    virtual ~RouteTarget() = default;
    /// nullopt when this sink has nothing to send for the envelope (say InfluxDB for a status).
    [[nodiscard]] virtual std::optional<Record> encode(const Envelope &envelope) const = 0;
    /// False when the record is too large for this sink ever to store it.
    [[nodiscard]] virtual bool canHold(const QString &deviceId, const Record &record) const = 0;
    /// False when storing these records now, together, would be refused for lack of room.
    [[nodiscard]] virtual bool hasRoomFor(const QString &deviceId, const QList<Record> &records) const = 0;
    /// Stores the record durably; false when it could not be stored.
    virtual bool store(const QString &deviceId, const Record &record) = 0;
};

/// Sends every accepted message to the sinks its routes name, after their transforms (rename,
/// keep, deadband, windowed aggregates). With no routes, telemetry goes to every sink as it is.
/// A message is stored for all its sinks or for none: when one outbox has no room the message
/// is refused as busy, so the device is told to try again rather than being half delivered.
class Router : public QObject
{
    Q_OBJECT
public:
    enum class Result {
        Stored,
        Busy, ///< an outbox has no room now; nothing was stored
        TooLarge, ///< a sink's outbox can never hold the message; nothing was stored
    };

    /// `deviceType` looks up a device's type (for routes that match on it).
    Router(std::function<QString(const QString &deviceId)> deviceType, Metrics &metrics, QObject *parent = nullptr);
    ~Router() override;

    /// Registers a sink under its name ("upstream", "influxdb", "republish"); the target must
    /// outlive the router.
    void addTarget(const QString &sink, RouteTarget &target);
    [[nodiscard]] QStringList sinkNames() const;

    /// Replaces the routes (and forgets deadband and aggregate state). Refuses, with `error`,
    /// routes that name a sink not configured.
    bool setRoutes(const QList<Route> &routes, QString *error);
    enum class Change {
        Done,
        Invalid, ///< the routes name a sink not configured; nothing changed
        NotKept, ///< `keep` failed; nothing changed
    };
    /// Replaces the routes when they are valid and `keep` (say, saving them) succeeds, so that the
    /// routes in use and those kept never differ.
    Change replaceRoutes(const QList<Route> &routes, const std::function<bool(QString *error)> &keep, QString *error);
    [[nodiscard]] const QList<Route> &routes() const { return m_routes; }

    Result route(const Envelope &envelope);

    /// Emits the aggregate windows that ended by `nowNs` (ns since the epoch), stamped with their
    /// end, or with `all` also those still open, stamped `nowNs`; a timer calls it every second while
    /// some route aggregates, and the service at shutdown.
    void flushAggregates(qint64 nowNs, bool all = false);

private:
    struct Aggregate
    {
        double min = 0;
        double max = 0;
        double sum = 0;
        qint64 count = 0;
        double last = 0;

        [[nodiscard]] Value value(AggregateFunction function) const;
    };
    struct DeviceWindow
    {
        qint64 windowEndMs = 0;
        Protocol source = Protocol::Mqtt;
        std::map<QString, Aggregate> metrics; // ordered, so output is stable
    };
    struct RouteState
    {
        QHash<QString, QHash<QString, Value>> lastSent; // deadband: device -> metric -> value
        QHash<QString, DeviceWindow> windows; // aggregate: device -> window
    };
    struct Output
    {
        RouteTarget *target;
        QString sink;
        RouteTarget::Record record;
    };

    bool check(const QList<Route> &routes, QString *error) const;
    void apply(const QList<Route> &routes);
    static std::optional<Envelope> transform(const Route &route, const RouteState &state, const Envelope &envelope,
                                             QList<std::pair<QString, Value>> *deadbandUpdates);
    bool matches(const Route &route, const Envelope &envelope) const;
    void addTo(const Route &route, RouteState &state, const Envelope &envelope, qint64 nowMs);
    void updateTimer();

    std::function<QString(const QString &)> m_deviceType;
    Metrics &m_metrics;
    QList<std::pair<QString, RouteTarget *>> m_targets;
    QList<Route> m_routes;
    std::vector<RouteState> m_state; // per route
    QTimer m_aggregateTimer;
    Counter &m_busy;
    Counter &m_aggregateDropped;
    RateLimitedLog m_warnings;
};

} // namespace edgegate
