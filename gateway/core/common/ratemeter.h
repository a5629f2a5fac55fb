// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QtGlobal>

#include <array>

namespace edgegate {

/// Counts events in one-second slots and gives their mean rate over the last `Seconds` seconds
/// (the current second included), in constant memory.
class RateMeter
{
public:
    static constexpr int Seconds = 10;

    void add(qint64 nowMs, qint64 count = 1);
    /// Events per second, mean over the window ending at `nowMs`.
    [[nodiscard]] double perSecond(qint64 nowMs);

private:
    void advance(qint64 second);

    std::array<qint64, Seconds> m_slots{};
    qint64 m_second = 0; ///< the second the newest slot counts
    bool m_started = false;
};

} // namespace edgegate
