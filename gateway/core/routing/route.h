// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/deviceid.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>
#include <utility>

namespace edgegate {

/// What an aggregate window reports per metric; each becomes a metric named `{metric}_{function}`.
enum class AggregateFunction { Min, Max, Mean, Count, Last };

[[nodiscard]] QString aggregateFunctionName(AggregateFunction function);

/// One route: which messages it takes, how it changes them, and the sinks they go to.
/// Transforms apply to telemetry in this order: rename, keep, deadband, aggregate.
struct Route
{
    QString name;

    // Match: every condition given must hold; an empty one matches anything.
    QString topic; ///< MQTT filter (`+`, `#`) against `devices/{id}/{kind}`
    QStringList devices;
    QStringList types; ///< device types from the registry
    QList<MessageKind> kinds; ///< empty: telemetry only

    // Transforms.
    QList<std::pair<QString, QString>> rename; ///< from, to
    QStringList keep; ///< empty: keep every metric
    double deadband = 0; ///< forward a number only when it moved by more than this; 0: off
    std::chrono::milliseconds aggregateEvery{0}; ///< 0: no aggregation
    QList<AggregateFunction> aggregateFunctions;

    QStringList sinks;

    [[nodiscard]] bool takesKind(MessageKind kind) const;
    [[nodiscard]] bool aggregates() const { return aggregateEvery.count() > 0; }
};

/// The kinds a route may match: the ones ingest passes on after accepting them.
[[nodiscard]] bool isRoutableKind(MessageKind kind);

/// True when the MQTT topic filter matches the topic (`+` one level, `#` the rest, at the end only).
[[nodiscard]] bool topicFilterMatches(QStringView filter, QStringView topic);

/// Empty when the filter is well formed, else why not.
[[nodiscard]] QString topicFilterError(QStringView filter);

/// Reads a route from its JSON form (the REST API's, and the config's after conversion).
/// On error returns nullopt with `error` naming the field, e.g. "transform.deadband: must be ≥ 0".
[[nodiscard]] std::optional<Route> routeFromJson(const QJsonObject &object, QString *error);
[[nodiscard]] QJsonObject routeToJson(const Route &route);

/// A whole list; names must be unique. `error` starts with "routes[i]" for the faulty entry.
[[nodiscard]] std::optional<QList<Route>> routesFromJson(const QJsonArray &array, QString *error);
[[nodiscard]] QJsonArray routesToJson(const QList<Route> &routes);

} // namespace edgegate
