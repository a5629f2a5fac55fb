// SPDX-License-Identifier: Apache-2.0
#include "gateway/app/config/loader.h"

#include "gateway/core/common/duration.h"
#include "shared/deviceid.h"

#include <QHostInfo>

#include <yaml-cpp/depthguard.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <utility>

namespace edgegate::configload {

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

const QList<QStringView> &sectionNames()
{
    static const QList<QStringView> names{u"gateway",  u"mqtt",   u"http",     u"coap",      u"registry", u"analytics",
                                          u"ingest",   u"alerts", u"log",      u"translate", u"outbox",   u"upstream",
                                          u"influxdb", u"routes", u"firmware", u"discovery", u"ota"};
    return names;
}

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

namespace {

// An alias inside its own anchor makes a cycle, which only the depth ends.
bool countValues(const YAML::Node &node, qsizetype &left, int depth)
{
    if (--left < 0 || depth > MaxConfigDepth)
        return false;
    if (node.IsMap()) {
        for (const auto &entry : node) {
            if (!countValues(entry.first, left, depth + 1) || !countValues(entry.second, left, depth + 1))
                return false;
        }
    } else if (node.IsSequence()) {
        for (const auto &item : node) {
            if (!countValues(item, left, depth + 1))
                return false;
        }
    }
    return true;
}

} // namespace

bool withinValues(const YAML::Node &node, qsizetype budget)
{
    return countValues(node, budget, 0);
}

int lineOf(const YAML::Node &node, int fallback)
{
    // yaml-cpp marks an empty value at the token after it, often on the next line, so the caller's line is better.
    if (!node.IsDefined() || node.IsNull())
        return fallback;
    const YAML::Mark mark = node.Mark();
    return mark.is_null() || mark.line < 0 ? fallback : mark.line + 1;
}

const QList<KeySpec> &keySpecs()
{
    static const QList<KeySpec> specs = serviceKeys() + sinkKeys();
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
        // The lengths alone bound the distance from below; a long key is no near-miss of any.
        if (std::abs(path.size() - candidate.size()) >= bestDistance)
            return;
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

void Loader::entries(const YAML::Node &map, const QString &prefix,
                     const std::function<void(const QString &, const YAML::Node &, int)> &each)
{
    QHash<QString, int> seen;
    // Range-for keeps each entry alive: yaml-cpp's `it->` yields a temporary, so references into it would dangle.
    for (const auto &entry : map) {
        const YAML::Node &keyNode = entry.first;
        const YAML::Node &value = entry.second;
        const int keyLine = lineOf(keyNode, lineOf(value, 0));
        if (!keyNode.IsScalar()) {
            const QString where = prefix.isEmpty() ? u"top-level"_s : prefix.chopped(1) + u':';
            error(keyLine, where + u" keys must be names, got "_s + nodeKindName(keyNode));
            continue;
        }
        const QString key = QString::fromStdString(keyNode.Scalar());
        if (const auto first = seen.constFind(key); first != seen.cend()) {
            error(keyLine,
                  u"duplicate key '"_s + shown(prefix + key) + u"' (first set on line "_s + QString::number(*first)
                      + u")"_s);
            continue;
        }
        seen.insert(key, keyLine);
        each(key, value, keyLine);
    }
}

void Loader::section(const YAML::Node &map, const QString &name)
{
    entries(map, name + u'.', [&](const QString &key, const YAML::Node &value, int keyLine) {
        const QString path = name + u'.' + key;
        const auto spec = std::find_if(keySpecs().begin(), keySpecs().end(), [&](const KeySpec &candidate) {
            return candidate.section == name && candidate.key == key;
        });
        if (spec == keySpecs().end()) {
            unknownKey(keyLine, path, false);
            return;
        }
        keyLines.insert(path, keyLine);
        spec->apply(*this, Item{value, path, keyLine});
    });
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
    if (c.upstream.tls.certFile.isEmpty() != c.upstream.tls.keyFile.isEmpty()) {
        const QString set = c.upstream.tls.certFile.isEmpty() ? u"upstream.key_file"_s : u"upstream.cert_file"_s;
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
    if (c.coap.enabled && c.coap.dtls && c.coap.dtlsPort == c.coap.port && !failedKeys.contains(u"coap.listen"_s)
        && !failedKeys.contains(u"coap.dtls_listen"_s)) {
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

namespace {

bool isBlank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// yaml-cpp 0.7 never returns from a document whose first token is a flow entry (',' with nothing
// before it but comments, markers or an anchor or tag), so such a file is refused before it parses.
bool documentStartsWithComma(const QByteArray &yaml)
{
    const qsizetype n = yaml.size();
    const auto startsMarker = [&](qsizetype i) {
        return i + 3 <= n && (yaml.sliced(i, 3) == "---" || yaml.sliced(i, 3) == "...")
            && (i + 3 == n || isBlank(yaml[i + 3]));
    };
    for (qsizetype start = 0; start < n;) {
        qsizetype i = start;
        while (i < n) {
            const bool lineStart = i == 0 || yaml[i - 1] == '\n';
            if (isBlank(yaml[i])) {
                ++i;
            } else if (yaml[i] == '#' || (lineStart && yaml[i] == '%')) {
                while (i < n && yaml[i] != '\n')
                    ++i;
            } else if (lineStart && startsMarker(i)) {
                i += 3;
            } else if (yaml[i] == '&' || yaml[i] == '!') {
                // An anchor or tag ends at a blank or a flow indicator.
                while (i < n && !isBlank(yaml[i]) && !QByteArrayView(",[]{}").contains(yaml[i]))
                    ++i;
            } else {
                break;
            }
        }
        if (i < n && yaml[i] == ',')
            return true;
        // On to the next document marker at the start of a line.
        qsizetype next = i;
        while (next < n && !((next == 0 || yaml[next - 1] == '\n') && startsMarker(next)))
            ++next;
        start = next;
    }
    return false;
}

} // namespace

void Loader::run(const QByteArray &yaml)
{
    // YAML allows no control characters but tab and line breaks; yaml-cpp skips some of them, which hides
    // the comma check's tokens from it.
    for (qsizetype i = 0; i < yaml.size(); ++i) {
        const auto c = static_cast<unsigned char>(yaml[i]);
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
            error(int(yaml.first(i).count('\n')) + 1,
                  u"YAML syntax error: control character 0x%1 is not allowed"_s.arg(c, 2, 16, QChar(u'0')));
            return;
        }
    }
    if (documentStartsWithComma(yaml)) {
        error(0, u"YAML syntax error: a ',' outside a [list] or {map}"_s);
        return;
    }
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
    if (!withinValues(root, MaxConfigValues)) {
        error(1,
              u"the file holds more than "_s + QString::number(MaxConfigValues) + u" values or "_s
                  + QString::number(MaxConfigDepth) + u" levels of nesting once its YAML aliases are expanded"_s);
        return;
    }
    // "---" alone or a file of comments: every default applies.
    if (root.IsNull())
        return;
    if (!root.IsMap()) {
        error(lineOf(root, 1), u"expected a map of sections at the top level, got "_s + nodeKindName(root));
        return;
    }
    entries(root, QString(), [&](const QString &name, const YAML::Node &value, int keyLine) {
        if (!sectionNames().contains(name)) {
            unknownKey(keyLine, name, true);
            return;
        }
        // An empty section ("mqtt:" with every key commented out) keeps its defaults.
        if (value.IsNull())
            return;
        if (name == u"routes") {
            routes(value, keyLine);
            return;
        }
        if (!value.IsMap()) {
            error(keyLine, name + u": expected a map, got "_s + nodeKindName(value));
            return;
        }
        section(value, name);
    });
    crossChecks();
}

} // namespace edgegate::configload
