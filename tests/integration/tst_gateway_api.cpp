// SPDX-License-Identifier: Apache-2.0
// The REST API of a running edgegated: device management, approval, errors with their codes.
#include "testsupport.h"

#include <QJsonArray>
#include <QTest>

using namespace testsupport;
using namespace Qt::StringLiterals;

class TestGatewayApi : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void errors_data();
    void errors();
    void patchDevice();
    void deleteDevice();
    void approvalFlow();

private:
    void waitForDevice(const QString &id);

    Broker m_broker;
    Gateway m_gateway;
    std::unique_ptr<Http> m_http;
};

void TestGatewayApi::initTestCase()
{
    QVERIFY(m_broker.start());
    QVERIFY(m_gateway.start(m_gateway.config(m_broker.port(), {}, {}, u"  max_body_bytes: 1024\n"_s)));
    m_http = std::make_unique<Http>(m_gateway.httpPort());
    QVERIFY(publish(m_broker.port(), u"devices/dev-1/telemetry"_s, R"({"t": 1})"));
    waitForDevice(u"dev-1"_s);
}

void TestGatewayApi::cleanupTestCase()
{
    QCOMPARE(m_gateway.terminate(), 0);
}

void TestGatewayApi::waitForDevice(const QString &id)
{
    QTRY_COMPARE_WITH_TIMEOUT(m_http->get(u"/api/v1/devices/"_s + id).status, 200, 10000);
}

void TestGatewayApi::errors_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    const QByteArray json = "application/json";
    QTest::addRow("unknown device") << QByteArray("GET") << u"/api/v1/devices/nobody"_s << QByteArray() << json << 404
                                    << u"not_found"_s;
    QTest::addRow("invalid id") << QByteArray("GET") << u"/api/v1/devices/a%20b"_s << QByteArray() << json << 400
                                << u"bad_request"_s;
    QTest::addRow("unknown endpoint") << QByteArray("GET") << u"/api/v2/things"_s << QByteArray() << json << 404
                                      << u"not_found"_s;
    QTest::addRow("method on collection")
        << QByteArray("POST") << u"/api/v1/devices"_s << QByteArray("{}") << json << 405 << u"method_not_allowed"_s;
    QTest::addRow("method on device") << QByteArray("PUT") << u"/api/v1/devices/dev-1"_s << QByteArray("{}") << json
                                      << 405 << u"method_not_allowed"_s;
    QTest::addRow("approve with GET") << QByteArray("GET") << u"/api/v1/devices/dev-1/approve"_s << QByteArray() << json
                                      << 405 << u"method_not_allowed"_s;
    QTest::addRow("approve approved") << QByteArray("POST") << u"/api/v1/devices/dev-1/approve"_s << QByteArray()
                                      << json << 409 << u"conflict"_s;
    QTest::addRow("patch not json") << QByteArray("PATCH") << u"/api/v1/devices/dev-1"_s << QByteArray("name=x")
                                    << QByteArray("application/x-www-form-urlencoded") << 415
                                    << u"unsupported_media_type"_s;
    QTest::addRow("patch bad json") << QByteArray("PATCH") << u"/api/v1/devices/dev-1"_s << QByteArray("{\"name\":")
                                    << json << 400 << u"bad_json"_s;
    QTest::addRow("patch array") << QByteArray("PATCH") << u"/api/v1/devices/dev-1"_s << QByteArray("[]") << json << 400
                                 << u"bad_json"_s;
    QTest::addRow("patch unknown field") << QByteArray("PATCH") << u"/api/v1/devices/dev-1"_s
                                         << QByteArray("{\"colour\": \"red\"}") << json << 400 << u"bad_request"_s;
    QTest::addRow("patch wrong type") << QByteArray("PATCH") << u"/api/v1/devices/dev-1"_s
                                      << QByteArray("{\"maintenance\": \"yes\"}") << json << 400 << u"bad_request"_s;
    QTest::addRow("patch too large") << QByteArray("PATCH") << u"/api/v1/devices/dev-1"_s
                                     << QByteArray("{\"name\": \"" + QByteArray(2000, 'n') + "\"}") << json << 413
                                     << u"payload_too_large"_s;
    QTest::addRow("patch unknown device") << QByteArray("PATCH") << u"/api/v1/devices/nobody"_s
                                          << QByteArray("{\"name\": \"x\"}") << json << 404 << u"not_found"_s;
    QTest::addRow("bad status filter") << QByteArray("GET") << u"/api/v1/devices?status=asleep"_s << QByteArray()
                                       << json << 400 << u"bad_request"_s;
    QTest::addRow("bad limit") << QByteArray("GET") << u"/api/v1/devices?limit=-1"_s << QByteArray() << json << 400
                               << u"bad_request"_s;
    QTest::addRow("plain GET on /ws") << QByteArray("GET") << u"/ws"_s << QByteArray() << json << 426
                                      << u"upgrade_required"_s;
    QTest::addRow("metrics by POST") << QByteArray("POST") << u"/metrics"_s << QByteArray() << json << 405
                                     << u"method_not_allowed"_s;
}

void TestGatewayApi::errors()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(int, status);
    QFETCH(QString, code);
    const HttpReply reply = m_http->send(method, path, body, contentType);
    QCOMPARE(reply.status, status);
    QVERIFY(reply.contentType.startsWith("application/json"));
    QCOMPARE(reply.json().value(u"code"_s).toString(), code);
    QVERIFY(!reply.json().value(u"error"_s).toString().isEmpty());
}

void TestGatewayApi::patchDevice()
{
    const HttpReply reply
        = m_http->send("PATCH", u"/api/v1/devices/dev-1"_s,
                       R"({"name": "Cold room", "metadata": {"site": "Hall 3", "floor": "1"}, "maintenance": true})");
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().value(u"name"_s).toString(), u"Cold room"_s);
    QCOMPARE(reply.json().value(u"status"_s).toString(), u"maintenance"_s);
    const QJsonObject d = m_http->get(u"/api/v1/devices/dev-1"_s).json();
    QCOMPARE(d.value(u"metadata"_s).toObject().value(u"site"_s).toString(), u"Hall 3"_s);
    QCOMPARE(m_http->get(u"/api/v1/devices?status=maintenance"_s).json().value(u"total"_s).toInt(), 1);
    // Telemetry during maintenance is still taken, the status stays.
    QVERIFY(publish(m_broker.port(), u"devices/dev-1/telemetry"_s, R"({"t": 2})"));
    QTRY_COMPARE_WITH_TIMEOUT(m_http->get(u"/api/v1/devices/dev-1/telemetry/latest"_s)
                                  .json()
                                  .value(u"metrics"_s)
                                  .toObject()
                                  .value(u"t"_s)
                                  .toObject()
                                  .value(u"value"_s)
                                  .toInt(),
                              2, 10000);
    QCOMPARE(m_http->get(u"/api/v1/devices/dev-1"_s).json().value(u"status"_s).toString(), u"maintenance"_s);
    QCOMPARE(m_http->send("PATCH", u"/api/v1/devices/dev-1"_s, R"({"maintenance": false})").json().value(u"status"_s),
             u"online"_s);
}

void TestGatewayApi::deleteDevice()
{
    QVERIFY(publish(m_broker.port(), u"devices/doomed/telemetry"_s, R"({"t": 1})"));
    waitForDevice(u"doomed"_s);
    QCOMPARE(m_http->send("DELETE", u"/api/v1/devices/doomed"_s, {}, {}).status, 204);
    QCOMPARE(m_http->get(u"/api/v1/devices/doomed"_s).status, 404);
    QCOMPARE(m_http->get(u"/api/v1/devices/doomed/telemetry/latest"_s).status, 404);
    QCOMPARE(m_http->send("DELETE", u"/api/v1/devices/doomed"_s, {}, {}).status, 404);
}

void TestGatewayApi::approvalFlow()
{
    Broker broker;
    QVERIFY(broker.start());
    Gateway gw;
    QVERIFY(gw.start(gw.config(broker.port(), u"registry:\n  policy: approve\n"_s)));
    Http http(gw.httpPort());
    for (int v : {1, 2, 3})
        QVERIFY(publish(broker.port(), u"devices/newcomer/telemetry"_s, u"{\"t\": %1}"_s.arg(v).toUtf8()));
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/metrics"_s).body.contains("edgegate_messages_held_total 3"), true, 10000);
    QCOMPARE(http.get(u"/api/v1/devices/newcomer"_s).json().value(u"approval"_s).toString(), u"pending"_s);
    QCOMPARE(http.get(u"/api/v1/devices?approval=pending"_s).json().value(u"total"_s).toInt(), 1);
    // Held back: nothing reaches analytics before approval.
    QVERIFY(http.get(u"/api/v1/devices/newcomer/telemetry/latest"_s).json().value(u"metrics"_s).toObject().isEmpty());

    const HttpReply approved = http.send("POST", u"/api/v1/devices/newcomer/approve"_s);
    QCOMPARE(approved.status, 200);
    QCOMPARE(approved.json().value(u"approval"_s).toString(), u"approved"_s);
    const QJsonObject t = http.get(u"/api/v1/devices/newcomer/telemetry/latest"_s)
                              .json()
                              .value(u"metrics"_s)
                              .toObject()
                              .value(u"t"_s)
                              .toObject();
    QCOMPARE(t.value(u"value"_s).toInt(), 3);
    QCOMPARE(t.value(u"stats"_s).toObject().value(u"count"_s).toInt(), 3);
    QCOMPARE(http.send("POST", u"/api/v1/devices/newcomer/approve"_s).status, 409);
}

QTEST_GUILESS_MAIN(TestGatewayApi)
#include "tst_gateway_api.moc"
