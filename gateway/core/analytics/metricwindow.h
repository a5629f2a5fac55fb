// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QtGlobal>

#include <array>
#include <utility>

namespace edgegate {

/// Statistics over the recent samples of one metric in a fixed, small amount of memory: the
/// samples are summed up in four buckets of a quarter of the capacity each (count, mean and M2
/// relative to the bucket's first sample, min, max, first time), and the oldest bucket leaves as
/// a whole. The window so holds at most `capacity` samples and at least `capacity` less one bucket;
/// what it reports is exact for the samples it holds (buckets merge with Chan's formula), and a
/// glitch leaves with its bucket. No sample is kept: O(1) memory and time per sample.
class MetricWindow
{
public:
    static constexpr int Buckets = 4;

    explicit MetricWindow(int capacity);

    void add(double value, qint64 timeNs); ///< `timeNs`: the sample's time, ns since the epoch

    [[nodiscard]] int capacity() const { return m_capacity; }
    [[nodiscard]] int size() const { return m_size; } ///< samples now in the window
    [[nodiscard]] qint64 count() const { return m_count; } ///< samples ever added
    [[nodiscard]] double mean() const { return summary().mean; } ///< 0 when empty
    [[nodiscard]] double variance() const; ///< population variance; 0 below 2 samples
    [[nodiscard]] double stddev() const; ///< sqrt(variance())
    [[nodiscard]] double min() const { return range().first; } ///< of the window; 0 when empty
    [[nodiscard]] double max() const { return range().second; } ///< of the window; 0 when empty
    /// Samples per second across the window, from its first to its last sample's time; 0 when undefined.
    [[nodiscard]] double rate() const;

    /// |value - mean| / stddev against the current window, or a negative number when the
    /// window's standard deviation is (numerically) zero and no z-score exists.
    [[nodiscard]] double zScore(double value) const;

private:
    struct Bucket
    {
        double shift; // its first sample: the others are accumulated relative to it
        double mean; // of (sample - shift)
        double m2; // sum of squared deviations from the mean
        double min;
        double max;
        qint64 firstNs;
        qint32 n;
    };
    struct Summary
    {
        double n = 0;
        double mean = 0;
        double m2 = 0;
    };

    [[nodiscard]] Summary summary() const;
    [[nodiscard]] std::pair<double, double> range() const;
    [[nodiscard]] const Bucket &bucket(int i) const { return m_buckets[(m_first + i) % Buckets]; } ///< 0: oldest
    void dropOldest();

    std::array<Bucket, Buckets> m_buckets{};
    qint64 m_count = 0;
    qint64 m_lastNs = 0;
    qint32 m_capacity;
    qint32 m_bucketSize;
    qint32 m_size = 0;
    quint8 m_first = 0; // index of the oldest bucket
    quint8 m_used = 0;
};

} // namespace edgegate
