// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QtGlobal>

namespace edgegate {

/// Nanoseconds since the epoch by the system clock (not milliseconds times 10^6).
[[nodiscard]] qint64 wallClockNs();

/// The millisecond a nanosecond time falls in (rounded down, also before the epoch).
[[nodiscard]] constexpr qint64 msFromNs(qint64 ns)
{
    return ns >= 0 ? ns / 1000000 : -((-(ns + 1)) / 1000000) - 1;
}

/// 2262-01-01T00:00:00Z, shortly before nanoseconds since the epoch overflow 64 bits: device times
/// from then on are refused.
constexpr qint64 TimeNsLimit = 9'214'646'400'000'000'000;

/// Gives each message its receive time, in nanoseconds, strictly increasing: a message that would
/// get the same or an earlier time than the one before (two messages within the clock's resolution,
/// or a clock set back) gets the previous time + 1 ns. So no two messages ever share a receive
/// time, and a store keyed by series and time (InfluxDB) never folds two of them into one point.
/// One clock serves all devices: strictly increasing for all of them is strictly increasing for
/// each device and series, with no state per device.
class ReceiveClock
{
public:
    /// The stamp for a message the system clock read `wallNs` for.
    [[nodiscard]] qint64 stamp(qint64 wallNs)
    {
        m_lastNs = wallNs > m_lastNs ? wallNs : m_lastNs + 1;
        return m_lastNs;
    }
    /// How far the last stamp runs ahead of `wallNs` (0 when the clock is not behind).
    [[nodiscard]] qint64 aheadOf(qint64 wallNs) const { return m_lastNs > wallNs ? m_lastNs - wallNs : 0; }

private:
    qint64 m_lastNs = 0;
};

} // namespace edgegate
