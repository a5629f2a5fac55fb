// SPDX-License-Identifier: Apache-2.0
#include "shared/value.h"

#include <cmath>

namespace edgegate {

std::optional<double> numericValue(const Value &value)
{
    if (const auto *d = std::get_if<double>(&value))
        return *d;
    if (const auto *i = std::get_if<qint64>(&value))
        return static_cast<double>(*i);
    return std::nullopt;
}

QJsonValue valueToJson(const Value &value)
{
    return std::visit([](const auto &v) { return QJsonValue(v); }, value);
}

std::optional<Value> valueFromJson(const QJsonValue &json)
{
    switch (json.type()) {
    case QJsonValue::Bool:
        return Value(json.toBool());
    case QJsonValue::String:
        return Value(json.toString());
    case QJsonValue::Double: {
        // Qt keeps integers written without a fraction as integers internally.
        const QVariant v = json.toVariant();
        if (v.typeId() == QMetaType::LongLong || v.typeId() == QMetaType::Int)
            return Value(v.toLongLong());
        const double d = json.toDouble();
        if (!std::isfinite(d))
            return std::nullopt;
        return Value(d);
    }
    default:
        return std::nullopt;
    }
}

} // namespace edgegate
