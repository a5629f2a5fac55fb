// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QString>
#include <QStringView>

#include <chrono>
#include <optional>

namespace edgegate {

/// Device-supplied text made safe for one log line: control characters (C0, DEL, C1), invisible
/// format marks and line or paragraph separators become `\xNN` or `\uNNNN`, and anything past `max`
/// characters is cut (marked with an ellipsis).
[[nodiscard]] QString loggable(QStringView text, qsizetype max = 120);

/// What a rate-limited line adds about the lines it stood for: " (N more since)", or nothing.
[[nodiscard]] QString moreSince(quint64 suppressed);

/// Lets one log line per key through per interval, so a flood of bad input cannot flood the log.
class RateLimitedLog
{
public:
    explicit RateLimitedLog(std::chrono::milliseconds interval = std::chrono::seconds(10));

    /// When a line for `key` may be logged now: how many were suppressed since the last one.
    [[nodiscard]] std::optional<quint64> allow(const QString &key);

    /// Keys tracked at once; past it, new keys share one limit.
    static constexpr qsizetype MaxKeys = 1024;

private:
    struct State
    {
        std::chrono::steady_clock::time_point last;
        quint64 suppressed = 0;
    };
    std::chrono::milliseconds m_interval;
    QHash<QString, State> m_states;
};

} // namespace edgegate
