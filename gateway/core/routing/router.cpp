// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/routing/router.h"

#include "gateway/core/common/metrics.h"
#include "gateway/core/ingest/receiveclock.h"

#include <QDateTime>
#include <QLoggingCategory>

#include <cmath>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcRouter, "edgegate.router")

namespace {

bool sameValue(const Value &a, const Value &b, double deadband)
{
    const auto x = numericValue(a);
    const auto y = numericValue(b);
    if (x && y && !std::holds_alternative<bool>(a) && !std::holds_alternative<bool>(b))
        return std::fabs(*x - *y) <= deadband;
    return a == b;
}

} // namespace

Value Router::Aggregate::value(AggregateFunction function) const
{
    switch (function) {
    case AggregateFunction::Min:
        return min;
    case AggregateFunction::Max:
        return max;
    case AggregateFunction::Mean:
        return sum / static_cast<double>(count);
    case AggregateFunction::Count:
        return count;
    case AggregateFunction::Last:
        return last;
    }
    return last;
}

Router::Router(std::function<QString(const QString &)> deviceType, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_deviceType(std::move(deviceType))
    , m_metrics(metrics)
    , m_busy(metrics.counter(u"edgegate_messages_refused_busy_total"_s,
                             u"Messages refused because an outbox with overflow reject_new was full."_s))
    , m_aggregateDropped(metrics.counter(u"edgegate_messages_dropped_total"_s,
                                         u"Messages dropped after acceptance, by reason."_s,
                                         {{u"reason"_s, u"aggregate_outbox_full"_s}}))
{
    m_aggregateTimer.setInterval(1000);
    connect(&m_aggregateTimer, &QTimer::timeout, this, [this] { flushAggregates(wallClockNs()); });
}

Router::~Router() = default;

void Router::addTarget(const QString &sink, RouteTarget &target)
{
    m_targets.append({sink, &target});
}

QStringList Router::sinkNames() const
{
    QStringList names;
    for (const auto &[name, target] : m_targets)
        names.append(name);
    return names;
}

bool Router::setRoutes(const QList<Route> &routes, QString *error)
{
    if (!check(routes, error))
        return false;
    apply(routes);
    return true;
}

Router::Change Router::replaceRoutes(const QList<Route> &routes, const std::function<bool(QString *)> &keep,
                                     QString *error)
{
    if (!check(routes, error))
        return Change::Invalid;
    if (!keep(error))
        return Change::NotKept;
    apply(routes);
    return Change::Done;
}

bool Router::check(const QList<Route> &routes, QString *error) const
{
    const QStringList known = sinkNames();
    for (const Route &route : routes) {
        for (const QString &sink : route.sinks) {
            if (!known.contains(sink)) {
                *error = u"route '%1' names sink '%2', which is not configured (configured: %3)"_s.arg(
                    route.name, sink, known.isEmpty() ? u"none"_s : known.join(u", "_s));
                return false;
            }
        }
    }
    return true;
}

void Router::apply(const QList<Route> &routes)
{
    // Windows in progress are emitted under the routes they were collected for.
    flushAggregates(wallClockNs(), true);
    m_routes = routes;
    m_state.assign(static_cast<size_t>(routes.size()), RouteState{});
    updateTimer();
}

void Router::updateTimer()
{
    const bool aggregating
        = std::any_of(m_routes.begin(), m_routes.end(), [](const Route &r) { return r.aggregates(); });
    if (aggregating && !m_aggregateTimer.isActive())
        m_aggregateTimer.start();
    else if (!aggregating)
        m_aggregateTimer.stop();
}

bool Router::matches(const Route &route, const Envelope &envelope) const
{
    if (!route.takesKind(envelope.kind))
        return false;
    if (!route.devices.isEmpty() && !route.devices.contains(envelope.deviceId))
        return false;
    if (!route.topic.isEmpty() && !topicFilterMatches(route.topic, deviceTopic(envelope.deviceId, envelope.kind)))
        return false;
    if (!route.types.isEmpty() && !route.types.contains(m_deviceType(envelope.deviceId)))
        return false;
    return true;
}

std::optional<Envelope> Router::transform(const Route &route, const RouteState &state, const Envelope &envelope,
                                          QList<std::pair<QString, Value>> *deadbandUpdates)
{
    if (envelope.kind != MessageKind::Telemetry)
        return envelope;
    const bool changesSamples = !route.rename.isEmpty() || !route.keep.isEmpty() || route.deadband > 0;
    if (!changesSamples)
        return envelope;
    Envelope out = envelope;
    out.raw.clear(); // the raw payload no longer says what is sent
    out.samples.clear();
    const auto lastSent = state.lastSent.constFind(envelope.deviceId);
    for (Sample sample : envelope.samples) {
        for (const auto &[from, to] : route.rename) {
            if (sample.name == from) {
                sample.name = to;
                break;
            }
        }
        if (!route.keep.isEmpty() && !route.keep.contains(sample.name))
            continue;
        if (route.deadband > 0) {
            // Compared with the last value sent: an earlier sample of this message, else one sent before.
            const Value *previous = nullptr;
            for (const auto &[name, value] : std::as_const(*deadbandUpdates)) {
                if (name == sample.name)
                    previous = &value;
            }
            if (!previous && lastSent != state.lastSent.constEnd()) {
                const auto before = lastSent->constFind(sample.name);
                if (before != lastSent->constEnd())
                    previous = &*before;
            }
            if (previous && sameValue(*previous, sample.value, route.deadband))
                continue;
            deadbandUpdates->append({sample.name, sample.value});
        }
        out.samples.append(std::move(sample));
    }
    if (out.samples.isEmpty())
        return std::nullopt;
    return out;
}

Router::Result Router::route(const Envelope &envelope)
{
    QList<Output> outputs;
    const auto addOutputs = [&](const QStringList &sinks, const Envelope &e) {
        for (const auto &[name, target] : std::as_const(m_targets)) {
            if (!sinks.isEmpty() && !sinks.contains(name))
                continue;
            if (auto record = target->encode(e))
                outputs.append(Output{target, name, std::move(*record)});
        }
    };

    // State changes wait until the message is known to be stored: a refused one must leave no trace.
    struct Pending
    {
        qsizetype route;
        QList<std::pair<QString, Value>> deadband;
        std::optional<Envelope> aggregate;
    };
    QList<Pending> pending;
    if (m_routes.isEmpty()) {
        if (envelope.kind == MessageKind::Telemetry)
            addOutputs({}, envelope);
    } else {
        for (qsizetype i = 0; i < m_routes.size(); ++i) {
            const Route &route = m_routes[i];
            if (!matches(route, envelope))
                continue;
            Pending p{i, {}, std::nullopt};
            std::optional<Envelope> out = transform(route, m_state[static_cast<size_t>(i)], envelope, &p.deadband);
            if (out && route.aggregates() && out->kind == MessageKind::Telemetry)
                p.aggregate = std::move(out);
            else if (out)
                addOutputs(route.sinks, *out);
            pending.append(std::move(p));
        }
    }

    for (const Output &o : std::as_const(outputs)) {
        if (!o.target->canHold(envelope.deviceId, o.record)) {
            if (m_warnings.allow(u"too_large:"_s + o.sink))
                qCWarning(lcRouter).noquote() << "a message of" << envelope.deviceId << "is larger than outbox"
                                              << o.sink << "can hold (see its max_bytes): refused";
            return Result::TooLarge;
        }
    }
    for (const Output &o : std::as_const(outputs)) {
        // One message may reach a sink on several routes: room is checked for all its records at once.
        QList<RouteTarget::Record> records;
        for (const Output &other : std::as_const(outputs)) {
            if (other.target == o.target)
                records.append(other.record);
        }
        if (!o.target->hasRoomFor(envelope.deviceId, records)) {
            m_busy.inc();
            if (const auto suppressed = m_warnings.allow(u"busy:"_s + o.sink)) {
                qCWarning(lcRouter).noquote()
                    << "outbox" << o.sink << "is full (overflow reject_new): refusing new messages"
                    << (*suppressed ? u"(%1 more since the last report)"_s.arg(*suppressed) : QString());
            }
            return Result::Busy;
        }
    }
    for (const Output &o : std::as_const(outputs)) {
        if (!o.target->store(envelope.deviceId, o.record)) {
            // Those stored already are sent; the device's retry may make them arrive twice.
            m_busy.inc();
            return Result::Busy;
        }
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (Pending &p : pending) {
        RouteState &state = m_state[static_cast<size_t>(p.route)];
        if (!p.deadband.isEmpty()) {
            auto &last = state.lastSent[envelope.deviceId];
            for (const auto &[name, value] : std::as_const(p.deadband))
                last.insert(name, value);
        }
        if (p.aggregate)
            addTo(m_routes[p.route], state, *p.aggregate, now);
    }
    return Result::Stored;
}

void Router::addTo(const Route &route, RouteState &state, const Envelope &envelope, qint64 nowMs)
{
    DeviceWindow &window = state.windows[envelope.deviceId];
    if (window.metrics.empty()) {
        // Windows are aligned to multiples of their length, so every device reports at the same moments.
        const qint64 every = route.aggregateEvery.count();
        window.windowEndMs = (nowMs / every + 1) * every;
        window.source = envelope.source;
    }
    for (const Sample &sample : envelope.samples) {
        const auto number = numericValue(sample.value);
        if (!number)
            continue; // only numbers aggregate
        auto [it, fresh] = window.metrics.try_emplace(sample.name);
        Aggregate &a = it->second;
        if (fresh) {
            a.min = a.max = *number;
        } else {
            a.min = std::min(a.min, *number);
            a.max = std::max(a.max, *number);
        }
        a.sum += *number;
        ++a.count;
        a.last = *number;
    }
    if (window.metrics.empty())
        state.windows.remove(envelope.deviceId);
}

void Router::flushAggregates(qint64 nowNs, bool all)
{
    const qint64 nowMs = msFromNs(nowNs);
    for (size_t r = 0; r < m_state.size(); ++r) {
        const Route &route = m_routes[static_cast<qsizetype>(r)];
        RouteState &state = m_state[r];
        for (auto it = state.windows.begin(); it != state.windows.end();) {
            if (!all && it->windowEndMs > nowMs) {
                ++it;
                continue;
            }
            // A window cut short (new routes, shutdown) is stamped when it was cut: the window that
            // follows ends at the same aligned moment and must not share its time.
            const qint64 timeNs = it->windowEndMs <= nowMs ? it->windowEndMs * 1'000'000 : nowNs;
            Envelope e;
            e.deviceId = it.key();
            e.kind = MessageKind::Telemetry;
            e.source = it->source;
            e.receivedAtNs = timeNs;
            e.receivedMono = std::chrono::steady_clock::now();
            e.hasDeviceTime = true;
            for (const auto &[name, a] : it->metrics) {
                for (AggregateFunction f : route.aggregateFunctions) {
                    e.samples.append(Sample{name + u'_' + aggregateFunctionName(f), a.value(f), timeNs});
                }
            }
            it = state.windows.erase(it);
            for (const auto &[name, target] : std::as_const(m_targets)) {
                if (!route.sinks.contains(name))
                    continue;
                const auto record = target->encode(e);
                if (!record)
                    continue;
                // Nobody is left to tell "try again": an aggregate that finds no room is dropped, and counted.
                if (!target->canHold(e.deviceId, *record) || !target->hasRoomFor(e.deviceId, {*record})
                    || !target->store(e.deviceId, *record)) {
                    m_aggregateDropped.inc();
                    if (m_warnings.allow(u"aggregate_dropped"_s))
                        qCWarning(lcRouter).noquote() << "outbox" << name << "is full: aggregate of" << e.deviceId
                                                      << "for route" << route.name << "dropped";
                }
            }
        }
    }
}

} // namespace edgegate
