// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonArray>
#include <QList>

namespace edgegate {

/// Each item as `toJson` writes it, in order.
template<typename T, typename ToJson> [[nodiscard]] QJsonArray toJsonArray(const QList<T> &items, ToJson toJson)
{
    QJsonArray out;
    for (const T &item : items)
        out.append(toJson(item));
    return out;
}

} // namespace edgegate
