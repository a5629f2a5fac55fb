// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonValue>
#include <QString>

#include <optional>
#include <variant>

namespace edgegate {

/// One decoded metric value: a number (integer or floating point), a boolean or a string.
using Value = std::variant<double, qint64, bool, QString>;

/// The numeric reading of a value, for analytics; booleans and strings have none.
[[nodiscard]] std::optional<double> numericValue(const Value &value);

/// JSON form used on every wire the gateway speaks (REST, WebSocket, republish).
[[nodiscard]] QJsonValue valueToJson(const Value &value);

/// Inverse of valueToJson for scalars; nullopt for null, arrays and objects.
[[nodiscard]] std::optional<Value> valueFromJson(const QJsonValue &json);

} // namespace edgegate
