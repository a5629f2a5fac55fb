// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/ingest/envelope.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QString>

namespace edgegate {

/// Recent numeric telemetry for dashboard charts, in bounded memory: samples are averaged into
/// 10-second buckets, the last 360 buckets (one hour) per device and metric, at most 32 metrics
/// per device (samples of further metrics are ignored).
class TelemetryHistory
{
public:
    struct Point
    {
        qint64 timeMs; ///< bucket start
        double value; ///< mean of the bucket
    };

    static constexpr qint64 BucketMs = 10'000;
    static constexpr int Buckets = 360;
    static constexpr int MaxMetrics = 32;

    /// Adds one sample; non-finite values are ignored, and so are samples older than the hour kept.
    /// A sample time more than one bucket after `nowMs` (a device clock running ahead) is replaced
    /// by `nowMs`, so it cannot move the hour kept past every correct sample.
    void add(const QString &deviceId, const QString &metric, qint64 timeMs, double value, qint64 nowMs);
    /// Adds the chartable samples of accepted telemetry: numbers, and booleans as 0 and 1 (text has
    /// no place on a chart).
    void add(const Envelope &envelope);
    void removeDevice(const QString &deviceId);
    /// What the device's history takes on the heap, estimated.
    [[nodiscard]] qsizetype bytes(const QString &deviceId) const;
    [[nodiscard]] qsizetype deviceCount() const { return m_devices.size(); }
    /// Points with timeMs >= sinceMs, oldest first, for every metric of the device (metric -> points).
    [[nodiscard]] QMap<QString, QList<Point>> series(const QString &deviceId, qint64 sinceMs) const;

private:
    struct Bucket
    {
        qint64 startMs;
        double sum;
        qint64 count;
    };
    using Metrics = QHash<QString, QList<Bucket>>; ///< buckets by start, oldest first
    struct DeviceHistory
    {
        Metrics metrics;
        qsizetype bytes = 0; ///< what its metrics hold outside the hash: names, buckets
    };
    QHash<QString, DeviceHistory> m_devices;
};

} // namespace edgegate
