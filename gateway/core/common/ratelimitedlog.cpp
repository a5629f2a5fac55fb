// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/common/ratelimitedlog.h"

#include <algorithm>

namespace edgegate {

QString moreSince(quint64 suppressed)
{
    return suppressed ? QStringLiteral("(%1 more since)").arg(suppressed) : QString();
}

QString loggable(QStringView text, qsizetype max)
{
    QString out;
    out.reserve(std::min(text.size(), max) + 8);
    for (qsizetype i = 0; i < text.size() && i < max; ++i) {
        const QChar c = text[i];
        switch (c.category()) {
        case QChar::Other_Control: // C0, DEL and C1 (NEL among them)
        case QChar::Other_Format: // bidi overrides and other invisible marks
        case QChar::Separator_Line:
        case QChar::Separator_Paragraph:
            out += c.unicode() <= 0xff ? QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'))
                                       : QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
            break;
        default:
            out += c;
        }
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
    if (it == m_states.end() && m_states.size() >= MaxKeys) {
        // Keys may come from peers (addresses): forget the quiet ones, and past the cap share one.
        m_states.removeIf([&](const auto &entry) { return now - entry.value().last >= m_interval; });
        if (m_states.size() >= MaxKeys)
            it = m_states.find(QString());
    }
    if (it == m_states.end()) {
        m_states.insert(m_states.size() >= MaxKeys ? QString() : key, State{now, 0});
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
