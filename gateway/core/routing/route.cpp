// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/routing/route.h"

#include "gateway/core/common/duration.h"
#include "shared/enumnames.h"
#include "shared/jsonarray.h"

#include <QSet>

#include <cmath>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

constexpr auto AggregateFunctionNames = enumNames<AggregateFunction>(u"min", u"max", u"mean", u"count", u"last");
constexpr std::array RoutableKinds{MessageKind::Telemetry, MessageKind::Status, MessageKind::Meta};
constexpr qsizetype MaxNameLength = 64;
constexpr qsizetype MaxListLength = 1000;

// Reads a list of non-empty strings; false with `error` set when it is anything else.
bool stringList(const QJsonValue &value, const QString &field, QStringList *out, QString *error)
{
    if (value.isUndefined() || value.isNull())
        return true;
    if (!value.isArray()) {
        *error = field + u": expected a list of strings"_s;
        return false;
    }
    const QJsonArray array = value.toArray();
    if (array.size() > MaxListLength) {
        *error = field + u": more than %1 entries"_s.arg(MaxListLength);
        return false;
    }
    for (const QJsonValue v : array) {
        if (!v.isString() || v.toString().isEmpty()) {
            *error = field + u": expected a list of non-empty strings"_s;
            return false;
        }
        out->append(v.toString());
    }
    return true;
}

bool onlyKeys(const QJsonObject &object, const QString &where, const QStringList &allowed, QString *error)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!allowed.contains(it.key())) {
            *error = (where.isEmpty() ? QString() : where + u"."_s) + it.key() + u": unknown field (known: "_s
                + allowed.join(u", "_s) + u")"_s;
            return false;
        }
    }
    return true;
}

std::optional<MessageKind> routableKind(const QString &name)
{
    for (MessageKind kind : RoutableKinds) {
        if (messageKindName(kind) == name)
            return kind;
    }
    return std::nullopt;
}

using ObjectParser = bool (*)(const QJsonObject &, Route *, QString *);

// The object field `name`, missing or null, or else read by `parse`: no keys but `keys`; `expected`
// says what it should be.
bool objectField(const QJsonValue &value, const QString &name, const QStringList &keys, const QString &expected,
                 ObjectParser parse, Route *route, QString *error)
{
    if (value.isUndefined() || value.isNull())
        return true;
    if (!value.isObject()) {
        *error = name + u": expected "_s + expected;
        return false;
    }
    const QJsonObject object = value.toObject();
    return onlyKeys(object, name, keys, error) && parse(object, route, error);
}

bool parseMatch(const QJsonObject &match, Route *route, QString *error)
{
    if (const QJsonValue topic = match.value(u"topic"_s); !topic.isUndefined() && !topic.isNull()) {
        if (!topic.isString()) {
            *error = u"match.topic: expected a string"_s;
            return false;
        }
        if (const QString problem = topicFilterError(topic.toString()); !problem.isEmpty()) {
            *error = u"match.topic: "_s + problem;
            return false;
        }
        route->topic = topic.toString();
    }
    if (!stringList(match.value(u"devices"_s), u"match.devices"_s, &route->devices, error)
        || !stringList(match.value(u"types"_s), u"match.types"_s, &route->types, error))
        return false;
    for (const QString &id : std::as_const(route->devices)) {
        if (!isValidDeviceId(id)) {
            *error = u"match.devices: '%1' is not a valid device id"_s.arg(id.left(MaxNameLength));
            return false;
        }
    }
    QStringList kinds;
    if (!stringList(match.value(u"kinds"_s), u"match.kinds"_s, &kinds, error))
        return false;
    const auto unknown = std::find_if(kinds.cbegin(), kinds.cend(), [](const QString &n) { return !routableKind(n); });
    if (unknown != kinds.cend()) {
        *error = u"match.kinds: '%1' is not telemetry, status or meta"_s.arg(unknown->left(MaxNameLength));
        return false;
    }
    for (const QString &name : std::as_const(kinds)) {
        const MessageKind kind = *routableKind(name);
        if (!route->kinds.contains(kind))
            route->kinds.append(kind);
    }
    return true;
}

bool parseAggregate(const QJsonObject &aggregate, Route *route, QString *error)
{
    const QJsonValue every = aggregate.value(u"every"_s);
    std::optional<std::chrono::milliseconds> window;
    if (every.isString())
        window = parseDuration(every.toString());
    else if (every.isDouble() && every.toDouble() == std::floor(every.toDouble()) && every.toDouble() >= 0
             && every.toDouble() <= 86400)
        window = std::chrono::seconds(every.toInteger());
    if (!window || *window < std::chrono::seconds(1) || *window > std::chrono::hours(24)
        || window->count() % 1000 != 0) {
        *error = u"transform.aggregate.every: expected a whole number of seconds from 1s to 24h, e.g. \"60s\""_s;
        return false;
    }
    QStringList names;
    if (!stringList(aggregate.value(u"functions"_s), u"transform.aggregate.functions"_s, &names, error))
        return false;
    if (names.isEmpty()) {
        *error = u"transform.aggregate.functions: name at least one of min, max, mean, count, last"_s;
        return false;
    }
    for (const QString &name : std::as_const(names)) {
        const auto function = AggregateFunctionNames.valueOf(name);
        if (!function) {
            *error = u"transform.aggregate.functions: '%1' is not one of min, max, mean, count, last"_s.arg(
                name.left(MaxNameLength));
            return false;
        }
        if (!route->aggregateFunctions.contains(*function))
            route->aggregateFunctions.append(*function);
    }
    route->aggregateEvery = *window;
    return true;
}

bool parseTransform(const QJsonObject &transform, Route *route, QString *error)
{
    if (const QJsonValue rename = transform.value(u"rename"_s); !rename.isUndefined() && !rename.isNull()) {
        if (!rename.isObject()) {
            *error = u"transform.rename: expected an object of old: new metric names"_s;
            return false;
        }
        const QJsonObject map = rename.toObject();
        for (auto it = map.begin(); it != map.end(); ++it) {
            if (it.key().isEmpty() || !it.value().isString() || it.value().toString().isEmpty()) {
                *error = u"transform.rename: expected non-empty metric names"_s;
                return false;
            }
            route->rename.append({it.key(), it.value().toString()});
        }
    }
    if (!stringList(transform.value(u"keep"_s), u"transform.keep"_s, &route->keep, error))
        return false;
    if (const QJsonValue deadband = transform.value(u"deadband"_s); !deadband.isUndefined() && !deadband.isNull()) {
        if (!deadband.isDouble() || !std::isfinite(deadband.toDouble()) || deadband.toDouble() < 0) {
            *error = u"transform.deadband: expected a number, 0 or more"_s;
            return false;
        }
        route->deadband = deadband.toDouble();
    }
    return objectField(transform.value(u"aggregate"_s), u"transform.aggregate"_s, {u"every"_s, u"functions"_s},
                       u"an object with every and functions"_s, parseAggregate, route, error);
}

} // namespace

QString aggregateFunctionName(AggregateFunction function)
{
    return AggregateFunctionNames.nameOf(function);
}

bool isRoutableKind(MessageKind kind)
{
    return std::find(RoutableKinds.begin(), RoutableKinds.end(), kind) != RoutableKinds.end();
}

bool Route::takesKind(MessageKind kind) const
{
    return kinds.isEmpty() ? kind == MessageKind::Telemetry : kinds.contains(kind);
}

bool topicFilterMatches(QStringView filter, QStringView topic)
{
    qsizetype f = 0;
    qsizetype t = 0;
    while (true) {
        const qsizetype fEnd = filter.indexOf(u'/', f);
        const QStringView level = filter.mid(f, fEnd < 0 ? -1 : fEnd - f);
        if (level == u"#")
            return true; // also matches the parent level itself ("a/#" matches "a")
        if (t > topic.size())
            return false;
        const qsizetype tEnd = topic.indexOf(u'/', t);
        const QStringView part = topic.mid(t, tEnd < 0 ? -1 : tEnd - t);
        if (level != u"+" && level != part)
            return false;
        if (fEnd < 0)
            return tEnd < 0;
        f = fEnd + 1;
        if (tEnd < 0) {
            // The topic ended: only a trailing "#" can still match.
            return filter.mid(f) == u"#";
        }
        t = tEnd + 1;
    }
}

QString topicFilterError(QStringView filter)
{
    if (filter.isEmpty())
        return u"must not be empty"_s;
    if (filter.size() > 256)
        return u"longer than 256 characters"_s;
    const auto levels = filter.split(u'/');
    for (qsizetype i = 0; i < levels.size(); ++i) {
        const QStringView level = levels[i];
        if (level.contains(u'#') && (level != u"#" || i != levels.size() - 1))
            return u"'#' must be a whole level, and the last"_s;
        if (level.contains(u'+') && level != u"+")
            return u"'+' must be a whole level"_s;
    }
    return {};
}

std::optional<Route> routeFromJson(const QJsonObject &object, QString *error)
{
    if (!onlyKeys(object, {}, {u"name"_s, u"match"_s, u"transform"_s, u"sinks"_s}, error))
        return std::nullopt;
    Route route;
    const QJsonValue name = object.value(u"name"_s);
    if (!name.isString() || name.toString().isEmpty() || name.toString().size() > MaxNameLength) {
        *error = u"name: expected a name of 1 to %1 characters"_s.arg(MaxNameLength);
        return std::nullopt;
    }
    route.name = name.toString();
    if (!objectField(object.value(u"match"_s), u"match"_s, {u"topic"_s, u"devices"_s, u"types"_s, u"kinds"_s},
                     u"an object"_s, parseMatch, &route, error)
        || !objectField(object.value(u"transform"_s), u"transform"_s,
                        {u"rename"_s, u"keep"_s, u"deadband"_s, u"aggregate"_s}, u"an object"_s, parseTransform, &route,
                        error))
        return std::nullopt;
    if (!stringList(object.value(u"sinks"_s), u"sinks"_s, &route.sinks, error))
        return std::nullopt;
    if (route.sinks.isEmpty()) {
        *error = u"sinks: name at least one of upstream, influxdb, republish"_s;
        return std::nullopt;
    }
    route.sinks.removeDuplicates();
    return route;
}

QJsonObject routeToJson(const Route &route)
{
    QJsonObject match;
    if (!route.topic.isEmpty())
        match.insert(u"topic"_s, route.topic);
    if (!route.devices.isEmpty())
        match.insert(u"devices"_s, QJsonArray::fromStringList(route.devices));
    if (!route.types.isEmpty())
        match.insert(u"types"_s, QJsonArray::fromStringList(route.types));
    QJsonArray kinds;
    for (MessageKind kind : route.kinds)
        kinds.append(messageKindName(kind));
    if (!kinds.isEmpty())
        match.insert(u"kinds"_s, kinds);

    QJsonObject transform;
    if (!route.rename.isEmpty()) {
        QJsonObject rename;
        for (const auto &[from, to] : route.rename)
            rename.insert(from, to);
        transform.insert(u"rename"_s, rename);
    }
    if (!route.keep.isEmpty())
        transform.insert(u"keep"_s, QJsonArray::fromStringList(route.keep));
    if (route.deadband > 0)
        transform.insert(u"deadband"_s, route.deadband);
    if (route.aggregates()) {
        QJsonArray functions;
        for (AggregateFunction f : route.aggregateFunctions)
            functions.append(aggregateFunctionName(f));
        transform.insert(u"aggregate"_s,
                         QJsonObject{{u"every"_s, formatDuration(route.aggregateEvery)}, {u"functions"_s, functions}});
    }

    QJsonObject object{{u"name"_s, route.name}, {u"sinks"_s, QJsonArray::fromStringList(route.sinks)}};
    if (!match.isEmpty())
        object.insert(u"match"_s, match);
    if (!transform.isEmpty())
        object.insert(u"transform"_s, transform);
    return object;
}

std::optional<QList<Route>> routesFromJson(const QJsonArray &array, QString *error)
{
    return fromJsonArray<Route>(
        array, u"routes"_s, u"name"_s, routeFromJson, [](const Route &route) { return route.name; }, error);
}

QJsonArray routesToJson(const QList<Route> &routes)
{
    return toJsonArray(routes, routeToJson);
}

} // namespace edgegate
