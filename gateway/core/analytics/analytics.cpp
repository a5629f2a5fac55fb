// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/analytics/analytics.h"

#include "gateway/core/common/heapestimate.h"
#include "gateway/core/common/metrics.h"
#include "gateway/core/ingest/receiveclock.h"

#include <cmath>

namespace edgegate {

namespace {

constexpr qsizetype DequeBytes = 8 * sizeof(void *) + 512 + 2 * heap::AllocationBytes; // libstdc++: map, one node
constexpr qsizetype MetricNodeBytes = sizeof(QString) + sizeof(MetricState);

qsizetype valueBytes(const Value &value)
{
    const auto *text = std::get_if<QString>(&value);
    return text ? heap::textBytes(*text) : 0;
}

qsizetype windowBytes(int capacity)
{
    return qsizetype(capacity) * qsizetype(sizeof(double) + sizeof(qint64)) + 2 * heap::AllocationBytes
        + 2 * DequeBytes;
}

} // namespace

Analytics::Analytics(const Settings &settings)
    : m_settings(settings)
{
}

QList<Anomaly> Analytics::process(const Envelope &envelope)
{
    QList<Anomaly> anomalies;
    auto device = m_devices.find(envelope.deviceId);
    if (device == m_devices.end())
        device = m_devices.insert(envelope.deviceId, DeviceState{{}, heap::textBytes(envelope.deviceId)});
    auto &metrics = device->metrics;
    qsizetype &bytes = device->bytes;
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
            bytes += heap::textBytes(sample.name);
        }
        MetricState &state = *found;
        bytes += valueBytes(sample.value) - valueBytes(state.last);
        state.last = sample.value;
        state.lastTimeMs = msFromNs(sample.timeNs);
        const std::optional<double> number = numericValue(sample.value);
        if (!number)
            continue;
        if (!state.window) {
            state.window.emplace(m_settings.window);
            bytes += windowBytes(m_settings.window);
        }
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
    return it == m_devices.cend() ? nullptr : &it->metrics;
}

qsizetype Analytics::bytes(const QString &deviceId) const
{
    const auto it = m_devices.constFind(deviceId);
    if (it == m_devices.cend())
        return 0;
    // Its share of the hash of devices (a node at most half the buckets use), its own hash of metrics,
    // and what hangs off them.
    constexpr qsizetype DeviceNodeBytes = 2 * (sizeof(QString) + sizeof(DeviceState)) + 2;
    return DeviceNodeBytes + heap::hashBytes(it->metrics.size(), MetricNodeBytes) + it->bytes;
}

void Analytics::removeDevice(const QString &deviceId)
{
    m_devices.remove(deviceId);
}

} // namespace edgegate
