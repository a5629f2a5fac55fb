// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/http/httprange.h"

#include <QByteArray>

#include <limits>
#include <optional>

namespace edgegate {

namespace {

QByteArrayView trimmed(QByteArrayView s)
{
    while (!s.isEmpty() && (s.front() == ' ' || s.front() == '\t'))
        s = s.sliced(1);
    while (!s.isEmpty() && (s.back() == ' ' || s.back() == '\t'))
        s.chop(1);
    return s;
}

/// 1*DIGIT; saturates at the largest qint64 (a position past any file), nullopt when not digits.
std::optional<qint64> digits(QByteArrayView s)
{
    if (s.isEmpty())
        return std::nullopt;
    qint64 value = 0;
    for (const char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        const int digit = c - '0';
        value = value > (std::numeric_limits<qint64>::max() - digit) / 10 ? std::numeric_limits<qint64>::max()
                                                                          : value * 10 + digit;
    }
    return value;
}

} // namespace

ByteRange ByteRange::resolve(QByteArrayView header, qint64 size)
{
    const ByteRange full{Kind::Full, 0, size};
    QByteArrayView spec = trimmed(header);
    constexpr QByteArrayView Unit("bytes=");
    if (spec.size() < Unit.size() || spec.first(Unit.size()).compare(Unit, Qt::CaseInsensitive) != 0)
        return full; // no header, or a unit we do not know
    spec = trimmed(spec.sliced(Unit.size()));
    if (spec.contains(','))
        return full; // several ranges: served whole
    const qsizetype dash = spec.indexOf('-');
    if (dash < 0)
        return full;
    const QByteArrayView firstText = trimmed(spec.first(dash));
    const QByteArrayView lastText = trimmed(spec.sliced(dash + 1));
    const ByteRange unsatisfiable{Kind::Unsatisfiable, 0, 0};

    if (firstText.isEmpty()) {
        // "-n": the last n bytes
        const auto suffix = digits(lastText);
        if (!suffix)
            return full;
        if (*suffix == 0 || size == 0)
            return unsatisfiable;
        const qint64 length = std::min(*suffix, size);
        return {Kind::Partial, size - length, length};
    }
    const auto first = digits(firstText);
    if (!first)
        return full;
    qint64 last = size - 1;
    if (!lastText.isEmpty()) {
        const auto parsed = digits(lastText);
        if (!parsed || *parsed < *first)
            return full; // invalid: ignored
        last = std::min(*parsed, size - 1);
    }
    if (*first >= size)
        return unsatisfiable;
    return {Kind::Partial, *first, last - *first + 1};
}

} // namespace edgegate
