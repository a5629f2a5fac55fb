// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/common/ratelimitedlog.h"
#include "gateway/core/devices/chartstore.h"

#include <QHash>
#include <QString>

#include <array>

namespace edgegate {

class Counter;
class Metrics;

/// The chart history in two files of data_dir:
/// - `charts.dat`: a 64-byte header, then the ring of ChartStore::Frames frames, each a 16-byte
///   header (the bucket it holds) and 8 bytes per slot (float32 mean, uint32 count). Created sparse at
///   its full size; a frame is written whole when its bucket ends, so the disk sees one sequential
///   write per 10 s, not one per series.
/// - `charts.idx`: which device and metric hold which slot, one JSON object a line, appended as
///   series come and go and compacted when opened.
/// Nothing here is critical: a write that fails is counted and logged, and the charts have a gap.
class ChartFile final : public ChartStore
{
public:
    ChartFile(int capacity, Metrics &metrics);
    ~ChartFile() override;
    ChartFile(const ChartFile &) = delete;
    ChartFile &operator=(const ChartFile &) = delete;

    /// Opens (or makes) the files in `dir`. A file of another capacity or layout is started afresh,
    /// with a warning; false with `error` set when the files cannot be made at all.
    [[nodiscard]] bool open(const QString &dir, QString *error);

    [[nodiscard]] int capacity() const override { return m_capacity; }
    [[nodiscard]] int highWater() const override { return m_highWater; }
    [[nodiscard]] QList<Series> series() const override { return m_series.values(); }
    [[nodiscard]] qint64 frameBucket(int frame) const override { return m_frames[size_t(frame)]; }
    void assign(const Series &series) override;
    void release(int slot) override;
    void writeFrame(qint64 bucket, const std::vector<Cell> &cells) override;
    [[nodiscard]] std::vector<Cell> readFrame(qint64 bucket, int count) const override;
    [[nodiscard]] Cell readCell(qint64 bucket, int slot) const override;
    void writeCell(qint64 bucket, int slot, const Cell &cell) override;

private:
    [[nodiscard]] bool openData(const QString &path, QString *error);
    [[nodiscard]] bool openIndex(const QString &path, QString *error);
    [[nodiscard]] qint64 frameOffset(qint64 bucket) const;
    void setFrame(qint64 bucket, int count);
    void raiseHighWater(int count);
    void appendIndex(const QByteArray &line);
    [[nodiscard]] bool compactIndex();
    bool written(qint64 result, qint64 expected, const char *what) const;

    int m_capacity;
    int m_highWater = 0;
    int m_data = -1;
    int m_index = -1;
    QString m_indexPath;
    qint64 m_indexBytes = 0; ///< in the log now
    qint64 m_liveIndexBytes = 0; ///< what the last compaction wrote
    std::array<qint64, Frames> m_frames{};
    QHash<int, Series> m_series;
    Counter &m_failures;
    mutable RateLimitedLog m_warnings;
};

} // namespace edgegate
