// SPDX-License-Identifier: Apache-2.0
#include "gateway/app/config/config.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <limits>
#include <utility>

using namespace edgegate;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

QString policyName(RegistryPolicy policy)
{
    switch (policy) {
    case RegistryPolicy::Auto:
        return u"auto"_s;
    case RegistryPolicy::Approve:
        return u"approve"_s;
    case RegistryPolicy::Deny:
        return u"deny"_s;
    }
    return {};
}

using Getter = QVariant (*)(const Config &);

// Every field by its YAML key, so tables can name what they check; durations in ms, keepalive in s.
const QList<std::pair<QString, Getter>> &fields()
{
    static const QList<std::pair<QString, Getter>> getters{
        {u"gateway.id"_s, [](const Config &x) { return QVariant(x.gateway.id); }},
        {u"gateway.data_dir"_s, [](const Config &x) { return QVariant(x.gateway.dataDir); }},
        {u"mqtt.host"_s, [](const Config &x) { return QVariant(x.mqtt.host); }},
        {u"mqtt.port"_s, [](const Config &x) { return QVariant(int(x.mqtt.port)); }},
        {u"mqtt.protocol"_s, [](const Config &x) { return QVariant(x.mqtt.v5 ? u"5"_s : u"3.1.1"_s); }},
        {u"mqtt.client_id"_s, [](const Config &x) { return QVariant(x.mqtt.clientId); }},
        {u"mqtt.username"_s, [](const Config &x) { return QVariant(x.mqtt.username); }},
        {u"mqtt.password"_s, [](const Config &x) { return QVariant(x.mqtt.password); }},
        {u"mqtt.keepalive"_s, [](const Config &x) { return QVariant(qint64(x.mqtt.keepalive.count())); }},
        {u"mqtt.reconnect_min"_s, [](const Config &x) { return QVariant(qint64(x.mqtt.reconnectMin.count())); }},
        {u"mqtt.reconnect_max"_s, [](const Config &x) { return QVariant(qint64(x.mqtt.reconnectMax.count())); }},
        {u"mqtt.session_expiry"_s, [](const Config &x) { return QVariant(qint64(x.mqtt.sessionExpiry)); }},
        {u"http.host"_s, [](const Config &x) { return QVariant(x.http.host); }},
        {u"http.port"_s, [](const Config &x) { return QVariant(int(x.http.port)); }},
        {u"http.max_body_bytes"_s, [](const Config &x) { return QVariant(qint64(x.http.limits.maxBodyBytes)); }},
        {u"http.max_head_bytes"_s, [](const Config &x) { return QVariant(qint64(x.http.limits.head.maxHeadBytes)); }},
        {u"http.max_header_fields"_s, [](const Config &x) { return QVariant(x.http.limits.head.maxFields); }},
        {u"http.head_timeout"_s, [](const Config &x) { return QVariant(qint64(x.http.limits.headTimeout.count())); }},
        {u"http.idle_timeout"_s, [](const Config &x) { return QVariant(qint64(x.http.limits.idleTimeout.count())); }},
        {u"http.max_connections"_s, [](const Config &x) { return QVariant(x.http.limits.maxConnections); }},
        {u"http.max_connections_per_address"_s,
         [](const Config &x) { return QVariant(x.http.limits.maxConnectionsPerAddress); }},
        {u"http.allowed_hosts"_s, [](const Config &x) { return QVariant(x.http.allowedHosts.join(u',')); }},
        {u"http.max_http2_streams"_s, [](const Config &x) { return QVariant(int(x.http.limits.maxHttp2Streams)); }},
        {u"http.max_waiting_auth"_s, [](const Config &x) { return QVariant(x.http.limits.maxWaitingAuth); }},
        {u"http.max_waiting_auth_per_address"_s,
         [](const Config &x) { return QVariant(x.http.limits.maxWaitingAuthPerAddress); }},
        {u"http.tls"_s,
         [](const Config &x) {
             return QVariant(QStringList{x.http.tls.certFile, x.http.tls.keyFile, x.http.tls.clientCaFile}.join(u','));
         }},
        {u"http.tokens"_s,
         [](const Config &x) {
             QStringList tokens;
             for (const ApiToken &t : x.http.tokens)
                 tokens.append(t.name + u'/' + apiRoleName(t.role) + u'/' + QString::fromLatin1(t.token));
             return QVariant(tokens.join(u','));
         }},
        {u"http.allow_unauthenticated"_s, [](const Config &x) { return QVariant(x.http.allowUnauthenticated); }},
        {u"coap.enabled"_s, [](const Config &x) { return QVariant(x.coap.enabled); }},
        {u"coap.host"_s, [](const Config &x) { return QVariant(x.coap.host); }},
        {u"coap.port"_s, [](const Config &x) { return QVariant(int(x.coap.port)); }},
        {u"coap.dtls_host"_s, [](const Config &x) { return QVariant(x.coap.dtls ? x.coap.dtlsHost : QString()); }},
        {u"coap.dtls_port"_s, [](const Config &x) { return QVariant(x.coap.dtls ? int(x.coap.dtlsPort) : 0); }},
        {u"coap.max_sessions"_s, [](const Config &x) { return QVariant(x.coap.maxSessions); }},
        {u"translate.republish"_s, [](const Config &x) { return QVariant(x.translate.republish); }},
        {u"translate.qos"_s, [](const Config &x) { return QVariant(x.translate.qos); }},
        {u"registry.policy"_s, [](const Config &x) { return QVariant(policyName(x.registry.policy)); }},
        {u"registry.offline_after"_s,
         [](const Config &x) { return QVariant(qint64(x.registry.offlineAfter.count())); }},
        {u"registry.flush_interval"_s,
         [](const Config &x) { return QVariant(qint64(x.registry.flushInterval.count())); }},
        {u"registry.pending_buffer"_s, [](const Config &x) { return QVariant(x.ingest.pendingBuffer); }},
        {u"analytics.window"_s, [](const Config &x) { return QVariant(x.analytics.window); }},
        {u"analytics.anomaly_z"_s, [](const Config &x) { return QVariant(x.analytics.anomalyZ); }},
        {u"analytics.min_samples"_s, [](const Config &x) { return QVariant(x.analytics.minSamples); }},
        {u"analytics.chart_series"_s, [](const Config &x) { return QVariant(x.analytics.chartSeries); }},
        {u"ingest.max_payload_bytes"_s, [](const Config &x) { return QVariant(qint64(x.ingest.maxPayloadBytes)); }},
        {u"alerts.max_kept"_s, [](const Config &x) { return QVariant(x.alerts.maxKept); }},
        {u"alerts.rules"_s,
         [](const Config &x) {
             return QVariant(
                 QString::fromUtf8(QJsonDocument(alertRulesToJson(x.alerts.rules)).toJson(QJsonDocument::Compact)));
         }},
        {u"alerts.webhook.url"_s, [](const Config &x) { return QVariant(x.alerts.webhook.url.toString()); }},
        {u"alerts.webhook.timeout"_s,
         [](const Config &x) { return QVariant(qint64(x.alerts.webhook.timeout.count())); }},
        {u"alerts.webhook.retry_min"_s,
         [](const Config &x) { return QVariant(qint64(x.alerts.webhook.retryMin.count())); }},
        {u"alerts.webhook.retry_max"_s,
         [](const Config &x) { return QVariant(qint64(x.alerts.webhook.retryMax.count())); }},
        {u"alerts.webhook.max_queued"_s, [](const Config &x) { return QVariant(x.alerts.webhook.maxQueued); }},
        {u"registry.history_days"_s, [](const Config &x) { return QVariant(x.history.keepDays); }},
        {u"registry.device_types"_s,
         [](const Config &x) {
             QStringList types;
             for (auto it = x.registry.offlineAfterByType.cbegin(); it != x.registry.offlineAfterByType.cend(); ++it)
                 types.append(it.key() + u'=' + QString::number(it.value().count()));
             types.sort();
             return QVariant(types.join(u','));
         }},
        {u"log.level"_s, [](const Config &x) { return QVariant(x.log.level); }},
        {u"firmware.max_image_bytes"_s, [](const Config &x) { return QVariant(x.firmware.maxImageBytes); }},
        {u"discovery.mdns.enabled"_s, [](const Config &x) { return QVariant(x.discovery.mdns.enabled); }},
        {u"discovery.mdns.name"_s, [](const Config &x) { return QVariant(x.discovery.mdns.name); }},
        {u"ota.base_url"_s, [](const Config &x) { return QVariant(x.ota.baseUrl); }},
        {u"ota.job_timeout"_s, [](const Config &x) { return QVariant(qint64(x.ota.jobTimeout.count())); }},
        {u"ota.max_concurrent"_s, [](const Config &x) { return QVariant(x.ota.maxConcurrent); }},
        {u"translate.max_bytes"_s, [](const Config &x) { return QVariant(x.translate.outbox.store.maxBytes); }},
        {u"translate.overflow"_s,
         [](const Config &x) {
             return QVariant(x.translate.outbox.store.overflow == OutboxSettings::Overflow::DropOldest
                                 ? u"drop_oldest"_s
                                 : u"reject_new"_s);
         }},
        {u"translate.drain"_s,
         [](const Config &x) {
             return QVariant(x.translate.outbox.forwarding.drain == ForwarderSettings::Drain::Fifo ? u"fifo"_s
                                                                                                   : u"live_first"_s);
         }},
        {u"translate.drain_rate"_s,
         [](const Config &x) { return QVariant(int(x.translate.outbox.forwarding.drainRate)); }},
        {u"outbox.commit_interval"_s,
         [](const Config &x) { return QVariant(qint64(x.translate.outbox.store.commitInterval.count())); }},
        {u"upstream.host"_s, [](const Config &x) { return QVariant(x.upstream.host); }},
        {u"upstream.port"_s, [](const Config &x) { return QVariant(int(x.upstream.port)); }},
        {u"upstream.protocol"_s, [](const Config &x) { return QVariant(x.upstream.v5 ? u"5"_s : u"3.1.1"_s); }},
        {u"upstream.client_id"_s, [](const Config &x) { return QVariant(x.upstream.clientId); }},
        {u"upstream.username"_s, [](const Config &x) { return QVariant(x.upstream.username); }},
        {u"upstream.password"_s, [](const Config &x) { return QVariant(x.upstream.password); }},
        {u"upstream.prefix"_s, [](const Config &x) { return QVariant(x.upstream.prefix); }},
        {u"upstream.ca_file"_s, [](const Config &x) { return QVariant(x.upstream.tls.caFile); }},
        {u"upstream.cert_file"_s, [](const Config &x) { return QVariant(x.upstream.tls.certFile); }},
        {u"upstream.key_file"_s, [](const Config &x) { return QVariant(x.upstream.tls.keyFile); }},
        {u"upstream.keepalive"_s, [](const Config &x) { return QVariant(qint64(x.upstream.keepalive.count())); }},
        {u"upstream.reconnect_min"_s,
         [](const Config &x) { return QVariant(qint64(x.upstream.reconnectMin.count())); }},
        {u"upstream.reconnect_max"_s,
         [](const Config &x) { return QVariant(qint64(x.upstream.reconnectMax.count())); }},
        {u"upstream.inflight"_s, [](const Config &x) { return QVariant(x.upstream.inflightWindow); }},
        {u"upstream.tls"_s, [](const Config &x) { return QVariant(x.upstream.tls.enabled); }},
        {u"upstream.tls_insecure"_s, [](const Config &x) { return QVariant(x.upstream.tls.insecure); }},
        {u"upstream.max_bytes"_s, [](const Config &x) { return QVariant(x.upstream.outbox.store.maxBytes); }},
        {u"upstream.overflow"_s,
         [](const Config &x) {
             return QVariant(x.upstream.outbox.store.overflow == OutboxSettings::Overflow::DropOldest
                                 ? u"drop_oldest"_s
                                 : u"reject_new"_s);
         }},
        {u"upstream.drain"_s,
         [](const Config &x) {
             return QVariant(x.upstream.outbox.forwarding.drain == ForwarderSettings::Drain::Fifo ? u"fifo"_s
                                                                                                  : u"live_first"_s);
         }},
        {u"upstream.drain_rate"_s,
         [](const Config &x) { return QVariant(int(x.upstream.outbox.forwarding.drainRate)); }},
        {u"influxdb.url"_s, [](const Config &x) { return QVariant(x.influxdb.url.toString()); }},
        {u"influxdb.database"_s, [](const Config &x) { return QVariant(x.influxdb.database); }},
        {u"influxdb.retention_policy"_s, [](const Config &x) { return QVariant(x.influxdb.retentionPolicy); }},
        {u"influxdb.username"_s, [](const Config &x) { return QVariant(x.influxdb.username); }},
        {u"influxdb.password"_s, [](const Config &x) { return QVariant(x.influxdb.password); }},
        {u"influxdb.org"_s, [](const Config &x) { return QVariant(x.influxdb.org); }},
        {u"influxdb.bucket"_s, [](const Config &x) { return QVariant(x.influxdb.bucket); }},
        {u"influxdb.token"_s, [](const Config &x) { return QVariant(x.influxdb.token); }},
        {u"influxdb.measurement"_s, [](const Config &x) { return QVariant(x.influxdb.measurement); }},
        {u"influxdb.batch_points"_s, [](const Config &x) { return QVariant(x.influxdb.batchPoints); }},
        {u"influxdb.flush_interval"_s,
         [](const Config &x) { return QVariant(qint64(x.influxdb.flushInterval.count())); }},
        {u"influxdb.timeout"_s, [](const Config &x) { return QVariant(qint64(x.influxdb.requestTimeout.count())); }},
        {u"influxdb.max_bytes"_s, [](const Config &x) { return QVariant(x.influxdb.outbox.store.maxBytes); }},
        {u"influxdb.overflow"_s,
         [](const Config &x) {
             return QVariant(x.influxdb.outbox.store.overflow == OutboxSettings::Overflow::DropOldest
                                 ? u"drop_oldest"_s
                                 : u"reject_new"_s);
         }},
        {u"influxdb.drain"_s,
         [](const Config &x) {
             return QVariant(x.influxdb.outbox.forwarding.drain == ForwarderSettings::Drain::Fifo ? u"fifo"_s
                                                                                                  : u"live_first"_s);
         }},
        {u"influxdb.drain_rate"_s,
         [](const Config &x) { return QVariant(int(x.influxdb.outbox.forwarding.drainRate)); }},
        {u"routes"_s, [](const Config &x) { return QVariant(routesToJson(x.routes).toVariantList()); }},
    };
    return getters;
}

QVariant fieldValue(const Config &config, const QString &key)
{
    for (const auto &[name, get] : fields()) {
        if (name == key)
            return get(config);
    }
    return {};
}

// Compares field by field so a failure names the key that differs.
bool sameConfig(const Config &actual, const Config &expected)
{
    for (const auto &[key, get] : fields()) {
        const QVariant a = get(actual);
        const QVariant e = get(expected);
        if (a != e) {
            qWarning("%s: got %s, expected %s", qPrintable(key), qPrintable(a.toString()), qPrintable(e.toString()));
            return false;
        }
    }
    return true;
}

QByteArray dump(const ConfigLoad &load)
{
    return formatConfigErrors(u"config"_s, load.errors).toUtf8();
}

const char FullFile[] = R"(# every key, none at its default
gateway:
  id: gw-01.site:a
  data_dir: /var/lib/edgegate
mqtt:
  host: broker.example.com
  port: 8883
  protocol: 3.1.1
  client_id: custom-client
  username: alice
  password: "s3cret: yes"
  keepalive: 1m
  reconnect_min: 250ms
  reconnect_max: 2m
  session_expiry: 0
http:
  listen: "[::1]:9090"
  max_body_bytes: 1048576
  max_head_bytes: 8KiB
  max_header_fields: 50
  head_timeout: 5s
  idle_timeout: 2m
  max_connections: 300
  max_connections_per_address: 20
  max_http2_streams: 50
  max_waiting_auth: 16
  max_waiting_auth_per_address: 2
  allowed_hosts: [gw.example.com, 10.0.0.5]
  tls:
    cert_file: /etc/edgegate/gateway.crt
    key_file: /etc/edgegate/gateway.key
    client_ca_file: /etc/edgegate/operators-ca.crt
  tokens:
    - {name: ops, token: "s3cret-admin-0001", role: admin}
    - name: wall
      token: s3cret-viewer-001
      role: viewer
  allow_unauthenticated: true
coap:
  enabled: false
  listen: 127.0.0.1:15683
  dtls_listen: "[::]:15684"
  max_sessions: 50
translate:
  republish: false
  qos: 2
  max_bytes: 1MiB
  overflow: reject_new
  drain: live_first
  drain_rate: 500
outbox:
  commit_interval: 20ms
upstream:
  host: cloud.example.com
  port: 1883
  protocol: 3.1.1
  client_id: gw-up
  username: bob
  password: pw
  keepalive: 2m
  reconnect_min: 2s
  reconnect_max: 5m
  prefix: plants/eu
  inflight: 20
  tls: false
  ca_file: /etc/ssl/ca.pem
  cert_file: /etc/ssl/gw.pem
  key_file: /etc/ssl/gw.key
  tls_insecure: true
  max_bytes: 1GiB
  overflow: reject_new
  drain: live_first
  drain_rate: 2000
influxdb:
  url: http://influx.lan:8086
  database: plant
  retention_policy: autogen
  username: writer
  password: wpw
  measurement: readings
  batch_points: 100
  flush_interval: 250ms
  timeout: 3s
  max_bytes: 64MB
  overflow: reject_new
  drain: live_first
  drain_rate: 100
routes:
  - name: temps
    match: {topic: devices/+/telemetry, devices: ["0042", b], types: [thermo], kinds: [telemetry]}
    transform:
      rename: {t: temperature}
      keep: [temperature]
      deadband: 0.5
      aggregate: {every: 60s, functions: [min, max, mean]}
    sinks: [upstream, influxdb]
registry:
  policy: approve
  offline_after: 5m
  flush_interval: 2.5s
  pending_buffer: 0
  history_days: 7
  device_types:
    sensor: {offline_after: 30s}
    meter:
      offline_after: 1h
analytics:
  window: 120
  anomaly_z: 2.5
  min_samples: 30
  chart_series: 5000
ingest:
  max_payload_bytes: 4096
firmware:
  max_image_bytes: 1GiB
alerts:
  max_kept: 50
  rules:
    - {id: hot, kind: threshold, metric: temp, above: 30, for: 1m, severity: critical, selector: {device_type: sensor}}
    - id: gone
      kind: offline
      for: 2m
  webhook:
    url: http://hooks.example.com/alerts
    timeout: 2s
    retry_min: 500ms
    retry_max: 30s
    max_queued: 10
log:
  level: debug
discovery:
  mdns:
    enabled: false
    name: Boiler room gateway
ota:
  base_url: https://gw.example:8443/edge
  job_timeout: 2h
  max_concurrent: 25
)";

} // namespace

class TestConfig : public QObject
{
    Q_OBJECT

private slots:
    void defaults_data();
    void defaults();
    void derivedClientId();
    void derivedMdnsName();
    void fullFile_data();
    void fullFile();
    void acceptedValues_data();
    void acceptedValues();
    void errors_data();
    void errors();
    void multipleErrors();
    void parseDuration_data();
    void parseDuration();
    void formatErrors_data();
    void formatErrors();
    void missingFile();
    void directoryInsteadOfFile();
    void realFile();
    void sampleConfig();
};

void TestConfig::defaults_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addRow("empty") << QByteArray();
    QTest::addRow("blank lines") << QByteArray("\n\n   \n");
    QTest::addRow("comments only") << QByteArray("# nothing set yet\n#mqtt:\n#  port: 1\n");
    QTest::addRow("document marker") << QByteArray("---\n");
    QTest::addRow("null document") << QByteArray("~\n");
    QTest::addRow("empty sections") << QByteArray(
        "gateway:\nmqtt:\nhttp:\ncoap:\ntranslate:\nregistry:\nanalytics:\ningest:\nalerts:\nlog:\n");
    QTest::addRow("empty flow sections") << QByteArray("mqtt: {}\nlog: {}\n");
}

void TestConfig::defaults()
{
    QFETCH(QByteArray, yaml);
    const ConfigLoad load = loadConfigText(yaml);
    QVERIFY2(load.errors.isEmpty(), dump(load).constData());
    Config expected;
    deriveSettings(expected);
    QVERIFY(sameConfig(load.config, expected));
}

void TestConfig::derivedClientId()
{
    Config config;
    deriveSettings(config);
    QCOMPARE(config.mqtt.clientId, u"edgegate-edgegate"_s);
    QCOMPARE(config.upstream.clientId, u"edgegate-edgegate-upstream"_s);
    Config named;
    named.gateway.id = u"site-7"_s;
    deriveSettings(named);
    QCOMPARE(named.mqtt.clientId, u"edgegate-site-7"_s);
    QCOMPARE(named.mqtt.gatewayId, u"site-7"_s);
    Config explicitId;
    explicitId.mqtt.clientId = u"explicit"_s;
    deriveSettings(explicitId);
    QCOMPARE(explicitId.mqtt.clientId, u"explicit"_s);

    const ConfigLoad load
        = loadConfigText("gateway:\n  id: north\n  data_dir: /var/lib/eg\nmqtt:\n  client_id: \"\"\n");
    QVERIFY2(load.errors.isEmpty(), dump(load).constData());
    QCOMPARE(load.config.mqtt.clientId, u"edgegate-north"_s);
    QCOMPARE(load.config.mqtt.sessionFile, u"/var/lib/eg/mqtt-session"_s);
    QCOMPARE(load.config.upstream.outbox.store.directory, u"/var/lib/eg/outbox/upstream"_s);
    QCOMPARE(load.config.translate.outbox.store.directory, u"/var/lib/eg/outbox/republish"_s);
    QCOMPARE(load.config.firmware.directory, u"/var/lib/eg/firmware"_s);
}

void TestConfig::derivedMdnsName()
{
    Config config;
    deriveSettings(config);
    QCOMPARE(config.discovery.mdns.name, u"EdgeGate edgegate"_s);
    Config longId;
    longId.gateway.id = QString(64, u'g');
    deriveSettings(longId);
    QCOMPARE(longId.discovery.mdns.name.toUtf8().size(), 63); // one DNS label
    Config named;
    named.discovery.mdns.name = u"Hall 3"_s;
    deriveSettings(named);
    QCOMPARE(named.discovery.mdns.name, u"Hall 3"_s);
}

void TestConfig::fullFile_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QVariant>("expected");
    QTest::addRow("gateway.id") << u"gateway.id"_s << QVariant(u"gw-01.site:a"_s);
    QTest::addRow("gateway.data_dir") << u"gateway.data_dir"_s << QVariant(u"/var/lib/edgegate"_s);
    QTest::addRow("mqtt.host") << u"mqtt.host"_s << QVariant(u"broker.example.com"_s);
    QTest::addRow("mqtt.port") << u"mqtt.port"_s << QVariant(8883);
    QTest::addRow("mqtt.session_expiry") << u"mqtt.session_expiry"_s << QVariant(qint64(0));
    QTest::addRow("mqtt.protocol") << u"mqtt.protocol"_s << QVariant(u"3.1.1"_s);
    QTest::addRow("mqtt.client_id") << u"mqtt.client_id"_s << QVariant(u"custom-client"_s);
    QTest::addRow("mqtt.username") << u"mqtt.username"_s << QVariant(u"alice"_s);
    QTest::addRow("mqtt.password") << u"mqtt.password"_s << QVariant(u"s3cret: yes"_s);
    QTest::addRow("mqtt.keepalive") << u"mqtt.keepalive"_s << QVariant(qint64(60));
    QTest::addRow("mqtt.reconnect_min") << u"mqtt.reconnect_min"_s << QVariant(qint64(250));
    QTest::addRow("mqtt.reconnect_max") << u"mqtt.reconnect_max"_s << QVariant(qint64(120000));
    QTest::addRow("http.listen host") << u"http.host"_s << QVariant(u"::1"_s);
    QTest::addRow("http.listen port") << u"http.port"_s << QVariant(9090);
    QTest::addRow("http.max_body_bytes") << u"http.max_body_bytes"_s << QVariant(qint64(1048576));
    QTest::addRow("http.max_head_bytes") << u"http.max_head_bytes"_s << QVariant(qint64(8192));
    QTest::addRow("http.max_header_fields") << u"http.max_header_fields"_s << QVariant(50);
    QTest::addRow("http.head_timeout") << u"http.head_timeout"_s << QVariant(qint64(5000));
    QTest::addRow("http.idle_timeout") << u"http.idle_timeout"_s << QVariant(qint64(120000));
    QTest::addRow("http.max_connections") << u"http.max_connections"_s << QVariant(300);
    QTest::addRow("http.max_connections_per_address") << u"http.max_connections_per_address"_s << QVariant(20);
    QTest::addRow("http.max_http2_streams") << u"http.max_http2_streams"_s << QVariant(50);
    QTest::addRow("http.max_waiting_auth") << u"http.max_waiting_auth"_s << QVariant(16);
    QTest::addRow("http.max_waiting_auth_per_address") << u"http.max_waiting_auth_per_address"_s << QVariant(2);
    QTest::addRow("http.tls") << u"http.tls"_s
                              << QVariant(u"/etc/edgegate/gateway.crt,/etc/edgegate/gateway.key,"
                                          "/etc/edgegate/operators-ca.crt"_s);
    QTest::addRow("http.tokens") << u"http.tokens"_s
                                 << QVariant(u"ops/admin/s3cret-admin-0001,wall/viewer/s3cret-viewer-001"_s);
    QTest::addRow("http.allow_unauthenticated") << u"http.allow_unauthenticated"_s << QVariant(true);
    QTest::addRow("firmware.max_image_bytes") << u"firmware.max_image_bytes"_s << QVariant(qint64(1) << 30);
    QTest::addRow("coap.enabled") << u"coap.enabled"_s << QVariant(false);
    QTest::addRow("coap.listen host") << u"coap.host"_s << QVariant(u"127.0.0.1"_s);
    QTest::addRow("coap.listen port") << u"coap.port"_s << QVariant(15683);
    QTest::addRow("coap.dtls_listen host") << u"coap.dtls_host"_s << QVariant(u"::"_s);
    QTest::addRow("coap.dtls_listen port") << u"coap.dtls_port"_s << QVariant(15684);
    QTest::addRow("coap.max_sessions") << u"coap.max_sessions"_s << QVariant(50);
    QTest::addRow("translate.republish") << u"translate.republish"_s << QVariant(false);
    QTest::addRow("translate.qos") << u"translate.qos"_s << QVariant(2);
    QTest::addRow("registry.policy") << u"registry.policy"_s << QVariant(u"approve"_s);
    QTest::addRow("registry.offline_after") << u"registry.offline_after"_s << QVariant(qint64(300000));
    QTest::addRow("registry.flush_interval") << u"registry.flush_interval"_s << QVariant(qint64(2500));
    QTest::addRow("registry.pending_buffer") << u"registry.pending_buffer"_s << QVariant(0);
    QTest::addRow("analytics.window") << u"analytics.window"_s << QVariant(120);
    QTest::addRow("analytics.anomaly_z") << u"analytics.anomaly_z"_s << QVariant(2.5);
    QTest::addRow("analytics.min_samples") << u"analytics.min_samples"_s << QVariant(30);
    QTest::addRow("analytics.chart_series") << u"analytics.chart_series"_s << QVariant(5000);
    QTest::addRow("ingest.max_payload_bytes") << u"ingest.max_payload_bytes"_s << QVariant(qint64(4096));
    QTest::addRow("alerts.max_kept") << u"alerts.max_kept"_s << QVariant(50);
    QTest::addRow("alerts.rules") << u"alerts.rules"_s
                                  << QVariant(QString::fromUtf8(
                                         R"([{"above":30,"for":"1m","id":"hot","kind":"threshold","metric":"temp",)"
                                         R"("selector":{"device_type":"sensor"},"severity":"critical"},)"
                                         R"({"for":"2m","id":"gone","kind":"offline","severity":"warning"}])"));
    QTest::addRow("alerts.webhook.url") << u"alerts.webhook.url"_s << QVariant(u"http://hooks.example.com/alerts"_s);
    QTest::addRow("alerts.webhook.timeout") << u"alerts.webhook.timeout"_s << QVariant(qint64(2000));
    QTest::addRow("alerts.webhook.retry_min") << u"alerts.webhook.retry_min"_s << QVariant(qint64(500));
    QTest::addRow("alerts.webhook.retry_max") << u"alerts.webhook.retry_max"_s << QVariant(qint64(30000));
    QTest::addRow("alerts.webhook.max_queued") << u"alerts.webhook.max_queued"_s << QVariant(10);
    QTest::addRow("registry.history_days") << u"registry.history_days"_s << QVariant(7);
    QTest::addRow("registry.device_types") << u"registry.device_types"_s << QVariant(u"meter=3600000,sensor=30000"_s);
    QTest::addRow("log.level") << u"log.level"_s << QVariant(u"debug"_s);
    QTest::addRow("ota.base_url") << u"ota.base_url"_s << QVariant(u"https://gw.example:8443/edge"_s);
    QTest::addRow("ota.job_timeout") << u"ota.job_timeout"_s << QVariant(qint64(7200000));
    QTest::addRow("ota.max_concurrent") << u"ota.max_concurrent"_s << QVariant(25);
    QTest::addRow("translate.max_bytes") << u"translate.max_bytes"_s << QVariant(qint64(1048576));
    QTest::addRow("translate.overflow") << u"translate.overflow"_s << QVariant(u"reject_new"_s);
    QTest::addRow("translate.drain") << u"translate.drain"_s << QVariant(u"live_first"_s);
    QTest::addRow("translate.drain_rate") << u"translate.drain_rate"_s << QVariant(500);
    QTest::addRow("outbox.commit_interval") << u"outbox.commit_interval"_s << QVariant(qint64(20));
    QTest::addRow("upstream.host") << u"upstream.host"_s << QVariant(u"cloud.example.com"_s);
    QTest::addRow("upstream.port") << u"upstream.port"_s << QVariant(1883);
    QTest::addRow("upstream.protocol") << u"upstream.protocol"_s << QVariant(u"3.1.1"_s);
    QTest::addRow("upstream.client_id") << u"upstream.client_id"_s << QVariant(u"gw-up"_s);
    QTest::addRow("upstream.username") << u"upstream.username"_s << QVariant(u"bob"_s);
    QTest::addRow("upstream.password") << u"upstream.password"_s << QVariant(u"pw"_s);
    QTest::addRow("upstream.keepalive") << u"upstream.keepalive"_s << QVariant(qint64(120));
    QTest::addRow("upstream.reconnect_min") << u"upstream.reconnect_min"_s << QVariant(qint64(2000));
    QTest::addRow("upstream.reconnect_max") << u"upstream.reconnect_max"_s << QVariant(qint64(300000));
    QTest::addRow("upstream.prefix") << u"upstream.prefix"_s << QVariant(u"plants/eu"_s);
    QTest::addRow("upstream.inflight") << u"upstream.inflight"_s << QVariant(20);
    QTest::addRow("upstream.tls") << u"upstream.tls"_s << QVariant(false);
    QTest::addRow("upstream.ca_file") << u"upstream.ca_file"_s << QVariant(u"/etc/ssl/ca.pem"_s);
    QTest::addRow("upstream.cert_file") << u"upstream.cert_file"_s << QVariant(u"/etc/ssl/gw.pem"_s);
    QTest::addRow("upstream.key_file") << u"upstream.key_file"_s << QVariant(u"/etc/ssl/gw.key"_s);
    QTest::addRow("upstream.tls_insecure") << u"upstream.tls_insecure"_s << QVariant(true);
    QTest::addRow("upstream.max_bytes") << u"upstream.max_bytes"_s << QVariant(qint64(1LL << 30));
    QTest::addRow("upstream.overflow") << u"upstream.overflow"_s << QVariant(u"reject_new"_s);
    QTest::addRow("upstream.drain") << u"upstream.drain"_s << QVariant(u"live_first"_s);
    QTest::addRow("upstream.drain_rate") << u"upstream.drain_rate"_s << QVariant(2000);
    QTest::addRow("influxdb.url") << u"influxdb.url"_s << QVariant(u"http://influx.lan:8086"_s);
    QTest::addRow("influxdb.database") << u"influxdb.database"_s << QVariant(u"plant"_s);
    QTest::addRow("influxdb.retention_policy") << u"influxdb.retention_policy"_s << QVariant(u"autogen"_s);
    QTest::addRow("influxdb.username") << u"influxdb.username"_s << QVariant(u"writer"_s);
    QTest::addRow("influxdb.password") << u"influxdb.password"_s << QVariant(u"wpw"_s);
    QTest::addRow("discovery.mdns.enabled") << u"discovery.mdns.enabled"_s << QVariant(false);
    QTest::addRow("discovery.mdns.name") << u"discovery.mdns.name"_s << QVariant(u"Boiler room gateway"_s);
    QTest::addRow("influxdb.measurement") << u"influxdb.measurement"_s << QVariant(u"readings"_s);
    QTest::addRow("influxdb.batch_points") << u"influxdb.batch_points"_s << QVariant(100);
    QTest::addRow("influxdb.flush_interval") << u"influxdb.flush_interval"_s << QVariant(qint64(250));
    QTest::addRow("influxdb.timeout") << u"influxdb.timeout"_s << QVariant(qint64(3000));
    QTest::addRow("influxdb.max_bytes") << u"influxdb.max_bytes"_s << QVariant(qint64(64000000));
    QTest::addRow("influxdb.overflow") << u"influxdb.overflow"_s << QVariant(u"reject_new"_s);
    QTest::addRow("influxdb.drain") << u"influxdb.drain"_s << QVariant(u"live_first"_s);
    QTest::addRow("influxdb.drain_rate") << u"influxdb.drain_rate"_s << QVariant(100);
    QTest::addRow("routes") << u"routes"_s
                            << QVariant(
                                   QJsonDocument::fromJson(R"([{"name":"temps","match":{"topic":"devices/+/telemetry",
        "devices":["0042","b"],"types":["thermo"],"kinds":["telemetry"]},"transform":{"rename":{"t":"temperature"},
        "keep":["temperature"],"deadband":0.5,"aggregate":{"every":"1m","functions":["min","max","mean"]}},
        "sinks":["upstream","influxdb"]}])")
                                       .array()
                                       .toVariantList());
}

void TestConfig::fullFile()
{
    QFETCH(QString, key);
    QFETCH(QVariant, expected);
    const ConfigLoad load = loadConfigText(FullFile);
    QVERIFY2(load.errors.isEmpty(), dump(load).constData());
    // The full file is only meaningful if it really moves the field off its default.
    QVERIFY(fieldValue(Config{}, key).isValid());
    QVERIFY(fieldValue(Config{}, key) != expected);
    QCOMPARE(fieldValue(load.config, key), expected);
}

void TestConfig::acceptedValues_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QVariant>("expected");

    QTest::addRow("protocol 5 plain") << QByteArray("mqtt:\n  protocol: 5\n") << u"mqtt.protocol"_s << QVariant(u"5"_s);
    QTest::addRow("protocol 5 quoted") << QByteArray("mqtt:\n  protocol: \"5\"\n") << u"mqtt.protocol"_s
                                       << QVariant(u"5"_s);
    QTest::addRow("protocol 3.1.1 quoted")
        << QByteArray("mqtt:\n  protocol: \"3.1.1\"\n") << u"mqtt.protocol"_s << QVariant(u"3.1.1"_s);
    QTest::addRow("host ipv6") << QByteArray("mqtt:\n  host: \"::1\"\n") << u"mqtt.host"_s << QVariant(u"::1"_s);
    QTest::addRow("host ipv4") << QByteArray("mqtt:\n  host: 10.0.0.254\n") << u"mqtt.host"_s
                               << QVariant(u"10.0.0.254"_s);
    QTest::addRow("host single label") << QByteArray("mqtt:\n  host: localhost\n") << u"mqtt.host"_s
                                       << QVariant(u"localhost"_s);
    QTest::addRow("host 63-char label") << (QByteArray("mqtt:\n  host: ") + QByteArray(63, 'a') + ".lan\n")
                                        << u"mqtt.host"_s << QVariant(QString(63, u'a') + u".lan"_s);
    QTest::addRow("quoted integer") << QByteArray("mqtt:\n  port: \"1884\"\n") << u"mqtt.port"_s << QVariant(1884);
    QTest::addRow("alias reused") << QByteArray("mqtt:\n  port: &p 1884\nhttp:\n  max_connections: *p\n")
                                  << u"mqtt.port"_s << QVariant(1884);
    QTest::addRow("port max") << QByteArray("mqtt:\n  port: 65535\n") << u"mqtt.port"_s << QVariant(65535);
    QTest::addRow("client_id 128") << (QByteArray("mqtt:\n  client_id: ") + QByteArray(128, 'c') + "\n")
                                   << u"mqtt.client_id"_s << QVariant(QString(128, u'c'));
    QTest::addRow("keepalive bare seconds")
        << QByteArray("mqtt:\n  keepalive: 45\n") << u"mqtt.keepalive"_s << QVariant(qint64(45));
    QTest::addRow("keepalive decimal minutes")
        << QByteArray("mqtt:\n  keepalive: 1.5m\n") << u"mqtt.keepalive"_s << QVariant(qint64(90));
    QTest::addRow("keepalive max") << QByteArray("mqtt:\n  keepalive: 65535s\n") << u"mqtt.keepalive"_s
                                   << QVariant(qint64(65535));
    QTest::addRow("reconnect equal") << QByteArray("mqtt:\n  reconnect_min: 1s\n  reconnect_max: 1000ms\n")
                                     << u"mqtt.reconnect_max"_s << QVariant(qint64(1000));
    QTest::addRow("listen any port") << QByteArray("http:\n  listen: 0.0.0.0:0\n  allow_unauthenticated: true\n")
                                     << u"http.port"_s << QVariant(0);
    QTest::addRow("listen hostname") << QByteArray("http:\n  listen: localhost:8081\n") << u"http.host"_s
                                     << QVariant(u"localhost"_s);
    // Loopback is decided on what the name resolves to, whatever its case.
    QTest::addRow("listen hostname in capitals")
        << QByteArray("http:\n  listen: LOCALHOST:8081\n") << u"http.host"_s << QVariant(u"LOCALHOST"_s);
    QTest::addRow("listen ipv6 any") << QByteArray("http:\n  listen: \"[::]:80\"\n  allow_unauthenticated: true\n")
                                     << u"http.host"_s << QVariant(u"::"_s);
    // Loopback addresses need neither tokens nor allow_unauthenticated.
    QTest::addRow("listen 127.0.0.2") << QByteArray("http:\n  listen: 127.0.0.2:8080\n") << u"http.host"_s
                                      << QVariant(u"127.0.0.2"_s);
    QTest::addRow("listen 127.255.0.1") << QByteArray("http:\n  listen: 127.255.0.1:8080\n") << u"http.host"_s
                                        << QVariant(u"127.255.0.1"_s);
    QTest::addRow("listen localhost") << QByteArray("http:\n  listen: localhost:8080\n") << u"http.host"_s
                                      << QVariant(u"localhost"_s);
    QTest::addRow("listen ::1") << QByteArray("http:\n  listen: \"[::1]:8080\"\n") << u"http.host"_s
                                << QVariant(u"::1"_s);
    QTest::addRow("listen any with tokens") << QByteArray(
        "http:\n  listen: 0.0.0.0:8080\n  tokens:\n    - {name: ops, token: 0123456789abcdef, role: admin}\n")
                                            << u"http.tokens"_s << QVariant(u"ops/admin/0123456789abcdef"_s);
    QTest::addRow("tokens after listen check") << QByteArray("http:\n  tokens: [{name: a, token: 0123456789abcdef}]\n"
                                                             "  listen: 10.0.0.1:80\n")
                                               << u"http.tokens"_s << QVariant(u"a/viewer/0123456789abcdef"_s);
    QTest::addRow("token role defaults to viewer")
        << QByteArray("http:\n  tokens:\n    - name: wall\n      token: \"0123456789abcdef\"\n") << u"http.tokens"_s
        << QVariant(u"wall/viewer/0123456789abcdef"_s);
    QTest::addRow("numeric token") << QByteArray("http:\n  tokens:\n    - {name: n, token: 12345678901234567890}\n")
                                   << u"http.tokens"_s << QVariant(u"n/viewer/12345678901234567890"_s);
    QTest::addRow("empty token list") << QByteArray("http:\n  tokens: []\n") << u"http.tokens"_s << QVariant(QString());
    QTest::addRow("allow_unauthenticated on loopback")
        << QByteArray("http:\n  allow_unauthenticated: true\n") << u"http.allow_unauthenticated"_s << QVariant(true);
    QTest::addRow("coap any port") << QByteArray("coap:\n  listen: 0.0.0.0:0\n") << u"coap.port"_s << QVariant(0);
    QTest::addRow("coap ipv6") << QByteArray("coap:\n  listen: \"[::1]:5683\"\n") << u"coap.host"_s
                               << QVariant(u"::1"_s);
    QTest::addRow("coap dtls on") << QByteArray("coap:\n  dtls_listen: 0.0.0.0:5684\n") << u"coap.dtls_port"_s
                                  << QVariant(5684);
    QTest::addRow("coap dtls off") << QByteArray("coap:\n  dtls_listen: \"\"\n") << u"coap.dtls_port"_s << QVariant(0);
    QTest::addRow("coap dtls only") << QByteArray(
        "coap:\n  enabled: false\n  listen: 0.0.0.0:5684\n  dtls_listen: 0.0.0.0:5684\n")
                                    << u"coap.dtls_port"_s << QVariant(5684);
    QTest::addRow("coap max_sessions max")
        << QByteArray("coap:\n  max_sessions: 100000\n") << u"coap.max_sessions"_s << QVariant(100000);
    QTest::addRow("translate qos 0") << QByteArray("translate:\n  qos: 0\n") << u"translate.qos"_s << QVariant(0);
    QTest::addRow("offline_after 30d") << QByteArray("registry:\n  offline_after: 30d\n") << u"registry.offline_after"_s
                                       << QVariant(qint64(30) * 86400000);
    QTest::addRow("policy deny") << QByteArray("registry:\n  policy: deny\n") << u"registry.policy"_s
                                 << QVariant(u"deny"_s);
    QTest::addRow("min_samples equals window")
        << QByteArray("analytics:\n  window: 20\n  min_samples: 20\n") << u"analytics.min_samples"_s << QVariant(20);
    QTest::addRow("anomaly_z integer") << QByteArray("analytics:\n  anomaly_z: 4\n") << u"analytics.anomaly_z"_s
                                       << QVariant(4.0);
    QTest::addRow("anomaly_z exponent") << QByteArray("analytics:\n  anomaly_z: 1e3\n") << u"analytics.anomaly_z"_s
                                        << QVariant(1000.0);
    QTest::addRow("numeric gateway id") << QByteArray("gateway:\n  id: 42\n") << u"gateway.id"_s << QVariant(u"42"_s);
    QTest::addRow("comment after value") << QByteArray("log:\n  level: warning # quieter\n") << u"log.level"_s
                                         << QVariant(u"warning"_s);
    QTest::addRow("flow style") << QByteArray("alerts: {max_kept: 7}\n") << u"alerts.max_kept"_s << QVariant(7);
    QTest::addRow("influx v2") << QByteArray("influxdb:\n  url: https://i.lan\n  org: o\n  bucket: b\n  token: t\n")
                               << u"influxdb.bucket"_s << QVariant(u"b"_s);
    QTest::addRow("size plain") << QByteArray("upstream:\n  max_bytes: 65536\n") << u"upstream.max_bytes"_s
                                << QVariant(qint64(65536));
    QTest::addRow("size KiB") << QByteArray("upstream:\n  max_bytes: 512 KiB\n") << u"upstream.max_bytes"_s
                              << QVariant(qint64(512 * 1024));
    QTest::addRow("size GB") << QByteArray("upstream:\n  max_bytes: 2GB\n") << u"upstream.max_bytes"_s
                             << QVariant(qint64(2000000000));
    QTest::addRow("upstream host empty") << QByteArray("upstream:\n  host: \"\"\n") << u"upstream.host"_s
                                         << QVariant(QString());
    QTest::addRow("mdns name 63 bytes") << (QByteArray("discovery:\n  mdns:\n    name: ") + QByteArray(63, 'n') + "\n")
                                        << u"discovery.mdns.name"_s << QVariant(QString(63, u'n'));
    QTest::addRow("mdns name UTF-8") << QByteArray("discovery:\n  mdns:\n    name: \"Passerelle \xc3\xa9t\xc3\xa9\"\n")
                                     << u"discovery.mdns.name"_s << QVariant(u"Passerelle \u00e9t\u00e9"_s);
    QTest::addRow("mdns name empty") << QByteArray("discovery:\n  mdns:\n    name: \"\"\n") << u"discovery.mdns.name"_s
                                     << QVariant(u"EdgeGate edgegate"_s);
    QTest::addRow("mdns empty section") << QByteArray("discovery:\n  mdns:\n") << u"discovery.mdns.enabled"_s
                                        << QVariant(true);
    QTest::addRow("route to republish") << QByteArray("routes:\n  - {name: r, sinks: [republish]}\n") << u"routes"_s
                                        << QVariant(QVariantList{QVariantMap{
                                               {u"name"_s, u"r"_s}, {u"sinks"_s, QVariantList{u"republish"_s}}}});
}

void TestConfig::acceptedValues()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, key);
    QFETCH(QVariant, expected);
    const ConfigLoad load = loadConfigText(yaml);
    QVERIFY2(load.errors.isEmpty(), dump(load).constData());
    QCOMPARE(fieldValue(load.config, key), expected);
}

void TestConfig::errors_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("message");
    QTest::addColumn<bool>("exact"); // false: `message` is a substring (wording owned by yaml-cpp)

    const auto row = [](const char *name, const QByteArray &yaml, int line, const QString &message, bool exact = true) {
        QTest::addRow("%s", name) << yaml << line << message << exact;
    };

    // unknown keys
    row("unknown key, suggestion", "mqtt:\n  host: 127.0.0.1\n  hots: broker\n", 3,
        u"unknown key 'mqtt.hots' (did you mean 'mqtt.host'?)"_s);
    row("unknown key, two edits", "registry:\n  polcy: auto\n", 2,
        u"unknown key 'registry.polcy' (did you mean 'registry.policy'?)"_s);
    row("unknown key, no suggestion", "mqtt:\n  colour: red\n", 2, u"unknown key 'mqtt.colour'"_s);
    row("unknown section, suggestion", "mqt:\n  host: x\n", 1, u"unknown key 'mqt' (did you mean 'mqtt'?)"_s);
    row("unknown section, no suggestion", "database:\n  path: x\n", 1, u"unknown key 'database'"_s);
    row("mdns unknown key", "discovery:\n  mdns:\n    enable: true\n", 3,
        u"unknown key 'discovery.mdns.enable' (did you mean 'discovery.mdns.enabled'?)"_s);
    row("mdns not a map", "discovery:\n  mdns: on\n", 2, u"discovery.mdns: expected a map, got 'on'"_s);
    row("mdns enabled not a bool", "discovery:\n  mdns:\n    enabled: maybe\n", 3,
        u"discovery.mdns.enabled: expected true or false, got 'maybe'"_s, false);
    row("mdns name too long", "discovery:\n  mdns:\n    name: " + QByteArray(64, 'n') + "\n", 3,
        u"discovery.mdns.name: must be at most 63 bytes of printable UTF-8"_s);
    row("flat dotted key", "mqtt.port: 1883\n", 1,
        u"unknown key 'mqtt.port' (write it nested: 'port' under 'mqtt:')"_s);

    // wrong types
    row("integer from word", "mqtt:\n  port: abc\n", 2, u"mqtt.port: expected an integer, got 'abc'"_s);
    row("integer from boolean", "mqtt:\n  port: true\n", 2, u"mqtt.port: expected an integer, got 'true'"_s);
    row("integer from fraction", "mqtt:\n  port: 8080.5\n", 2, u"mqtt.port: expected an integer, got '8080.5'"_s);
    row("ota base_url not http", "ota:\n  base_url: ftp://gw/\n", 2,
        u"ota.base_url: 'ftp://gw/' is not an http:// or https:// URL without a query"_s);
    row("ota job_timeout too short", "ota:\n  job_timeout: 10ms\n", 2, u"ota.job_timeout:"_s, false);
    row("ota max_concurrent 0", "ota:\n  max_concurrent: 0\n", 2,
        u"ota.max_concurrent: 0 is out of range (1..10000)"_s);
    row("integer from hex", "alerts:\n  max_kept: 0x10\n", 2, u"alerts.max_kept: expected an integer, got '0x10'"_s);
    row("integer beyond qint64", "http:\n  max_body_bytes: 99999999999999999999\n", 2,
        u"http.max_body_bytes: 99999999999999999999 is out of range (1..16777216)"_s);
    row("map for a string", "mqtt:\n  host:\n    name: x\n", 2, u"mqtt.host: expected a string, got a map"_s);
    row("list for an enum", "log:\n  level: [debug]\n", 2,
        u"log.level: expected one of debug, info, warning, error, got a list"_s);
    row("empty value", "mqtt:\n  port:\n  host: a\n", 2, u"mqtt.port: expected an integer, got an empty value"_s);
    row("number from word", "analytics:\n  anomaly_z: high\n", 2,
        u"analytics.anomaly_z: expected a number, got 'high'"_s);
    row("number nan", "analytics:\n  anomaly_z: .nan\n", 2, u"analytics.anomaly_z: '.nan' is not a finite number"_s);
    row("number inf", "analytics:\n  anomaly_z: .inf\n", 2, u"analytics.anomaly_z: '.inf' is not a finite number"_s);
    row("section is a scalar", "log: debug\n", 1, u"log: expected a map, got 'debug'"_s);
    row("section is a list", "mqtt:\n  - host\n", 1, u"mqtt: expected a map, got a list"_s);
    row("top level is a list", "- mqtt\n- http\n", 1, u"expected a map of sections at the top level, got a list"_s);
    row("top level is a scalar", "hello\n", 1, u"expected a map of sections at the top level, got 'hello'"_s);

    // addresses and identifiers
    row("bad host", "mqtt:\n  host: bad host!\n", 2,
        u"mqtt.host: 'bad host!' is not a valid host name or IP address"_s);
    row("bad host, numeric", "mqtt:\n  host: 300.1.1.1\n", 2,
        u"mqtt.host: '300.1.1.1' is not a valid host name or IP address"_s);
    row("bad host, ipv4 shorthand", "mqtt:\n  host: 127.1\n", 2,
        u"mqtt.host: '127.1' is not a valid host name or IP address"_s);
    row("bad host, label dash", "mqtt:\n  host: -edge.lan\n", 2,
        u"mqtt.host: '-edge.lan' is not a valid host name or IP address"_s);
    row("bad host, empty label", "mqtt:\n  host: edge..lan\n", 2,
        u"mqtt.host: 'edge..lan' is not a valid host name or IP address"_s);
    row("bad host, 64-char label",
        "mqtt:\n  host: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.lan\n", 2,
        u"is not a valid host name or IP address"_s, false);
    row("bad host, brackets", "mqtt:\n  host: \"[::1]\"\n", 2,
        u"mqtt.host: '[::1]' is not a valid host name or IP address"_s);
    row("bad listen, no port", "http:\n  listen: 127.0.0.1\n", 2,
        u"http.listen: expected host:port, got '127.0.0.1'"_s);
    row("bad listen, unbracketed ipv6", "http:\n  listen: \"::1:8080\"\n", 2,
        u"http.listen: expected host:port, got '::1:8080'"_s);
    row("bad listen, empty host", "http:\n  listen: \":8080\"\n", 2, u"http.listen: expected host:port, got ':8080'"_s);
    row("bad listen, port word", "http:\n  listen: localhost:http\n", 2,
        u"http.listen: expected host:port, got 'localhost:http'"_s);
    row("bad listen, host", "http:\n  listen: bad_host:80\n", 2,
        u"http.listen: 'bad_host' is not a valid host name or IP address"_s);
    row("bad listen, bracketed non-ipv6", "http:\n  listen: \"[1.2.3.4]:80\"\n", 2,
        u"http.listen: '1.2.3.4' is not a valid IPv6 address"_s);
    row("bad listen, port range", "http:\n  listen: 127.0.0.1:70000\n", 2,
        u"http.listen: port 70000 is out of range (0..65535)"_s);
    row("bad gateway id", "gateway:\n  id: \"my gateway\"\n", 2,
        u"gateway.id: 'my gateway' is not a valid id (1-64 characters of A-Z a-z 0-9 . _ : -)"_s);
    row("bad gateway id, topic wildcard", "gateway:\n  id: \"gw/#\"\n", 2, u"gateway.id: 'gw/#' is not a valid id"_s,
        false);
    row("empty data_dir", "gateway:\n  data_dir: \"\"\n", 2, u"gateway.data_dir: must not be empty"_s);
    row("client_id too long", "mqtt:\n  client_id: " + QByteArray(129, 'c') + "\n", 2,
        u"mqtt.client_id: too long (129 characters, at most 128)"_s);
    row("client_id not ascii", "mqtt:\n  client_id: \"caf\xc3\xa9\"\n", 2,
        u"mqtt.client_id: 'caf\u00e9' must be printable ASCII"_s);
    // The upstream connection is checked by the same keys as the local one.
    row("upstream client_id with a line break", "upstream:\n  client_id: \"gw\\nup\"\n", 2,
        u"upstream.client_id: 'gw\\nup' must be printable ASCII"_s);
    row("upstream client_id too long", "upstream:\n  client_id: " + QByteArray(129, 'c') + "\n", 2,
        u"upstream.client_id: too long (129 characters, at most 128)"_s);

    // ranges
    row("port out of range", "mqtt:\n  port: 70000\n", 2, u"mqtt.port: 70000 is out of range (1..65535)"_s);
    row("port zero", "mqtt:\n  port: 0\n", 2, u"mqtt.port: 0 is out of range (1..65535)"_s);
    row("negative integer", "registry:\n  pending_buffer: -1\n", 2,
        u"registry.pending_buffer: -1 is out of range (0..100000)"_s);
    row("window too small", "analytics:\n  window: 1\n", 2, u"analytics.window: 1 is out of range (2..100000)"_s);
    row("payload too small", "ingest:\n  max_payload_bytes: 15\n", 2,
        u"ingest.max_payload_bytes: 15 is out of range (16..16777216)"_s);
    row("anomaly_z zero", "analytics:\n  anomaly_z: 0\n", 2,
        u"analytics.anomaly_z: 0 is out of range (greater than 0, at most 1000)"_s);
    row("anomaly_z too large", "analytics:\n  anomaly_z: 1000.5\n", 2,
        u"analytics.anomaly_z: 1000.5 is out of range (greater than 0, at most 1000)"_s);

    // durations
    row("bad duration", "registry:\n  offline_after: 90x\n", 2,
        u"registry.offline_after: '90x' is not a duration (use e.g. 500ms, 90s, 5m, 1h)"_s);
    row("negative duration", "registry:\n  flush_interval: -1s\n", 2,
        u"registry.flush_interval: '-1s' is not a duration (use e.g. 500ms, 90s, 5m, 1h)"_s);
    row("history_days zero", "registry:\n  history_days: 0\n", 2,
        u"registry.history_days: 0 is out of range (1..3650)"_s);
    row("device type not a map", "registry:\n  device_types: [a]\n", 2,
        u"registry.device_types: expected a map of device types, got a list"_s);
    row("device type unknown key", "registry:\n  device_types:\n    sensor: {offline: 5s}\n", 3,
        u"registry.device_types.sensor.offline: unknown key (device types take offline_after)"_s);
    row("device type bad duration", "registry:\n  device_types:\n    sensor: {offline_after: 0s}\n", 3,
        u"registry.device_types.sensor.offline_after: 0s is out of range (1s..30d)"_s);
    row("alert rules not a list", "alerts:\n  rules: {id: a}\n", 2,
        u"alerts.rules: expected a list of rules, got a map"_s);
    row("alert rule bad kind", "alerts:\n  rules:\n    - {id: a, kind: loud}\n", 3,
        u"alerts.rules: [0].kind: expected offline, threshold, no_data, anomaly, outbox_overflow or certificate_expiry"_s);
    row("alert rule duplicate id", "alerts:\n  rules:\n    - {id: a, kind: offline}\n    - {id: a, kind: anomaly}\n", 4,
        u"alerts.rules: [1].id: 'a' is already used on line 3"_s);
    row("webhook bad url", "alerts:\n  webhook:\n    url: ftp://x/y\n", 3,
        u"alerts.webhook.url: 'ftp://x/y' is not an http:// or https:// URL"_s);
    row("webhook unknown key", "alerts:\n  webhook:\n    retries: 3\n", 3,
        u"alerts.webhook.retries: unknown key (use url, timeout, retry_min, retry_max, max_queued)"_s);
    row("duration above range", "registry:\n  offline_after: 31d\n", 2,
        u"registry.offline_after: 31d is out of range (1s..30d)"_s);
    row("duration below range", "mqtt:\n  reconnect_min: 5ms\n", 2,
        u"mqtt.reconnect_min: 5ms is out of range (10ms..1m)"_s);
    row("keepalive below range", "mqtt:\n  keepalive: 4s\n", 2, u"mqtt.keepalive: 4s is out of range (5s..65535s)"_s);
    row("keepalive not whole seconds", "mqtt:\n  keepalive: 5500ms\n", 2,
        u"mqtt.keepalive: 5500ms is not a whole number of seconds"_s);

    // enums
    row("bad policy", "registry:\n  policy: maybe\n", 2,
        u"registry.policy: 'maybe' is not one of auto, approve, deny"_s);
    row("policy is case-sensitive", "registry:\n  policy: Auto\n", 2,
        u"registry.policy: 'Auto' is not one of auto, approve, deny"_s);
    row("bad protocol", "mqtt:\n  protocol: 4\n", 2, u"mqtt.protocol: '4' is not one of 5, 3.1.1"_s);
    row("bad protocol, 5.0", "mqtt:\n  protocol: 5.0\n", 2, u"mqtt.protocol: '5.0' is not one of 5, 3.1.1"_s);
    row("bad log level", "log:\n  level: verbose\n", 2,
        u"log.level: 'verbose' is not one of debug, info, warning, error"_s);

    // API tokens
    row("tokens not a list", "http:\n  tokens: {name: a}\n", 2,
        u"http.tokens: expected a list of tokens (each with name, token, role), got a map"_s);
    row("token not a map", "http:\n  tokens:\n    - s3cret-admin-0001\n", 3,
        u"http.tokens[0]: expected a map with name, token, role, got 's3cret-admin-0001'"_s);
    row("token without name", "http:\n  tokens:\n    - {token: 0123456789abcdef, role: admin}\n", 3,
        u"http.tokens[0]: name is required"_s);
    row("token without token", "http:\n  tokens:\n    - {name: ops, role: admin}\n", 3,
        u"http.tokens[0]: token is required"_s);
    row("token too short, not echoed", "http:\n  tokens:\n    - {name: ops, token: short-secret}\n", 3,
        u"http.tokens[0].token: too short (12 characters, at least 16)"_s);
    row("token with a space", "http:\n  tokens:\n    - {name: ops, token: \"0123456789 abcdef\"}\n", 3,
        u"http.tokens[0].token: must be printable ASCII without spaces"_s);
    row("token not a string", "http:\n  tokens:\n    - {name: ops, token: [a]}\n", 3,
        u"http.tokens[0].token: expected a string, got a list"_s);
    row("token empty name", "http:\n  tokens:\n    - {name: \"\", token: 0123456789abcdef}\n", 3,
        u"http.tokens[0].name: '' is not a name (1-64 printable characters)"_s);
    row("token bad role", "http:\n  tokens:\n    - {name: ops, token: 0123456789abcdef, role: root}\n", 3,
        u"http.tokens[0].role: 'root' is not one of admin, viewer"_s);
    row("token unknown key", "http:\n  tokens:\n    - {name: ops, token: 0123456789abcdef, rights: all}\n", 3,
        u"http.tokens[0].rights: unknown key (use name, token, role)"_s);
    row("token duplicate name",
        "http:\n  tokens:\n    - {name: ops, token: 0123456789abcdef}\n    - {name: ops, token: 0123456789abcdeg}\n", 4,
        u"http.tokens[1].name: 'ops' is already used on line 3"_s);
    row("token duplicate token",
        "http:\n  tokens:\n    - {name: ops, token: 0123456789abcdef}\n    - {name: wall, token: 0123456789abcdef}\n",
        4, u"http.tokens[1].token: the same token as http.tokens[0]"_s);
    row("allow_unauthenticated word", "http:\n  allow_unauthenticated: perhaps\n", 2,
        u"http.allow_unauthenticated: expected true or false, got 'perhaps'"_s);
    const QString refusal = u"' is not a loopback address and no http.tokens are set, so anyone who can reach it could "
                            "use the API: add http.tokens, or set http.allow_unauthenticated: true to serve it without "
                            "tokens"_s;
    row("non-loopback without tokens", "http:\n  listen: 0.0.0.0:8080\n", 2, u"http.listen: '0.0.0.0"_s + refusal);
    row("ipv6 any without tokens", "log:\n  level: info\nhttp:\n  listen: \"[::]:8080\"\n", 4,
        u"http.listen: '::"_s + refusal);
    row("lan address without tokens", "http:\n  listen: 192.168.1.20:8080\n  tokens: []\n", 2,
        u"http.listen: '192.168.1.20"_s + refusal);
    row("tls certificate without key", "http:\n  tls:\n    cert_file: a.crt\n", 2,
        u"http.tls: cert_file and key_file go together"_s);
    row("tls client CA without certificate", "http:\n  tls:\n    client_ca_file: ca.crt\n", 2,
        u"http.tls: client_ca_file needs cert_file and key_file"_s);
    row("tls unknown key", "http:\n  tls:\n    cert: a.crt\n", 3,
        u"http.tls.cert: unknown key (use cert_file, key_file, client_ca_file)"_s);
    row("host name that does not resolve", "http:\n  listen: gateway.invalid:8080\n  allow_unauthenticated: true\n", 2,
        u"http.listen: 'gateway.invalid' does not resolve to an address"_s);
    row("bad token does not add the refusal",
        "http:\n  listen: 0.0.0.0:8080\n  tokens:\n    - {name: ops, token: short}\n", 4,
        u"http.tokens[0].token: too short (5 characters, at least 16)"_s);

    // rules across keys
    row("reconnect_max < reconnect_min", "mqtt:\n  reconnect_min: 2s\n  reconnect_max: 1s\n", 3,
        u"mqtt.reconnect_max: 1s is less than mqtt.reconnect_min (2s)"_s);
    row("reconnect_max before reconnect_min", "mqtt:\n  reconnect_max: 200ms\n  reconnect_min: 1s\n", 2,
        u"mqtt.reconnect_max: 200ms is less than mqtt.reconnect_min (1s)"_s);
    row("reconnect_min above default max", "mqtt:\n  reconnect_min: 45s\n", 2,
        u"mqtt.reconnect_min: 45s is greater than mqtt.reconnect_max (30s)"_s);
    row("min_samples > window", "analytics:\n  window: 10\n  min_samples: 20\n", 3,
        u"analytics.min_samples: 20 is greater than analytics.window (10)"_s);
    row("window below default min_samples", "analytics:\n  window: 5\n", 2,
        u"analytics.window: 5 is less than analytics.min_samples (10)"_s);

    // structure
    row("duplicate key", "mqtt:\n  port: 1883\n  host: a\n  port: 1884\n", 4,
        u"duplicate key 'mqtt.port' (first set on line 2)"_s);
    row("duplicate section", "log:\n  level: info\nlog:\n  level: debug\n", 3,
        u"duplicate key 'log' (first set on line 1)"_s);
    row("duplicate in flow map", "alerts: {max_kept: 1, max_kept: 2}\n", 1,
        u"duplicate key 'alerts.max_kept' (first set on line 1)"_s);
    row("yaml syntax, tab indent", "mqtt:\n  host: a\n\tport: 1\n", 3, u"YAML syntax error: "_s, false);
    row("yaml syntax, nested map value", "log:\n  level: info\nmqtt:\n  host: a: b\n", 4,
        u"YAML syntax error: illegal map value"_s, false);
    row("yaml syntax, bad indent", "mqtt:\n  host: a\n port: 1\n", 3, u"YAML syntax error: "_s, false);
    row("deep nesting", "log:\n  level: " + QByteArray(5000, '[') + QByteArray(5000, ']') + "\n", 2,
        u"YAML syntax error: nesting too deep"_s);
    QByteArray laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 8; ++i) {
        const QByteArray previous = "*a" + QByteArray::number(i - 1);
        laughs += "a" + QByteArray::number(i) + ": &a" + QByteArray::number(i) + " [" + previous;
        for (int j = 1; j < 10; ++j)
            laughs += ", " + previous;
        laughs += "]\n";
    }
    laughs += "routes: *a7\n";
    row("alias expansion", laughs, 1,
        u"the file holds more than 100000 values or 32 levels of nesting once its YAML aliases are expanded"_s);
    row("alias cycle", "a: &a [x, *a]\nroutes: *a\n", 1,
        u"the file holds more than 100000 values or 32 levels of nesting once its YAML aliases are expanded"_s);
    row("long unknown key", "log:\n  " + QByteArray(1000, 'l') + ": 1\n", 2,
        u"unknown key 'log."_s + QString(56, u'l') + u"...'"_s);
    // yaml-cpp loops for ever on these; they are refused before it sees them.
    for (const char *comma :
         {",", "  ,\n", "# note\n,", "&x ,", "!t ,", " !tag, x\n", "&a,\n", "log:\n  level: info\n---\n,"})
        row(qPrintable(u"leading comma "_s + QString::fromLatin1(comma).toHtmlEscaped()), comma, 0,
            u"YAML syntax error: a ',' outside a [list] or {map}"_s);
    row("nul byte", QByteArray("log:\n  level: info\n\0,x\n", 22), 3,
        u"YAML syntax error: control character 0x00 is not allowed"_s);
    row("escape byte", "log:\n  level: in\x1b[2Jfo\n", 2,
        u"YAML syntax error: control character 0x1b is not allowed"_s);
    row("null key", "log:\n  ~: debug\n", 2, u"log: keys must be names, got an empty value"_s);
    row("two documents", "log:\n  level: info\n---\nlog:\n  level: debug\n", 4, u"only one YAML document is allowed"_s);
    row("coap listen, host name", "coap:\n  listen: gateway.lan:5683\n", 2,
        u"coap.listen: 'gateway.lan' is not an IP address (names are not resolved here)"_s);
    row("coap listen, no port", "coap:\n  listen: 0.0.0.0\n", 2, u"coap.listen: expected host:port, got '0.0.0.0'"_s);
    row("coap dtls port 0", "coap:\n  dtls_listen: 0.0.0.0:0\n", 2,
        u"coap.dtls_listen: port 0 is not allowed (leave the value empty to turn DTLS off)"_s);
    row("coap same port twice", "coap:\n  listen: 0.0.0.0:5683\n  dtls_listen: 0.0.0.0:5683\n", 3,
        u"coap.dtls_listen: port 5683 is also coap.listen's port"_s);
    row("coap enabled word", "coap:\n  enabled: maybe\n", 2, u"coap.enabled: expected true or false, got 'maybe'"_s);
    row("coap max_sessions 0", "coap:\n  max_sessions: 0\n", 2, u"coap.max_sessions: 0 is out of range (1..100000)"_s);
    row("translate qos 3", "translate:\n  qos: 3\n", 2, u"translate.qos: 3 is out of range (0..2)"_s);
    row("translate republish list", "translate:\n  republish: [true]\n", 2,
        u"translate.republish: expected true or false, got a list"_s);
    row("newline in echoed value", "log:\n  level: \"de\\nbug\"\n", 2,
        u"log.level: 'de\\nbug' is not one of debug, info, warning, error"_s);
    row("size word", "upstream:\n  max_bytes: lots\n", 2,
        u"upstream.max_bytes: 'lots' is not a size (use e.g. 65536, 512KiB, 256MiB, 1GiB)"_s);
    row("size too small", "influxdb:\n  max_bytes: 1KiB\n", 2,
        u"influxdb.max_bytes: 1KiB is out of range (65536..1099511627776 bytes)"_s);
    row("overflow word", "upstream:\n  overflow: block\n", 2,
        u"upstream.overflow: 'block' is not one of drop_oldest, reject_new"_s);
    row("drain word", "translate:\n  drain: lifo\n", 2, u"translate.drain: 'lifo' is not one of fifo, live_first"_s);
    row("prefix wildcard", "upstream:\n  prefix: edge/#\n", 2,
        u"upstream.prefix: 'edge/#' is not a topic prefix (no + or #, no empty levels)"_s);
    row("influx url scheme", "influxdb:\n  url: ftp://x\n  database: d\n", 2,
        u"influxdb.url: 'ftp://x' is not an http:// or https:// URL without a query"_s);
    row("influx no database", "influxdb:\n  url: http://x:8086\n", 2,
        u"influxdb.url: set either influxdb.database (InfluxDB 1.x) or both influxdb.org and influxdb.bucket (2.x)"_s);
    row("influx both apis", "influxdb:\n  url: http://x:8086\n  database: d\n  org: o\n  bucket: b\n", 2,
        u"influxdb.url: set either influxdb.database (InfluxDB 1.x) or both influxdb.org and influxdb.bucket (2.x)"_s);
    row("cert without key", "upstream:\n  host: a\n  cert_file: c.pem\n", 3,
        u"upstream.cert_file: a client certificate needs both upstream.cert_file and upstream.key_file"_s);
    row("routes not list", "routes:\n  name: r\n", 1, u"routes: expected a list of routes, got a map"_s);
    row("route bad field", "routes:\n  - name: r\n    sinks: [republish]\n  - name: s\n    sink: [republish]\n", 4,
        u"routes[1].sink: unknown field (known: name, match, transform, sinks)"_s);
    row("route sink off", "upstream:\n  host: a\nroutes:\n  - name: r\n    sinks: [upstream, influxdb]\n", 4,
        u"routes[0].sinks: 'influxdb' is not configured (set influxdb.url)"_s);
    row("route duplicate name", "routes:\n  - {name: r, sinks: [republish]}\n  - {name: r, sinks: [republish]}\n", 3,
        u"routes[1].name: 'r' is already used on line 2"_s);
    row("route bad deadband", "routes:\n  - {name: r, sinks: [republish], transform: {deadband: much}}\n", 2,
        u"routes[0].transform.deadband: expected a number, 0 or more"_s);
}

void TestConfig::errors()
{
    QFETCH(QByteArray, yaml);
    QFETCH(int, line);
    QFETCH(QString, message);
    QFETCH(bool, exact);

    const ConfigLoad load = loadConfigText(yaml);
    QVERIFY2(load.errors.size() == 1, dump(load).constData());
    const ConfigError &error = load.errors.constFirst();
    QCOMPARE(error.line, line);
    if (exact)
        QCOMPARE(error.message, message);
    else
        QVERIFY2(error.message.contains(message), qPrintable(error.message));
    QVERIFY(!error.message.contains(u'\n'));
}

void TestConfig::multipleErrors()
{
    const QByteArray yaml = R"(gateway:
  id: "bad id"
mqtt:
  hots: broker
  host: broker.lan
  port: 0
  keepalive: 1x
http:
  listen: nowhere
registry:
  policy: maybe
analytics:
  window: many
  min_samples: 50
log: verbose
alerts:
  max_kept: 5
)";
    const ConfigLoad load = loadConfigText(yaml);
    const QList<QPair<int, QString>> expected{
        {2, u"gateway.id:"_s},        {4, u"unknown key 'mqtt.hots'"_s},
        {6, u"mqtt.port:"_s},         {7, u"mqtt.keepalive:"_s},
        {9, u"http.listen:"_s},       {11, u"registry.policy:"_s},
        {13, u"analytics.window:"_s}, {15, u"log:"_s},
    };
    QVERIFY2(load.errors.size() == expected.size(), dump(load).constData());
    for (qsizetype i = 0; i < expected.size(); ++i) {
        QCOMPARE(load.errors.at(i).line, expected.at(i).first);
        QVERIFY2(load.errors.at(i).message.startsWith(expected.at(i).second), qPrintable(load.errors.at(i).message));
    }
    // Valid keys still apply and rejected ones keep their defaults; no min_samples rule fires against a bad window.
    QCOMPARE(load.config.mqtt.host, u"broker.lan"_s);
    QCOMPARE(load.config.alerts.maxKept, 5);
    QCOMPARE(load.config.analytics.minSamples, 50);
    QCOMPARE(load.config.mqtt.port, Config{}.mqtt.port);
    QCOMPARE(load.config.registry.policy, RegistryPolicy::Auto);
}

void TestConfig::parseDuration_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<qint64>("ms");

    // Row names must stay on one line in the test log.
    const auto name = [](const char *text) { return QByteArray(text).replace('\t', "\\t").replace('\n', "\\n"); };
    const auto ok = [&](const char *text, qint64 ms) {
        QTest::addRow("'%s'", name(text).constData()) << QString::fromUtf8(text) << true << ms;
    };
    const auto bad = [&](const char *text) {
        QTest::addRow("bad '%s'", name(text).constData()) << QString::fromUtf8(text) << false << qint64(0);
    };

    ok("500ms", 500);
    ok("90s", 90000);
    ok("5m", 300000);
    ok("1h", 3600000);
    ok("2d", 172800000);
    ok("1.5s", 1500);
    ok("0.25m", 15000);
    ok("1.5h", 5400000);
    ok("0.5d", 43200000);
    ok("1.001s", 1001);
    ok("2.500s", 2500);
    ok("90", 90000);
    ok("1.5", 1500);
    ok("0", 0);
    ok("0ms", 0);
    ok("007s", 7000);
    ok("  90s  ", 90000);
    ok("\t5m\n", 300000);
    ok("9223372036854775807ms", std::numeric_limits<qint64>::max());

    bad("");
    bad("   ");
    bad("s");
    bad("ms");
    bad("-5s");
    bad("+5s");
    bad("5 s");
    bad("5x");
    bad("5S");
    bad("5min");
    bad("5ms5");
    bad("1.5ms");
    bad("5.");
    bad(".5s");
    bad("1e3");
    bad("1,5s");
    bad("1.0005s");
    bad("0.00000000001d");
    bad("9223372036854776s");
    bad("99999999999999999999");
}

void TestConfig::parseDuration()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(qint64, ms);
    const auto parsed = edgegate::parseDuration(text);
    QCOMPARE(parsed.has_value(), valid);
    if (valid)
        QCOMPARE(qint64(parsed->count()), ms);
}

void TestConfig::formatErrors_data()
{
    QTest::addColumn<QList<ConfigError>>("errors");
    QTest::addColumn<QString>("expected");
    QTest::addRow("none") << QList<ConfigError>{} << QString();
    QTest::addRow("one") << QList<ConfigError>{{3, u"mqtt.port: 0 is out of range (1..65535)"_s}}
                         << u"/etc/edgegated.yaml:3: mqtt.port: 0 is out of range (1..65535)\n"_s;
    QTest::addRow("line zero") << QList<ConfigError>{{0, u"cannot read file: No such file or directory"_s}}
                               << u"/etc/edgegated.yaml: cannot read file: No such file or directory\n"_s;
    QTest::addRow("several") << QList<ConfigError>{{1, u"a"_s}, {0, u"b"_s}, {12, u"c"_s}}
                             << u"/etc/edgegated.yaml:1: a\n/etc/edgegated.yaml: b\n/etc/edgegated.yaml:12: c\n"_s;
}

void TestConfig::formatErrors()
{
    QFETCH(QList<ConfigError>, errors);
    QFETCH(QString, expected);
    QCOMPARE(formatConfigErrors(u"/etc/edgegated.yaml"_s, errors), expected);
}

void TestConfig::missingFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const ConfigLoad load = loadConfigFile(dir.filePath(u"absent.yaml"_s));
    QCOMPARE(load.errors.size(), 1);
    QCOMPARE(load.errors.constFirst().line, 0);
    QVERIFY2(load.errors.constFirst().message.startsWith(u"cannot read file: "_s),
             qPrintable(load.errors.constFirst().message));
    Config expected;
    deriveSettings(expected);
    QVERIFY(sameConfig(load.config, expected));
}

void TestConfig::directoryInsteadOfFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const ConfigLoad load = loadConfigFile(dir.path());
    QCOMPARE(load.errors.size(), 1);
    QCOMPARE(load.errors.constFirst().line, 0);
    QVERIFY(load.errors.constFirst().message.startsWith(u"cannot read file: "_s));
}

void TestConfig::realFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"edgegated.yaml"_s);

    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("# written by the test\nmqtt:\n  port: 1884\nregistry:\n  policy: deny\n");
    file.close();
    ConfigLoad load = loadConfigFile(path);
    QVERIFY2(load.errors.isEmpty(), dump(load).constData());
    QCOMPARE(load.config.mqtt.port, quint16(1884));
    QCOMPARE(load.config.registry.policy, RegistryPolicy::Deny);

    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("mqtt:\n  port: 1884\n  prot: 5\n");
    file.close();
    load = loadConfigFile(path);
    QCOMPARE(formatConfigErrors(path, load.errors),
             path + u":3: unknown key 'mqtt.prot' (did you mean 'mqtt.port'?)\n"_s);
}

void TestConfig::sampleConfig()
{
    const QString path = QString::fromUtf8(EDGEGATE_SOURCE_DIR) + u"/packaging/edgegated.yaml"_s;
    QVERIFY2(QFile::exists(path), qPrintable(path));
    const ConfigLoad load = loadConfigFile(path);
    QVERIFY2(load.errors.isEmpty(), qPrintable(formatConfigErrors(path, load.errors)));

    // The sample promises to show the defaults for everything it does not deliberately set.
    Config expected;
    expected.gateway.id = u"edgegate-dev"_s;
    deriveSettings(expected);
    QVERIFY(sameConfig(load.config, expected));
    QVERIFY(load.config.mqtt.v5);
    QCOMPARE(load.config.http.host, u"127.0.0.1"_s);
    QCOMPARE(load.config.http.port, quint16(8080));
    QCOMPARE(load.config.registry.offlineAfter, 90s);
}

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
