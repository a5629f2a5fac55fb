// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace edgegate {

/// A semantic version as semver.org 2.0.0 defines it: MAJOR.MINOR.PATCH[-pre.release][+build.meta].
struct SemVer
{
    quint64 major = 0;
    quint64 minor = 0;
    quint64 patch = 0;
    QStringList preRelease; ///< dot-separated identifiers; empty for a release
    QStringList build; ///< ignored by precedence

    /// The version, or nullopt when `text` is not a valid semantic version (or is longer than MaxLength).
    [[nodiscard]] static std::optional<SemVer> parse(const QString &text);
    static constexpr qsizetype MaxLength = 128;

    /// Precedence (semver.org item 11): negative, zero or positive. Build metadata does not count.
    [[nodiscard]] static int comparePrecedence(const SemVer &a, const SemVer &b);
    /// A total order for sorting: precedence, then build metadata (so distinct versions never tie).
    [[nodiscard]] static int compareForSort(const SemVer &a, const SemVer &b);
    /// Compares two version strings with compareForSort; an invalid one sorts after valid ones, by text.
    [[nodiscard]] static int compareText(const QString &a, const QString &b);

    [[nodiscard]] QString toString() const;
};

} // namespace edgegate
