// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/api/http/httpserver.h"
#include "gateway/core/alerts/alertrule.h"
#include "gateway/core/analytics/analytics.h"
#include "gateway/core/common/apiaccess.h"
#include "gateway/core/common/duration.h"
#include "gateway/core/devices/deviceregistry.h"
#include "gateway/core/devices/healthhistory.h"
#include "gateway/core/ingest/ingest.h"
#include "gateway/core/ota/otamanager.h"
#include "gateway/core/routing/route.h"
#include "gateway/devicelinks/coap/coaplink.h"
#include "gateway/devicelinks/mqtt/mqttlink.h"
#include "gateway/notify/alertwebhook.h"
#include "gateway/sinks/influx/influxsink.h"
#include "gateway/sinks/mqtt/upstreamsink.h"
#include "gateway/sinks/sinkchannels.h"
#include "gateway/storage/firmwarestore.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>

namespace edgegate {

/// The whole service configuration, every field with its default. A section holds the settings
/// of the component it configures, plus the keys that only decide how it is built.
/// docs/configuration.md describes each key.
struct Config
{
    struct Gateway
    {
        QString id = QStringLiteral("edgegate");
        QString dataDir = QStringLiteral("data");
    } gateway;

    /// The local broker. clientId, gatewayId and sessionFile follow from gateway.id and data_dir.
    MqttLink::Settings mqtt = [] {
        MqttLink::Settings local;
        local.sessionExpiry = 86400; // the broker keeps the session a day
        return local;
    }();

    struct Http : HttpServer::Settings
    {
        /// `addresses` is what this resolved to when the configuration was read; the server binds each.
        QString host = QStringLiteral("127.0.0.1");
        /// API tokens; when there are any, REST and /ws need one (docs/rest-api.md, Authentication).
        QList<ApiToken> tokens;
        /// Serve a non-loopback address without tokens; else such a config is refused.
        bool allowUnauthenticated = false;

        /// After validation, `allowedHosts` is what the server checks: nothing with tokens or "*",
        /// else http.allowed_hosts, by default the loopback names and addresses and the listen host.
        Http() { allowedHosts = {QStringLiteral("localhost"), QStringLiteral("127.0.0.1"), QStringLiteral("::1")}; }
    } http;

    /// maxPayloadBytes follows from ingest.max_payload_bytes.
    CoapLink::Settings coap;
    DeviceRegistry::Settings registry;
    /// registry.history_days
    HealthHistory::Settings history;
    Analytics::Settings analytics;
    /// ingest.max_payload_bytes and registry.pending_buffer
    Ingest::Settings ingest;

    struct Alerts
    {
        int maxKept = 1000;
        /// alerts.rules; empty: defaultAlertRules()
        QList<AlertRule> rules;
        /// Off while `url` is empty.
        AlertWebhook::Settings webhook;
    } alerts;

    struct Translate
    {
        bool republish = true; ///< republish CoAP/HTTP/WebSocket telemetry as JSON on the local broker
        int qos = 1;
        OutboxPolicy outbox;
    } translate;

    /// The cloud broker; off while `host` is empty. clientId and gatewayId follow from gateway.id.
    struct Upstream : UpstreamSink::Settings
    {
        OutboxPolicy outbox;

        [[nodiscard]] bool enabled() const { return !host.isEmpty(); }
    } upstream;

    /// InfluxDB; off while `url` is empty. `database` selects the 1.x API, `org` and `bucket` the 2.x one.
    struct Influx : InfluxSink::Settings
    {
        OutboxPolicy outbox;

        Influx() { url.clear(); }
        [[nodiscard]] bool enabled() const { return !url.isEmpty(); }
    } influxdb;

    /// The directory is `{data_dir}/firmware`.
    FirmwareStore::Settings firmware;
    struct Discovery
    {
        /// mDNS / DNS-SD announcement through avahi-daemon.
        struct Mdns
        {
            bool enabled = true;
            QString name; ///< "EdgeGate {gateway.id}" unless set
        } mdns;
    } discovery;
    /// Firmware rollouts (docs/ota.md). An empty baseUrl is made from http.host and the HTTP port.
    OtaManager::Settings ota;

    /// Empty: all telemetry goes to every sink.
    QList<Route> routes;

    struct Log
    {
        QString level = QStringLiteral("info"); ///< debug | info | warning | error
    } log;

    /// A file in data_dir, as an absolute path.
    [[nodiscard]] QString dataFile(const QString &name) const;
    /// The sinks configured, by the names routes use.
    [[nodiscard]] QStringList sinkNames() const;
    /// ota.base_url, or one made from http.host (this host's name when it is a wildcard address),
    /// the scheme TLS gives and the port the server bound.
    [[nodiscard]] QString otaBaseUrl(quint16 httpPort) const;
    /// The outbox policies of the sinks, by sink name.
    [[nodiscard]] QList<std::pair<QString, OutboxPolicy *>> outboxes();
};

/// One problem found in a config file, with the 1-based line it is on (0 when unknown).
struct ConfigError
{
    int line = 0;
    QString message;
};

struct ConfigLoad
{
    Config config;
    QList<ConfigError> errors; ///< empty when the file is valid
};

/// Fills what follows from other keys: the MQTT client ids, mDNS name, outbox, firmware and
/// session paths (from gateway.id and data_dir) and CoAP's payload cap. The loaders call it.
void deriveSettings(Config &config);

/// Reads and validates a YAML config file: unknown keys, wrong types, bad addresses and
/// out-of-range values are all reported, each with its line, not just the first one.
[[nodiscard]] ConfigLoad loadConfigFile(const QString &path);

/// Same, from YAML text already in memory.
[[nodiscard]] ConfigLoad loadConfigText(const QByteArray &yaml);

/// `FILE:LINE: message` lines, as `--check-config` prints them.
[[nodiscard]] QString formatConfigErrors(const QString &path, const QList<ConfigError> &errors);

/// The addresses a listen host stands for: itself when it is an address, else what the name
/// resolves to (names are looked up in lower case). Empty when it resolves to nothing.
[[nodiscard]] QList<QHostAddress> resolveListenHost(const QString &host);

} // namespace edgegate
