// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/ota/semver.h"

#include <limits>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

bool isDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

bool isIdentifierChar(QChar c)
{
    return isDigit(c) || (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'-';
}

bool isNumeric(const QString &s)
{
    return !s.isEmpty() && std::all_of(s.cbegin(), s.cend(), isDigit);
}

/// A numeric identifier: digits, no leading zero (except "0" itself), fits 64 bits.
std::optional<quint64> number(const QString &s)
{
    if (!isNumeric(s) || (s.size() > 1 && s.front() == u'0'))
        return std::nullopt;
    quint64 value = 0;
    for (const QChar c : s) {
        const auto digit = quint64(c.unicode() - u'0');
        if (value > (std::numeric_limits<quint64>::max() - digit) / 10)
            return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

std::optional<QStringList> identifiers(const QString &s, bool isPreRelease)
{
    const QStringList parts = s.split(u'.');
    for (const QString &part : parts) {
        if (part.isEmpty() || !std::all_of(part.cbegin(), part.cend(), isIdentifierChar))
            return std::nullopt;
        // Numeric pre-release identifiers must not have leading zeros (of any length); build metadata may.
        if (isPreRelease && isNumeric(part) && part.size() > 1 && part.front() == u'0')
            return std::nullopt;
    }
    return parts;
}

int compareIdentifier(const QString &a, const QString &b)
{
    const bool an = isNumeric(a);
    const bool bn = isNumeric(b);
    if (an && bn) {
        // Both are valid numbers here (no leading zeros): the longer one is larger.
        if (a.size() != b.size())
            return a.size() < b.size() ? -1 : 1;
        return a.compare(b);
    }
    if (an != bn)
        return an ? -1 : 1; // numeric identifiers have lower precedence
    return a.compare(b); // ASCII order
}

int sign(int v)
{
    return (v > 0) - (v < 0);
}

} // namespace

std::optional<SemVer> SemVer::parse(const QString &text)
{
    if (text.isEmpty() || text.size() > MaxLength)
        return std::nullopt;
    QString rest = text;
    SemVer v;
    // Cuts what follows `separator` off `rest` into `out`; false when those are not valid identifiers.
    const auto cut = [&rest](QChar separator, bool isPreRelease, QStringList *out) {
        const qsizetype at = rest.indexOf(separator);
        if (at < 0)
            return true;
        auto ids = identifiers(rest.mid(at + 1), isPreRelease);
        if (!ids)
            return false;
        *out = std::move(*ids);
        rest.truncate(at);
        return true;
    };
    if (!cut(u'+', false, &v.build) || !cut(u'-', true, &v.preRelease))
        return std::nullopt;
    const QStringList core = rest.split(u'.');
    if (core.size() != 3)
        return std::nullopt;
    const auto major = number(core[0]);
    const auto minor = number(core[1]);
    const auto patch = number(core[2]);
    if (!major || !minor || !patch)
        return std::nullopt;
    v.major = *major;
    v.minor = *minor;
    v.patch = *patch;
    return v;
}

int SemVer::comparePrecedence(const SemVer &a, const SemVer &b)
{
    for (const auto &[x, y] : {std::pair{a.major, b.major}, std::pair{a.minor, b.minor}, std::pair{a.patch, b.patch}}) {
        if (x != y)
            return x < y ? -1 : 1;
    }
    // A release outranks its pre-releases.
    if (a.preRelease.isEmpty() || b.preRelease.isEmpty())
        return a.preRelease.isEmpty() == b.preRelease.isEmpty() ? 0 : (a.preRelease.isEmpty() ? 1 : -1);
    const qsizetype n = std::min(a.preRelease.size(), b.preRelease.size());
    for (qsizetype i = 0; i < n; ++i) {
        if (const int c = compareIdentifier(a.preRelease[i], b.preRelease[i]))
            return sign(c);
    }
    if (a.preRelease.size() == b.preRelease.size())
        return 0;
    return a.preRelease.size() < b.preRelease.size() ? -1 : 1;
}

int SemVer::compareForSort(const SemVer &a, const SemVer &b)
{
    if (const int c = comparePrecedence(a, b))
        return c;
    return sign(a.build.join(u'.').compare(b.build.join(u'.')));
}

int SemVer::compareText(const QString &a, const QString &b)
{
    const auto va = parse(a);
    const auto vb = parse(b);
    if (va && vb)
        return compareForSort(*va, *vb);
    if (va || vb)
        return va ? -1 : 1;
    return sign(a.compare(b));
}

QString SemVer::toString() const
{
    QString s = u"%1.%2.%3"_s.arg(major).arg(minor).arg(patch);
    if (!preRelease.isEmpty())
        s += u'-' + preRelease.join(u'.');
    if (!build.isEmpty())
        s += u'+' + build.join(u'.');
    return s;
}

} // namespace edgegate
