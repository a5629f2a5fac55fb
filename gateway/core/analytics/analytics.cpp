// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/analytics/analytics.h"

#include "gateway/core/common/metrics.h"
#include "gateway/core/ingest/receiveclock.h"

#include <cmath>

namespace edgegate {

Analytics::Analytics(const Settings &settings)
    : m_settings(settings)
{
}

QList<Anomaly> Analytics::process(const Envelope &envelope)
{
    QList<Anomaly> anomalies;
    auto &metrics = m_devices[envelope.deviceId];
    for (const Sample &sample : envelope.samples) {
        auto found = metrics.find(sample.name);
        if (found == metrics.end()) {
            // A device inventing a new name per message must not grow its state without end.
            if (metrics.size() >= m_settings.maxMetricsPerDevice) {
                if (m_overflow)
                    m_overflow->inc();
                continue;
            }
            found = metrics.insert(sample.name, MetricState{});
        }
        MetricState &state = *found;
        state.last = sample.value;
        state.lastTimeMs = msFromNs(sample.timeNs);
        const std::optional<double> number = numericValue(sample.value);
        if (!number)
            continue;
        if (!state.window)
            state.window.emplace(m_settings.window);
        RollingWindow &window = *state.window;
        if (window.size() >= m_settings.minSamples) {
            const double z = window.zScore(*number);
            // A negative z means the window has no spread: no z-score, so no anomaly.
            if (z >= m_settings.anomalyZ)
                anomalies.append({envelope.deviceId, sample.name, *number, z, window.mean(), window.stddev(),
                                  msFromNs(sample.timeNs)});
        }
        window.add(*number, sample.timeNs);
    }
    return anomalies;
}

const QHash<QString, MetricState> *Analytics::device(const QString &deviceId) const
{
    const auto it = m_devices.constFind(deviceId);
    return it == m_devices.cend() ? nullptr : &it.value();
}

void Analytics::removeDevice(const QString &deviceId)
{
    m_devices.remove(deviceId);
}

} // namespace edgegate
