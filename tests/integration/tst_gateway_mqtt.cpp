// SPDX-License-Identifier: Apache-2.0
// edgegated end to end over a real mosquitto: registration, meta and status, offline detection,
// bad input, broker loss, shutdown and restart, the WebSocket feed and /metrics through promtool.
#include "shared/wsprotocol.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>

using namespace testsupport;
using namespace Qt::StringLiterals;

namespace {

/// The device as REST shows it; empty while it is unknown.
QJsonObject device(Http &http, const QString &id)
{
    const HttpReply reply = http.get(u"/api/v1/devices/"_s + id);
    return reply.status == 200 ? reply.json() : QJsonObject();
}

/// Frames a WebSocket client received, decoded with the shared codec.
struct FeedClient
{
    QWebSocket socket;
    QList<edgegate::wsapi::Frame> frames;

    explicit FeedClient(quint16 port)
    {
        QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket, [this](const QString &text) {
            const auto decoded = edgegate::wsapi::decodeFrame(text.toUtf8());
            if (decoded.frame)
                frames.append(*decoded.frame);
        });
        socket.open(QUrl(u"ws://127.0.0.1:%1/ws"_s.arg(port)));
    }

    [[nodiscard]] int count(QStringView type) const
    {
        return static_cast<int>(
            std::count_if(frames.cbegin(), frames.cend(), [type](const auto &f) { return f.type == type; }));
    }

    [[nodiscard]] std::optional<edgegate::wsapi::Frame> last(QStringView type) const
    {
        for (auto it = frames.crbegin(); it != frames.crend(); ++it) {
            if (it->type == type)
                return *it;
        }
        return std::nullopt;
    }
};

} // namespace

class TestGatewayMqtt : public QObject
{
    Q_OBJECT
private slots:
    void fiftyDevicesAutoRegistered();
    void metaAndStatus();
    void offlineAfterSilence();
    void badInputIsCountedAndServiceKeepsServing();
    void brokerKilledAndRestarted();
    void brokerAbsentAtStart();
    void sigtermExitsCleanly();
    void restartKeepsRegistry();
    void crashLeavesWill();
    void mqtt311();
    void webSocketFeed();
};

void TestGatewayMqtt::fiftyDevicesAutoRegistered()
{
    Broker broker;
    QVERIFY(broker.start());
    Gateway gw;
    QVERIFY(gw.start(gw.config(broker.port())));
    for (int i = 0; i < 50; ++i) {
        const QString id = u"sensor-%1"_s.arg(i, 2, 10, QLatin1Char('0'));
        QVERIFY(publish(broker.port(), u"devices/%1/telemetry"_s.arg(id),
                        u"{\"temperature\": %1.5, \"humidity\": %2}"_s.arg(20 + i % 5).arg(40 + i).toUtf8()));
    }
    Http http(gw.httpPort());
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/api/v1/devices"_s).json().value(u"total"_s).toInt(), 50, 10000);

    const QJsonObject page = http.get(u"/api/v1/devices?limit=20&offset=40"_s).json();
    QCOMPARE(page.value(u"devices"_s).toArray().size(), 10);
    QCOMPARE(page.value(u"devices"_s).toArray().first().toObject().value(u"id"_s).toString(), u"sensor-40"_s);
    QCOMPARE(http.get(u"/api/v1/devices?status=online&limit=100"_s).json().value(u"devices"_s).toArray().size(), 50);
    QCOMPARE(http.get(u"/api/v1/devices?status=offline"_s).json().value(u"total"_s).toInt(), 0);

    const QJsonObject d = device(http, u"sensor-07"_s);
    QCOMPARE(d.value(u"status"_s).toString(), u"online"_s);
    QCOMPARE(d.value(u"protocol"_s).toString(), u"mqtt"_s);
    QCOMPARE(d.value(u"proof"_s).toString(), u"broker"_s);

    const QJsonObject latest = http.get(u"/api/v1/devices/sensor-07/telemetry/latest"_s).json();
    const QJsonObject temperature = latest.value(u"metrics"_s).toObject().value(u"temperature"_s).toObject();
    QCOMPARE(temperature.value(u"value"_s).toDouble(), 22.5);
    QCOMPARE(temperature.value(u"stats"_s).toObject().value(u"count"_s).toInt(), 1);
    QCOMPARE(latest.value(u"metrics"_s).toObject().value(u"humidity"_s).toObject().value(u"value"_s).toInt(), 47);

    const HttpReply metrics = http.get(u"/metrics"_s);
    QCOMPARE(metrics.status, 200);
    QVERIFY(metrics.contentType.startsWith("text/plain"));
    QString promtool;
    QVERIFY2(promtoolCheck(metrics.body, &promtool), qPrintable(promtool));
    QCOMPARE(metricValue(metrics.body, u"edgegate_messages_total{protocol=\"mqtt\",kind=\"telemetry\"}"_s), 50.0);
    QCOMPARE(metricValue(metrics.body, u"edgegate_devices{status=\"online\"}"_s), 50.0);
    QCOMPARE(metricValue(metrics.body, u"edgegate_mqtt_connected"_s), 1.0);
    QCOMPARE(metricValue(metrics.body, u"edgegate_ingest_latency_seconds_count"_s), 50.0);
    QVERIFY(metricValue(metrics.body, u"process_resident_memory_bytes"_s) > 0);
    // The gateway announced itself, retained, with the will as its counterpart.
    QCOMPARE(retained(broker.port(), u"gateway/test-gw/status"_s), QByteArray("online"));
    QVERIFY(broker.log().contains(u"as edgegate-test-gw (p5"_s));
}

void TestGatewayMqtt::metaAndStatus()
{
    Broker broker;
    QVERIFY(broker.start());
    Gateway gw;
    QVERIFY(gw.start(gw.config(broker.port())));
    Http http(gw.httpPort());
    QVERIFY(publish(broker.port(), u"devices/th-1/meta"_s,
                    R"({"type": "thermostat", "firmware": "4.2.0", "model": "T-800", "capabilities": ["heat"]})"));
    QTRY_COMPARE_WITH_TIMEOUT(device(http, u"th-1"_s).value(u"type"_s).toString(), u"thermostat"_s, 10000);
    const QJsonObject d = device(http, u"th-1"_s);
    QCOMPARE(d.value(u"firmware"_s).toString(), u"4.2.0"_s);
    // Model and capabilities are fields of their own, not metadata.
    QCOMPARE(d.value(u"model"_s).toString(), u"T-800"_s);
    QCOMPARE(d.value(u"capabilities"_s).toArray(), QJsonArray({u"heat"_s}));
    QVERIFY(d.value(u"metadata"_s).toObject().isEmpty());

    // Devices announce offline as their retained will.
    QVERIFY(publish(broker.port(), u"devices/th-1/status"_s, "offline", 1, true));
    QTRY_COMPARE_WITH_TIMEOUT(device(http, u"th-1"_s).value(u"status"_s).toString(), u"offline"_s, 10000);
    QVERIFY(publish(broker.port(), u"devices/th-1/status"_s, "online", 1, true));
    QTRY_COMPARE_WITH_TIMEOUT(device(http, u"th-1"_s).value(u"status"_s).toString(), u"online"_s, 10000);
    QVERIFY(publish(broker.port(), u"devices/th-1/status"_s, R"({"status": "error"})"));
    QTRY_COMPARE_WITH_TIMEOUT(device(http, u"th-1"_s).value(u"status"_s).toString(), u"error"_s, 10000);
}

void TestGatewayMqtt::offlineAfterSilence()
{
    Broker broker;
    QVERIFY(broker.start());
    Gateway gw;
    QVERIFY(gw.start(gw.config(broker.port(), u"registry:\n  offline_after: 1s\n"_s)));
    Http http(gw.httpPort());
    QVERIFY(publish(broker.port(), u"devices/quiet/telemetry"_s, R"({"v": 1})"));
    QTRY_COMPARE_WITH_TIMEOUT(device(http, u"quiet"_s).value(u"status"_s).toString(), u"online"_s, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(device(http, u"quiet"_s).value(u"status"_s).toString(), u"offline"_s, 10000);
    QVERIFY(publish(broker.port(), u"devices/quiet/telemetry"_s, R"({"v": 2})"));
    QTRY_COMPARE_WITH_TIMEOUT(device(http, u"quiet"_s).value(u"status"_s).toString(), u"online"_s, 10000);
}

void TestGatewayMqtt::badInputIsCountedAndServiceKeepsServing()
{
    Broker broker;
    QVERIFY(broker.start());
    Gateway gw;
    QVERIFY(gw.start(gw.config(broker.port(), u"ingest:\n  max_payload_bytes: 256\n"_s)));
    Http http(gw.httpPort());
    QVERIFY(publish(broker.port(), u"devices/good/telemetry"_s, R"({"v": 1})"));
    QTRY_VERIFY_WITH_TIMEOUT(!device(http, u"good"_s).isEmpty(), 10000);

    struct Bad
    {
        QString topic;
        QByteArray payload;
        QString reason;
    };
    const QList<Bad> bad = {
        {u"devices/good/telemetry"_s, "{\"v\": ", u"malformed_json"_s},
        {u"devices/good/telemetry"_s, "", u"empty"_s},
        {u"devices/good/telemetry"_s, "[1, 2]", u"not_an_object"_s},
        {u"devices/good/telemetry"_s, "[{\"v\": 1}]", u"bad_senml"_s},
        {u"devices/good/telemetry"_s, "\"text\"", u"not_an_object"_s},
        {u"devices/good/telemetry"_s, "{\"v\": NaN}", u"non_finite"_s},
        {u"devices/good/telemetry"_s, "{\"v\": 1e999}", u"non_finite"_s},
        {u"devices/good/telemetry"_s, QByteArray(300, 'x'), u"too_large"_s},
        {u"devices/bad id/telemetry"_s, "{\"v\": 1}", u"invalid_device_id"_s},
        {u"devices/%1/telemetry"_s.arg(QString(65, u'a')), "{\"v\": 1}", u"invalid_device_id"_s},
        {u"devices/a/b/telemetry"_s, "{\"v\": 1}", u"bad_topic_levels"_s},
    };
    for (const Bad &b : bad)
        QVERIFY(publish(broker.port(), b.topic, b.payload));
    // Still serving, and still ingesting.
    QVERIFY(publish(broker.port(), u"devices/good/telemetry"_s, R"({"v": 2})"));
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/api/v1/devices/good/telemetry/latest"_s)
                                  .json()
                                  .value(u"metrics"_s)
                                  .toObject()
                                  .value(u"v"_s)
                                  .toObject()
                                  .value(u"value"_s)
                                  .toInt(),
                              2, 10000);
    QCOMPARE(http.get(u"/healthz"_s).status, 200);

    const QByteArray metrics = http.get(u"/metrics"_s).body;
    QMap<QString, int> expected;
    for (const Bad &b : bad)
        ++expected[b.reason];
    for (auto it = expected.cbegin(); it != expected.cend(); ++it) {
        const double counted = metricValue(metrics, u"edgegate_bad_messages_total{reason=\"%1\"}"_s.arg(it.key()));
        QVERIFY2(counted == it.value(),
                 qPrintable(u"%1: %2 counted, %3 sent"_s.arg(it.key()).arg(counted).arg(it.value())));
    }
    QVERIFY(device(http, u"good"_s).value(u"last_error"_s).toString().startsWith(u"too_large"_s));
    QCOMPARE(http.get(u"/api/v1/devices"_s).json().value(u"total"_s).toInt(), 1);
    QVERIFY(gw.output().contains(u"refused mqtt message"_s));
}

void TestGatewayMqtt::brokerKilledAndRestarted()
{
    Broker broker;
    QVERIFY(broker.start());
    const quint16 port = broker.port();
    Gateway gw;
    QVERIFY(gw.start(gw.config(port)));
    Http http(gw.httpPort());
    QVERIFY(publish(port, u"devices/before/telemetry"_s, R"({"v": 1})"));
    QTRY_VERIFY_WITH_TIMEOUT(!device(http, u"before"_s).isEmpty(), 10000);

    broker.kill();
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/healthz"_s).json().value(u"broker"_s).toString(), u"disconnected"_s, 10000);
    QCOMPARE(http.get(u"/healthz"_s).status, 200); // still serving the API

    Broker again;
    QVERIFY(again.start(port));
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/healthz"_s).json().value(u"broker"_s).toString(), u"connected"_s, 10000);
    // Subscriptions are restored on the new connection.
    QVERIFY(publish(port, u"devices/after/telemetry"_s, R"({"v": 2})"));
    QTRY_VERIFY_WITH_TIMEOUT(!device(http, u"after"_s).isEmpty(), 10000);
    const QByteArray metrics = http.get(u"/metrics"_s).body;
    QCOMPARE(metricValue(metrics, u"edgegate_mqtt_reconnects_total"_s), 1.0);
    QVERIFY(gw.output().contains(u"connection to the broker lost"_s));
    QVERIFY(gw.output().contains(u"connected to the broker again"_s));
}

void TestGatewayMqtt::brokerAbsentAtStart()
{
    const quint16 port = freePort();
    Gateway gw;
    QVERIFY(gw.start(gw.config(port)));
    Http http(gw.httpPort());
    QCOMPARE(http.get(u"/healthz"_s).json().value(u"broker"_s).toString(), u"disconnected"_s);
    Broker broker;
    QVERIFY(broker.start(port));
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/healthz"_s).json().value(u"broker"_s).toString(), u"connected"_s, 10000);
    QVERIFY(publish(port, u"devices/late/telemetry"_s, R"({"v": 1})"));
    QTRY_VERIFY_WITH_TIMEOUT(!device(http, u"late"_s).isEmpty(), 10000);
    // Retries while the broker was away are logged once, not once per attempt.
    QCOMPARE(gw.output().count(u"cannot connect to the broker"_s), 1);
}

void TestGatewayMqtt::sigtermExitsCleanly()
{
    Broker broker;
    QVERIFY(broker.start());
    Gateway gw;
    QVERIFY(gw.start(gw.config(broker.port())));
    QVERIFY(publish(broker.port(), u"devices/x/telemetry"_s, R"({"v": 1})"));
    Http http(gw.httpPort());
    QTRY_VERIFY_WITH_TIMEOUT(!device(http, u"x"_s).isEmpty(), 10000);
    QCOMPARE(gw.terminate(), 0);
    QVERIFY(gw.output().contains(u"stopped"_s));
    // A clean stop says offline itself, since the broker does not send the will then.
    QCOMPARE(retained(broker.port(), u"gateway/test-gw/status"_s), QByteArray("offline"));
}

void TestGatewayMqtt::restartKeepsRegistry()
{
    Broker broker;
    QVERIFY(broker.start());
    Gateway gw;
    const QString config = gw.config(broker.port());
    QVERIFY(gw.start(config));
    Http http(gw.httpPort());
    for (const QString &id : {u"r1"_s, u"r2"_s, u"r3"_s})
        QVERIFY(publish(broker.port(), u"devices/%1/telemetry"_s.arg(id), R"({"v": 1})"));
    QVERIFY(publish(broker.port(), u"devices/r1/meta"_s, R"({"type": "meter"})"));
    QTRY_COMPARE_WITH_TIMEOUT(device(http, u"r1"_s).value(u"type"_s).toString(), u"meter"_s, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/api/v1/devices"_s).json().value(u"total"_s).toInt(), 3, 10000);
    const QJsonObject before = device(http, u"r2"_s);
    QCOMPARE(gw.terminate(), 0);

    QVERIFY(gw.start(config));
    QCOMPARE(http.get(u"/api/v1/devices"_s).json().value(u"total"_s).toInt(), 3);
    QCOMPARE(device(http, u"r2"_s).value(u"first_seen"_s), before.value(u"first_seen"_s));
    QCOMPARE(device(http, u"r1"_s).value(u"type"_s).toString(), u"meter"_s);
    QVERIFY(publish(broker.port(), u"devices/r2/telemetry"_s, R"({"v": 2})"));
    QTRY_VERIFY_WITH_TIMEOUT(device(http, u"r2"_s).value(u"last_seen"_s) != before.value(u"last_seen"_s), 10000);
    const QByteArray metrics = http.get(u"/metrics"_s).body;
    QCOMPARE(metricValue(metrics, u"edgegate_devices_registered_total"_s), 0.0);
}

void TestGatewayMqtt::crashLeavesWill()
{
    Broker broker;
    QVERIFY(broker.start());
    Gateway gw;
    QVERIFY(gw.start(gw.config(broker.port(), {}, u"  keepalive: 5s\n"_s)));
    QCOMPARE(retained(broker.port(), u"gateway/test-gw/status"_s), QByteArray("online"));
    gw.kill();
    // The broker publishes the will as soon as it sees the connection drop.
    QTRY_COMPARE_WITH_TIMEOUT(retained(broker.port(), u"gateway/test-gw/status"_s), QByteArray("offline"), 15000);
}

void TestGatewayMqtt::mqtt311()
{
    Broker broker;
    QVERIFY(broker.start());
    Gateway gw;
    QVERIFY(gw.start(gw.config(broker.port(), {}, u"  protocol: 3.1.1\n"_s)));
    Http http(gw.httpPort());
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/healthz"_s).json().value(u"broker"_s).toString(), u"connected"_s, 10000);
    QVERIFY(publish(broker.port(), u"devices/old/telemetry"_s, R"({"v": 1})", 1, false, u"3.1.1"_s));
    QTRY_VERIFY_WITH_TIMEOUT(!device(http, u"old"_s).isEmpty(), 10000);
    // mosquitto logs the protocol level of each client: p2 is 3.1.1, p5 is 5.
    QTRY_VERIFY_WITH_TIMEOUT(broker.log().contains(u"as edgegate-test-gw (p2"_s), 10000);
}

void TestGatewayMqtt::webSocketFeed()
{
    using namespace edgegate;
    Broker broker;
    QVERIFY(broker.start());
    Gateway gw;
    QVERIFY(gw.start(gw.config(broker.port(), u"analytics:\n  window: 10\n  min_samples: 5\n  anomaly_z: 3\n"_s)));
    QVERIFY(publish(broker.port(), u"devices/pre/telemetry"_s, R"({"v": 1})"));
    Http http(gw.httpPort());
    QTRY_VERIFY_WITH_TIMEOUT(!device(http, u"pre"_s).isEmpty(), 10000);

    FeedClient client(gw.httpPort());
    QTRY_COMPARE_WITH_TIMEOUT(client.count(wsapi::type::Devices), 1, 10000);
    QCOMPARE(client.frames.first().type, wsapi::type::Hello);
    QCOMPARE(wsapi::helloFromFrame(client.frames.first())->gatewayId, u"test-gw"_s);
    const auto snapshot = wsapi::devicesFromFrame(*client.last(wsapi::type::Devices));
    QVERIFY(snapshot);
    QCOMPARE(snapshot->size(), 1);
    QCOMPARE(snapshot->front().id, u"pre"_s);

    // Not subscribed yet: device changes come, telemetry does not.
    QVERIFY(publish(broker.port(), u"devices/w1/telemetry"_s, R"({"v": 10})"));
    QTRY_COMPARE_WITH_TIMEOUT(client.count(wsapi::type::Device), 1, 10000);
    QCOMPARE(wsapi::deviceFromFrame(*client.last(wsapi::type::Device))->id, u"w1"_s);
    QCOMPARE(client.count(wsapi::type::Telemetry), 0);

    client.socket.sendTextMessage(
        QString::fromUtf8(wsapi::encodeSubscription(wsapi::type::Subscribe, {false, {u"w1"_s}})));
    QTRY_COMPARE_WITH_TIMEOUT(client.count(wsapi::type::Subscribed), 1, 10000);
    for (int v : {10, 12, 14, 16, 10, 12})
        QVERIFY(publish(broker.port(), u"devices/w1/telemetry"_s, u"{\"v\": %1, \"label\": \"ok\"}"_s.arg(v).toUtf8()));
    QTRY_COMPARE_WITH_TIMEOUT(client.count(wsapi::type::Telemetry), 6, 10000);
    const auto update = wsapi::telemetryFromFrame(*client.last(wsapi::type::Telemetry));
    QVERIFY(update);
    QCOMPARE(update->deviceId, u"w1"_s);
    QCOMPARE(update->samples.size(), 2);
    for (const auto &s : update->samples) {
        if (s.name == u"v")
            QCOMPARE(std::get<qint64>(s.value), 12);
        else
            QCOMPARE(std::get<QString>(s.value), u"ok"_s);
    }
    // Another device's telemetry is not sent to this client.
    QVERIFY(publish(broker.port(), u"devices/pre/telemetry"_s, R"({"v": 2})"));
    // An anomaly reaches every client as an alert.
    QVERIFY(publish(broker.port(), u"devices/w1/telemetry"_s, R"({"v": 500})"));
    QTRY_COMPARE_WITH_TIMEOUT(client.count(wsapi::type::Alert), 1, 10000);
    const auto alert = wsapi::alertFromFrame(*client.last(wsapi::type::Alert));
    QVERIFY(alert);
    QCOMPARE(alert->deviceId, u"w1"_s);
    QCOMPARE(alert->metric, u"v"_s);
    QCOMPARE(alert->value, 500.0);
    QCOMPARE(client.count(wsapi::type::Telemetry), 7);
    for (const auto &f : client.frames) {
        if (f.type == wsapi::type::Telemetry)
            QCOMPARE(wsapi::telemetryFromFrame(f)->deviceId, u"w1"_s);
    }
    QCOMPARE(http.get(u"/api/v1/alerts"_s).json().value(u"alerts"_s).toArray().size(), 1);
    QCOMPARE(http.get(u"/api/v1/alerts?device=w1"_s).json().value(u"total"_s).toInt(), 1);
    QCOMPARE(http.get(u"/api/v1/alerts?device=pre"_s).json().value(u"total"_s).toInt(), 0);

    // Bad frames get an error frame, and the connection stays usable.
    client.socket.sendTextMessage(u"not json"_s);
    client.socket.sendTextMessage(u"{\"v\": 1, \"type\": \"dance\"}"_s);
    QTRY_COMPARE_WITH_TIMEOUT(client.count(wsapi::type::Error), 2, 10000);
    QCOMPARE(wsapi::errorFromFrame(*client.last(wsapi::type::Error))->code, u"unknown_type"_s);
    client.socket.sendTextMessage(QString::fromUtf8(wsapi::encodeSubscription(wsapi::type::Unsubscribe, {true, {}})));
    QTRY_COMPARE_WITH_TIMEOUT(client.count(wsapi::type::Subscribed), 2, 10000);

    // Only /ws speaks WebSocket; an upgrade elsewhere gets no feed.
    QWebSocket stray;
    QSignalSpy strayFrames(&stray, &QWebSocket::textMessageReceived);
    QSignalSpy strayClosed(&stray, &QWebSocket::disconnected);
    stray.open(QUrl(u"ws://127.0.0.1:%1/api/v1/devices"_s.arg(gw.httpPort())));
    QVERIFY(strayClosed.wait(10000));
    QCOMPARE(strayFrames.size(), 0);
}

QTEST_GUILESS_MAIN(TestGatewayMqtt)
#include "tst_gateway_mqtt.moc"
