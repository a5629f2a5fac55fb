// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/analytics/analytics.h"

#include "gateway/core/common/metrics.h"
#include "gateway/core/ingest/receiveclock.h"

#include <cmath>

namespace edgegate {

namespace {

// Heap estimates, allocator overhead included roughly: what analytics.memory_budget counts.
constexpr qsizetype AllocationBytes = 16; // malloc's header and rounding, per allocation
constexpr qsizetype DequeBytes = 8 * sizeof(void *) + 512 + 2 * AllocationBytes; // libstdc++: map and one node

qsizetype textBytes(const QString &text)
{
    return text.isEmpty() ? 0 : qsizetype(sizeof(QArrayData)) + 2 * (text.size() + 1) + AllocationBytes;
}

qsizetype valueBytes(const Value &value)
{
    const auto *text = std::get_if<QString>(&value);
    return text ? textBytes(*text) : 0;
}

qsizetype metricBytes(const QString &name)
{
    // Its hash node (QHash keeps nodes in spans of 128 with a byte index each) and its name.
    return qsizetype(sizeof(QString) + sizeof(MetricState)) + 1 + textBytes(name);
}

qsizetype windowBytes(int capacity)
{
    return qsizetype(capacity) * qsizetype(sizeof(double) + sizeof(qint64)) + 2 * AllocationBytes + 2 * DequeBytes;
}

qsizetype deviceBytes(const QString &deviceId)
{
    return qsizetype(sizeof(QString)) + qsizetype(sizeof(QHash<QString, MetricState>)) + 8 + textBytes(deviceId);
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
        device = m_devices.insert(envelope.deviceId, DeviceState{{}, deviceBytes(envelope.deviceId)});
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
            bytes += metricBytes(sample.name);
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
    return it == m_devices.cend() ? 0 : it->bytes;
}

void Analytics::removeDevice(const QString &deviceId)
{
    m_devices.remove(deviceId);
}

} // namespace edgegate
