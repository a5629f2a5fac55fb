// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/analytics/rollingwindow.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace edgegate {

namespace {

constexpr double kEpsilon = std::numeric_limits<double>::epsilon();

// Accumulated rounding error (as estimated below) that forces an exact pass. The estimate adds
// worst-case bounds linearly while real rounding errors mostly cancel, so the actual error stays
// orders of magnitude below this.
constexpr double kTolerance = 1e-10;

} // namespace

RollingWindow::RollingWindow(int capacity)
    : m_values(static_cast<std::size_t>(std::max(capacity, 1)))
    , m_times(m_values.size())
{
}

void RollingWindow::add(double value, qint64 timeNs)
{
    const int cap = capacity();
    const quint64 seq = m_seq++;
    ++m_count;

    if (m_size == 0 || cap == 1) {
        // A window of one sample is exact by construction; the reference starts at the data so that
        // everything accumulated afterwards is a deviation of the order of the spread.
        m_values[static_cast<std::size_t>(m_head)] = value;
        m_times[static_cast<std::size_t>(m_head)] = timeNs;
        m_size = 1;
        m_shift = value;
        m_shiftedMean = 0.0;
        m_m2 = 0.0;
        m_meanError = 0.0;
        m_m2Error = 0.0;
        m_sinceRecompute = 0;
    } else if (m_size < cap) {
        const auto slot = static_cast<std::size_t>((m_head + m_size) % cap);
        m_values[slot] = value;
        m_times[slot] = timeNs;
        ++m_size;
        const auto n = static_cast<double>(m_size);

        const double u = value - m_shift;
        const double delta = u - m_shiftedMean;
        const double newMean = m_shiftedMean + delta / n;
        const double deltaNew = u - newMean;
        const double increment = delta * deltaNew;

        // First-order bounds: each operation contributes epsilon times its result, and the mean's own
        // error enters the M2 increment through both deviations.
        const double oldMeanError = m_meanError;
        m_meanError += kEpsilon * (std::abs(newMean) + 2.0 * std::abs(delta) / n);
        m_m2Error += std::abs(deltaNew) * (oldMeanError + kEpsilon * std::abs(delta))
            + std::abs(delta) * (m_meanError + kEpsilon * std::abs(deltaNew)) + kEpsilon * std::abs(increment);

        m_shiftedMean = newMean;
        m_m2 += increment;
    } else {
        const auto slot = static_cast<std::size_t>(m_head);
        const double u = value - m_shift;
        // The evicted sample is shifted by the same reference it was accumulated with (the reference
        // only changes in recompute(), which rebuilds everything), so its contribution cancels exactly.
        const double v = m_values[slot] - m_shift;
        m_values[slot] = value;
        m_times[slot] = timeNs;
        m_head = (m_head + 1) % cap;
        const auto n = static_cast<double>(m_size);

        const double delta = u - v;
        const double newMean = m_shiftedMean + delta / n;
        const double devNew = u - newMean;
        const double devOld = v - m_shiftedMean;
        const double increment = delta * (devNew + devOld);

        // An error e in the stored mean shifts this increment by 2 * delta * e: with an unshifted mean
        // of 1e6 that term alone made the stddev drift by 2e-8 over 10 million samples.
        m_meanError += kEpsilon * (std::abs(newMean) + 2.0 * std::abs(delta) / n);
        m_m2Error += std::abs(delta) * (2.0 * m_meanError + 3.0 * kEpsilon * (std::abs(devNew) + std::abs(devOld)))
            + kEpsilon * std::abs(increment);

        m_shiftedMean = newMean;
        m_m2 += increment;
    }

    // Rounding can push a true zero slightly negative; a NaN must pass through so the check below sees it.
    if (m_m2 < 0.0) {
        m_m2 = 0.0;
    }
    m_m2Error += kEpsilon * std::abs(m_m2);
    m_mean = m_shift + m_shiftedMean;

    const std::pair<quint64, double> entry{seq, value};
    while (!m_minQueue.empty() && m_minQueue.back().second >= value) {
        m_minQueue.pop_back();
    }
    m_minQueue.push_back(entry);
    while (!m_maxQueue.empty() && m_maxQueue.back().second <= value) {
        m_maxQueue.pop_back();
    }
    m_maxQueue.push_back(entry);
    const quint64 oldest = seq + 1 - static_cast<quint64>(m_size);
    while (m_minQueue.front().first < oldest) {
        m_minQueue.pop_front();
    }
    while (m_maxQueue.front().first < oldest) {
        m_maxQueue.pop_front();
    }

    // Written as !(a <= b) so that NaN or infinity in the state (a non-finite sample went through)
    // also asks for a pass, which restores finite statistics once that sample has left the window.
    // The mean is held to the spread, not to its magnitude: that is what z-scores depend on.
    const auto n = static_cast<double>(m_size);
    const bool suspect
        = !(m_m2Error <= kTolerance * m_m2) || !(m_meanError * m_meanError * n <= kTolerance * kTolerance * m_m2);
    const int minGap = std::max(1, cap / 4);
    if (m_sinceRecompute < minGap) {
        ++m_sinceRecompute;
    }
    if (suspect && m_sinceRecompute >= minGap) {
        recompute();
    }
}

void RollingWindow::recompute()
{
    const int cap = capacity();
    const auto n = static_cast<double>(m_size);
    const auto at = [this, cap](int i) { return m_values[static_cast<std::size_t>((m_head + i) % cap)]; };

    double sum = 0.0;
    for (int i = 0; i < m_size; ++i) {
        sum += at(i);
    }
    double reference = sum / n;
    if (!std::isfinite(reference)) {
        // Keeps the reference usable for later samples; the statistics themselves stay non-finite
        // for as long as the window holds the offending sample.
        reference = 0.0;
    }

    // Corrected two-pass: the residual sum of deviations repairs the rounding of the first pass.
    double s1 = 0.0;
    double s2 = 0.0;
    for (int i = 0; i < m_size; ++i) {
        const double d = at(i) - reference;
        s1 += d;
        s2 += d * d;
    }
    m_shift = reference;
    m_shiftedMean = s1 / n;
    m_m2 = s2 - s1 * s1 / n;
    if (m_m2 < 0.0) {
        m_m2 = 0.0;
    }
    m_mean = m_shift + m_shiftedMean;
    m_meanError = 0.0;
    m_m2Error = 0.0;
    m_sinceRecompute = 0;
}

double RollingWindow::variance() const
{
    if (m_size < 2) {
        return 0.0;
    }
    return m_m2 / static_cast<double>(m_size);
}

double RollingWindow::stddev() const
{
    return std::sqrt(variance());
}

double RollingWindow::min() const
{
    return m_minQueue.empty() ? 0.0 : m_minQueue.front().second;
}

double RollingWindow::max() const
{
    return m_maxQueue.empty() ? 0.0 : m_maxQueue.front().second;
}

double RollingWindow::rate() const
{
    if (m_size < 2) {
        return 0.0;
    }
    const int cap = capacity();
    const qint64 first = m_times[static_cast<std::size_t>(m_head)];
    const qint64 last = m_times[static_cast<std::size_t>((m_head + m_size - 1) % cap)];
    const qint64 span = last - first;
    if (span <= 0) {
        return 0.0;
    }
    return static_cast<double>(m_size - 1) * 1e9 / static_cast<double>(span);
}

double RollingWindow::zScore(double value) const
{
    const double sd = stddev();
    // Relative to the mean because a window at 1e9 cannot resolve a spread below ~1e-7 anyway; the
    // negated form also refuses a NaN standard deviation.
    if (!(sd > 1e-12 * std::max(1.0, std::abs(m_mean)))) {
        return -1.0;
    }
    return std::abs(value - m_mean) / sd;
}

} // namespace edgegate
