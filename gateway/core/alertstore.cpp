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
}

const Alert &AlertStore::raise(Alert alert)
{
    alert.id = m_nextId++;
    m_metrics
        .counter(u"edgegate_alerts_total"_s, u"Alerts raised, by kind and severity."_s,
                 {{u"kind"_s, alert.kind}, {u"severity"_s, alert.severity}})
        .inc();
    if (static_cast<int>(m_alerts.size()) >= m_maxKept) {
        m_alerts.pop_front();
        m_evicted.inc();
    }
    m_alerts.push_back(std::move(alert));
    emit alertRaised(m_alerts.back());
    return m_alerts.back();
}

QList<Alert> AlertStore::list(const QString &deviceId, int limit) const
{
    QList<Alert> out;
    for (auto it = m_alerts.rbegin(); it != m_alerts.rend() && out.size() < limit; ++it) {
        if (deviceId.isEmpty() || it->deviceId == deviceId)
            out.append(*it);
    }
    return out;
}

} // namespace edgegate
