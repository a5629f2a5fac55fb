// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/common/duration.h"

#include <array>
#include <limits>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

bool isAsciiDigit(QChar c)
{
    return c.unicode() >= u'0' && c.unicode() <= u'9';
}

} // namespace

QString formatDuration(std::chrono::milliseconds duration)
{
    const qint64 ms = duration.count();
    struct Unit
    {
        qint64 factor;
        QStringView suffix;
    };
    static constexpr std::array<Unit, 4> units{{{86'400'000, u"d"}, {3'600'000, u"h"}, {60'000, u"m"}, {1000, u"s"}}};
    for (const Unit &unit : units) {
        if (ms != 0 && ms % unit.factor == 0)
            return QString::number(ms / unit.factor) + unit.suffix.toString();
    }
    return QString::number(ms) + u"ms"_s;
}

std::optional<std::chrono::milliseconds> parseDuration(const QString &text)
{
    const QString trimmed = text.trimmed();
    const QStringView t(trimmed);
    qsizetype i = 0;
    while (i < t.size() && isAsciiDigit(t[i]))
        ++i;
    const QStringView whole = t.left(i);
    if (whole.isEmpty())
        return std::nullopt;
    QStringView fraction;
    bool hasPoint = false;
    if (i < t.size() && t[i] == u'.') {
        hasPoint = true;
        const qsizetype start = ++i;
        while (i < t.size() && isAsciiDigit(t[i]))
            ++i;
        fraction = t.mid(start, i - start);
        if (fraction.isEmpty())
            return std::nullopt;
    }
    const QStringView unit = t.mid(i);
    qint64 factor = 0;
    if (unit.isEmpty() || unit == u"s")
        factor = 1000;
    else if (unit == u"ms" && !hasPoint)
        factor = 1;
    else if (unit == u"m")
        factor = 60'000;
    else if (unit == u"h")
        factor = 3'600'000;
    else if (unit == u"d")
        factor = 86'400'000;
    else
        return std::nullopt;

    constexpr qint64 max = std::numeric_limits<qint64>::max();
    qint64 wholeValue = 0;
    for (const QChar c : whole) {
        const int digit = c.unicode() - u'0';
        if (wholeValue > (max - digit) / 10)
            return std::nullopt;
        wholeValue = wholeValue * 10 + digit;
    }
    if (wholeValue > max / factor)
        return std::nullopt;
    qint64 ms = wholeValue * factor;

    while (!fraction.isEmpty() && fraction.back() == u'0')
        fraction.chop(1);
    if (!fraction.isEmpty()) {
        // With trailing zeros gone, more than ten decimals can never make whole milliseconds (86400000 = 2^10 3^3 5^5).
        if (fraction.size() > 10)
            return std::nullopt;
        qint64 scale = 1;
        for (qsizetype n = 0; n < fraction.size(); ++n)
            scale *= 10;
        const qint64 scaled = fraction.toLongLong() * factor;
        // Sub-millisecond precision would be dropped silently; better to refuse the value.
        if (scaled % scale != 0)
            return std::nullopt;
        if (ms > max - scaled / scale)
            return std::nullopt;
        ms += scaled / scale;
    }
    return std::chrono::milliseconds(ms);
}

} // namespace edgegate
