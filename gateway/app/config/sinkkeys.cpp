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
        l.outboxOf(item).store.maxBytes = *value;
}

void outboxOverflow(Loader &l, const Item &item)
{
    if (const auto value = l.choice(item, {u"drop_oldest"_s, u"reject_new"_s}))
        l.outboxOf(item).store.overflow
            = *value == u"drop_oldest" ? OutboxSettings::Overflow::DropOldest : OutboxSettings::Overflow::RejectNew;
}

void outboxDrain(Loader &l, const Item &item)
{
    if (const auto value = l.choice(item, {u"fifo"_s, u"live_first"_s}))
        l.outboxOf(item).forwarding.drain
            = *value == u"fifo" ? ForwarderSettings::Drain::Fifo : ForwarderSettings::Drain::LiveFirst;
}

void outboxDrainRate(Loader &l, const Item &item)
{
    if (const auto value = l.integer(item, 0, 10'000'000))
        l.outboxOf(item).forwarding.drainRate = double(*value);
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

/// An http:// or https:// URL with a host and no query (nor, with `noFragment`, a fragment); empty is allowed.
std::optional<QString> serviceUrl(Loader &l, const Item &item, bool noFragment)
{
    const auto text = l.string(item);
    if (!text)
        return std::nullopt;
    const QUrl url(*text, QUrl::StrictMode);
    if (!text->isEmpty()
        && (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https") || url.host().isEmpty()
            || url.hasQuery() || (noFragment && url.hasFragment()))) {
        l.keyError(item, u"'"_s + shown(*text) + u"' is not an http:// or https:// URL without a query"_s);
        return std::nullopt;
    }
    return text;
}

} // namespace

QList<KeySpec> sinkKeys()
{
    using Upstream = Config::Upstream;
    using Influx = Config::Influx;
    return outboxPolicyKeys(u"translate") + outboxPolicyKeys(u"upstream") + outboxPolicyKeys(u"influxdb")
        + mqttConnectionKeys<&Config::upstream, true>(u"upstream")
        + QList<KeySpec>{
            booleanKey(u"translate", u"republish", &Config::translate, &Config::Translate::republish),
            integerKey(u"translate", u"qos", 0, 2, &Config::translate, &Config::Translate::qos),
            {u"outbox", u"commit_interval",
             [](Loader &l, const Item &item) {
                 if (const auto value = l.duration(item, 1ms, 10s)) {
                     for (const auto &[sink, policy] : l.config().outboxes())
                         policy->store.commitInterval = *value;
                 }
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
            integerKey(u"upstream", u"inflight", 1, 65535, &Config::upstream, &Upstream::inflightWindow),
            booleanKey(u"upstream", u"tls", &Config::upstream, &Upstream::tls, &MosquittoClient::Tls::enabled),
            stringKey(u"upstream", u"ca_file", &Config::upstream, &Upstream::tls, &MosquittoClient::Tls::caFile),
            stringKey(u"upstream", u"cert_file", &Config::upstream, &Upstream::tls, &MosquittoClient::Tls::certFile),
            stringKey(u"upstream", u"key_file", &Config::upstream, &Upstream::tls, &MosquittoClient::Tls::keyFile),
            booleanKey(u"upstream", u"tls_insecure", &Config::upstream, &Upstream::tls,
                       &MosquittoClient::Tls::insecure),
            {u"influxdb", u"url",
             [](Loader &l, const Item &item) {
                 if (const auto url = serviceUrl(l, item, false))
                     l.config().influxdb.url = QUrl(*url);
             }},
            {u"ota", u"base_url",
             [](Loader &l, const Item &item) {
                 if (const auto url = serviceUrl(l, item, true))
                     l.config().ota.baseUrl = *url;
             }},
            durationKey(u"ota", u"job_timeout", 1s, 24h * 7, &Config::ota, &OtaManager::Settings::jobTimeout),
            integerKey(u"ota", u"max_concurrent", 1, 10000, &Config::ota, &OtaManager::Settings::maxConcurrent),
            stringKey(u"influxdb", u"database", &Config::influxdb, &Influx::database),
            stringKey(u"influxdb", u"retention_policy", &Config::influxdb, &Influx::retentionPolicy),
            stringKey(u"influxdb", u"username", &Config::influxdb, &Influx::username),
            stringKey(u"influxdb", u"password", &Config::influxdb, &Influx::password),
            stringKey(u"influxdb", u"org", &Config::influxdb, &Influx::org),
            stringKey(u"influxdb", u"bucket", &Config::influxdb, &Influx::bucket),
            stringKey(u"influxdb", u"token", &Config::influxdb, &Influx::token),
            stringKey(u"influxdb", u"measurement", &Config::influxdb, &Influx::measurement),
            integerKey(u"influxdb", u"batch_points", 1, 100000, &Config::influxdb, &Influx::batchPoints),
            durationKey(u"influxdb", u"flush_interval", 10ms, 1h, &Config::influxdb, &Influx::flushInterval),
            durationKey(u"influxdb", u"timeout", 100ms, 10min, &Config::influxdb, &Influx::requestTimeout),
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
