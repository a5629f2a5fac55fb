// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/common/ratemeter.h"

#include <algorithm>
#include <numeric>

namespace edgegate {

void RateMeter::advance(qint64 second)
{
    if (!m_started) {
        m_started = true;
        m_second = second;
        return;
    }
    if (second <= m_second)
        return; // a clock going back counts into the newest slot
    const qint64 steps = std::min<qint64>(second - m_second, Seconds);
    for (qint64 i = 1; i <= steps; ++i)
        m_slots[static_cast<size_t>((m_second + i) % Seconds)] = 0;
    m_second = second;
}

void RateMeter::add(qint64 nowMs, qint64 count)
{
    const qint64 second = nowMs / 1000;
    advance(second);
    m_slots[static_cast<size_t>(m_second % Seconds)] += count;
}

double RateMeter::perSecond(qint64 nowMs)
{
    advance(nowMs / 1000);
    return static_cast<double>(std::accumulate(m_slots.cbegin(), m_slots.cend(), qint64{0})) / Seconds;
}

} // namespace edgegate
