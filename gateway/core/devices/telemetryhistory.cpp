// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/devices/telemetryhistory.h"

#include "gateway/core/ingest/receiveclock.h"

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
    Metrics &metrics = m_devices[deviceId];
    auto it = metrics.find(metric);
    if (it == metrics.end()) {
        if (metrics.size() >= MaxMetrics)
            return;
        it = metrics.insert(metric, {});
    }
    QList<Bucket> &buckets = *it;
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

QMap<QString, QList<TelemetryHistory::Point>> TelemetryHistory::series(const QString &deviceId, qint64 sinceMs) const
{
    QMap<QString, QList<Point>> out;
    const auto device = m_devices.constFind(deviceId);
    if (device == m_devices.cend())
        return out;
    for (auto it = device->cbegin(); it != device->cend(); ++it) {
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
