// SPDX-License-Identifier: Apache-2.0
// The keys of the sinks and what they need: translate (the local republish), outbox, upstream,
// influxdb, ota, discovery and log.
#include "gateway/app/config/loader.h"
#include "gateway/app/config/mqttkeys.h"

#include "gateway/core/common/duration.h"
#include "shared/deviceid.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace edgegate::configload {

namespace {

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

/// The outbox policy of a sink's section: max_bytes, overflow, drain, drain_rate.
QList<KeySpec> outboxPolicyKeys(QStringView section)
{
    return {
        {section, u"max_bytes", outboxMaxBytes},
        {section, u"overflow", outboxOverflow},
        {section, u"drain", outboxDrain},
        {section, u"drain_rate", outboxDrainRate},
    };
}

} // namespace

QList<KeySpec> sinkKeys()
{
    return outboxPolicyKeys(u"translate") + outboxPolicyKeys(u"upstream") + outboxPolicyKeys(u"influxdb")
        + mqttConnectionKeys<&Config::upstream, true>(u"upstream")
        + QList<KeySpec>{
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
            {u"outbox", u"commit_interval",
             [](Loader &l, const Item &item) {
                 if (const auto value = l.duration(item, 1ms, 10s))
                     l.config().outbox.commitInterval = *value;
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
                     l.keyError(item,
                                u"'"_s + shown(*text) + u"' is not a topic prefix (no + or #, no empty levels)"_s);
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
}

} // namespace edgegate::configload
