// SPDX-License-Identifier: Apache-2.0
// Commands from REST or another MQTT client reach a device over the link it uses (MQTT, WebSocket,
// HTTP polling), and move through queued, delivered, acknowledged and expired.
#include "testsupport.h"

#include <QJsonArray>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>

using namespace testsupport;
using namespace Qt::StringLiterals;

class TestCommands : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void mqttDeviceDeliveryAndAck();
    void offlineDeviceWaitsThenExpires();
    void queuedCommandFollowsDeviceOnline();
    void webSocketDevice();
    void httpDevicePolls();
    void webSocketReconnectGetsWaitingCommand();
    void mqttClientCommandReachesWebSocketDevice();
    void badRequests_data();
    void badRequests();

private:
    QJsonObject command(const QString &device, const QString &id);
    QJsonObject submit(const QString &device, const QByteArray &body, int expectedStatus = 201);

    std::unique_ptr<Broker> m_broker;
    std::unique_ptr<Gateway> m_gateway;
    std::unique_ptr<Http> m_http;
};

void TestCommands::init()
{
    m_broker = std::make_unique<Broker>();
    QVERIFY(m_broker->start());
    m_gateway = std::make_unique<Gateway>();
    QVERIFY(m_gateway->start(m_gateway->config(m_broker->port())));
    m_http = std::make_unique<Http>(m_gateway->httpPort());
    QTRY_COMPARE_WITH_TIMEOUT(m_http->get(u"/healthz"_s).json().value(u"broker"_s).toString(), u"connected"_s, 10000);
}

void TestCommands::cleanup()
{
    m_http.reset();
    m_gateway.reset();
    m_broker.reset();
}

QJsonObject TestCommands::command(const QString &device, const QString &id)
{
    const QJsonArray all
        = m_http->get(u"/api/v1/devices/%1/commands"_s.arg(device)).json().value(u"commands"_s).toArray();
    for (const QJsonValue &c : all) {
        if (c.toObject().value(u"id"_s).toString() == id)
            return c.toObject();
    }
    return {};
}

QJsonObject TestCommands::submit(const QString &device, const QByteArray &body, int expectedStatus)
{
    const HttpReply reply = m_http->send("POST", u"/api/v1/devices/%1/commands"_s.arg(device), body);
    if (reply.status != expectedStatus)
        qWarning("POST commands answered %d: %s", reply.status, reply.body.constData());
    return reply.status == expectedStatus ? reply.json() : QJsonObject();
}

void TestCommands::mqttDeviceDeliveryAndAck()
{
    QVERIFY(publish(m_broker->port(), u"devices/valve-1/telemetry"_s, R"({"open": false})"));
    QTRY_COMPARE_WITH_TIMEOUT(m_http->get(u"/api/v1/devices/valve-1"_s).status, 200, 10000);
    Subscriber device(m_broker->port(), u"devices/valve-1/commands"_s);
    QVERIFY(device.waitUntilSubscribed(*m_broker));

    const QJsonObject created = submit(u"valve-1"_s, R"({"name": "open", "params": {"percent": 40}, "ttl": 30})");
    const QString id = created.value(u"id"_s).toString();
    QVERIFY(!id.isEmpty());
    QCOMPARE(created.value(u"state"_s).toString(), u"delivered"_s);
    QCOMPARE(created.value(u"via"_s).toString(), u"mqtt"_s);

    QTRY_COMPARE_WITH_TIMEOUT(device.messages().size(), 1, 10000);
    const QJsonObject wire = QJsonDocument::fromJson(device.messages().front().second).object();
    QCOMPARE(wire.value(u"id"_s).toString(), id);
    QCOMPARE(wire.value(u"name"_s).toString(), u"open"_s);
    QCOMPARE(wire.value(u"params"_s).toObject().value(u"percent"_s).toInt(), 40);

    QVERIFY(publish(m_broker->port(), u"devices/valve-1/commands/ack"_s,
                    u"{\"id\": \"%1\", \"result\": \"done\"}"_s.arg(id).toUtf8()));
    QTRY_COMPARE_WITH_TIMEOUT(command(u"valve-1"_s, id).value(u"state"_s).toString(), u"acknowledged"_s, 10000);
    QCOMPARE(command(u"valve-1"_s, id).value(u"result"_s).toString(), u"done"_s);
    // The gateway's own command publish was not taken for a new command (No Local).
    QCOMPARE(m_http->get(u"/api/v1/devices/valve-1/commands"_s).json().value(u"commands"_s).toArray().size(), 1);
    const QByteArray metrics = m_http->get(u"/metrics"_s).body;
    QCOMPARE(metricValue(metrics, u"edgegate_commands_total{state=\"acknowledged\"}"_s), 1.0);
}

void TestCommands::offlineDeviceWaitsThenExpires()
{
    QVERIFY(publish(m_broker->port(), u"devices/sleepy/telemetry"_s, R"({"v": 1})"));
    QVERIFY(publish(m_broker->port(), u"devices/sleepy/status"_s, "offline"));
    QTRY_COMPARE_WITH_TIMEOUT(m_http->get(u"/api/v1/devices/sleepy"_s).json().value(u"status"_s).toString(),
                              u"offline"_s, 10000);
    const QJsonObject created = submit(u"sleepy"_s, R"({"name": "reboot", "ttl": 0.5})");
    QCOMPARE(created.value(u"state"_s).toString(), u"queued"_s);
    const QString id = created.value(u"id"_s).toString();
    QTRY_COMPARE_WITH_TIMEOUT(command(u"sleepy"_s, id).value(u"state"_s).toString(), u"expired"_s, 10000);
    QCOMPARE(command(u"sleepy"_s, id).value(u"delivered"_s), QJsonValue(QJsonValue::Null));
}

void TestCommands::queuedCommandFollowsDeviceOnline()
{
    QVERIFY(publish(m_broker->port(), u"devices/late/telemetry"_s, R"({"v": 1})"));
    QVERIFY(publish(m_broker->port(), u"devices/late/status"_s, "offline"));
    QTRY_COMPARE_WITH_TIMEOUT(m_http->get(u"/api/v1/devices/late"_s).json().value(u"status"_s).toString(), u"offline"_s,
                              10000);
    Subscriber device(m_broker->port(), u"devices/late/commands"_s);
    QVERIFY(device.waitUntilSubscribed(*m_broker));
    const QString first = submit(u"late"_s, R"({"name": "a", "ttl": 60})").value(u"id"_s).toString();
    const QString second = submit(u"late"_s, R"({"name": "b", "ttl": 60})").value(u"id"_s).toString();
    QCOMPARE(command(u"late"_s, first).value(u"state"_s).toString(), u"queued"_s);

    QVERIFY(publish(m_broker->port(), u"devices/late/status"_s, "online"));
    QTRY_COMPARE_WITH_TIMEOUT(device.messages().size(), 2, 10000);
    // In the order they were queued.
    QCOMPARE(QJsonDocument::fromJson(device.messages().at(0).second).object().value(u"id"_s).toString(), first);
    QCOMPARE(QJsonDocument::fromJson(device.messages().at(1).second).object().value(u"id"_s).toString(), second);
    QCOMPARE(command(u"late"_s, second).value(u"state"_s).toString(), u"delivered"_s);
}

void TestCommands::webSocketDevice()
{
    QWebSocket socket;
    QList<QJsonObject> frames;
    connect(&socket, &QWebSocket::textMessageReceived, this,
            [&frames](const QString &t) { frames.append(QJsonDocument::fromJson(t.toUtf8()).object()); });
    socket.open(QUrl(u"ws://127.0.0.1:%1/ws/device/panel-1"_s.arg(m_gateway->httpPort())));
    QSignalSpy connected(&socket, &QWebSocket::connected);
    QVERIFY(connected.wait(10000));
    socket.sendTextMessage(u"{\"brightness\": 70}"_s);
    QTRY_COMPARE_WITH_TIMEOUT(frames.size(), 1, 10000);

    const QString id = submit(u"panel-1"_s, R"({"name": "dim", "params": {"to": 20}})").value(u"id"_s).toString();
    QTRY_COMPARE_WITH_TIMEOUT(frames.size(), 2, 10000);
    QCOMPARE(frames.at(1).value(u"type"_s).toString(), u"command"_s);
    QCOMPARE(frames.at(1).value(u"id"_s).toString(), id);
    QCOMPARE(command(u"panel-1"_s, id).value(u"via"_s).toString(), u"websocket"_s);

    socket.sendTextMessage(u"{\"type\": \"command_ack\", \"id\": \"%1\", \"result\": {\"ok\": true}}"_s.arg(id));
    QTRY_COMPARE_WITH_TIMEOUT(command(u"panel-1"_s, id).value(u"state"_s).toString(), u"acknowledged"_s, 10000);
    QCOMPARE(command(u"panel-1"_s, id).value(u"result"_s).toObject().value(u"ok"_s).toBool(), true);
    // The ack was not taken for telemetry.
    QVERIFY(m_http->get(u"/api/v1/devices/panel-1/telemetry/latest"_s)
                .json()
                .value(u"metrics"_s)
                .toObject()
                .value(u"type"_s)
                .isUndefined());
}

void TestCommands::httpDevicePolls()
{
    const quint16 port = m_gateway->httpPort();
    QCOMPARE(curl(port, u"/api/v1/devices/meter-9/telemetry"_s,
                  {u"-X"_s, u"POST"_s, u"-H"_s, u"Content-Type: application/json"_s, u"--data"_s, u"{\"kwh\": 1}"_s})
                 .status,
             202);
    const QString id = submit(u"meter-9"_s, R"({"name": "read-now"})").value(u"id"_s).toString();
    // HTTP has no push: the command waits for the device to ask.
    QCOMPARE(command(u"meter-9"_s, id).value(u"state"_s).toString(), u"queued"_s);
    const CurlReply pending = curl(port, u"/api/v1/devices/meter-9/commands/pending"_s);
    QCOMPARE(pending.status, 200);
    const QJsonArray commands = pending.json().value(u"commands"_s).toArray();
    QCOMPARE(commands.size(), 1);
    QCOMPARE(commands.at(0).toObject().value(u"id"_s).toString(), id);
    QCOMPARE(command(u"meter-9"_s, id).value(u"state"_s).toString(), u"delivered"_s);
    QCOMPARE(curl(port, u"/api/v1/devices/meter-9/commands/pending"_s).json().value(u"commands"_s).toArray().size(), 0);
    QCOMPARE(curl(port, u"/api/v1/devices/meter-9/commands/ack"_s,
                  {u"-X"_s, u"POST"_s, u"--data"_s, u"{\"id\": \"%1\"}"_s.arg(id)})
                 .status,
             202);
    QTRY_COMPARE_WITH_TIMEOUT(command(u"meter-9"_s, id).value(u"state"_s).toString(), u"acknowledged"_s, 10000);
}

void TestCommands::mqttClientCommandReachesWebSocketDevice()
{
    QWebSocket socket;
    QList<QJsonObject> frames;
    connect(&socket, &QWebSocket::textMessageReceived, this,
            [&frames](const QString &t) { frames.append(QJsonDocument::fromJson(t.toUtf8()).object()); });
    socket.open(QUrl(u"ws://127.0.0.1:%1/ws/device/panel-2"_s.arg(m_gateway->httpPort())));
    QSignalSpy connected(&socket, &QWebSocket::connected);
    QVERIFY(connected.wait(10000));
    socket.sendTextMessage(u"{\"v\": 1}"_s);
    QTRY_COMPARE_WITH_TIMEOUT(frames.size(), 1, 10000);

    QVERIFY(publish(m_broker->port(), u"devices/panel-2/commands"_s, R"({"id": "c-77", "name": "beep", "ttl": 10})"));
    QTRY_COMPARE_WITH_TIMEOUT(frames.size(), 2, 10000);
    QCOMPARE(frames.at(1).value(u"type"_s).toString(), u"command"_s);
    QCOMPARE(frames.at(1).value(u"id"_s).toString(), u"c-77"_s);
    QCOMPARE(command(u"panel-2"_s, u"c-77"_s).value(u"state"_s).toString(), u"delivered"_s);
}

void TestCommands::badRequests_data()
{
    QTest::addColumn<QString>("device");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addRow("no name") << u"known"_s << QByteArray(R"({"params": {}})") << 400;
    QTest::addRow("params not object") << u"known"_s << QByteArray(R"({"name": "x", "params": 1})") << 400;
    QTest::addRow("ttl zero") << u"known"_s << QByteArray(R"({"name": "x", "ttl": 0})") << 400;
    QTest::addRow("ttl too long") << u"known"_s << QByteArray(R"({"name": "x", "ttl": 86401})") << 400;
    QTest::addRow("unknown field") << u"known"_s << QByteArray(R"({"name": "x", "when": 1})") << 400;
    QTest::addRow("not json") << u"known"_s << QByteArray("{") << 400;
    QTest::addRow("unknown device") << u"nobody"_s << QByteArray(R"({"name": "x"})") << 404;
}

void TestCommands::badRequests()
{
    QFETCH(QString, device);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QVERIFY(publish(m_broker->port(), u"devices/known/telemetry"_s, R"({"v": 1})"));
    QTRY_COMPARE_WITH_TIMEOUT(m_http->get(u"/api/v1/devices/known"_s).status, 200, 10000);
    QCOMPARE(m_http->send("POST", u"/api/v1/devices/%1/commands"_s.arg(device), body).status, status);
}

void TestCommands::webSocketReconnectGetsWaitingCommand()
{
    const QUrl url(u"ws://127.0.0.1:%1/ws/device/panel-3"_s.arg(m_gateway->httpPort()));
    {
        QWebSocket first;
        QSignalSpy connected(&first, &QWebSocket::connected);
        first.open(url);
        QVERIFY(connected.wait(10000));
        QSignalSpy answered(&first, &QWebSocket::textMessageReceived);
        first.sendTextMessage(u"{\"v\": 1}"_s);
        QVERIFY(answered.wait(10000));
        first.close();
    }
    QTRY_COMPARE_WITH_TIMEOUT(metricValue(m_http->get(u"/metrics"_s).body, u"edgegate_ws_device_connections"_s), 0.0,
                              10000);
    // Still "online" (it spoke a moment ago) but without a connection: the command waits...
    const QString id = submit(u"panel-3"_s, R"({"name": "wake"})").value(u"id"_s).toString();
    QTRY_COMPARE_WITH_TIMEOUT(command(u"panel-3"_s, id).value(u"state"_s).toString(), u"queued"_s, 10000);
    // ...and goes out as soon as the device is back.
    QWebSocket second;
    QList<QJsonObject> frames;
    connect(&second, &QWebSocket::textMessageReceived, this,
            [&frames](const QString &t) { frames.append(QJsonDocument::fromJson(t.toUtf8()).object()); });
    second.open(url);
    QTRY_COMPARE_WITH_TIMEOUT(frames.size(), 1, 10000);
    QCOMPARE(frames.front().value(u"type"_s).toString(), u"command"_s);
    QCOMPARE(frames.front().value(u"id"_s).toString(), id);
    QCOMPARE(command(u"panel-3"_s, id).value(u"state"_s).toString(), u"delivered"_s);
}

QTEST_GUILESS_MAIN(TestCommands)
#include "tst_commands.moc"
