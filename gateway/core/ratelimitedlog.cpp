// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/ratelimitedlog.h"

namespace edgegate {

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
