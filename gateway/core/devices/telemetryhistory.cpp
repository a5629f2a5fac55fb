// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/devices/telemetryhistory.h"

#include "gateway/core/common/heapestimate.h"
#include "gateway/core/ingest/receiveclock.h"

#include <QScopeGuard>

#include <algorithm>
#include <cmath>

namespace edgegate {

namespace {

qint64 bucketStart(qint64 timeMs)
{
    // Floor, not truncation, so times before the epoch land in the right bucket too.
    qint64 start = timeMs - timeMs % TelemetryHistory::BucketMs;
    if (timeMs % TelemetryHistory::BucketMs < 0)
        start -= TelemetryHistory::BucketMs;
    return start;
}

} // namespace

void TelemetryHistory::add(const Envelope &envelope)
{
    for (const Sample &sample : envelope.samples) {
        const auto *flag = std::get_if<bool>(&sample.value);
        const std::optional<double> value = flag ? std::optional(*flag ? 1.0 : 0.0) : numericValue(sample.value);
        if (value)
            add(envelope.deviceId, sample.name, msFromNs(sample.timeNs), *value, msFromNs(envelope.receivedAtNs));
    }
}

void TelemetryHistory::add(const QString &deviceId, const QString &metric, qint64 timeMs, double value, qint64 nowMs)
{
    if (timeMs > nowMs + BucketMs)
        timeMs = nowMs;
    if (!std::isfinite(value))
        return;
    auto device = m_devices.find(deviceId);
    if (device == m_devices.end())
        device = m_devices.insert(deviceId, DeviceHistory{{}, heap::textBytes(deviceId)});
    Metrics &metrics = device->metrics;
    auto it = metrics.find(metric);
    if (it == metrics.end()) {
        if (metrics.size() >= MaxMetrics)
            return;
        it = metrics.insert(metric, {});
        device->bytes += heap::textBytes(metric);
    }
    QList<Bucket> &buckets = *it;
    // Counted as allocated: the list keeps its capacity as old buckets leave.
    const qsizetype capacityBefore = buckets.capacity();
    const auto charge = qScopeGuard([&] {
        if (const qsizetype grown = buckets.capacity() - capacityBefore; grown != 0)
            device->bytes += grown * qsizetype(sizeof(Bucket)) + (capacityBefore == 0 ? heap::AllocationBytes + 16 : 0);
    });
    const qint64 start = bucketStart(timeMs);
    if (!buckets.isEmpty() && start < buckets.constLast().startMs - (Buckets - 1) * BucketMs)
        return; // before the hour kept
    auto at = std::lower_bound(buckets.begin(), buckets.end(), start,
                               [](const Bucket &b, qint64 s) { return b.startMs < s; });
    if (at != buckets.end() && at->startMs == start) {
        at->sum += value;
        ++at->count;
        return;
    }
    buckets.insert(at, Bucket{start, value, 1});
    // The window follows the newest bucket: whatever fell out of the hour goes.
    const qint64 oldestKept = buckets.constLast().startMs - (Buckets - 1) * BucketMs;
    qsizetype drop = 0;
    while (drop < buckets.size() && buckets.at(drop).startMs < oldestKept)
        ++drop;
    buckets.remove(0, drop);
}

void TelemetryHistory::removeDevice(const QString &deviceId)
{
    m_devices.remove(deviceId);
}

qsizetype TelemetryHistory::bytes(const QString &deviceId) const
{
    const auto it = m_devices.constFind(deviceId);
    if (it == m_devices.cend())
        return 0;
    constexpr qsizetype DeviceNodeBytes = 2 * (sizeof(QString) + sizeof(DeviceHistory)) + 2;
    return DeviceNodeBytes + heap::hashBytes(it->metrics.size(), sizeof(QString) + sizeof(QList<Bucket>)) + it->bytes;
}

QMap<QString, QList<TelemetryHistory::Point>> TelemetryHistory::series(const QString &deviceId, qint64 sinceMs) const
{
    QMap<QString, QList<Point>> out;
    const auto device = m_devices.constFind(deviceId);
    if (device == m_devices.cend())
        return out;
    for (auto it = device->metrics.cbegin(); it != device->metrics.cend(); ++it) {
        QList<Point> points;
        for (const Bucket &b : *it) {
            if (b.startMs >= sinceMs)
                points.append(Point{b.startMs, b.sum / double(b.count)});
        }
        out.insert(it.key(), points);
    }
    return out;
}

} // namespace edgegate
