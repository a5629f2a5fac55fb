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
/// a message held back for a while, a clock set back a little) gets the previous time + 1 ns. So no
/// two messages share a receive time, and a store keyed by series and time (InfluxDB) never folds
/// two of them into one point. One clock serves all devices: strictly increasing for all of them is
/// strictly increasing for each device and series, with no state per device.
///
/// A clock set back by more than MaxHoldNs (it was wrong, say hours ahead, and was corrected) is
/// followed instead: holding every stamp just after a wrong time until the clock catches up would
/// stamp hours of data with that wrong time.
class ReceiveClock
{
public:
    static constexpr qint64 MaxHoldNs = qint64{3600} * 1'000'000'000;

    /// `now` reads the system clock; it is asked only when a reading is not after the last stamp.
    explicit ReceiveClock(qint64 (*now)() = wallClockNs)
        : m_now(now)
    {
    }

    /// The stamp for a message the system clock read `readingNs` for (when it arrived).
    [[nodiscard]] qint64 stamp(qint64 readingNs)
    {
        if (readingNs > m_lastNs) {
            m_behindNs = 0;
            m_lastNs = readingNs;
            return m_lastNs;
        }
        // Not after the last stamp: a tie, a message held back, or a clock set back. Only the clock
        // as it reads now tells them apart.
        const qint64 now = m_now();
        m_behindNs = m_lastNs > now ? m_lastNs - now : 0;
        if (m_behindNs > MaxHoldNs) {
            ++m_setBack;
            m_behindNs = 0;
            m_lastNs = readingNs;
            return m_lastNs;
        }
        return ++m_lastNs;
    }

    /// How far the clock read behind the last stamp at the last tie (0 once a reading is after it).
    [[nodiscard]] qint64 behindNs() const { return m_behindNs; }
    /// How often the clock was followed back past MaxHoldNs.
    [[nodiscard]] quint64 setBackCount() const { return m_setBack; }

private:
    qint64 (*m_now)();
    qint64 m_lastNs = 0;
    qint64 m_behindNs = 0;
    quint64 m_setBack = 0;
};

} // namespace edgegate
