// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QString>

#include <limits>
#include <vector>

namespace edgegate {

/// Where the dashboard's chart history lives (storage/chartfile.h, in data_dir): a ring of `Frames`
/// frames, one per bucket of time, each with a cell for every series slot; and which series (device
/// and metric) holds which slot. TelemetryHistory decides what goes where.
class ChartStore
{
public:
    static constexpr int Frames = 360;
    static constexpr qint64 NoBucket = std::numeric_limits<qint64>::min();

    /// One series' bucket: the mean of its samples and how many there were (0: none).
    struct Cell
    {
        float mean = 0;
        quint32 count = 0;
    };
    struct Series
    {
        QString deviceId;
        QString metric;
        int slot = 0;
        qint64 sinceBucket = 0; ///< the first bucket that is the series' own (a slot is reused)
    };

    virtual ~ChartStore() = default;

    /// How many series fit.
    [[nodiscard]] virtual int capacity() const = 0;
    /// Slots a frame has ever held a cell for: the slots from here on have no past.
    [[nodiscard]] virtual int highWater() const = 0;
    /// The series the last run left, and the bucket each frame holds (NoBucket: none).
    [[nodiscard]] virtual QList<Series> series() const = 0;
    [[nodiscard]] virtual qint64 frameBucket(int frame) const = 0;

    virtual void assign(const Series &series) = 0;
    virtual void release(int slot) = 0;
    /// Makes frame `bucket % Frames` hold `bucket` with `cells` (by slot; the slots past them are empty).
    virtual void writeFrame(qint64 bucket, const std::vector<Cell> &cells) = 0;
    /// The first `count` cells of `bucket`'s frame; empty ones unless the frame holds that bucket.
    [[nodiscard]] virtual std::vector<Cell> readFrame(qint64 bucket, int count) const = 0;
    /// The cell of `slot` in `bucket`; empty unless its frame holds that bucket.
    [[nodiscard]] virtual Cell readCell(qint64 bucket, int slot) const = 0;
    /// Writes one cell; a frame that holds another bucket is emptied for `bucket` first.
    virtual void writeCell(qint64 bucket, int slot, const Cell &cell) = 0;
};

} // namespace edgegate
