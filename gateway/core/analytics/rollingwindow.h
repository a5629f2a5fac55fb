// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QtGlobal>

#include <deque>
#include <utility>
#include <vector>

namespace edgegate {

/// Statistics over the last N samples of one metric. Mean and variance are updated in O(1) per
/// sample (Welford's update extended to removal), min and max with monotonic queues; both
/// amortised O(1), nothing is recomputed per sample.
///
/// The running update alone drifts (a single 1e12 glitch once left a constant window with a
/// stddev of 1638 for ever), so samples are accumulated relative to a reference near the data,
/// and an estimate of the rounding error triggers an exact pass over the window when it could
/// pass ~1e-10 relative. Passes are at least capacity/4 samples apart: at most 4 extra element
/// visits per sample on average.
class RollingWindow
{
public:
    explicit RollingWindow(int capacity);

    void add(double value, qint64 timeNs); ///< `timeNs`: the sample's time, ns since the epoch

    [[nodiscard]] int capacity() const { return static_cast<int>(m_values.size()); }
    [[nodiscard]] int size() const { return m_size; } ///< samples now in the window
    [[nodiscard]] qint64 count() const { return m_count; } ///< samples ever added
    [[nodiscard]] double mean() const { return m_mean; } ///< 0 when empty
    [[nodiscard]] double variance() const; ///< population variance; 0 below 2 samples
    [[nodiscard]] double stddev() const; ///< sqrt(variance())
    [[nodiscard]] double min() const; ///< of the window; 0 when empty
    [[nodiscard]] double max() const; ///< of the window; 0 when empty
    /// Samples per second across the window, from the first to the last sample's time; 0 when undefined.
    [[nodiscard]] double rate() const;

    /// |value - mean| / stddev against the current window, or a negative number when the
    /// window's standard deviation is (numerically) zero and no z-score exists.
    [[nodiscard]] double zScore(double value) const;

private:
    std::vector<double> m_values; // ring buffer
    std::vector<qint64> m_times;
    int m_head = 0; // index of the oldest sample
    int m_size = 0;
    qint64 m_count = 0;
    double m_mean = 0.0; // m_shift + m_shiftedMean, kept so that mean() stays inline
    double m_shift = 0.0; // reference subtracted from every sample before accumulating
    double m_shiftedMean = 0.0;
    double m_m2 = 0.0; // sum of squared deviations from the mean
    double m_meanError = 0.0; // estimated rounding error accumulated since the last exact pass
    double m_m2Error = 0.0;
    int m_sinceRecompute = 0; // samples added since the last exact pass
    quint64 m_seq = 0;
    std::deque<std::pair<quint64, double>> m_minQueue; // (sequence, value), increasing values
    std::deque<std::pair<quint64, double>> m_maxQueue; // decreasing values

    void recompute();
};

} // namespace edgegate
