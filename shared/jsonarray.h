// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>

#include <optional>

namespace edgegate {

/// Each item as `toJson` writes it, in order.
template<typename T, typename ToJson> [[nodiscard]] QJsonArray toJsonArray(const QList<T> &items, ToJson toJson)
{
    QJsonArray out;
    for (const T &item : items)
        out.append(toJson(item));
    return out;
}

/// Each object of `array` as `fromJson(object, &problem)` reads it, no two with the same `keyOf`; at
/// the first that is not, nothing and `error` naming it as `name[i]` (`keyName` names the key).
template<typename T, typename FromJson, typename KeyOf>
[[nodiscard]] std::optional<QList<T>> fromJsonArray(const QJsonArray &array, const QString &name,
                                                    const QString &keyName, FromJson fromJson, KeyOf keyOf,
                                                    QString *error)
{
    QList<T> items;
    QSet<QString> keys;
    QString problem;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString where = name + QLatin1Char('[') + QString::number(i) + QLatin1Char(']');
        if (!array.at(i).isObject()) {
            problem = where + QStringLiteral(": expected an object");
        } else if (std::optional<T> item = fromJson(array.at(i).toObject(), &problem); !item) {
            problem = where + QLatin1Char('.') + problem;
        } else if (const QString key = keyOf(*item); keys.contains(key)) {
            problem = QStringLiteral("%1.%2: '%3' is used twice").arg(where, keyName, key);
        } else {
            keys.insert(key);
            items.append(std::move(*item));
            continue;
        }
        if (error)
            *error = problem;
        return std::nullopt;
    }
    return items;
}

} // namespace edgegate
