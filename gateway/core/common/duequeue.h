// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <optional>
#include <set>
#include <utility>

namespace edgegate {

/// Keys waiting for a time, earliest first.
template<typename Time> using DueQueue = std::set<std::pair<Time, QString>>;

/// Removes and returns the earliest key of `queue` when it is due at `now`.
template<typename Time> std::optional<QString> takeDue(DueQueue<Time> &queue, const Time &now)
{
    if (queue.empty() || now < queue.begin()->first)
        return std::nullopt;
    QString key = queue.begin()->second;
    queue.erase(queue.begin());
    return key;
}

} // namespace edgegate
