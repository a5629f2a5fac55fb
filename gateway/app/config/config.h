// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/api/http/httpserver.h"
#include "gateway/core/alerts/alertrule.h"
#include "gateway/core/common/apiaccess.h"
#include "gateway/core/common/duration.h"
#include "gateway/core/devices/registrypolicy.h"
#include "gateway/core/routing/route.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>

namespace edgegate {

enum class MqttProtocol { V311, V5 };
enum class OverflowPolicy { DropOldest, RejectNew };
enum class DrainOrder { Fifo, LiveFirst };

/// How one sink's outbox is bounded and drained.
struct OutboxPolicy
{
    qint64 maxBytes = 256LL * 1024 * 1024;
    OverflowPolicy overflow = OverflowPolicy::DropOldest;
    DrainOrder drain = DrainOrder::Fifo;
    int drainRate = 0; ///< messages per second while a backlog drains; 0: no cap
};

/// The whole service configuration, every field with its default.
/// docs/configuration.md describes each key.
struct Config
{
    struct Gateway
    {
        QString id = QStringLiteral("edgegate");
        QString dataDir = QStringLiteral("data");
    } gateway;

    struct Mqtt
    {
        QString host = QStringLiteral("127.0.0.1");
        quint16 port = 1883;
        MqttProtocol protocol = MqttProtocol::V5;
        QString clientId; ///< empty: "edgegate-{gateway.id}"
        QString username;
        QString password;
        std::chrono::seconds keepalive{30};
        std::chrono::milliseconds reconnectMin{500};
        std::chrono::milliseconds reconnectMax{30000}; ///< backoff cap
        std::chrono::seconds sessionExpiry{86400}; ///< 0: clean session
    } mqtt;

    struct Http
    {
        QString host = QStringLiteral("127.0.0.1");
        quint16 port = 8080;
        /// What `host` resolved to when the configuration was read; the server binds each.
        QList<QHostAddress> addresses{QHostAddress(QHostAddress::LocalHost)};
        /// Head, body, time and connection limits (max_body_bytes and the others).
        HttpServer::Limits limits;
        /// Host header values accepted (lower case, without port); empty: any. After validation, what
        /// the server checks: nothing with tokens or "*", else http.allowed_hosts, by default the
        /// loopback names and addresses and the listen host.
        QStringList allowedHosts{QStringLiteral("localhost"), QStringLiteral("127.0.0.1"), QStringLiteral("::1")};
        /// http.tls: cert_file, key_file, client_ca_file; without a certificate the port is plain HTTP.
        HttpTls::Settings tls;
        /// API tokens; when there are any, REST and /ws need one (docs/rest-api.md, Authentication).
        QList<ApiToken> tokens;
        /// Serve a non-loopback address without tokens; else such a config is refused.
        bool allowUnauthenticated = false;
    } http;

    struct Coap
    {
        bool enabled = true; ///< plain CoAP over UDP
        QString host = QStringLiteral("0.0.0.0");
        quint16 port = 5683;
        QString dtlsHost; ///< empty with dtlsPort 0: DTLS off
        quint16 dtlsPort = 0; ///< 0: DTLS off
        int maxSessions = 1000;
    } coap;

    struct Registry
    {
        RegistryPolicy policy = RegistryPolicy::Auto;
        std::chrono::milliseconds offlineAfter{90000};
        std::chrono::milliseconds flushInterval{1000};
        int pendingBuffer = 100; ///< messages held per device awaiting approval
        int historyDays = 30; ///< status history kept in health.db
        /// offline_after by device type (registry.device_types.TYPE.offline_after)
        QHash<QString, std::chrono::milliseconds> offlineAfterByType;
    } registry;

    struct Analytics
    {
        int window = 60;
        double anomalyZ = 3.0;
        int minSamples = 10;
    } analytics;

    struct Ingest
    {
        qsizetype maxPayloadBytes = 65536;
    } ingest;

    struct Alerts
    {
        int maxKept = 1000;
        /// alerts.rules; empty: defaultAlertRules()
        QList<AlertRule> rules;
        /// Off while `url` is empty.
        struct Webhook
        {
            QString url;
            std::chrono::milliseconds timeout{5000};
            std::chrono::milliseconds retryMin{1000};
            std::chrono::milliseconds retryMax{60000};
            int maxQueued = 1000;
        } webhook;
    } alerts;

    struct Translate
    {
        bool republish = true; ///< republish CoAP/HTTP/WebSocket telemetry as JSON on the local broker
        int qos = 1;
        OutboxPolicy outbox;
    } translate;

    struct Outbox
    {
        std::chrono::milliseconds commitInterval{100}; ///< the most a power cut can lose
    } outbox;

    /// The cloud broker; off while `host` is empty.
    struct Upstream
    {
        QString host;
        quint16 port = 8883;
        MqttProtocol protocol = MqttProtocol::V5;
        QString clientId; ///< empty: "edgegate-{gateway.id}-upstream"
        QString username;
        QString password;
        std::chrono::seconds keepalive{30};
        std::chrono::milliseconds reconnectMin{1000};
        std::chrono::milliseconds reconnectMax{60000};
        QString prefix = QStringLiteral("edge");
        int inflight = 100;
        bool tls = true;
        QString caFile; ///< empty: the system's CA certificates
        QString certFile; ///< client certificate (mTLS)
        QString keyFile;
        bool tlsInsecure = false; ///< skip host name verification (never in production)
        OutboxPolicy outbox;

        [[nodiscard]] bool enabled() const { return !host.isEmpty(); }
    } upstream;

    /// InfluxDB; off while `url` is empty. `database` selects the 1.x API, `org` and `bucket` the 2.x one.
    struct Influx
    {
        QString url;
        QString database;
        QString retentionPolicy;
        QString username;
        QString password;
        QString org;
        QString bucket;
        QString token;
        QString measurement; ///< empty: the device's type, or "telemetry" when it has none
        int batchPoints = 5000;
        std::chrono::milliseconds flushInterval{1000};
        std::chrono::milliseconds timeout{10000};
        OutboxPolicy outbox;

        [[nodiscard]] bool enabled() const { return !url.isEmpty(); }
    } influxdb;

    struct Firmware
    {
        qint64 maxImageBytes = 256LL * 1024 * 1024;
    } firmware;
    struct Discovery
    {
        /// mDNS / DNS-SD announcement through avahi-daemon.
        struct Mdns
        {
            bool enabled = true;
            QString name; ///< empty: "EdgeGate {gateway.id}"
        } mdns;
    } discovery;
    /// Firmware rollouts (docs/ota.md).
    struct Ota
    {
        QString baseUrl; ///< start of download URLs; empty: from http.host and the HTTP port
        std::chrono::milliseconds jobTimeout{std::chrono::minutes(30)}; ///< when a campaign sets none
        int maxConcurrent = 10; ///< when a campaign sets none
    } ota;

    /// Empty: all telemetry goes to every sink.
    QList<Route> routes;

    struct Log
    {
        QString level = QStringLiteral("info"); ///< debug | info | warning | error
    } log;

    /// mqtt.client_id, or its default derived from gateway.id.
    [[nodiscard]] QString effectiveClientId() const;
    /// upstream.client_id, or its default derived from gateway.id.
    [[nodiscard]] QString effectiveUpstreamClientId() const;
    /// discovery.mdns.name, or its default derived from gateway.id (cut to the 63 bytes of a DNS label).
    [[nodiscard]] QString effectiveMdnsName() const;
    /// The sinks configured, by the names routes use.
    [[nodiscard]] QStringList sinkNames() const;
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
