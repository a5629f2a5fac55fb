// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/devices/healthhistory.h"

#include "gateway/core/common/metrics.h"
#include "gateway/core/devices/deviceregistry.h"

#include <QDateTime>
#include <QJsonValue>
#include <QLoggingCategory>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcHistory, "edgegate.history")

HealthHistory::HealthHistory(const Settings &settings, HealthStore &store, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_store(store)
    , m_writes(lcHistory(), u"the status history"_s)
    , m_recorded(metrics.counter(u"edgegate_status_transitions_total"_s, u"Device status changes recorded."_s))
    , m_dropped(metrics.counter(u"edgegate_status_history_dropped_total"_s,
                                u"Status changes not written to the history because storage kept failing."_s))
    , m_pruned(metrics.counter(u"edgegate_status_history_pruned_total"_s,
                               u"Status history entries deleted for being older than registry.history_days."_s))
{
    m_flushTimer.setInterval(settings.flushInterval);
    connect(&m_flushTimer, &QTimer::timeout, this, &HealthHistory::flush);
    m_pruneTimer.setInterval(std::chrono::hours(24));
    connect(&m_pruneTimer, &QTimer::timeout, this, &HealthHistory::prune);
}

HealthHistory::~HealthHistory()
{
    flush();
}

void HealthHistory::start()
{
    prune();
    m_flushTimer.start();
    m_pruneTimer.start();
}

void HealthHistory::record(const StatusTransition &transition)
{
    m_recorded.inc();
    if (m_pending.size() >= m_settings.maxPending) {
        m_pending.removeFirst();
        m_dropped.inc();
    }
    m_pending.append(transition);
}

bool HealthHistory::flush()
{
    if (m_pending.isEmpty())
        return true;
    if (!m_store.appendTransitions(m_pending)) {
        m_writes.failed(m_store.lastError());
        return false;
    }
    m_writes.succeeded();
    m_pending.clear();
    return true;
}

void HealthHistory::prune()
{
    const qint64 before = QDateTime::currentMSecsSinceEpoch() - qint64{m_settings.keepDays} * 24 * 3600 * 1000;
    const auto removed = m_store.pruneTransitions(before);
    if (!removed) {
        qCWarning(lcHistory).noquote() << "cannot prune the status history:" << m_store.lastError();
        return;
    }
    if (*removed > 0) {
        m_pruned.inc(static_cast<quint64>(*removed));
        qCInfo(lcHistory) << "pruned" << *removed << "status history entries older than" << m_settings.keepDays
                          << "days";
    }
}

std::optional<QList<StatusTransition>> HealthHistory::query(const QString &deviceId, qint64 sinceMs, qint64 untilMs,
                                                            int limit, qsizetype *total)
{
    flush();
    return m_store.transitions(deviceId, sinceMs, untilMs, limit, total);
}

QJsonObject statusTransitionToJson(const StatusTransition &transition)
{
    return QJsonObject{{u"time"_s, timeToJson(transition.timeMs)},
                       {u"from"_s, transition.from ? QJsonValue(deviceStatusName(*transition.from)) : QJsonValue()},
                       {u"to"_s, deviceStatusName(transition.to)},
                       {u"reason"_s, transition.reason}};
}

DeviceHistoryPage deviceHistoryPage(HealthHistory &history, const DeviceRegistry &registry, const QString &deviceId,
                                    qint64 sinceMs, qint64 untilMs, int limit)
{
    DeviceHistoryPage page;
    const auto transitions = history.query(deviceId, sinceMs, untilMs, limit, &page.total);
    if (!transitions) {
        page.result = DeviceHistoryPage::Result::StorageFailed;
        return page;
    }
    if (transitions->isEmpty() && page.total == 0 && !registry.find(deviceId)) {
        page.result = DeviceHistoryPage::Result::UnknownDevice;
        return page;
    }
    for (const StatusTransition &t : *transitions)
        page.transitions.append(statusTransitionToJson(t));
    return page;
}

} // namespace edgegate
