// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <chrono>
#include <optional>

namespace edgegate {

/// Parses durations such as `90s`, `500ms`, `2m`, `1h`, `1d`, `1.5s` or a bare number of seconds;
/// nullopt for anything else, for overflow, and for precision finer than a millisecond.
[[nodiscard]] std::optional<std::chrono::milliseconds> parseDuration(const QString &text);

/// The shortest exact form: `90s`, `2m`, `1500ms`.
[[nodiscard]] QString formatDuration(std::chrono::milliseconds duration);

} // namespace edgegate
