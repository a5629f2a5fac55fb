// SPDX-License-Identifier: Apache-2.0
#include "gateway/app/config.h"

#include "gateway/core/common/duration.h"

#include "shared/deviceid.h"

#include <QFile>
#include <QHash>
#include <QHostAddress>
#include <QHostInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QStringList>
#include <QUrl>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <limits>
#include <utility>

namespace edgegate {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

QString Config::effectiveClientId() const
{
    return mqtt.clientId.isEmpty() ? u"edgegate-"_s + gateway.id : mqtt.clientId;
}

QString Config::effectiveMdnsName() const
{
    if (!discovery.mdns.name.isEmpty())
        return discovery.mdns.name;
    QString name = u"EdgeGate "_s + gateway.id;
    while (name.toUtf8().size() > 63)
        name.chop(name.back().isLowSurrogate() ? 2 : 1);
    return name;
}

QString Config::effectiveUpstreamClientId() const
{
    return upstream.clientId.isEmpty() ? u"edgegate-"_s + gateway.id + u"-upstream"_s : upstream.clientId;
}

QList<QHostAddress> resolveListenHost(const QString &host)
{
    QHostAddress literal;
    if (literal.setAddress(host))
        return {literal};
    QList<QHostAddress> out;
    for (const QHostAddress &a : QHostInfo::fromName(host.toLower()).addresses()) {
        if (!out.contains(a))
            out.append(a);
    }
    return out;
}

QStringList Config::sinkNames() const
{
    QStringList names;
    if (upstream.enabled())
        names.append(u"upstream"_s);
    if (influxdb.enabled())
        names.append(u"influxdb"_s);
    if (translate.republish)
        names.append(u"republish"_s);
    return names;
}

namespace {

// A config file is a handful of lines; the cap keeps a mistaken path such as /dev/zero from eating memory.
constexpr qint64 MaxConfigFileBytes = 4 * 1024 * 1024;
constexpr qsizetype MaxClientIdLength = 128;
constexpr qsizetype MaxShownValueLength = 60;

bool isAsciiDigit(QChar c)
{
    return c.unicode() >= u'0' && c.unicode() <= u'9';
}

bool isAsciiAlnum(QChar c)
{
    const char16_t u = c.unicode();
    return isAsciiDigit(c) || (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z');
}

bool allDigits(QStringView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), isAsciiDigit);
}

// QHostAddress also takes inet_aton shorthands ("127.1", "1") and surrounding blanks, which in a config
// file are far more likely typos than intent.
bool isValidIpv4(QStringView text)
{
    const auto parts = text.split(u'.');
    if (parts.size() != 4)
        return false;
    for (const QStringView part : parts) {
        // A leading zero reads as octal to some resolvers, so "010.0.0.1" is ambiguous.
        if (!allDigits(part) || part.size() > 3 || (part.size() > 1 && part.front() == u'0') || part.toInt() > 255)
            return false;
    }
    return true;
}

bool isValidIpv6(const QString &text)
{
    if (!text.contains(u':') || std::any_of(text.begin(), text.end(), [](QChar c) { return c.isSpace(); }))
        return false;
    QHostAddress address;
    return address.setAddress(text) && address.protocol() == QAbstractSocket::IPv6Protocol;
}

bool isValidHostName(QStringView text)
{
    if (text.isEmpty() || text.size() > 253)
        return false;
    const auto labels = text.split(u'.');
    for (const QStringView label : labels) {
        if (label.isEmpty() || label.size() > 63 || label.front() == u'-' || label.back() == u'-')
            return false;
        if (!std::all_of(label.begin(), label.end(), [](QChar c) { return isAsciiAlnum(c) || c == u'-'; }))
            return false;
    }
    // An all-numeric last label would let a bad address like 300.1.1.1 pass as a name (RFC 3696 forbids it too).
    return !allDigits(labels.back());
}

bool isValidHost(const QString &text)
{
    const bool dottedDigits = !text.isEmpty()
        && std::all_of(text.begin(), text.end(), [](QChar c) { return isAsciiDigit(c) || c == u'.'; });
    if (dottedDigits)
        return isValidIpv4(text);
    return isValidIpv6(text) || isValidHostName(text);
}

// 127.0.0.0/8, ::1 and localhost: what only this machine can reach.
/// Whether every address a host resolves to is a loopback one (and it resolves to some).
bool isLoopbackHost(const QList<QHostAddress> &addresses)
{
    return !addresses.isEmpty()
        && std::all_of(addresses.cbegin(), addresses.cend(), [](const QHostAddress &a) { return a.isLoopback(); });
}

// Values are echoed inside one-line messages, so line breaks must not survive and huge values are cut.
QString shown(const QString &text)
{
    QString out;
    for (const QChar c : text) {
        if (c == u'\n')
            out += u"\\n"_s;
        else if (c == u'\r')
            out += u"\\r"_s;
        else if (c == u'\t')
            out += u"\\t"_s;
        else if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            out += u'?';
        else
            out += c;
    }
    if (out.size() > MaxShownValueLength)
        out = out.left(MaxShownValueLength) + u"..."_s;
    return out;
}

int editDistance(QStringView a, QStringView b)
{
    QList<int> previous(b.size() + 1);
    QList<int> current(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        previous[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        current[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int substitution = previous[j - 1] + (a[i - 1].toLower() == b[j - 1].toLower() ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

QString nodeKindName(const YAML::Node &node)
{
    if (node.IsMap())
        return u"a map"_s;
    if (node.IsSequence())
        return u"a list"_s;
    if (node.IsScalar())
        return u"'"_s + shown(QString::fromStdString(node.Scalar())) + u"'"_s;
    return u"an empty value"_s;
}

// One key's value as the loader sees it.
struct Item
{
    const YAML::Node &node;
    QString path;
    int line = 0;
};

struct Loader;
using Apply = void (*)(Loader &, const Item &);

struct KeySpec
{
    QStringView section;
    QStringView key;
    Apply apply;
};

const QList<QStringView> &sectionNames()
{
    static const QList<QStringView> names{u"gateway",  u"mqtt",   u"http",     u"coap",      u"registry", u"analytics",
                                          u"ingest",   u"alerts", u"log",      u"translate", u"outbox",   u"upstream",
                                          u"influxdb", u"routes", u"firmware", u"discovery", u"ota"};
    return names;
}

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
    void section(const YAML::Node &map, const QString &name);
    void unknownKey(int line, const QString &path, bool topLevel);
    void crossChecks();
    void routes(const YAML::Node &list, int line);
    QList<int> routeLines; ///< line of each route in config().routes
};

// Route fields are strings, except the deadband: a device id such as 0042 must stay text.
QJsonValue yamlToJson(const YAML::Node &node, const QString &key)
{
    if (node.IsMap()) {
        QJsonObject object;
        for (const auto &entry : node) {
            const QString name = QString::fromStdString(entry.first.Scalar());
            object.insert(name, yamlToJson(entry.second, name));
        }
        return object;
    }
    if (node.IsSequence()) {
        QJsonArray array;
        for (const auto &item : node)
            array.append(yamlToJson(item, key));
        return array;
    }
    if (!node.IsScalar())
        return QJsonValue(QJsonValue::Null);
    const QString text = QString::fromStdString(node.Scalar());
    if (key == u"deadband") {
        bool ok = false;
        const double number = text.toDouble(&ok);
        return ok ? QJsonValue(number) : QJsonValue(text);
    }
    return text;
}

int lineOf(const YAML::Node &node, int fallback)
{
    // yaml-cpp marks an empty value at the token after it, often on the next line, so the caller's line is better.
    if (!node.IsDefined() || node.IsNull())
        return fallback;
    const YAML::Mark mark = node.Mark();
    return mark.is_null() || mark.line < 0 ? fallback : mark.line + 1;
}

// registry.device_types: {TYPE: {offline_after: DURATION}}
void registryDeviceTypes(Loader &l, const Item &item)
{
    if (!item.node.IsMap()) {
        l.keyError(item, u"expected a map of device types, got "_s + nodeKindName(item.node));
        return;
    }
    for (const auto &entry : item.node) {
        const QString type = QString::fromStdString(entry.first.Scalar());
        const QString path = item.path + u'.' + type;
        const int line = lineOf(entry.second, item.line);
        if (type.isEmpty() || !entry.second.IsMap()) {
            l.keyError(Item{entry.second, path, line}, u"expected a map with offline_after"_s);
            continue;
        }
        for (const auto &setting : entry.second) {
            const QString key = QString::fromStdString(setting.first.Scalar());
            const Item sub{setting.second, path + u'.' + key, lineOf(setting.second, line)};
            if (key != u"offline_after") {
                l.keyError(sub, u"unknown key (device types take offline_after)"_s);
                continue;
            }
            if (const auto value = l.duration(sub, 1s, 24h * 30))
                l.config().registry.offlineAfterByType.insert(type, *value);
        }
    }
}

// alerts.webhook: {url, timeout, retry_min, retry_max, max_queued}
void alertsWebhook(Loader &l, const Item &item)
{
    if (!item.node.IsMap()) {
        l.keyError(item, u"expected a map with url, timeout, retry_min, retry_max, max_queued"_s);
        return;
    }
    auto &hook = l.config().alerts.webhook;
    for (const auto &setting : item.node) {
        const QString key = QString::fromStdString(setting.first.Scalar());
        const Item sub{setting.second, item.path + u'.' + key, lineOf(setting.second, item.line)};
        if (key == u"url") {
            const auto text = l.string(sub);
            if (!text)
                continue;
            const QUrl url(*text, QUrl::StrictMode);
            if (!text->isEmpty()
                && (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https") || url.host().isEmpty())) {
                l.keyError(sub, u"'"_s + shown(*text) + u"' is not an http:// or https:// URL"_s);
                continue;
            }
            hook.url = *text;
        } else if (key == u"timeout") {
            if (const auto value = l.duration(sub, 100ms, 300s))
                hook.timeout = *value;
        } else if (key == u"retry_min") {
            if (const auto value = l.duration(sub, 10ms, 1h))
                hook.retryMin = *value;
        } else if (key == u"retry_max") {
            if (const auto value = l.duration(sub, 10ms, 24h))
                hook.retryMax = *value;
        } else if (key == u"max_queued") {
            if (const auto value = l.integer(sub, 1, 1000000))
                hook.maxQueued = int(*value);
        } else {
            l.keyError(sub, u"unknown key (use url, timeout, retry_min, retry_max, max_queued)"_s);
        }
    }
    if (hook.retryMax < hook.retryMin)
        l.keyError(item, u"retry_max is less than retry_min"_s);
}

// http.allowed_hosts: [name or address, ...]
void httpAllowedHosts(Loader &l, const Item &item)
{
    if (!item.node.IsSequence()) {
        l.keyError(item, u"expected a list of host names or addresses, got "_s + nodeKindName(item.node));
        return;
    }
    QStringList hosts;
    for (const auto &entry : item.node) {
        const QString host = entry.IsScalar() ? QString::fromStdString(entry.Scalar()).toLower() : QString();
        if (host != u"*" && !isValidHost(host)) {
            l.keyError(item, u"'"_s + shown(host) + u"' is not a host name, an address or *"_s);
            return;
        }
        hosts.append(host);
    }
    l.config().http.allowedHosts = hosts;
}

// http.tls: {cert_file, key_file, client_ca_file}
void httpTls(Loader &l, const Item &item)
{
    if (!item.node.IsMap()) {
        l.keyError(item,
                   u"expected a map with cert_file, key_file and client_ca_file, got "_s + nodeKindName(item.node));
        return;
    }
    HttpTls::Settings tls;
    for (const auto &setting : item.node) {
        const QString key = QString::fromStdString(setting.first.Scalar());
        const Item sub{setting.second, item.path + u'.' + key, lineOf(setting.second, item.line)};
        const auto value = l.string(sub);
        if (!value)
            return;
        if (key == u"cert_file")
            tls.certFile = *value;
        else if (key == u"key_file")
            tls.keyFile = *value;
        else if (key == u"client_ca_file")
            tls.clientCaFile = *value;
        else {
            l.keyError(sub, u"unknown key (use cert_file, key_file, client_ca_file)"_s);
            return;
        }
    }
    if (tls.certFile.isEmpty() != tls.keyFile.isEmpty()) {
        l.keyError(item, u"cert_file and key_file go together"_s);
        return;
    }
    if (tls.certFile.isEmpty() && !tls.clientCaFile.isEmpty()) {
        l.keyError(item, u"client_ca_file needs cert_file and key_file"_s);
        return;
    }
    l.config().http.tls = tls;
}

// http.tokens: [{name, token, role}]
void httpTokens(Loader &l, const Item &item)
{
    if (!item.node.IsSequence()) {
        l.keyError(item, u"expected a list of tokens (each with name, token, role), got "_s + nodeKindName(item.node));
        return;
    }
    QHash<QString, int> names;
    QHash<QByteArray, QString> tokens;
    int index = 0;
    for (const auto &entry : item.node) {
        const QString where = item.path + u"[%1]"_s.arg(index++);
        const int line = lineOf(entry, item.line);
        if (!entry.IsMap()) {
            l.keyError(Item{entry, where, line},
                       u"expected a map with name, token, role, got "_s + nodeKindName(entry));
            continue;
        }
        ApiToken token;
        bool valid = true;
        bool hasName = false;
        bool hasToken = false;
        for (const auto &setting : entry) {
            const QString key = QString::fromStdString(setting.first.Scalar());
            const Item sub{setting.second, where + u'.' + key, lineOf(setting.second, line)};
            if (key == u"name") {
                const auto text = l.string(sub);
                const bool printable = text && std::all_of(text->begin(), text->end(), [](QChar c) {
                                           return c.unicode() >= 0x20 && c.unicode() != 0x7f;
                                       });
                if (!text) {
                    valid = false;
                } else if (text->trimmed().isEmpty() || text->size() > 64 || !printable) {
                    l.keyError(sub, u"'"_s + shown(*text) + u"' is not a name (1-64 printable characters)"_s);
                    valid = false;
                } else {
                    token.name = *text;
                    hasName = true;
                }
            } else if (key == u"token") {
                // The token itself is never echoed in a message.
                const auto text = l.string(sub);
                const bool visible = text && std::all_of(text->begin(), text->end(), [](QChar c) {
                                         return c.unicode() > 0x20 && c.unicode() < 0x7f;
                                     });
                if (!text) {
                    valid = false;
                } else if (text->size() < 16) {
                    l.keyError(sub, u"too short (%1 characters, at least 16)"_s.arg(text->size()));
                    valid = false;
                } else if (!visible) {
                    l.keyError(sub, u"must be printable ASCII without spaces"_s);
                    valid = false;
                } else {
                    token.token = text->toLatin1();
                    hasToken = true;
                }
            } else if (key == u"role") {
                if (const auto role = l.choice(sub, {u"admin"_s, u"viewer"_s}))
                    token.role = *role == u"admin" ? ApiRole::Admin : ApiRole::Viewer;
                else
                    valid = false;
            } else {
                l.keyError(sub, u"unknown key (use name, token, role)"_s);
                valid = false;
            }
        }
        if (!hasName && valid) {
            l.keyError(Item{entry, where, line}, u"name is required"_s);
            valid = false;
        }
        if (!hasToken && valid) {
            l.keyError(Item{entry, where, line}, u"token is required"_s);
            valid = false;
        }
        if (!valid)
            continue;
        if (const auto first = names.constFind(token.name); first != names.cend()) {
            l.keyError(Item{entry, where + u".name"_s, line},
                       u"'"_s + shown(token.name) + u"' is already used on line "_s + QString::number(*first));
            continue;
        }
        if (const auto first = tokens.constFind(token.token); first != tokens.cend()) {
            l.keyError(Item{entry, where + u".token"_s, line}, u"the same token as "_s + *first);
            continue;
        }
        names.insert(token.name, line);
        tokens.insert(token.token, where);
        l.config().http.tokens.append(std::move(token));
    }
}

void outboxMaxBytes(Loader &l, const Item &item)
{
    if (const auto value = l.bytes(item, 64LL * 1024, 1LL << 40))
        l.outboxOf(item).maxBytes = *value;
}

void outboxOverflow(Loader &l, const Item &item)
{
    if (const auto value = l.choice(item, {u"drop_oldest"_s, u"reject_new"_s}))
        l.outboxOf(item).overflow = *value == u"drop_oldest" ? OverflowPolicy::DropOldest : OverflowPolicy::RejectNew;
}

void outboxDrain(Loader &l, const Item &item)
{
    if (const auto value = l.choice(item, {u"fifo"_s, u"live_first"_s}))
        l.outboxOf(item).drain = *value == u"fifo" ? DrainOrder::Fifo : DrainOrder::LiveFirst;
}

void outboxDrainRate(Loader &l, const Item &item)
{
    if (const auto value = l.integer(item, 0, 10'000'000))
        l.outboxOf(item).drainRate = int(*value);
}

const QList<KeySpec> &keySpecs()
{
    static const QList<KeySpec> specs{
        {u"gateway", u"id",
         [](Loader &l, const Item &item) {
             const auto text = l.string(item);
             if (!text)
                 return;
             if (!isValidDeviceId(*text)) {
                 // The id becomes part of MQTT topics and the default client id.
                 l.keyError(item,
                            u"'"_s + shown(*text) + u"' is not a valid id (1-64 characters of A-Z a-z 0-9 . _ : -)"_s);
                 return;
             }
             l.config().gateway.id = *text;
         }},
        {u"gateway", u"data_dir",
         [](Loader &l, const Item &item) {
             const auto text = l.string(item);
             if (!text)
                 return;
             if (text->isEmpty()) {
                 l.keyError(item, u"must not be empty"_s);
                 return;
             }
             l.config().gateway.dataDir = *text;
         }},
        {u"mqtt", u"host",
         [](Loader &l, const Item &item) {
             if (const auto value = l.host(item))
                 l.config().mqtt.host = *value;
         }},
        {u"mqtt", u"port",
         [](Loader &l, const Item &item) {
             if (const auto value = l.integer(item, 1, 65535))
                 l.config().mqtt.port = quint16(*value);
         }},
        {u"mqtt", u"protocol",
         [](Loader &l, const Item &item) {
             if (const auto value = l.choice(item, {u"5"_s, u"3.1.1"_s}))
                 l.config().mqtt.protocol = *value == u"5" ? MqttProtocol::V5 : MqttProtocol::V311;
         }},
        {u"mqtt", u"client_id",
         [](Loader &l, const Item &item) {
             const auto text = l.string(item);
             if (!text)
                 return;
             if (text->size() > MaxClientIdLength) {
                 l.keyError(item,
                            u"too long ("_s + QString::number(text->size()) + u" characters, at most "_s
                                + QString::number(MaxClientIdLength) + u")"_s);
                 return;
             }
             const bool printable = std::all_of(text->begin(), text->end(),
                                                [](QChar c) { return c.unicode() >= 0x20 && c.unicode() < 0x7f; });
             if (!printable) {
                 l.keyError(item, u"'"_s + shown(*text) + u"' must be printable ASCII"_s);
                 return;
             }
             l.config().mqtt.clientId = *text;
         }},
        {u"mqtt", u"username",
         [](Loader &l, const Item &item) {
             if (const auto value = l.string(item))
                 l.config().mqtt.username = *value;
         }},
        {u"mqtt", u"password",
         [](Loader &l, const Item &item) {
             if (const auto value = l.string(item))
                 l.config().mqtt.password = *value;
         }},
        {u"mqtt", u"keepalive",
         [](Loader &l, const Item &item) {
             if (const auto value = l.wholeSeconds(item, 5s, 65535s))
                 l.config().mqtt.keepalive = *value;
         }},
        {u"mqtt", u"reconnect_min",
         [](Loader &l, const Item &item) {
             if (const auto value = l.duration(item, 10ms, 60s))
                 l.config().mqtt.reconnectMin = *value;
         }},
        {u"mqtt", u"reconnect_max",
         [](Loader &l, const Item &item) {
             if (const auto value = l.duration(item, 100ms, 1h))
                 l.config().mqtt.reconnectMax = *value;
         }},
        {u"mqtt", u"session_expiry",
         [](Loader &l, const Item &item) {
             if (const auto value = l.wholeSeconds(item, 0s, 24h * 365))
                 l.config().mqtt.sessionExpiry = *value;
         }},
        {u"http", u"listen",
         [](Loader &l, const Item &item) {
             if (const auto address = l.listen(item)) {
                 l.config().http.host = address->first;
                 l.config().http.port = address->second;
             }
         }},
        {u"http", u"tokens", httpTokens},
        {u"http", u"allow_unauthenticated",
         [](Loader &l, const Item &item) {
             if (const auto value = l.boolean(item))
                 l.config().http.allowUnauthenticated = *value;
         }},
        {u"http", u"max_body_bytes",
         [](Loader &l, const Item &item) {
             if (const auto value = l.integer(item, 1, 16 * 1024 * 1024))
                 l.config().http.limits.maxBodyBytes = *value;
         }},
        {u"http", u"max_head_bytes",
         [](Loader &l, const Item &item) {
             if (const auto value = l.bytes(item, 1024, 1024 * 1024))
                 l.config().http.limits.head.maxHeadBytes = qsizetype(*value);
         }},
        {u"http", u"max_header_fields",
         [](Loader &l, const Item &item) {
             if (const auto value = l.integer(item, 1, 1000))
                 l.config().http.limits.head.maxFields = int(*value);
         }},
        {u"http", u"head_timeout",
         [](Loader &l, const Item &item) {
             if (const auto value = l.duration(item, 100ms, 10min))
                 l.config().http.limits.headTimeout = *value;
         }},
        {u"http", u"idle_timeout",
         [](Loader &l, const Item &item) {
             if (const auto value = l.duration(item, 1s, 24h))
                 l.config().http.limits.idleTimeout = *value;
         }},
        {u"http", u"max_connections",
         [](Loader &l, const Item &item) {
             if (const auto value = l.integer(item, 1, 1000000))
                 l.config().http.limits.maxConnections = int(*value);
         }},
        {u"http", u"max_connections_per_address",
         [](Loader &l, const Item &item) {
             if (const auto value = l.integer(item, 1, 1000000))
                 l.config().http.limits.maxConnectionsPerAddress = int(*value);
         }},
        {u"http", u"max_http2_streams",
         [](Loader &l, const Item &item) {
             if (const auto value = l.integer(item, 1, 1000))
                 l.config().http.limits.maxHttp2Streams = quint32(*value);
         }},
        {u"http", u"max_waiting_auth",
         [](Loader &l, const Item &item) {
             if (const auto value = l.integer(item, 1, 100000))
                 l.config().http.limits.maxWaitingAuth = int(*value);
         }},
        {u"http", u"max_waiting_auth_per_address",
         [](Loader &l, const Item &item) {
             if (const auto value = l.integer(item, 1, 100000))
                 l.config().http.limits.maxWaitingAuthPerAddress = int(*value);
         }},
        {u"http", u"allowed_hosts", httpAllowedHosts},
        {u"http", u"tls", httpTls},
        {u"firmware", u"max_image_bytes",
         [](Loader &l, const Item &item) {
             if (const auto value = l.bytes(item, 1, 64LL * 1024 * 1024 * 1024))
                 l.config().firmware.maxImageBytes = *value;
         }},
        {u"coap", u"enabled",
         [](Loader &l, const Item &item) {
             if (const auto value = l.boolean(item))
                 l.config().coap.enabled = *value;
         }},
        {u"coap", u"listen",
         [](Loader &l, const Item &item) {
             if (const auto address = l.listen(item, true)) {
                 l.config().coap.host = address->first;
                 l.config().coap.port = address->second;
             }
         }},
        {u"coap", u"dtls_listen",
         [](Loader &l, const Item &item) {
             // Empty turns DTLS off, so port 0 cannot mean "any port" here.
             if (item.node.IsScalar() && item.node.Scalar().empty()) {
                 l.config().coap.dtlsHost.clear();
                 l.config().coap.dtlsPort = 0;
                 return;
             }
             const auto address = l.listen(item, true);
             if (!address)
                 return;
             if (address->second == 0) {
                 l.keyError(item, u"port 0 is not allowed (leave the value empty to turn DTLS off)"_s);
                 return;
             }
             l.config().coap.dtlsHost = address->first;
             l.config().coap.dtlsPort = address->second;
         }},
        {u"coap", u"max_sessions",
         [](Loader &l, const Item &item) {
             if (const auto value = l.integer(item, 1, 100000))
                 l.config().coap.maxSessions = int(*value);
         }},
        {u"registry", u"policy",
         [](Loader &l, const Item &item) {
             const auto value = l.choice(item, {u"auto"_s, u"approve"_s, u"deny"_s});
             if (!value)
                 return;
             l.config().registry.policy = *value == u"auto" ? RegistryPolicy::Auto
                 : *value == u"approve"                     ? RegistryPolicy::Approve
                                                            : RegistryPolicy::Deny;
         }},
        {u"registry", u"offline_after",
         [](Loader &l, const Item &item) {
             if (const auto value = l.duration(item, 1s, 24h * 30))
                 l.config().registry.offlineAfter = *value;
         }},
        {u"registry", u"flush_interval",
         [](Loader &l, const Item &item) {
             if (const auto value = l.duration(item, 10ms, 60s))
                 l.config().registry.flushInterval = *value;
         }},
        {u"registry", u"pending_buffer",
         [](Loader &l, const Item &item) {
             if (const auto value = l.integer(item, 0, 100000))
                 l.config().registry.pendingBuffer = int(*value);
         }},
        {u"registry", u"history_days",
         [](Loader &l, const Item &item) {
             if (const auto value = l.integer(item, 1, 3650))
                 l.config().registry.historyDays = int(*value);
         }},
        {u"registry", u"device_types", registryDeviceTypes},
        {u"analytics", u"window",
         [](Loader &l, const Item &item) {
             if (const auto value = l.integer(item, 2, 100000))
                 l.config().analytics.window = int(*value);
         }},
        {u"analytics", u"anomaly_z",
         [](Loader &l, const Item &item) {
             const auto text = l.scalar(item, u"a number"_s);
             if (!text)
                 return;
             const QString lower = text->toLower();
             static const QStringList nonFinite{u".nan"_s, u"nan"_s,  u".inf"_s, u"+.inf"_s,    u"-.inf"_s,
                                                u"inf"_s,  u"+inf"_s, u"-inf"_s, u"infinity"_s, u"-infinity"_s};
             if (nonFinite.contains(lower)) {
                 l.keyError(item, u"'"_s + shown(*text) + u"' is not a finite number"_s);
                 return;
             }
             bool ok = false;
             const double value = text->toDouble(&ok);
             if (!ok || !std::isfinite(value)) {
                 l.keyError(item, u"expected a number, got '"_s + shown(*text) + u"'"_s);
                 return;
             }
             if (value <= 0 || value > 1000) {
                 l.keyError(item, shown(*text) + u" is out of range (greater than 0, at most 1000)"_s);
                 return;
             }
             l.config().analytics.anomalyZ = value;
         }},
        {u"analytics", u"min_samples",
         [](Loader &l, const Item &item) {
             if (const auto value = l.integer(item, 2, 100000))
                 l.config().analytics.minSamples = int(*value);
         }},
        {u"ingest", u"max_payload_bytes",
         [](Loader &l, const Item &item) {
             if (const auto value = l.integer(item, 16, 16 * 1024 * 1024))
                 l.config().ingest.maxPayloadBytes = qsizetype(*value);
         }},
        {u"alerts", u"max_kept",
         [](Loader &l, const Item &item) {
             if (const auto value = l.integer(item, 1, 1000000))
                 l.config().alerts.maxKept = int(*value);
         }},
        {u"alerts", u"rules",
         [](Loader &l, const Item &item) {
             if (!item.node.IsSequence()) {
                 l.keyError(item, u"expected a list of rules, got "_s + nodeKindName(item.node));
                 return;
             }
             QHash<QString, int> ids;
             int index = 0;
             for (const auto &rule : item.node) {
                 const Item one{rule, item.path, lineOf(rule, item.line)};
                 const QString where = u"[%1]"_s.arg(index++);
                 if (!rule.IsMap()) {
                     l.keyError(one, where + u": expected a map, got "_s + nodeKindName(rule));
                     continue;
                 }
                 QString problem;
                 auto parsed = alertRuleFromJson(yamlToJson(rule, {}).toObject(), &problem);
                 if (!parsed) {
                     l.keyError(one, where + u"."_s + problem);
                     continue;
                 }
                 if (const auto first = ids.constFind(parsed->id); first != ids.cend()) {
                     l.keyError(one,
                                where + u".id: '"_s + shown(parsed->id) + u"' is already used on line "_s
                                    + QString::number(*first));
                     continue;
                 }
                 ids.insert(parsed->id, one.line);
                 l.config().alerts.rules.append(std::move(*parsed));
             }
         }},
        {u"alerts", u"webhook", alertsWebhook},
        {u"translate", u"republish",
         [](Loader &l, const Item &item) {
             if (const auto value = l.boolean(item))
                 l.config().translate.republish = *value;
         }},
        {u"translate", u"qos",
         [](Loader &l, const Item &item) {
             if (const auto value = l.integer(item, 0, 2))
                 l.config().translate.qos = int(*value);
         }},
        {u"translate", u"max_bytes", outboxMaxBytes},
        {u"translate", u"overflow", outboxOverflow},
        {u"translate", u"drain", outboxDrain},
        {u"translate", u"drain_rate", outboxDrainRate},
        {u"upstream", u"max_bytes", outboxMaxBytes},
        {u"upstream", u"overflow", outboxOverflow},
        {u"upstream", u"drain", outboxDrain},
        {u"upstream", u"drain_rate", outboxDrainRate},
        {u"influxdb", u"max_bytes", outboxMaxBytes},
        {u"influxdb", u"overflow", outboxOverflow},
        {u"influxdb", u"drain", outboxDrain},
        {u"influxdb", u"drain_rate", outboxDrainRate},
        {u"outbox", u"commit_interval",
         [](Loader &l, const Item &item) {
             if (const auto value = l.duration(item, 1ms, 10s))
                 l.config().outbox.commitInterval = *value;
         }},
        {u"upstream", u"host",
         [](Loader &l, const Item &item) {
             // Empty keeps the upstream off.
             if (item.node.IsScalar() && item.node.Scalar().empty()) {
                 l.config().upstream.host.clear();
                 return;
             }
             if (const auto value = l.host(item))
                 l.config().upstream.host = *value;
         }},
        {u"upstream", u"port",
         [](Loader &l, const Item &item) {
             if (const auto value = l.integer(item, 1, 65535))
                 l.config().upstream.port = quint16(*value);
         }},
        {u"upstream", u"protocol",
         [](Loader &l, const Item &item) {
             if (const auto value = l.choice(item, {u"5"_s, u"3.1.1"_s}))
                 l.config().upstream.protocol = *value == u"5" ? MqttProtocol::V5 : MqttProtocol::V311;
         }},
        {u"upstream", u"client_id",
         [](Loader &l, const Item &item) {
             const auto text = l.string(item);
             if (!text)
                 return;
             if (text->size() > MaxClientIdLength) {
                 l.keyError(item, u"too long (at most "_s + QString::number(MaxClientIdLength) + u" characters)"_s);
                 return;
             }
             l.config().upstream.clientId = *text;
         }},
        {u"upstream", u"username",
         [](Loader &l, const Item &item) {
             if (const auto value = l.string(item))
                 l.config().upstream.username = *value;
         }},
        {u"upstream", u"password",
         [](Loader &l, const Item &item) {
             if (const auto value = l.string(item))
                 l.config().upstream.password = *value;
         }},
        {u"upstream", u"keepalive",
         [](Loader &l, const Item &item) {
             if (const auto value = l.wholeSeconds(item, 5s, 65535s))
                 l.config().upstream.keepalive = *value;
         }},
        {u"upstream", u"reconnect_min",
         [](Loader &l, const Item &item) {
             if (const auto value = l.duration(item, 10ms, 60s))
                 l.config().upstream.reconnectMin = *value;
         }},
        {u"upstream", u"reconnect_max",
         [](Loader &l, const Item &item) {
             if (const auto value = l.duration(item, 100ms, 1h))
                 l.config().upstream.reconnectMax = *value;
         }},
        {u"upstream", u"prefix",
         [](Loader &l, const Item &item) {
             const auto text = l.string(item);
             if (!text)
                 return;
             // The prefix starts topics the gateway publishes: no wildcards, no empty levels.
             const bool valid = !text->isEmpty() && !text->contains(u'+') && !text->contains(u'#')
                 && !text->startsWith(u'/') && !text->endsWith(u'/') && !text->contains(u"//"_s)
                 && !text->contains(QChar(0));
             if (!valid) {
                 l.keyError(item, u"'"_s + shown(*text) + u"' is not a topic prefix (no + or #, no empty levels)"_s);
                 return;
             }
             l.config().upstream.prefix = *text;
         }},
        {u"upstream", u"inflight",
         [](Loader &l, const Item &item) {
             if (const auto value = l.integer(item, 1, 65535))
                 l.config().upstream.inflight = int(*value);
         }},
        {u"upstream", u"tls",
         [](Loader &l, const Item &item) {
             if (const auto value = l.boolean(item))
                 l.config().upstream.tls = *value;
         }},
        {u"upstream", u"ca_file",
         [](Loader &l, const Item &item) {
             if (const auto value = l.string(item))
                 l.config().upstream.caFile = *value;
         }},
        {u"upstream", u"cert_file",
         [](Loader &l, const Item &item) {
             if (const auto value = l.string(item))
                 l.config().upstream.certFile = *value;
         }},
        {u"upstream", u"key_file",
         [](Loader &l, const Item &item) {
             if (const auto value = l.string(item))
                 l.config().upstream.keyFile = *value;
         }},
        {u"upstream", u"tls_insecure",
         [](Loader &l, const Item &item) {
             if (const auto value = l.boolean(item))
                 l.config().upstream.tlsInsecure = *value;
         }},
        {u"influxdb", u"url",
         [](Loader &l, const Item &item) {
             const auto text = l.string(item);
             if (!text)
                 return;
             const QUrl url(*text, QUrl::StrictMode);
             if (!text->isEmpty()
                 && (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https") || url.host().isEmpty()
                     || url.hasQuery())) {
                 l.keyError(item, u"'"_s + shown(*text) + u"' is not an http:// or https:// URL without a query"_s);
                 return;
             }
             l.config().influxdb.url = *text;
         }},
        {u"ota", u"base_url",
         [](Loader &l, const Item &item) {
             const auto text = l.string(item);
             if (!text)
                 return;
             const QUrl url(*text, QUrl::StrictMode);
             if (!text->isEmpty()
                 && (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https") || url.host().isEmpty()
                     || url.hasQuery() || url.hasFragment())) {
                 l.keyError(item, u"'"_s + shown(*text) + u"' is not an http:// or https:// URL without a query"_s);
                 return;
             }
             l.config().ota.baseUrl = *text;
         }},
        {u"ota", u"job_timeout",
         [](Loader &l, const Item &item) {
             if (const auto value = l.duration(item, 1s, 24h * 7))
                 l.config().ota.jobTimeout = *value;
         }},
        {u"ota", u"max_concurrent",
         [](Loader &l, const Item &item) {
             if (const auto value = l.integer(item, 1, 10000))
                 l.config().ota.maxConcurrent = int(*value);
         }},
        {u"influxdb", u"database",
         [](Loader &l, const Item &item) {
             if (const auto value = l.string(item))
                 l.config().influxdb.database = *value;
         }},
        {u"influxdb", u"retention_policy",
         [](Loader &l, const Item &item) {
             if (const auto value = l.string(item))
                 l.config().influxdb.retentionPolicy = *value;
         }},
        {u"influxdb", u"username",
         [](Loader &l, const Item &item) {
             if (const auto value = l.string(item))
                 l.config().influxdb.username = *value;
         }},
        {u"influxdb", u"password",
         [](Loader &l, const Item &item) {
             if (const auto value = l.string(item))
                 l.config().influxdb.password = *value;
         }},
        {u"influxdb", u"org",
         [](Loader &l, const Item &item) {
             if (const auto value = l.string(item))
                 l.config().influxdb.org = *value;
         }},
        {u"influxdb", u"bucket",
         [](Loader &l, const Item &item) {
             if (const auto value = l.string(item))
                 l.config().influxdb.bucket = *value;
         }},
        {u"influxdb", u"token",
         [](Loader &l, const Item &item) {
             if (const auto value = l.string(item))
                 l.config().influxdb.token = *value;
         }},
        {u"influxdb", u"measurement",
         [](Loader &l, const Item &item) {
             if (const auto value = l.string(item))
                 l.config().influxdb.measurement = *value;
         }},
        {u"influxdb", u"batch_points",
         [](Loader &l, const Item &item) {
             if (const auto value = l.integer(item, 1, 100000))
                 l.config().influxdb.batchPoints = int(*value);
         }},
        {u"influxdb", u"flush_interval",
         [](Loader &l, const Item &item) {
             if (const auto value = l.duration(item, 10ms, 1h))
                 l.config().influxdb.flushInterval = *value;
         }},
        {u"influxdb", u"timeout",
         [](Loader &l, const Item &item) {
             if (const auto value = l.duration(item, 100ms, 10min))
                 l.config().influxdb.timeout = *value;
         }},
        {u"discovery", u"mdns",
         [](Loader &l, const Item &item) {
             if (item.node.IsNull())
                 return;
             if (!item.node.IsMap()) {
                 l.keyError(item, u"expected a map, got "_s + nodeKindName(item.node));
                 return;
             }
             l.section(item.node, item.path);
         }},
        {u"discovery.mdns", u"enabled",
         [](Loader &l, const Item &item) {
             if (const auto value = l.boolean(item))
                 l.config().discovery.mdns.enabled = *value;
         }},
        {u"discovery.mdns", u"name",
         [](Loader &l, const Item &item) {
             const auto value = l.string(item);
             if (!value)
                 return;
             // A DNS-SD instance name is one DNS label: at most 63 bytes of UTF-8, no control characters.
             const bool printable = std::all_of(value->cbegin(), value->cend(),
                                                [](QChar c) { return c.unicode() >= 0x20 && c.unicode() != 0x7f; });
             // Empty is the default name.
             if (value->toUtf8().size() > 63 || !printable) {
                 l.keyError(item, u"must be at most 63 bytes of printable UTF-8"_s);
                 return;
             }
             l.config().discovery.mdns.name = *value;
         }},
        {u"log", u"level",
         [](Loader &l, const Item &item) {
             if (const auto value = l.choice(item, {u"debug"_s, u"info"_s, u"warning"_s, u"error"_s}))
                 l.config().log.level = *value;
         }},
    };
    return specs;
}

QString fullKey(const KeySpec &spec)
{
    return spec.section.toString() + u'.' + spec.key.toString();
}

void Loader::unknownKey(int line, const QString &path, bool topLevel)
{
    const QString message = u"unknown key '"_s + shown(path) + u"'"_s;
    // Flat dotted keys at the top level are a common slip: point at the nesting rather than at a near-miss.
    if (topLevel) {
        for (const KeySpec &spec : keySpecs()) {
            if (path == fullKey(spec)) {
                error(line,
                      message + u" (write it nested: '"_s + spec.key.toString() + u"' under '"_s
                          + spec.section.toString() + u":')"_s);
                return;
            }
        }
    }
    QString best;
    int bestDistance = 3;
    const auto consider = [&](const QString &candidate) {
        const int distance = editDistance(path, candidate);
        if (distance < bestDistance) {
            bestDistance = distance;
            best = candidate;
        }
    };
    if (topLevel) {
        for (const QStringView name : sectionNames())
            consider(name.toString());
    } else {
        for (const KeySpec &spec : keySpecs())
            consider(fullKey(spec));
    }
    error(line, best.isEmpty() ? message : message + u" (did you mean '"_s + best + u"'?)"_s);
}

void Loader::section(const YAML::Node &map, const QString &name)
{
    QHash<QString, int> seen;
    // Range-for keeps each entry alive: yaml-cpp's `it->` yields a temporary, so references into it would dangle.
    for (const auto &entry : map) {
        const YAML::Node &keyNode = entry.first;
        const YAML::Node &value = entry.second;
        const int keyLine = lineOf(keyNode, lineOf(value, 0));
        if (!keyNode.IsScalar()) {
            error(keyLine, name + u": keys must be names, got "_s + nodeKindName(keyNode));
            continue;
        }
        const QString key = QString::fromStdString(keyNode.Scalar());
        const QString path = name + u'.' + key;
        if (const auto first = seen.constFind(key); first != seen.cend()) {
            error(keyLine,
                  u"duplicate key '"_s + shown(path) + u"' (first set on line "_s + QString::number(*first) + u")"_s);
            continue;
        }
        seen.insert(key, keyLine);
        const auto spec = std::find_if(keySpecs().begin(), keySpecs().end(), [&](const KeySpec &candidate) {
            return candidate.section == name && candidate.key == key;
        });
        if (spec == keySpecs().end()) {
            unknownKey(keyLine, path, false);
            continue;
        }
        keyLines.insert(path, keyLine);
        spec->apply(*this, Item{value, path, keyLine});
    }
}

void Loader::routes(const YAML::Node &list, int line)
{
    if (!list.IsSequence()) {
        error(line, u"routes: expected a list of routes, got "_s + nodeKindName(list));
        return;
    }
    QHash<QString, int> names;
    int index = 0;
    for (const auto &item : list) {
        const int itemLine = lineOf(item, line);
        const QString where = u"routes[%1]"_s.arg(index++);
        if (!item.IsMap()) {
            error(itemLine, where + u": expected a map, got "_s + nodeKindName(item));
            continue;
        }
        QString problem;
        auto route = routeFromJson(yamlToJson(item, {}).toObject(), &problem);
        if (!route) {
            error(itemLine, where + u"."_s + problem);
            continue;
        }
        if (const auto first = names.constFind(route->name); first != names.cend()) {
            error(itemLine,
                  where + u".name: '"_s + shown(route->name) + u"' is already used on line "_s
                      + QString::number(*first));
            continue;
        }
        names.insert(route->name, itemLine);
        config().routes.append(std::move(*route));
        routeLines.append(itemLine);
    }
}

void Loader::crossChecks()
{
    Config &c = config();
    const QStringList sinks = c.sinkNames();
    for (qsizetype i = 0; i < c.routes.size(); ++i) {
        for (const QString &sink : c.routes[i].sinks) {
            if (sinks.contains(sink))
                continue;
            QString why = u"is not one of upstream, influxdb, republish"_s;
            if (sink == u"upstream")
                why = u"is not configured (set upstream.host)"_s;
            else if (sink == u"influxdb")
                why = u"is not configured (set influxdb.url)"_s;
            else if (sink == u"republish")
                why = u"is off (translate.republish is false)"_s;
            error(routeLines.value(i), u"routes[%1].sinks: '%2' "_s.arg(i).arg(shown(sink)) + why);
        }
    }
    if (c.influxdb.enabled() && !failedKeys.contains(u"influxdb.url"_s)) {
        const bool v1 = !c.influxdb.database.isEmpty();
        const bool v2 = !c.influxdb.org.isEmpty() || !c.influxdb.bucket.isEmpty();
        if (v1 == v2 || (v2 && (c.influxdb.org.isEmpty() || c.influxdb.bucket.isEmpty()))) {
            error(keyLines.value(u"influxdb.url"_s),
                  u"influxdb.url: set either influxdb.database (InfluxDB 1.x) or both influxdb.org and "
                  "influxdb.bucket (2.x)"_s);
        }
    }
    if (c.upstream.certFile.isEmpty() != c.upstream.keyFile.isEmpty()) {
        const QString set = c.upstream.certFile.isEmpty() ? u"upstream.key_file"_s : u"upstream.cert_file"_s;
        error(keyLines.value(set),
              set + u": a client certificate needs both upstream.cert_file and upstream.key_file"_s);
    }
    // `blamed` is named in the message when the file sets it (it is the key the rule is written on), else `other`.
    const auto check = [&](bool consistent, const QString &blamed, const QString &blamedText, const QString &other,
                           const QString &otherText, const QString &blamedRelation, const QString &otherRelation) {
        if (consistent || failedKeys.contains(blamed) || failedKeys.contains(other))
            return;
        if (keyLines.contains(blamed) || !keyLines.contains(other)) {
            error(keyLines.value(blamed),
                  blamed + u": "_s + blamedText + u' ' + blamedRelation + u' ' + other + u" ("_s + otherText + u")"_s);
        } else {
            error(keyLines.value(other),
                  other + u": "_s + otherText + u' ' + otherRelation + u' ' + blamed + u" ("_s + blamedText + u")"_s);
        }
    };
    check(c.mqtt.reconnectMax >= c.mqtt.reconnectMin, u"mqtt.reconnect_max"_s, formatDuration(c.mqtt.reconnectMax),
          u"mqtt.reconnect_min"_s, formatDuration(c.mqtt.reconnectMin), u"is less than"_s, u"is greater than"_s);
    // Both CoAP endpoints are UDP: the same port twice cannot be bound.
    if (c.coap.enabled && c.coap.dtlsPort != 0 && c.coap.dtlsPort == c.coap.port
        && !failedKeys.contains(u"coap.listen"_s) && !failedKeys.contains(u"coap.dtls_listen"_s)) {
        error(keyLines.value(u"coap.dtls_listen"_s),
              u"coap.dtls_listen: port "_s + QString::number(c.coap.dtlsPort) + u" is also coap.listen's port"_s);
    }
    // Anyone who can reach a non-loopback address could use an API without tokens.
    const bool tokensFailed = std::any_of(failedKeys.cbegin(), failedKeys.cend(),
                                          [](const QString &key) { return key.startsWith(u"http.tokens"); });
    if (!failedKeys.contains(u"http.listen"_s)) {
        c.http.addresses = resolveListenHost(c.http.host);
        if (c.http.addresses.isEmpty()) {
            error(keyLines.value(u"http.listen"_s),
                  u"http.listen: '"_s + shown(c.http.host) + u"' does not resolve to an address"_s);
            failedKeys.insert(u"http.listen"_s);
        }
    }
    // Without tokens, a browser page must not reach the API under a name of its own (DNS rebinding).
    if (!c.http.tokens.isEmpty() || c.http.allowedHosts.contains(u"*"_s)) {
        c.http.allowedHosts.clear();
    } else if (!keyLines.contains(u"http.allowed_hosts"_s)) {
        QHostAddress listen;
        const bool any = listen.setAddress(c.http.host)
            && (listen == QHostAddress::AnyIPv4 || listen == QHostAddress::AnyIPv6 || listen == QHostAddress::Any);
        if (!any && !c.http.allowedHosts.contains(c.http.host.toLower()))
            c.http.allowedHosts.append(c.http.host.toLower());
    }
    if (c.http.tokens.isEmpty() && !c.http.allowUnauthenticated && !tokensFailed
        && !failedKeys.contains(u"http.listen"_s) && !isLoopbackHost(c.http.addresses)) {
        error(keyLines.value(u"http.listen"_s),
              u"http.listen: '"_s + shown(c.http.host)
                  + u"' is not a loopback address and no http.tokens are set, so anyone who can reach it could use "
                    "the API: add http.tokens, or set http.allow_unauthenticated: true to serve it without tokens"_s);
    }
    check(c.analytics.minSamples <= c.analytics.window, u"analytics.min_samples"_s,
          QString::number(c.analytics.minSamples), u"analytics.window"_s, QString::number(c.analytics.window),
          u"is greater than"_s, u"is less than"_s);
}

void Loader::run(const QByteArray &yaml)
{
    std::vector<YAML::Node> documents;
    try {
        documents = YAML::LoadAll(yaml.toStdString());
    } catch (const YAML::DeepRecursion &e) {
        // yaml-cpp words this one "bad file", which sends people looking for I/O problems.
        error(e.mark.is_null() || e.mark.line < 0 ? 0 : e.mark.line + 1, u"YAML syntax error: nesting too deep"_s);
        return;
    } catch (const YAML::ParserException &e) {
        error(e.mark.is_null() || e.mark.line < 0 ? 0 : e.mark.line + 1,
              u"YAML syntax error: "_s + QString::fromStdString(e.msg));
        return;
    }
    if (documents.empty())
        return;
    for (std::size_t i = 1; i < documents.size(); ++i) {
        if (documents[i].IsDefined() && !documents[i].IsNull()) {
            error(lineOf(documents[i], 0), u"only one YAML document is allowed"_s);
            break;
        }
    }
    const YAML::Node &root = documents.front();
    // "---" alone or a file of comments: every default applies.
    if (root.IsNull())
        return;
    if (!root.IsMap()) {
        error(lineOf(root, 1), u"expected a map of sections at the top level, got "_s + nodeKindName(root));
        return;
    }
    QHash<QString, int> seen;
    // Range-for keeps each entry alive: yaml-cpp's `it->` yields a temporary, so references into it would dangle.
    for (const auto &entry : root) {
        const YAML::Node &keyNode = entry.first;
        const YAML::Node &value = entry.second;
        const int keyLine = lineOf(keyNode, lineOf(value, 0));
        if (!keyNode.IsScalar()) {
            error(keyLine, u"top-level keys must be names, got "_s + nodeKindName(keyNode));
            continue;
        }
        const QString name = QString::fromStdString(keyNode.Scalar());
        if (const auto first = seen.constFind(name); first != seen.cend()) {
            error(keyLine,
                  u"duplicate key '"_s + shown(name) + u"' (first set on line "_s + QString::number(*first) + u")"_s);
            continue;
        }
        seen.insert(name, keyLine);
        if (!sectionNames().contains(name)) {
            unknownKey(keyLine, name, true);
            continue;
        }
        // An empty section ("mqtt:" with every key commented out) keeps its defaults.
        if (value.IsNull())
            continue;
        if (name == u"routes") {
            routes(value, keyLine);
            continue;
        }
        if (!value.IsMap()) {
            error(keyLine, name + u": expected a map, got "_s + nodeKindName(value));
            continue;
        }
        section(value, name);
    }
    crossChecks();
}

} // namespace

ConfigLoad loadConfigText(const QByteArray &yaml)
{
    Loader loader;
    try {
        loader.run(yaml);
    } catch (const YAML::Exception &e) {
        // Only parsing should throw; anything else from yaml-cpp still must not reach the caller.
        loader.error(e.mark.is_null() || e.mark.line < 0 ? 0 : e.mark.line + 1,
                     u"YAML error: "_s + QString::fromStdString(e.msg));
    } catch (const std::exception &e) {
        loader.error(0, u"cannot load configuration: "_s + QString::fromLocal8Bit(e.what()));
    }
    std::stable_sort(loader.result.errors.begin(), loader.result.errors.end(),
                     [](const ConfigError &a, const ConfigError &b) { return a.line < b.line; });
    return std::move(loader.result);
}

ConfigLoad loadConfigFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        ConfigLoad load;
        load.errors.append(ConfigError{0, u"cannot read file: "_s + file.errorString()});
        return load;
    }
    const QByteArray text = file.read(MaxConfigFileBytes + 1);
    if (file.error() != QFileDevice::NoError) {
        ConfigLoad load;
        load.errors.append(ConfigError{0, u"cannot read file: "_s + file.errorString()});
        return load;
    }
    if (text.size() > MaxConfigFileBytes) {
        ConfigLoad load;
        load.errors.append(ConfigError{
            0, u"cannot read file: larger than "_s + QString::number(MaxConfigFileBytes / (1024 * 1024)) + u" MiB"_s});
        return load;
    }
    return loadConfigText(text);
}

QString formatConfigErrors(const QString &path, const QList<ConfigError> &errors)
{
    QString out;
    for (const ConfigError &e : errors) {
        out += path;
        if (e.line > 0)
            out += u':' + QString::number(e.line);
        out += u": "_s + e.message + u'\n';
    }
    return out;
}

} // namespace edgegate
