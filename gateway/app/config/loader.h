// SPDX-License-Identifier: Apache-2.0
// Inside the config loader: the key table's shape, the Loader that applies it, and the value checks
// the keys share. The keys themselves are defined by section in servicekeys.cpp and sinkkeys.cpp.
#pragma once

#include "gateway/app/config/config.h"

#include <QHash>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QStringList>
#include <QUrl>

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <functional>
#include <optional>

namespace edgegate::configload {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

// A config file is a handful of lines; the cap keeps a mistaken path such as /dev/zero from eating memory.
inline constexpr qint64 MaxConfigFileBytes = 4 * 1024 * 1024;
inline constexpr qsizetype MaxClientIdLength = 128;
inline constexpr qsizetype MaxShownValueLength = 60;
// Values in one file once YAML aliases are expanded: anchors that refer to each other can make a few
// lines stand for billions of values, and every pass over the file would walk them all.
inline constexpr qsizetype MaxConfigValues = 100000;
inline constexpr int MaxConfigDepth = 32;

[[nodiscard]] bool isAsciiDigit(QChar c);
[[nodiscard]] bool isAsciiAlnum(QChar c);
[[nodiscard]] bool allDigits(QStringView text);
[[nodiscard]] bool isValidIpv4(QStringView text);
[[nodiscard]] bool isValidIpv6(const QString &text);
[[nodiscard]] bool isValidHostName(QStringView text);
[[nodiscard]] bool isValidHost(const QString &text);
[[nodiscard]] bool isLoopbackHost(const QList<QHostAddress> &addresses);
/// A value for a one-line message: line breaks replaced, long values cut.
[[nodiscard]] QString shown(const QString &text);
[[nodiscard]] int editDistance(QStringView a, QStringView b);
[[nodiscard]] QString nodeKindName(const YAML::Node &node);
[[nodiscard]] QJsonValue yamlToJson(const YAML::Node &node, const QString &key);
[[nodiscard]] int lineOf(const YAML::Node &node, int fallback);
/// Whether the node, its aliases expanded, holds at most `budget` values and MaxConfigDepth levels.
[[nodiscard]] bool withinValues(const YAML::Node &node, qsizetype budget);

// One key's value as the loader sees it.
struct Item
{
    const YAML::Node &node;
    QString path;
    int line = 0;
};

struct Loader;
using Apply = std::function<void(Loader &, const Item &)>;

struct KeySpec
{
    QStringView section;
    QStringView key;
    Apply apply;
};

/// The top-level sections, in the order the documentation gives them.
[[nodiscard]] const QList<QStringView> &sectionNames();

struct Loader
{
    ConfigLoad result;
    QHash<QString, int> keyLines; ///< line each key was (first) set on
    QSet<QString> failedKeys; ///< keys whose value was rejected: their cross-checks are skipped

    Config &config() { return result.config; }

    void error(int line, const QString &message) { result.errors.append(ConfigError{line, message}); }

    void keyError(const Item &item, const QString &message)
    {
        failedKeys.insert(item.path);
        error(item.line, item.path + u": "_s + message);
    }

    std::optional<QString> scalar(const Item &item, const QString &expected)
    {
        if (!item.node.IsScalar()) {
            keyError(item, u"expected "_s + expected + u", got "_s + nodeKindName(item.node));
            return std::nullopt;
        }
        return QString::fromStdString(item.node.Scalar());
    }

    std::optional<QString> string(const Item &item) { return scalar(item, u"a string"_s); }

    std::optional<qint64> integer(const Item &item, qint64 min, qint64 max)
    {
        const auto text = scalar(item, u"an integer"_s);
        if (!text)
            return std::nullopt;
        const QStringView digits
            = text->startsWith(u'+') || text->startsWith(u'-') ? QStringView(*text).mid(1) : QStringView(*text);
        if (!allDigits(digits)) {
            keyError(item, u"expected an integer, got '"_s + shown(*text) + u"'"_s);
            return std::nullopt;
        }
        bool ok = false;
        const qint64 value = text->toLongLong(&ok);
        if (!ok || value < min || value > max) {
            keyError(item,
                     shown(*text) + u" is out of range ("_s + QString::number(min) + u".."_s + QString::number(max)
                         + u")"_s);
            return std::nullopt;
        }
        return value;
    }

    std::optional<std::chrono::milliseconds> duration(const Item &item, std::chrono::milliseconds min,
                                                      std::chrono::milliseconds max)
    {
        const auto text = scalar(item, u"a duration"_s);
        if (!text)
            return std::nullopt;
        const auto value = parseDuration(*text);
        if (!value) {
            keyError(item, u"'"_s + shown(*text) + u"' is not a duration (use e.g. 500ms, 90s, 5m, 1h)"_s);
            return std::nullopt;
        }
        if (*value < min || *value > max) {
            keyError(item,
                     shown(*text) + u" is out of range ("_s + formatDuration(min) + u".."_s + formatDuration(max)
                         + u")"_s);
            return std::nullopt;
        }
        return value;
    }

    /// A duration MQTT carries in whole seconds: rounding would silently change it, so fractions are refused.
    std::optional<std::chrono::seconds> wholeSeconds(const Item &item, std::chrono::seconds min,
                                                     std::chrono::seconds max)
    {
        const auto value = duration(item, min, max);
        if (!value)
            return std::nullopt;
        if (value->count() % 1000 != 0) {
            keyError(item, formatDuration(*value) + u" is not a whole number of seconds"_s);
            return std::nullopt;
        }
        return std::chrono::duration_cast<std::chrono::seconds>(*value);
    }

    /// A size: a whole number of bytes, or one with a unit (KB, MB, GB powers of 1000; KiB, MiB, GiB of 1024).
    std::optional<qint64> bytes(const Item &item, qint64 min, qint64 max)
    {
        const auto text = scalar(item, u"a size"_s);
        if (!text)
            return std::nullopt;
        static const QList<std::pair<QString, qint64>> units{
            {u"KiB"_s, 1LL << 10},    {u"MiB"_s, 1LL << 20},           {u"GiB"_s, 1LL << 30}, {u"KB"_s, 1000LL},
            {u"MB"_s, 1000LL * 1000}, {u"GB"_s, 1000LL * 1000 * 1000}, {u"B"_s, 1LL}};
        QString number = text->trimmed();
        qint64 factor = 1;
        for (const auto &[suffix, unit] : units) {
            if (number.endsWith(suffix)) {
                number.chop(suffix.size());
                number = number.trimmed();
                factor = unit;
                break;
            }
        }
        bool ok = allDigits(number);
        const qint64 value = ok ? number.toLongLong(&ok) : 0;
        if (!ok || value > max / factor) {
            keyError(item, u"'"_s + shown(*text) + u"' is not a size (use e.g. 65536, 512KiB, 256MiB, 1GiB)"_s);
            return std::nullopt;
        }
        if (value * factor < min || value * factor > max) {
            keyError(item,
                     shown(*text) + u" is out of range ("_s + QString::number(min) + u".."_s + QString::number(max)
                         + u" bytes)"_s);
            return std::nullopt;
        }
        return value * factor;
    }

    /// The outbox settings of the sink whose section the item is in.
    OutboxPolicy &outboxOf(const Item &item)
    {
        if (item.path.startsWith(u"upstream."))
            return config().upstream.outbox;
        if (item.path.startsWith(u"influxdb."))
            return config().influxdb.outbox;
        return config().translate.outbox;
    }

    std::optional<bool> boolean(const Item &item)
    {
        const auto text = scalar(item, u"true or false"_s);
        if (!text)
            return std::nullopt;
        static const QStringList yes{u"true"_s, u"True"_s, u"TRUE"_s, u"yes"_s, u"on"_s};
        static const QStringList no{u"false"_s, u"False"_s, u"FALSE"_s, u"no"_s, u"off"_s};
        if (yes.contains(*text))
            return true;
        if (no.contains(*text))
            return false;
        keyError(item, u"expected true or false, got '"_s + shown(*text) + u"'"_s);
        return std::nullopt;
    }

    std::optional<QString> choice(const Item &item, const QStringList &options)
    {
        const QString expected = u"one of "_s + options.join(u", "_s);
        const auto text = scalar(item, expected);
        if (!text)
            return std::nullopt;
        if (!options.contains(*text)) {
            keyError(item, u"'"_s + shown(*text) + u"' is not one of "_s + options.join(u", "_s));
            return std::nullopt;
        }
        return text;
    }

    std::optional<QString> host(const Item &item)
    {
        const auto text = string(item);
        if (!text)
            return std::nullopt;
        if (!isValidHost(*text)) {
            keyError(item, u"'"_s + shown(*text) + u"' is not a valid host name or IP address"_s);
            return std::nullopt;
        }
        return text;
    }

    /// `host:port`; with `ipOnly` the host must be an address (for sockets bound without name resolution).
    std::optional<std::pair<QString, quint16>> listen(const Item &item, bool ipOnly = false)
    {
        const auto text = string(item);
        if (!text)
            return std::nullopt;
        const auto malformed = [&] { keyError(item, u"expected host:port, got '"_s + shown(*text) + u"'"_s); };
        QString hostPart;
        QString portPart;
        if (text->startsWith(u'[')) {
            const qsizetype close = text->indexOf(u"]:"_s);
            if (close < 0) {
                malformed();
                return std::nullopt;
            }
            hostPart = text->mid(1, close - 1);
            portPart = text->mid(close + 2);
            if (!isValidIpv6(hostPart)) {
                keyError(item, u"'"_s + shown(hostPart) + u"' is not a valid IPv6 address"_s);
                return std::nullopt;
            }
        } else {
            const qsizetype colon = text->lastIndexOf(u':');
            // More than one colon is an unbracketed IPv6 address: where its port starts is a guess.
            if (colon <= 0 || text->indexOf(u':') != colon) {
                malformed();
                return std::nullopt;
            }
            hostPart = text->left(colon);
            portPart = text->mid(colon + 1);
            if (!isValidHost(hostPart)) {
                keyError(item, u"'"_s + shown(hostPart) + u"' is not a valid host name or IP address"_s);
                return std::nullopt;
            }
        }
        if (!allDigits(portPart)) {
            malformed();
            return std::nullopt;
        }
        bool ok = false;
        const int port = portPart.toInt(&ok);
        if (!ok || port > 65535) {
            keyError(item, u"port "_s + shown(portPart) + u" is out of range (0..65535)"_s);
            return std::nullopt;
        }
        if (ipOnly && !isValidIpv4(hostPart) && !isValidIpv6(hostPart)) {
            keyError(item, u"'"_s + shown(hostPart) + u"' is not an IP address (names are not resolved here)"_s);
            return std::nullopt;
        }
        return std::pair{hostPart, quint16(port)};
    }

    void run(const QByteArray &yaml);
    /// Calls `each(key, value, keyLine)` for each entry of `map` whose key is a name seen once in it;
    /// `prefix` ("" at the top, "mqtt." in a section) names the keys in errors.
    void entries(const YAML::Node &map, const QString &prefix,
                 const std::function<void(const QString &key, const YAML::Node &value, int keyLine)> &each);
    void section(const YAML::Node &map, const QString &name);
    void unknownKey(int line, const QString &path, bool topLevel);
    void crossChecks();
    void routes(const YAML::Node &list, int line);
    QList<int> routeLines; ///< line of each route in config().routes
};

// Keys that store a checked value as it is in one field, reached from the config through `path`:
// member pointers, the section first (`&Config::influxdb, &InfluxSink::Settings::database`).

template<typename... Path> auto &field(Config &config, Path... path)
{
    return (config.*....*path);
}

template<typename... Path> KeySpec stringKey(QStringView section, QStringView key, Path... path)
{
    return {section, key, [path...](Loader &l, const Item &item) {
                if (const auto value = l.string(item))
                    field(l.config(), path...) = *value;
            }};
}

template<typename... Path> KeySpec booleanKey(QStringView section, QStringView key, Path... path)
{
    return {section, key, [path...](Loader &l, const Item &item) {
                if (const auto value = l.boolean(item))
                    field(l.config(), path...) = *value;
            }};
}

template<typename... Path>
KeySpec integerKey(QStringView section, QStringView key, qint64 min, qint64 max, Path... path)
{
    return {section, key, [min, max, path...](Loader &l, const Item &item) {
                using Number = std::remove_reference_t<decltype(field(l.config(), path...))>;
                if (const auto value = l.integer(item, min, max))
                    field(l.config(), path...) = Number(*value);
            }};
}

template<typename... Path>
KeySpec durationKey(QStringView section, QStringView key, std::chrono::milliseconds min, std::chrono::milliseconds max,
                    Path... path)
{
    return {section, key, [min, max, path...](Loader &l, const Item &item) {
                if (const auto value = l.duration(item, min, max))
                    field(l.config(), path...) = *value;
            }};
}

/// Every key: those of the service's own parts, and those of the sinks and their outboxes.
[[nodiscard]] const QList<KeySpec> &keySpecs();
[[nodiscard]] QList<KeySpec> serviceKeys();
[[nodiscard]] QList<KeySpec> sinkKeys();

} // namespace edgegate::configload
