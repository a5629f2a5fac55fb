// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/common/ratelimitedlog.h"

#include <algorithm>

namespace edgegate {

QString loggable(QStringView text, qsizetype max)
{
    QString out;
    out.reserve(std::min(text.size(), max) + 8);
    for (qsizetype i = 0; i < text.size() && i < max; ++i) {
        const QChar c = text[i];
        if (c.unicode() < 0x20 || c.unicode() == 0x7f || c.category() == QChar::Other_Format)
            out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
        else
            out += c;
    }
    if (text.size() > max)
        out += QChar(0x2026);
    return out;
}

RateLimitedLog::RateLimitedLog(std::chrono::milliseconds interval)
    : m_interval(interval)
{
}

std::optional<quint64> RateLimitedLog::allow(const QString &key)
{
    const auto now = std::chrono::steady_clock::now();
    auto it = m_states.find(key);
    if (it == m_states.end()) {
        m_states.insert(key, State{now, 0});
        return quint64{0};
    }
    if (now - it->last < m_interval) {
        ++it->suppressed;
        return std::nullopt;
    }
    const quint64 suppressed = it->suppressed;
    *it = State{now, 0};
    return suppressed;
}

} // namespace edgegate
