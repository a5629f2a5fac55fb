// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/alerts/alertstore.h"

#include "gateway/core/common/metrics.h"
#include "gateway/core/common/ratelimitedlog.h"
#include "gateway/core/devices/healthstore.h"

#include <QLoggingCategory>

#include <algorithm>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcAlerts, "edgegate.alerts")

AlertStore::AlertStore(int maxKept, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_maxKept(qMax(1, maxKept))
    , m_writes(lcAlerts(), u"alerts"_s)
    , m_metrics(metrics)
    , m_evicted(metrics.counter(u"edgegate_alerts_evicted_total"_s,
                                u"Alerts removed because alerts.max_kept was reached (cleared ones first)."_s))
    , m_flushFailures(metrics.counter(u"edgegate_alerts_flush_failures_total"_s,
                                      u"Batched alert writes that failed (retried at the next flush)."_s))
{
    // Every series exists from the start, so rates work before the first alert.
    for (const QString &kind : {u"offline"_s, u"anomaly"_s, u"outbox_overflow"_s, u"certificate_expiry"_s}) {
        for (const QString &severity : {u"warning"_s, u"critical"_s})
            alertCounter(kind, severity);
    }
    metrics.addCollector([this] {
        int counts[3] = {0, 0, 0};
        for (const quint64 id : std::as_const(m_open)) {
            const auto it = m_alerts.find(id);
            if (it == m_alerts.end())
                continue;
            const QString &severity = it->second.severity;
            ++counts[severity == u"critical" ? 2 : severity == u"warning" ? 1 : 0];
        }
        const QString names[3] = {u"info"_s, u"warning"_s, u"critical"_s};
        for (int i = 0; i < 3; ++i) {
            m_metrics
                .gauge(u"edgegate_alerts_open"_s, u"Alerts active or acknowledged, by severity."_s,
                       {{u"severity"_s, names[i]}})
                .set(counts[i]);
        }
    });
    m_flushTimer.setInterval(std::chrono::seconds(1));
    connect(&m_flushTimer, &QTimer::timeout, this, &AlertStore::flush);
}

AlertStore::~AlertStore()
{
    flush();
}

QString AlertStore::key(const QString &rule, const QString &deviceId, const QString &metric)
{
    // Device ids and metric names cannot hold a NUL, so the key cannot be ambiguous.
    return rule + QChar(0) + deviceId + QChar(0) + metric;
}

Counter &AlertStore::alertCounter(const QString &kind, const QString &severity)
{
    return m_metrics.counter(u"edgegate_alerts_total"_s,
                             u"Alerts raised (not counting repeats), by kind and severity."_s,
                             {{u"kind"_s, kind}, {u"severity"_s, severity}});
}

bool AlertStore::load(HealthStore &store, QString *error, std::chrono::milliseconds flushInterval)
{
    const auto loaded = store.loadAlerts();
    if (!loaded) {
        if (error)
            *error = store.lastError();
        return false;
    }
    for (const Alert &a : *loaded) {
        m_alerts[a.id] = a;
        m_nextId = std::max(m_nextId, a.id + 1);
        if (a.isOpen())
            m_open.insert(key(a.rule, a.deviceId, a.metric), a.id);
        else
            m_cleared.insert(a.id);
    }
    m_store = &store;
    evict();
    m_flushTimer.setInterval(flushInterval);
    m_flushTimer.start();
    qCInfo(lcAlerts).noquote() << "loaded" << m_alerts.size() << "alerts," << m_open.size() << "open";
    return true;
}

void AlertStore::changed(const Alert &alert)
{
    if (m_store)
        m_dirty.insert(alert.id);
    emit alertChanged(alert);
}

void AlertStore::evict()
{
    while (static_cast<int>(m_alerts.size()) > m_maxKept) {
        // Cleared ones first; with none left, the oldest open alert goes.
        const quint64 id = m_cleared.empty() ? m_alerts.begin()->first : *m_cleared.begin();
        const auto it = m_alerts.find(id);
        if (it->second.isOpen())
            m_open.remove(key(it->second.rule, it->second.deviceId, it->second.metric));
        m_cleared.erase(id);
        m_alerts.erase(it);
        m_evicted.inc();
        if (m_store) {
            m_dirty.remove(id);
            m_removed.append(id);
        }
    }
}

const Alert &AlertStore::raise(Alert alert)
{
    const QString k = key(alert.rule, alert.deviceId, alert.metric);
    if (const auto open = m_open.constFind(k); open != m_open.cend()) {
        Alert &existing = m_alerts.at(*open);
        ++existing.count;
        existing.lastAtMs = alert.timeMs;
        existing.value = alert.value;
        existing.zScore = alert.zScore;
        existing.mean = alert.mean;
        existing.stddev = alert.stddev;
        existing.message = alert.message;
        if (m_store)
            m_dirty.insert(existing.id);
        return existing;
    }
    alert.id = m_nextId++;
    alert.state = alertstate::Active.toString();
    alert.count = 1;
    alert.lastAtMs = alert.timeMs;
    alertCounter(alert.kind, alert.severity).inc();
    const quint64 id = alert.id;
    m_alerts.emplace(id, std::move(alert));
    m_open.insert(k, id);
    // Never evicts the new alert: an older one (cleared first) always goes before it.
    evict();
    const Alert &added = m_alerts.at(id);
    qCInfo(lcAlerts).noquote() << "alert" << id << added.kind << added.severity << loggable(added.message, 300);
    changed(added);
    return added;
}

AlertStore::ChangeResult AlertStore::acknowledge(quint64 id, const QString &by, const QString &note, qint64 nowMs)
{
    const auto it = m_alerts.find(id);
    if (it == m_alerts.end())
        return ChangeResult::NotFound;
    Alert &a = it->second;
    if (a.state != alertstate::Active)
        return ChangeResult::Conflict;
    a.state = alertstate::Acknowledged.toString();
    a.acknowledgedBy = by;
    a.acknowledgedAtMs = nowMs;
    a.note = note;
    qCInfo(lcAlerts).noquote() << "alert" << id << "acknowledged by" << by;
    changed(a);
    return ChangeResult::Done;
}

AlertStore::ChangeResult AlertStore::clear(quint64 id, const QString &by, qint64 nowMs)
{
    const auto it = m_alerts.find(id);
    if (it == m_alerts.end())
        return ChangeResult::NotFound;
    Alert &a = it->second;
    if (!a.isOpen())
        return ChangeResult::Conflict;
    a.state = alertstate::Cleared.toString();
    a.clearedAtMs = nowMs;
    a.clearedBy = by;
    m_open.remove(key(a.rule, a.deviceId, a.metric));
    m_cleared.insert(id);
    qCInfo(lcAlerts).noquote() << "alert" << id << "cleared" << (by.isEmpty() ? u"(condition ended)"_s : u"by "_s + by);
    changed(a);
    return ChangeResult::Done;
}

bool AlertStore::clearOpen(const QString &rule, const QString &deviceId, const QString &metric, qint64 nowMs)
{
    const auto open = m_open.constFind(key(rule, deviceId, metric));
    if (open == m_open.cend())
        return false;
    return clear(*open, {}, nowMs) == ChangeResult::Done;
}

const Alert *AlertStore::find(quint64 id) const
{
    const auto it = m_alerts.find(id);
    return it == m_alerts.end() ? nullptr : &it->second;
}

const Alert *AlertStore::findOpen(const QString &rule, const QString &deviceId, const QString &metric) const
{
    const auto open = m_open.constFind(key(rule, deviceId, metric));
    return open == m_open.cend() ? nullptr : find(*open);
}

QList<Alert> AlertStore::openAlerts() const
{
    QList<Alert> out;
    for (const auto &[id, a] : m_alerts) {
        if (a.isOpen())
            out.append(a);
    }
    return out;
}

QList<Alert> AlertStore::list(const Filter &filter, int limit, qsizetype *total) const
{
    QList<Alert> out;
    qsizetype matches = 0;
    // Newest first: ids grow with age.
    std::for_each(m_alerts.crbegin(), m_alerts.crend(), [&](const auto &entry) {
        const Alert &a = entry.second;
        if ((!filter.deviceId.isEmpty() && a.deviceId != filter.deviceId)
            || (!filter.state.isEmpty() && a.state != filter.state)
            || (!filter.severity.isEmpty() && a.severity != filter.severity))
            return;
        ++matches;
        if (out.size() < limit)
            out.append(a);
    });
    if (total)
        *total = matches;
    return out;
}

bool AlertStore::flush()
{
    if (!m_store || (m_dirty.isEmpty() && m_removed.isEmpty()))
        return true;
    QList<Alert> upserts;
    upserts.reserve(m_dirty.size());
    for (const quint64 id : std::as_const(m_dirty)) {
        if (const Alert *a = find(id))
            upserts.append(*a);
    }
    if (!m_store->saveAlerts(upserts, m_removed)) {
        m_flushFailures.inc();
        m_writes.failed(m_store->lastError());
        return false;
    }
    m_writes.succeeded();
    m_dirty.clear();
    m_removed.clear();
    return true;
}

std::optional<QString> alertActorFrom(const QString &by)
{
    constexpr qsizetype MaxActorLength = 128;
    QString trimmed = by.trimmed();
    if (trimmed.isEmpty() || trimmed.size() > MaxActorLength)
        return std::nullopt;
    return trimmed;
}

std::optional<QString> alertNoteFromJson(const QJsonValue &note)
{
    constexpr qsizetype MaxNoteLength = 1024;
    if (note.isUndefined())
        return QString();
    if (!note.isString() || note.toString().size() > MaxNoteLength)
        return std::nullopt;
    return note.toString();
}

} // namespace edgegate
