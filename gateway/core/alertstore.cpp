// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/alertstore.h"

#include "gateway/core/metrics.h"

namespace edgegate {

using namespace Qt::StringLiterals;

AlertStore::AlertStore(int maxKept, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_maxKept(qMax(1, maxKept))
    , m_metrics(metrics)
    , m_evicted(metrics.counter(u"edgegate_alerts_evicted_total"_s,
                                u"Alerts removed from memory because alerts.max_kept was reached."_s))
{
    // Every series exists from the start, so rates work before the first alert.
    for (const QString &severity : {u"warning"_s, u"critical"_s})
        alertCounter(u"anomaly"_s, severity);
}

Counter &AlertStore::alertCounter(const QString &kind, const QString &severity)
{
    return m_metrics.counter(u"edgegate_alerts_total"_s, u"Alerts raised, by kind and severity."_s,
                             {{u"kind"_s, kind}, {u"severity"_s, severity}});
}

const Alert &AlertStore::raise(Alert alert)
{
    alert.id = m_nextId++;
    alertCounter(alert.kind, alert.severity).inc();
    if (static_cast<int>(m_alerts.size()) >= m_maxKept) {
        m_alerts.pop_front();
        m_evicted.inc();
    }
    m_alerts.push_back(std::move(alert));
    emit alertRaised(m_alerts.back());
    return m_alerts.back();
}

QList<Alert> AlertStore::list(const QString &deviceId, int limit, qsizetype *total) const
{
    QList<Alert> out;
    qsizetype matches = 0;
    for (auto it = m_alerts.rbegin(); it != m_alerts.rend(); ++it) {
        if (!deviceId.isEmpty() && it->deviceId != deviceId)
            continue;
        ++matches;
        if (out.size() < limit)
            out.append(*it);
    }
    if (total)
        *total = matches;
    return out;
}

} // namespace edgegate
