// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/devices/chartstore.h"
#include "gateway/core/ingest/envelope.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QString>

#include <vector>

namespace edgegate {

/// Recent numeric telemetry for dashboard charts, on disk: samples are averaged into 10-second
/// buckets, and the last 360 buckets (one hour) of every series are kept in a ChartStore, so they
/// survive a restart and cost memory only for the bucket in progress. At most 32 metrics per device
/// (samples of further metrics are ignored) and the store's capacity of series in all.
///
/// The hour kept is the one that ends with the newest bucket any sample reached; a sample older than
/// that hour is dropped, and one more than a bucket ahead of its receiving time is taken at that time.
class TelemetryHistory
{
public:
    struct Point
    {
        qint64 timeMs; ///< bucket start
        double value; ///< mean of the bucket
    };

    static constexpr qint64 BucketMs = 10'000;
    static constexpr int Buckets = ChartStore::Frames;
    static constexpr int MaxMetrics = 32;

    explicit TelemetryHistory(ChartStore &store);

    /// Takes up the series and the bucket in progress that the store kept; call once it is open.
    void load();
    /// Adds one sample; non-finite values are ignored.
    void add(const QString &deviceId, const QString &metric, qint64 timeMs, double value, qint64 nowMs);
    /// Adds the chartable samples of accepted telemetry: numbers, and booleans as 0 and 1 (text has
    /// no place on a chart).
    void add(const Envelope &envelope);
    /// Frees the device's series.
    void removeDevice(const QString &deviceId);
    /// Writes the bucket in progress (at a stop; it is otherwise written when the next one starts).
    void flush();
    /// What the device's history takes in memory, estimated (its series list; the buckets are on disk).
    [[nodiscard]] qsizetype bytes(const QString &deviceId) const;
    [[nodiscard]] qsizetype deviceCount() const { return m_devices.size(); }
    [[nodiscard]] int seriesCount() const { return m_seriesCount; }
    /// Points with timeMs >= sinceMs, oldest first, for every metric of the device (metric -> points).
    [[nodiscard]] QMap<QString, QList<Point>> series(const QString &deviceId, qint64 sinceMs) const;

private:
    struct Series
    {
        QString metric;
        int slot;
        qint64 sinceBucket;
    };
    using DeviceSeries = std::vector<Series>;
    struct Open
    {
        double sum = 0;
        quint32 count = 0;
    };

    /// The device's series of `metric`, made on first use; nullptr past a cap.
    const Series *seriesOf(const QString &deviceId, const QString &metric);
    void startBucket(qint64 bucket);
    void writeOpen();

    ChartStore &m_store;
    QHash<QString, DeviceSeries> m_devices;
    std::vector<Open> m_open; ///< the bucket in progress, by slot
    qint64 m_openBucket;
    std::vector<int> m_freeSlots; ///< used before, below the store's high water
    int m_nextSlot = 0; ///< from here on, slots never used
    int m_seriesCount = 0;
};

} // namespace edgegate
