// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/analytics/analytics.h"

#include "gateway/core/common/heapestimate.h"
#include "gateway/core/common/metrics.h"
#include "gateway/core/ingest/receiveclock.h"

#include <algorithm>
#include <cmath>

namespace edgegate {

namespace {

qsizetype valueBytes(const Value &value)
{
    const auto *text = std::get_if<QString>(&value);
    return text ? heap::textBytes(*text) : 0;
}

} // namespace

const MetricState *DeviceMetrics::find(const QString &name) const
{
    for (const Entry &e : m_entries) {
        if (e.name == name)
            return &e.state;
    }
    return nullptr;
}

MetricState DeviceMetrics::value(const QString &name) const
{
    const MetricState *state = find(name);
    return state ? *state : MetricState{};
}

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
    std::vector<DeviceMetrics::Entry> &metrics = device->metrics.m_entries;
    qsizetype &bytes = device->bytes;
    // A device sends its metrics in the same order message after message: the search for each starts
    // after the one before, so it usually takes one comparison whatever the number of metrics.
    size_t next = 0;
    for (const Sample &sample : envelope.samples) {
        auto found = metrics.end();
        for (size_t i = 0; i < metrics.size(); ++i) {
            const size_t at = (next + i) % metrics.size();
            if (metrics[at].name == sample.name) {
                found = metrics.begin() + qsizetype(at);
                break;
            }
        }
        if (found == metrics.end()) {
            // A device inventing a new name per message must not grow its state without end.
            if (metrics.size() >= size_t(m_settings.maxMetricsPerDevice)) {
                if (m_overflow)
                    m_overflow->inc();
                continue;
            }
            // Grown by a quarter, not doubled: most devices have a few metrics and keep them.
            if (metrics.size() == metrics.capacity())
                metrics.reserve(metrics.size() + 1 + metrics.size() / 4);
            metrics.push_back({sample.name, MetricState{}});
            found = std::prev(metrics.end());
            bytes += heap::textBytes(sample.name);
        }
        next = size_t(found - metrics.begin()) + 1;
        MetricState &state = found->state;
        bytes += valueBytes(sample.value) - valueBytes(state.last);
        state.last = sample.value;
        state.lastTimeMs = msFromNs(sample.timeNs);
        const std::optional<double> number = numericValue(sample.value);
        if (!number)
            continue;
        if (!state.window)
            state.window.emplace(m_settings.window);
        MetricWindow &window = *state.window;
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

const DeviceMetrics *Analytics::device(const QString &deviceId) const
{
    const auto it = m_devices.constFind(deviceId);
    return it == m_devices.cend() ? nullptr : &it->metrics;
}

qsizetype Analytics::bytes(const QString &deviceId) const
{
    const auto it = m_devices.constFind(deviceId);
    if (it == m_devices.cend())
        return 0;
    // Its share of the hash of devices (a node at most half the buckets use), its list of metrics
    // (as allocated), and what hangs off them.
    constexpr qsizetype DeviceNodeBytes = 2 * (sizeof(QString) + sizeof(DeviceState)) + 2;
    const qsizetype capacity = qsizetype(it->metrics.m_entries.capacity());
    const qsizetype list
        = capacity == 0 ? 0 : capacity * qsizetype(sizeof(DeviceMetrics::Entry)) + heap::AllocationBytes;
    return DeviceNodeBytes + list + it->bytes;
}

void Analytics::removeDevice(const QString &deviceId)
{
    m_devices.remove(deviceId);
}

} // namespace edgegate
