// SPDX-License-Identifier: Apache-2.0
// The keys of the service's own parts: gateway, mqtt, http, firmware, coap, registry, analytics,
// ingest and alerts.
#include "gateway/app/config/loader.h"
#include "gateway/app/config/mqttkeys.h"

#include "gateway/core/common/duration.h"
#include "shared/deviceid.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace edgegate::configload {

namespace {

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
            hook.url = QUrl(*text);
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

} // namespace

QList<KeySpec> serviceKeys()
{
    using Http = HttpServer::Settings;
    using Limits = HttpServer::Limits;
    using Registry = DeviceRegistry::Settings;
    return mqttConnectionKeys<&Config::mqtt, false>(u"mqtt")
        + QList<KeySpec>{
            {u"gateway", u"id",
             [](Loader &l, const Item &item) {
                 const auto text = l.string(item);
                 if (!text)
                     return;
                 if (!isValidDeviceId(*text)) {
                     // The id becomes part of MQTT topics and the default client id.
                     l.keyError(item,
                                u"'"_s + shown(*text)
                                    + u"' is not a valid id (1-64 characters of A-Z a-z 0-9 . _ : -)"_s);
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
            {u"mqtt", u"session_expiry",
             [](Loader &l, const Item &item) {
                 if (const auto value = l.wholeSeconds(item, 0s, 24h * 365))
                     l.config().mqtt.sessionExpiry = quint32(value->count());
             }},
            {u"http", u"listen",
             [](Loader &l, const Item &item) {
                 if (const auto address = l.listen(item)) {
                     l.config().http.host = address->first;
                     l.config().http.port = address->second;
                 }
             }},
            {u"http", u"tokens", httpTokens},
            booleanKey(u"http", u"allow_unauthenticated", &Config::http, &Config::Http::allowUnauthenticated),
            integerKey(u"http", u"max_body_bytes", 1, 16 * 1024 * 1024, &Config::http, &Http::limits,
                       &Limits::maxBodyBytes),
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
            durationKey(u"http", u"head_timeout", 100ms, 10min, &Config::http, &Http::limits, &Limits::headTimeout),
            durationKey(u"http", u"idle_timeout", 1s, 24h, &Config::http, &Http::limits, &Limits::idleTimeout),
            integerKey(u"http", u"max_connections", 1, 1000000, &Config::http, &Http::limits, &Limits::maxConnections),
            integerKey(u"http", u"max_connections_per_address", 1, 1000000, &Config::http, &Http::limits,
                       &Limits::maxConnectionsPerAddress),
            integerKey(u"http", u"max_http2_streams", 1, 1000, &Config::http, &Http::limits, &Limits::maxHttp2Streams),
            integerKey(u"http", u"max_waiting_auth", 1, 100000, &Config::http, &Http::limits, &Limits::maxWaitingAuth),
            integerKey(u"http", u"max_waiting_auth_per_address", 1, 100000, &Config::http, &Http::limits,
                       &Limits::maxWaitingAuthPerAddress),
            {u"http", u"allowed_hosts", httpAllowedHosts},
            {u"http", u"tls", httpTls},
            {u"firmware", u"max_image_bytes",
             [](Loader &l, const Item &item) {
                 if (const auto value = l.bytes(item, 1, 64LL * 1024 * 1024 * 1024))
                     l.config().firmware.maxImageBytes = *value;
             }},
            booleanKey(u"coap", u"enabled", &Config::coap, &CoapLink::Settings::enabled),
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
                     l.config().coap.dtls = false;
                     return;
                 }
                 const auto address = l.listen(item, true);
                 if (!address)
                     return;
                 if (address->second == 0) {
                     l.keyError(item, u"port 0 is not allowed (leave the value empty to turn DTLS off)"_s);
                     return;
                 }
                 l.config().coap.dtls = true;
                 l.config().coap.dtlsHost = address->first;
                 l.config().coap.dtlsPort = address->second;
             }},
            integerKey(u"coap", u"max_sessions", 1, 100000, &Config::coap, &CoapLink::Settings::maxSessions),
            integerKey(u"coap", u"max_sessions_per_address", 1, 100000, &Config::coap,
                       &CoapLink::Settings::maxSessionsPerAddress),
            durationKey(u"coap", u"session_idle", 10s, 1h, &Config::coap, &CoapLink::Settings::sessionIdle),
            integerKey(u"coap", u"max_handshakes", 1, 100000, &Config::coap, &CoapLink::Settings::maxHandshakes),
            {u"coap", u"dedup_memory",
             [](Loader &l, const Item &item) {
                 if (const auto value = l.bytes(item, 0, 1LL << 30))
                     l.config().coap.dedupBytes = *value;
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
            durationKey(u"registry", u"offline_after", 1s, 24h * 30, &Config::registry, &Registry::offlineAfter),
            durationKey(u"registry", u"flush_interval", 10ms, 60s, &Config::registry, &Registry::flushInterval),
            integerKey(u"registry", u"max_devices", 1, 10000000, &Config::registry, &Registry::maxDevices),
            integerKey(u"registry", u"new_devices_per_minute", 1, 1000000, &Config::registry,
                       &Registry::newDevicesPerMinute),
            integerKey(u"registry", u"pending_buffer", 0, 100000, &Config::ingest, &Ingest::Settings::pendingBuffer),
            integerKey(u"registry", u"history_days", 1, 3650, &Config::history, &HealthHistory::Settings::keepDays),
            {u"registry", u"device_types", registryDeviceTypes},
            integerKey(u"analytics", u"window", 2, 100000, &Config::analytics, &Analytics::Settings::window),
            integerKey(u"analytics", u"max_metrics_per_device", 1, 100000, &Config::analytics,
                       &Analytics::Settings::maxMetricsPerDevice),
            integerKey(u"analytics", u"chart_series", 1, 1000000, &Config::analytics,
                       &Analytics::Settings::chartSeries),
            {u"analytics", u"memory_budget",
             [](Loader &l, const Item &item) {
                 if (const auto value = l.bytes(item, 1LL << 20, 1LL << 40))
                     l.config().analytics.memoryBudgetBytes = *value;
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
            integerKey(u"analytics", u"min_samples", 2, 100000, &Config::analytics, &Analytics::Settings::minSamples),
            integerKey(u"ingest", u"max_payload_bytes", 16, 16 * 1024 * 1024, &Config::ingest,
                       &Ingest::Settings::maxPayloadBytes),
            integerKey(u"alerts", u"max_kept", 1, 1000000, &Config::alerts, &Config::Alerts::maxKept),
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
        };
}

} // namespace edgegate::configload
