// SPDX-License-Identifier: Apache-2.0
// Devices on HTTP and WebSocket: ingestion with the real curl and a QWebSocket client, device
// tokens, and translation: every accepted message appears once on the local broker, values intact.
#include "testsupport.h"

#include <QCborMap>
#include <QCborValue>
#include <QJsonArray>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

using namespace testsupport;
using namespace Qt::StringLiterals;

namespace {

QStringList post(const QByteArray &contentType, const QString &dataArg, const QStringList &extra = {})
{
    return QStringList{
               u"-X"_s, u"POST"_s, u"-H"_s, u"Content-Type: "_s + QString::fromLatin1(contentType), u"--data-binary"_s,
               dataArg}
    + extra;
}

QJsonObject latest(Http &http, const QString &id)
{
    return http.get(u"/api/v1/devices/%1/telemetry/latest"_s.arg(id)).json().value(u"metrics"_s).toObject();
}

/// A device on /ws/device/{id}, collecting the gateway's answers.
struct WsDevice
{
    QWebSocket socket;
    QList<QJsonObject> frames;

    WsDevice(quint16 port, const QString &id, const QByteArray &token = {})
    {
        QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket, [this](const QString &text) {
            frames.append(QJsonDocument::fromJson(text.toUtf8()).object());
        });
        QNetworkRequest request(QUrl(u"ws://127.0.0.1:%1/ws/device/%2"_s.arg(port).arg(id)));
        if (!token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + token);
        socket.open(request);
    }
};

} // namespace

class TestDeviceLinks : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void httpTelemetryIsTranslatedOnce();
    void httpBadInput_data();
    void httpBadInput();
    void httpToken();
    void credentialsApi();
    void webSocketDevice();
    void webSocketToken();
    void mqtt311GatewayDoesNotReingestItsRepublish();
    void coapDeviceThroughTheGateway();

private:
    std::unique_ptr<Broker> m_broker;
    std::unique_ptr<Gateway> m_gateway;
    std::unique_ptr<Http> m_http;
    QTemporaryDir m_files;
    void startGateway(const QString &extra = {}, const QString &mqttExtra = {});
};

void TestDeviceLinks::init()
{
    m_broker = std::make_unique<Broker>();
    QVERIFY(m_broker->start());
}

void TestDeviceLinks::cleanup()
{
    m_http.reset();
    m_gateway.reset();
    m_broker.reset();
}

void TestDeviceLinks::startGateway(const QString &extra, const QString &mqttExtra)
{
    m_gateway = std::make_unique<Gateway>();
    QVERIFY(m_gateway->start(m_gateway->config(m_broker->port(), extra, mqttExtra)));
    m_http = std::make_unique<Http>(m_gateway->httpPort());
    QTRY_COMPARE_WITH_TIMEOUT(m_http->get(u"/healthz"_s).json().value(u"broker"_s).toString(), u"connected"_s, 10000);
}

void TestDeviceLinks::httpTelemetryIsTranslatedOnce()
{
    startGateway();
    Subscriber sub(m_broker->port(), u"devices/+/telemetry"_s);
    QVERIFY(sub.waitUntilSubscribed(*m_broker));
    const quint16 port = m_gateway->httpPort();

    CurlReply r = curl(port, u"/api/v1/devices/h-json/telemetry"_s,
                       post("application/json", uR"({"temperature": 21.5, "on": true, "ts": 1700000000123})"_s));
    QCOMPARE(r.status, 202);
    QCOMPARE(r.json().value(u"status"_s).toString(), u"accepted"_s);

    QCborMap map;
    map.insert(u"pressure"_s, 1013);
    map.insert(u"label"_s, u"north"_s);
    const QString cborPath = m_files.filePath(u"m.cbor"_s);
    QFile cbor(cborPath);
    QVERIFY(cbor.open(QIODevice::WriteOnly));
    cbor.write(map.toCborValue().toCbor());
    cbor.close();
    r = curl(port, u"/api/v1/devices/h-cbor/telemetry"_s, post("application/cbor", u"@"_s + cborPath));
    QCOMPARE(r.status, 202);

    r = curl(port, u"/api/v1/devices/h-senml/telemetry"_s,
             post("application/senml+json",
                  uR"([{"bn": "h-senml:", "bt": 1700000000, "n": "a", "v": 1}, {"n": "a", "t": 1, "v": 2}])"_s));
    QCOMPARE(r.status, 202);

    QTRY_COMPARE_WITH_TIMEOUT(sub.messages().size(), 3, 10000);
    QHash<QString, QByteArray> byTopic;
    for (const auto &[topic, payload] : sub.messages())
        byTopic.insert(topic, payload);
    QCOMPARE(byTopic.size(), 3); // exactly once each

    const QJsonObject json = QJsonDocument::fromJson(byTopic.value(u"devices/h-json/telemetry"_s)).object();
    QCOMPARE(json.value(u"temperature"_s).toDouble(), 21.5);
    QCOMPARE(json.value(u"on"_s).toBool(), true);
    QCOMPARE(json.value(u"ts"_s).toInteger(), 1700000000123);
    const QJsonObject fromCbor = QJsonDocument::fromJson(byTopic.value(u"devices/h-cbor/telemetry"_s)).object();
    QCOMPARE(fromCbor.value(u"pressure"_s).toInteger(), 1013);
    QCOMPARE(fromCbor.value(u"label"_s).toString(), u"north"_s);
    const QJsonArray senml = QJsonDocument::fromJson(byTopic.value(u"devices/h-senml/telemetry"_s)).array();
    QCOMPARE(senml.size(), 2);
    QCOMPARE(senml.at(1).toObject().value(u"n"_s).toString(), u"h-senml:a"_s);
    QCOMPARE(senml.at(1).toObject().value(u"v"_s).toDouble(), 2.0);
    QCOMPARE(senml.at(1).toObject().value(u"t"_s).toDouble(), 1700000001.0);

    QCOMPARE(latest(*m_http, u"h-cbor"_s).value(u"pressure"_s).toObject().value(u"value"_s).toInt(), 1013);
    QCOMPARE(m_http->get(u"/api/v1/devices/h-json"_s).json().value(u"protocol"_s).toString(), u"http"_s);
    QCOMPARE(m_http->get(u"/api/v1/devices/h-json"_s).json().value(u"proof"_s).toString(), u"none"_s);

    // The gateway never ingested its own republish (MQTT 5: No Local).
    const QByteArray metrics = m_http->get(u"/metrics"_s).body;
    QCOMPARE(metricValue(metrics, u"edgegate_messages_total{protocol=\"mqtt\",kind=\"telemetry\"}"_s), 0.0);
    QCOMPARE(metricValue(metrics, u"edgegate_messages_total{protocol=\"http\",kind=\"telemetry\"}"_s), 3.0);
    QString promtool;
    QVERIFY2(promtoolCheck(metrics, &promtool), qPrintable(promtool));
}

void TestDeviceLinks::httpBadInput_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    const QString telemetry = u"/api/v1/devices/dev-1/telemetry"_s;
    QTest::addRow("malformed") << telemetry << post("application/json", u"{\"a\": "_s) << 400 << u"malformed_json"_s;
    QTest::addRow("not senml") << telemetry << post("application/senml+json", u"{\"a\": 1}"_s) << 400
                               << u"not_an_object"_s;
    QTest::addRow("text/plain") << telemetry << post("text/plain", u"21.5"_s) << 415 << u"unsupported_format"_s;
    QTest::addRow("no content type") << telemetry
                                     << QStringList{u"-X"_s, u"POST"_s, u"-H"_s, u"Content-Type:"_s, u"--data-binary"_s,
                                                    u"{}"_s}
                                     << 415 << u"unsupported_format"_s;
    QTest::addRow("oversized") << telemetry << post("application/json", QString(300, u' ') + u"{}"_s) << 413
                               << u"too_large"_s;
    QTest::addRow("invalid id") << u"/api/v1/devices/bad%21id/telemetry"_s << post("application/json", u"{}"_s) << 400
                                << u"invalid_device_id"_s;
    QTest::addRow("GET") << telemetry << QStringList{} << 405 << u"method_not_allowed"_s;
}

void TestDeviceLinks::httpBadInput()
{
    QFETCH(QString, path);
    QFETCH(QStringList, args);
    QFETCH(int, status);
    QFETCH(QString, code);
    startGateway(u"ingest:\n  max_payload_bytes: 256\n"_s);
    const CurlReply r = curl(m_gateway->httpPort(), path, args);
    QCOMPARE(r.status, status);
    QCOMPARE(r.json().value(u"code"_s).toString(), code);
}

void TestDeviceLinks::httpToken()
{
    startGateway(u"registry:\n  policy: deny\n"_s);
    const quint16 port = m_gateway->httpPort();
    // Under policy deny an unknown device is refused...
    QCOMPARE(curl(port, u"/api/v1/devices/meter-1/telemetry"_s, post("application/json", u"{\"kwh\": 1}"_s)).status,
             403);
    // ...until it is provisioned with its credentials.
    const CurlReply provisioned = curl(
        port, u"/api/v1/devices/meter-1/credentials"_s,
        {u"-X"_s, u"PUT"_s, u"-H"_s, u"Content-Type: application/json"_s, u"--data"_s, u"{\"token\": \"s3cret\"}"_s});
    QCOMPARE(provisioned.status, 201);
    QCOMPARE(provisioned.json().value(u"token"_s).toBool(), true);
    QVERIFY(!provisioned.body.contains("s3cret"));

    const QString path = u"/api/v1/devices/meter-1/telemetry"_s;
    CurlReply r = curl(port, path, post("application/json", u"{\"kwh\": 2}"_s));
    QCOMPARE(r.status, 401);
    QCOMPARE(r.json().value(u"code"_s).toString(), u"unauthorized"_s);
    QCOMPARE(curl(port, path, post("application/json", u"{\"kwh\": 3}"_s, {u"-H"_s, u"Authorization: Bearer nope"_s}))
                 .status,
             401);
    r = curl(port, path, post("application/json", u"{\"kwh\": 4}"_s, {u"-H"_s, u"Authorization: Bearer s3cret"_s}));
    QCOMPARE(r.status, 202);
    QCOMPARE(latest(*m_http, u"meter-1"_s).value(u"kwh"_s).toObject().value(u"value"_s).toInt(), 4);
    QCOMPARE(m_http->get(u"/api/v1/devices/meter-1"_s).json().value(u"proof"_s).toString(), u"token"_s);
    const QByteArray metrics = m_http->get(u"/metrics"_s).body;
    QCOMPARE(metricValue(metrics, u"edgegate_bad_messages_total{reason=\"unauthorized\"}"_s), 2.0);
}

void TestDeviceLinks::credentialsApi()
{
    startGateway();
    auto put = [this](const QString &id, const QByteArray &body) {
        return m_http->send("PUT", u"/api/v1/devices/%1/credentials"_s.arg(id), body);
    };
    QCOMPARE(put(u"c1"_s, R"({"psk_identity": "c1-id", "psk_key": "k1"})").status, 201);
    QCOMPARE(put(u"c1"_s, R"({"psk_identity": "c1-id", "psk_key": "k2"})").status, 200);
    QCOMPARE(put(u"c2"_s, R"({"psk_identity": "c1-id", "psk_key": "k3"})").status, 409);
    QCOMPARE(put(u"c2"_s, R"({"psk_identity": "c2-id"})").status, 400);
    QCOMPARE(put(u"c2"_s, R"({"password": "x"})").status, 400);
    QCOMPARE(put(u"c2"_s, "[]").status, 400);
    const QJsonObject c1 = m_http->get(u"/api/v1/devices/c1/credentials"_s).json();
    QCOMPARE(c1.value(u"psk_identity"_s).toString(), u"c1-id"_s);
    QCOMPARE(c1.value(u"psk_key"_s).toBool(), true);
    QVERIFY(!m_http->get(u"/api/v1/devices/c1/credentials"_s).body.contains("k2"));
    QCOMPARE(m_http->get(u"/api/v1/devices/c1"_s).json().value(u"status"_s).toString(), u"offline"_s);
    // Credentials survive a restart; removing the device removes them.
    QCOMPARE(m_gateway->terminate(), 0);
    QVERIFY(m_gateway->start(m_gateway->config(m_broker->port())));
    m_http = std::make_unique<Http>(m_gateway->httpPort());
    QCOMPARE(m_http->get(u"/api/v1/devices/c1/credentials"_s).json().value(u"psk_identity"_s).toString(), u"c1-id"_s);
    QCOMPARE(m_http->send("DELETE", u"/api/v1/devices/c1"_s, {}, {}).status, 204);
    QCOMPARE(put(u"c2"_s, R"({"psk_identity": "c1-id", "psk_key": "k3"})").status, 201);
}

void TestDeviceLinks::webSocketDevice()
{
    startGateway(u"registry:\n  offline_after: 1s\n"_s);
    Subscriber sub(m_broker->port(), u"devices/+/telemetry"_s);
    QVERIFY(sub.waitUntilSubscribed(*m_broker));
    WsDevice device(m_gateway->httpPort(), u"ws-1"_s);
    QSignalSpy connected(&device.socket, &QWebSocket::connected);
    QVERIFY(connected.wait(10000));

    device.socket.sendTextMessage(u"{\"speed\": 12.5}"_s);
    QCborMap map;
    map.insert(u"speed"_s, 13.25);
    device.socket.sendBinaryMessage(map.toCborValue().toCbor());
    device.socket.sendTextMessage(u"{\"speed\": "_s);
    QTRY_COMPARE_WITH_TIMEOUT(device.frames.size(), 3, 10000);
    QCOMPARE(device.frames.at(0).value(u"type"_s).toString(), u"ack"_s);
    QCOMPARE(device.frames.at(1).value(u"type"_s).toString(), u"ack"_s);
    QCOMPARE(device.frames.at(2).value(u"type"_s).toString(), u"error"_s);
    QCOMPARE(device.frames.at(2).value(u"code"_s).toString(), u"malformed_json"_s);

    QTRY_COMPARE_WITH_TIMEOUT(sub.messages().size(), 2, 10000);
    QCOMPARE(QJsonDocument::fromJson(sub.messages().at(0).second).object().value(u"speed"_s).toDouble(), 12.5);
    QCOMPARE(QJsonDocument::fromJson(sub.messages().at(1).second).object().value(u"speed"_s).toDouble(), 13.25);
    QCOMPARE(m_http->get(u"/api/v1/devices/ws-1"_s).json().value(u"protocol"_s).toString(), u"websocket"_s);
    QCOMPARE(m_http->get(u"/api/v1/devices/ws-1"_s).json().value(u"proof"_s).toString(), u"none"_s);

    // Closing the socket lets the device fall silent and go offline.
    device.socket.close();
    QTRY_COMPARE_WITH_TIMEOUT(m_http->get(u"/api/v1/devices/ws-1"_s).json().value(u"status"_s).toString(), u"offline"_s,
                              10000);
    // A path that is no device id is refused.
    WsDevice bad(m_gateway->httpPort(), u"bad%20id"_s);
    QSignalSpy closed(&bad.socket, &QWebSocket::disconnected);
    QVERIFY(closed.wait(10000));
    QCOMPARE(bad.frames.size(), 0);
}

void TestDeviceLinks::webSocketToken()
{
    startGateway();
    QCOMPARE(m_http->send("PUT", u"/api/v1/devices/ws-t/credentials"_s, R"({"token": "tok"})").status, 201);
    WsDevice anonymous(m_gateway->httpPort(), u"ws-t"_s);
    QSignalSpy closed(&anonymous.socket, &QWebSocket::disconnected);
    QVERIFY(closed.wait(10000));
    QCOMPARE(anonymous.socket.closeReason(), u"unauthorized"_s);

    WsDevice device(m_gateway->httpPort(), u"ws-t"_s, "tok");
    QSignalSpy connected(&device.socket, &QWebSocket::connected);
    QVERIFY(connected.wait(10000));
    device.socket.sendTextMessage(u"{\"v\": 1}"_s);
    QTRY_COMPARE_WITH_TIMEOUT(device.frames.size(), 1, 10000);
    QCOMPARE(device.frames.front().value(u"type"_s).toString(), u"ack"_s);
}

void TestDeviceLinks::mqtt311GatewayDoesNotReingestItsRepublish()
{
    startGateway({}, u"  protocol: 3.1.1\n"_s);
    Subscriber sub(m_broker->port(), u"devices/+/telemetry"_s);
    QVERIFY(sub.waitUntilSubscribed(*m_broker));
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(curl(m_gateway->httpPort(), u"/api/v1/devices/old-1/telemetry"_s,
                      post("application/json", u"{\"n\": %1}"_s.arg(i)))
                     .status,
                 202);
    }
    QTRY_COMPARE_WITH_TIMEOUT(sub.messages().size(), 3, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(
        metricValue(m_http->get(u"/metrics"_s).body, u"edgegate_mqtt_own_republish_skipped_total"_s), 3.0, 10000);
    const QByteArray metrics = m_http->get(u"/metrics"_s).body;
    QCOMPARE(metricValue(metrics, u"edgegate_messages_total{protocol=\"mqtt\",kind=\"telemetry\"}"_s), 0.0);
    QCOMPARE(
        latest(*m_http, u"old-1"_s).value(u"n"_s).toObject().value(u"stats"_s).toObject().value(u"count"_s).toInt(), 3);
}

void TestDeviceLinks::coapDeviceThroughTheGateway()
{
    startGateway();
    Subscriber sub(m_broker->port(), u"devices/+/telemetry"_s);
    QVERIFY(sub.waitUntilSubscribed(*m_broker));
    const QString base = u"coap://127.0.0.1:%1/devices/c-dev/"_s.arg(m_gateway->coapPort());
    auto coapClient = [](const QStringList &args, int timeoutMs = 20000) {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(u"coap-client-openssl"_s, args);
        p.waitForFinished(timeoutMs);
        return QString::fromUtf8(p.readAll());
    };
    // CON and NON: each accepted message reaches the broker once.
    coapClient({u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, u"-e"_s, u"{\"lux\": 310}"_s, base + u"telemetry"_s});
    coapClient({u"-N"_s, u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, u"-e"_s, u"{\"lux\": 320}"_s, u"-B"_s, u"1"_s,
                base + u"telemetry"_s});
    QTRY_COMPARE_WITH_TIMEOUT(sub.messages().size(), 2, 10000);
    QCOMPARE(QJsonDocument::fromJson(sub.messages().at(0).second).object().value(u"lux"_s).toInt(), 310);
    QCOMPARE(QJsonDocument::fromJson(sub.messages().at(1).second).object().value(u"lux"_s).toInt(), 320);
    QCOMPARE(m_http->get(u"/api/v1/devices/c-dev"_s).json().value(u"protocol"_s).toString(), u"coap"_s);
    QCOMPARE(m_http->get(u"/api/v1/devices/c-dev"_s).json().value(u"proof"_s).toString(), u"none"_s);

    auto newestCommandState = [this] {
        const QJsonArray commands
            = m_http->get(u"/api/v1/devices/c-dev/commands"_s).json().value(u"commands"_s).toArray();
        return commands.at(0).toObject().value(u"state"_s).toString();
    };
    // A command sent before the device observes waits, and goes out once it does.
    const QString early = m_http->send("POST", u"/api/v1/devices/c-dev/commands"_s, R"({"name": "wake", "ttl": 30})")
                              .json()
                              .value(u"id"_s)
                              .toString();
    QCOMPARE(newestCommandState(), u"queued"_s);

    // A command reaches a CoAP observer, and a CoAP POST acknowledges it.
    QProcess observer;
    observer.start(u"coap-client-openssl"_s, {u"-s"_s, u"15"_s, u"-m"_s, u"get"_s, base + u"commands"_s});
    QByteArray seen;
    connect(&observer, &QProcess::readyReadStandardOutput, this, [&] { seen += observer.readAllStandardOutput(); });
    QTRY_VERIFY_WITH_TIMEOUT(seen.contains(early.toUtf8()), 10000);
    const HttpReply created
        = m_http->send("POST", u"/api/v1/devices/c-dev/commands"_s, R"({"name": "calibrate", "ttl": 30})");
    QCOMPARE(created.status, 201);
    const QString id = created.json().value(u"id"_s).toString();
    QCOMPARE(created.json().value(u"state"_s).toString(), u"delivered"_s);
    QTRY_VERIFY_WITH_TIMEOUT(seen.contains(id.toUtf8()), 10000);
    coapClient(
        {u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, u"-e"_s, u"{\"id\": \"%1\"}"_s.arg(id), base + u"commands/ack"_s});
    QTRY_COMPARE_WITH_TIMEOUT(newestCommandState(), u"acknowledged"_s, 10000);
    observer.kill();
    observer.waitForFinished();

    // A device with credentials cannot be spoken for over plain CoAP.
    QCOMPARE(
        m_http->send("PUT", u"/api/v1/devices/c-dev/credentials"_s, R"({"psk_identity": "c", "psk_key": "k"})").status,
        200);
    const QString refused
        = coapClient({u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, u"-e"_s, u"{\"lux\": 999}"_s, base + u"telemetry"_s});
    QVERIFY2(refused.contains(u"4.03"_s), qPrintable(refused));
    const QByteArray metrics = m_http->get(u"/metrics"_s).body;
    QCOMPARE(metricValue(metrics, u"edgegate_bad_messages_total{reason=\"unauthorized\"}"_s), 1.0);
    QCOMPARE(latest(*m_http, u"c-dev"_s).value(u"lux"_s).toObject().value(u"value"_s).toInt(), 320);
}

QTEST_GUILESS_MAIN(TestDeviceLinks)
#include "tst_device_links.moc"
