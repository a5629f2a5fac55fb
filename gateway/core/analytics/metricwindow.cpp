// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/analytics/metricwindow.h"

#include <algorithm>
#include <cmath>

namespace edgegate {

MetricWindow::MetricWindow(int capacity)
    : m_capacity(std::max(capacity, 1))
    , m_bucketSize((m_capacity + Buckets - 1) / Buckets)
{
}

void MetricWindow::dropOldest()
{
    m_size -= m_buckets[m_first].n;
    m_first = quint8((m_first + 1) % Buckets);
    --m_used;
}

void MetricWindow::add(double value, qint64 timeNs)
{
    ++m_count;
    m_lastNs = timeNs;
    while (m_used > 0 && m_size >= m_capacity)
        dropOldest();
    if (m_used == 0 || m_buckets[(m_first + m_used - 1) % Buckets].n >= m_bucketSize) {
        if (m_used == Buckets)
            dropOldest();
        m_buckets[(m_first + m_used) % Buckets] = Bucket{value, 0.0, 0.0, value, value, timeNs, 0};
        ++m_used;
    }
    Bucket &b = m_buckets[(m_first + m_used - 1) % Buckets];
    ++b.n;
    ++m_size;
    // Welford's update on the deviation from the bucket's first sample: exact for a constant series,
    // and the bucket starts afresh when it is reused, so rounding cannot pile up.
    const double u = value - b.shift;
    const double delta = u - b.mean;
    b.mean += delta / b.n;
    b.m2 += delta * (u - b.mean);
    b.min = std::min(b.min, value);
    b.max = std::max(b.max, value);
}

MetricWindow::Summary MetricWindow::summary() const
{
    Summary s;
    for (int i = 0; i < m_used; ++i) {
        const Bucket &b = bucket(i);
        const double mean = b.shift + b.mean;
        if (s.n == 0) {
            s = Summary{double(b.n), mean, b.m2};
            continue;
        }
        // Chan et al.: two groups' count, mean and M2 combine exactly.
        const double n = s.n + b.n;
        const double delta = mean - s.mean;
        s.mean += delta * b.n / n;
        s.m2 += b.m2 + delta * delta * s.n * b.n / n;
        s.n = n;
    }
    return s;
}

double MetricWindow::variance() const
{
    if (m_size < 2)
        return 0.0;
    const Summary s = summary();
    return std::max(0.0, s.m2 / s.n);
}

double MetricWindow::stddev() const
{
    return std::sqrt(variance());
}

std::pair<double, double> MetricWindow::range() const
{
    if (m_used == 0)
        return {0.0, 0.0};
    std::pair<double, double> out{bucket(0).min, bucket(0).max};
    for (int i = 1; i < m_used; ++i)
        out = {std::min(out.first, bucket(i).min), std::max(out.second, bucket(i).max)};
    return out;
}

double MetricWindow::rate() const
{
    if (m_size < 2)
        return 0.0;
    const qint64 span = m_lastNs - bucket(0).firstNs;
    return span <= 0 ? 0.0 : double(m_size - 1) * 1e9 / double(span);
}

double MetricWindow::zScore(double value) const
{
    if (m_size < 2)
        return -1.0;
    const Summary s = summary();
    const double sd = std::sqrt(std::max(0.0, s.m2 / s.n));
    // Relative to the mean because a window at 1e9 cannot resolve a spread below ~1e-7 anyway; the
    // negated form also refuses a NaN standard deviation.
    if (!(sd > 1e-12 * std::max(1.0, std::abs(s.mean))))
        return -1.0;
    return std::abs(value - s.mean) / sd;
}

} // namespace edgegate
