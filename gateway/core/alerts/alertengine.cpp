// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/alerts/alertengine.h"

#include "gateway/core/alerts/alertstore.h"
#include "gateway/core/common/duration.h"
#include "gateway/core/devices/deviceregistry.h"

#include <QDateTime>

#include <algorithm>

namespace edgegate {

using namespace Qt::StringLiterals;

AlertEngine::AlertEngine(AlertStore &alerts, DeviceRegistry &registry, Clock nowMs, QObject *parent)
    : QObject(parent)
    , m_alerts(alerts)
    , m_registry(registry)
    , m_now(nowMs ? std::move(nowMs) : Clock([] { return QDateTime::currentMSecsSinceEpoch(); }))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &AlertEngine::tick);
}

QString AlertEngine::key(int rule, const QString &deviceId, const QString &metric)
{
    return QString::number(rule) + QChar(0) + deviceId + QChar(0) + metric;
}

void AlertEngine::setRules(const QList<AlertRule> &rules)
{
    m_rules = rules;
    m_byKind.clear();
    m_thresholdByMetric.clear();
    m_deadlines.clear();
    m_queue.clear();
    m_outside.clear();
    for (int i = 0; i < m_rules.size(); ++i) {
        if (m_rules[i].kind == AlertRule::Kind::Threshold)
            m_thresholdByMetric[m_rules[i].metric].append(i);
        else
            m_byKind[m_rules[i].kind].append(i);
    }
    // Alerts that clear after a quiet time count it from their last repeat, also across restarts.
    for (const Alert &a : m_alerts.openAlerts()) {
        const auto rule
            = std::find_if(m_rules.cbegin(), m_rules.cend(), [&a](const AlertRule &r) { return r.id == a.rule; });
        if (rule == m_rules.cend())
            continue;
        if (rule->kind == AlertRule::Kind::Anomaly || rule->kind == AlertRule::Kind::OutboxOverflow) {
            const int index = static_cast<int>(rule - m_rules.cbegin());
            schedule({a.lastAtMs + rule->clearAfter.count(), Action::Clear, index, a.deviceId, a.metric, 0.0});
        }
    }
    arm();
}

QString AlertEngine::typeOf(const QString &deviceId) const
{
    const DeviceInfo *d = m_registry.find(deviceId);
    return d ? d->type : QString();
}

void AlertEngine::schedule(const Deadline &deadline)
{
    const QString k = key(deadline.rule, deadline.deviceId, deadline.metric);
    if (const auto old = m_deadlines.constFind(k); old != m_deadlines.cend())
        m_queue.erase({old->due, k});
    m_queue.insert({deadline.due, k});
    m_deadlines.insert(k, deadline);
}

void AlertEngine::cancel(int rule, const QString &deviceId, const QString &metric)
{
    const QString k = key(rule, deviceId, metric);
    if (const auto old = m_deadlines.constFind(k); old != m_deadlines.cend()) {
        m_queue.erase({old->due, k});
        m_deadlines.erase(old);
    }
}

std::optional<qint64> AlertEngine::nextDeadline() const
{
    if (m_queue.empty())
        return std::nullopt;
    return m_queue.begin()->first;
}

void AlertEngine::arm()
{
    const auto next = nextDeadline();
    if (!next) {
        m_timer.stop();
        return;
    }
    // Re-arming for the deadline already armed for would cost a timer restart per message.
    if (m_timer.isActive() && m_armedFor == *next)
        return;
    m_armedFor = *next;
    // Rounded up by a millisecond so the timer does not fire just before the deadline.
    m_timer.start(std::chrono::milliseconds(std::clamp<qint64>(*next - m_now() + 1, 0, qint64{24} * 3600 * 1000)));
}

void AlertEngine::tick()
{
    const qint64 now = m_now();
    while (const auto key = takeDue(m_queue, now))
        fire(m_deadlines.take(*key));
    arm();
}

void AlertEngine::raise(int rule, const QString &deviceId, const QString &metric, double value, const QString &message)
{
    const AlertRule &r = m_rules[rule];
    Alert a;
    a.rule = r.id;
    a.kind = alertRuleKindName(r.kind);
    a.severity = r.severity;
    a.deviceId = deviceId;
    a.metric = metric;
    a.value = value;
    a.timeMs = m_now();
    a.message = message;
    m_alerts.raise(std::move(a));
}

void AlertEngine::fire(const Deadline &d)
{
    const AlertRule &r = m_rules[d.rule];
    if (d.action == Action::Clear) {
        m_alerts.clearOpen(r.id, d.deviceId, d.metric, m_now());
        return;
    }
    switch (r.kind) {
    case AlertRule::Kind::Offline: {
        const DeviceInfo *device = m_registry.find(d.deviceId);
        if (device && device->status == DeviceStatus::Offline)
            raise(d.rule, d.deviceId, {}, 0.0,
                  u"device %1 offline for %2"_s.arg(d.deviceId, formatDuration(r.forDuration)));
        break;
    }
    case AlertRule::Kind::Threshold:
        if (m_outside.contains(key(d.rule, d.deviceId, d.metric))) {
            const double value = m_outside.value(key(d.rule, d.deviceId, d.metric)).value;
            raise(d.rule, d.deviceId, d.metric, value,
                  u"%1 of %2 is %3, outside its limits for %4"_s.arg(d.metric, d.deviceId, QString::number(value),
                                                                     formatDuration(r.forDuration)));
        }
        break;
    case AlertRule::Kind::NoData:
        raise(d.rule, d.deviceId, {}, 0.0,
              u"no telemetry from %1 for %2"_s.arg(d.deviceId, formatDuration(r.forDuration)));
        break;
    case AlertRule::Kind::Anomaly:
    case AlertRule::Kind::OutboxOverflow:
    case AlertRule::Kind::CertificateExpiry:
        break;
    }
}

QList<int> AlertEngine::rulesFor(AlertRule::Kind kind, const QString &deviceId) const
{
    QList<int> matching = m_byKind.value(kind);
    if (!matching.isEmpty()) {
        const QString type = typeOf(deviceId);
        matching.removeIf([&](int i) { return !m_rules[i].matches(deviceId, type); });
    }
    return matching;
}

void AlertEngine::onStatus(const StatusTransition &t)
{
    const QList<int> rules = rulesFor(AlertRule::Kind::Offline, t.deviceId);
    if (rules.isEmpty())
        return;
    const qint64 now = m_now();
    for (const int i : rules) {
        const AlertRule &r = m_rules[i];
        if (t.to == DeviceStatus::Offline) {
            if (r.forDuration.count() == 0)
                raise(i, t.deviceId, {}, 0.0, u"device %1 offline: %2"_s.arg(t.deviceId, t.reason));
            else
                schedule({now + r.forDuration.count(), Action::Raise, i, t.deviceId, {}, 0.0});
        } else {
            cancel(i, t.deviceId, {});
            m_alerts.clearOpen(r.id, t.deviceId, {}, now);
        }
    }
    arm();
}

void AlertEngine::threshold(int rule, const QString &deviceId, double value, qint64 now)
{
    const AlertRule &r = m_rules[rule];
    const bool outside = (r.above && value > *r.above) || (r.below && value < *r.below);
    const QString k = key(rule, deviceId, r.metric);
    if (!outside) {
        if (m_outside.remove(k) > 0) {
            cancel(rule, deviceId, r.metric);
            m_alerts.clearOpen(r.id, deviceId, r.metric, now);
        }
        return;
    }
    const auto it = m_outside.find(k);
    if (it != m_outside.end()) {
        it->value = value;
        // Still outside after the alert fired: a repeat (counted, not announced).
        if (m_alerts.findOpen(r.id, deviceId, r.metric))
            raise(rule, deviceId, r.metric, value,
                  u"%1 of %2 is %3, outside its limits"_s.arg(r.metric, deviceId, QString::number(value)));
        return;
    }
    m_outside.insert(k, {now, value});
    if (r.forDuration.count() == 0) {
        raise(rule, deviceId, r.metric, value,
              u"%1 of %2 is %3, outside its limits"_s.arg(r.metric, deviceId, QString::number(value)));
    } else {
        schedule({now + r.forDuration.count(), Action::Raise, rule, deviceId, r.metric, value});
        arm();
    }
}

void AlertEngine::onTelemetry(const Envelope &envelope)
{
    const QList<int> noData = rulesOf(AlertRule::Kind::NoData);
    if (m_thresholdByMetric.isEmpty() && noData.isEmpty())
        return;
    const qint64 now = m_now();
    QString type;
    bool typeKnown = false;
    const auto deviceType = [&] {
        if (!typeKnown) {
            type = typeOf(envelope.deviceId);
            typeKnown = true;
        }
        return type;
    };
    if (!m_thresholdByMetric.isEmpty()) {
        for (const Sample &s : envelope.samples) {
            const auto rules = m_thresholdByMetric.constFind(s.name);
            if (rules == m_thresholdByMetric.cend())
                continue;
            const auto value = numericValue(s.value);
            if (!value)
                continue;
            for (const int i : *rules) {
                const AlertRule &r = m_rules[i];
                if (r.hasSelector() && !r.matches(envelope.deviceId, deviceType()))
                    continue;
                threshold(i, envelope.deviceId, *value, now);
            }
        }
    }
    if (!noData.isEmpty()) {
        for (const int i : noData) {
            const AlertRule &r = m_rules[i];
            if (r.hasSelector() && !r.matches(envelope.deviceId, deviceType()))
                continue;
            m_alerts.clearOpen(r.id, envelope.deviceId, {}, now);
            schedule({now + r.forDuration.count(), Action::Raise, i, envelope.deviceId, {}, 0.0});
        }
        arm();
    }
}

void AlertEngine::onAnomaly(const Anomaly &anomaly)
{
    const QList<int> rules = rulesFor(AlertRule::Kind::Anomaly, anomaly.deviceId);
    if (rules.isEmpty())
        return;
    Alert a;
    a.timeMs = m_now();
    a.deviceId = anomaly.deviceId;
    a.metric = anomaly.metric;
    a.message = u"%1 of %2 is %3, %4 standard deviations from the window mean %5"_s.arg(
        anomaly.metric, anomaly.deviceId, QString::number(anomaly.value), QString::number(anomaly.zScore, 'f', 1),
        QString::number(anomaly.mean));
    a.value = anomaly.value;
    a.zScore = anomaly.zScore;
    a.mean = anomaly.mean;
    a.stddev = anomaly.stddev;
    const qint64 now = a.timeMs;
    for (const int i : rules) {
        const AlertRule &r = m_rules[i];
        a.rule = r.id;
        a.kind = alertRuleKindName(r.kind);
        a.severity = r.severity;
        m_alerts.raise(a);
        schedule({now + r.clearAfter.count(), Action::Clear, i, anomaly.deviceId, anomaly.metric, 0.0});
    }
    arm();
}

void AlertEngine::onOutboxDropped(const QString &sink, quint64 count, const QString &reason)
{
    const qint64 now = m_now();
    for (const int i : rulesOf(AlertRule::Kind::OutboxOverflow)) {
        const AlertRule &r = m_rules[i];
        const Alert *open = m_alerts.findOpen(r.id, {}, sink);
        const double total = (open ? open->value : 0.0) + static_cast<double>(count);
        raise(i, {}, sink, total, u"outbox %1 dropped %2 message(s): %3"_s.arg(sink).arg(total).arg(reason));
        schedule({now + r.clearAfter.count(), Action::Clear, i, {}, sink, 0.0});
    }
    arm();
}

void AlertEngine::onCertificateExpiry(const QString &name, qint64 expiryMs, const QString &what)
{
    const qint64 now = m_now();
    const double daysLeft = double(expiryMs - now) / (24.0 * 3600 * 1000);
    const QString subject = what.isEmpty() ? u"the TLS certificate of the %1 listener"_s.arg(name) : what;
    for (const int i : rulesOf(AlertRule::Kind::CertificateExpiry)) {
        const AlertRule &r = m_rules[i];
        const bool open = m_alerts.findOpen(r.id, {}, name) != nullptr;
        if (expiryMs - now > r.before.count()) {
            if (open)
                m_alerts.clearOpen(r.id, {}, name, now);
            continue;
        }
        if (open)
            continue;
        const QString when = QDateTime::fromMSecsSinceEpoch(expiryMs, Qt::UTC).toString(Qt::ISODate);
        raise(i, {}, name, daysLeft,
              expiryMs <= now
                  ? u"%1 expired at %2"_s.arg(subject, when)
                  : u"%1 expires at %2, in %3 days"_s.arg(subject, when, QString::number(daysLeft, 'f', 1)));
    }
}

} // namespace edgegate
