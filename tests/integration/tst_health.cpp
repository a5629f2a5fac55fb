// SPDX-License-Identifier: Apache-2.0
// Device health and alerts end to end: a real mosquitto and a real edgegated; a device falls
// silent and comes back, and the offline alert goes through its lifecycle in REST, on the
// gateway's MQTT alert topic and at a webhook (which fails twice before it accepts).
#include "testsupport.h"

#include <QJsonArray>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace testsupport;
using namespace Qt::StringLiterals;

namespace {

/// A tiny HTTP server taking POSTs: answers 500 to the first `failures` and 200 after, and
/// keeps every body it got.
class WebhookReceiver : public QObject
{
public:
    explicit WebhookReceiver(int failures)
        : m_failures(failures)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    [[nodiscard]] quint16 port() const { return m_server.serverPort(); }
    /// Bodies in the order they came, with the status each was answered with.
    QList<std::pair<int, QJsonObject>> posts;

private:
    void read(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        qsizetype length = 0;
        for (const QByteArray &line : buffer.left(headerEnd).split('\n')) {
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        }
        if (buffer.size() < headerEnd + 4 + length)
            return;
        const QByteArray body = buffer.mid(headerEnd + 4, length);
        buffer.remove(0, headerEnd + 4 + length);
        const int status = posts.size() < m_failures ? 500 : 200;
        posts.append({status, QJsonDocument::fromJson(body).object()});
        const QByteArray reason = status == 200 ? "OK" : "Internal Server Error";
        socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reason
                      + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    int m_failures;
};

} // namespace

class TestHealth : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void offlineAlertLifecycle();
    void thresholdRuleFromApi();
    void survivesRestart();

private:
    QJsonObject alert(quint64 id);
    /// Alert payloads published on gateway/test-gw/alerts so far.
    QList<QJsonObject> published();

    Broker m_broker;
    Gateway m_gateway;
    WebhookReceiver m_webhook{2};
    std::unique_ptr<Subscriber> m_alerts;
    std::unique_ptr<Http> m_http;
    QString m_yaml;
    quint64 m_offlineAlert = 0;
};

void TestHealth::initTestCase()
{
    QVERIFY(m_broker.start());
    QVERIFY(m_webhook.listen());
    m_alerts = std::make_unique<Subscriber>(m_broker.port(), u"gateway/test-gw/alerts"_s);
    QVERIFY(m_alerts->waitUntilSubscribed(m_broker));
    m_yaml = m_gateway.config(m_broker.port(),
                              u"registry:\n  offline_after: 1s\n  device_types:\n    sensor: {offline_after: 1s}\n"
                              "alerts:\n  webhook:\n    url: http://127.0.0.1:%1/hook\n    retry_min: 100ms\n"
                              "    retry_max: 400ms\n    timeout: 5s\n"_s.arg(m_webhook.port()));
    QVERIFY(m_gateway.start(m_yaml));
    m_http = std::make_unique<Http>(m_gateway.httpPort());
}

void TestHealth::cleanupTestCase()
{
    if (m_gateway.isRunning())
        QCOMPARE(m_gateway.terminate(), 0);
}

QJsonObject TestHealth::alert(quint64 id)
{
    return m_http->get(u"/api/v1/alerts/%1"_s.arg(id)).json();
}

QList<QJsonObject> TestHealth::published()
{
    QList<QJsonObject> out;
    for (const auto &[topic, payload] : m_alerts->messages()) {
        if (topic == u"gateway/test-gw/alerts")
            out.append(QJsonDocument::fromJson(payload).object());
    }
    return out;
}

void TestHealth::offlineAlertLifecycle()
{
    QVERIFY(publish(m_broker.port(), u"devices/dev-h/telemetry"_s, R"({"t": 20})"));
    QTRY_COMPARE_WITH_TIMEOUT(m_http->get(u"/api/v1/devices/dev-h"_s).json().value(u"status"_s).toString(), u"online"_s,
                              10000);
    const QJsonObject device = m_http->get(u"/api/v1/devices/dev-h"_s).json();
    QVERIFY(device.value(u"online_since"_s).isString());
    QVERIFY(device.value(u"messages_per_minute"_s).toInt() >= 1);
    QVERIFY(device.value(u"uptime"_s).toInteger(-1) >= 0);

    // Silent for offline_after: offline, and the default offline rule raises an alert.
    QTRY_COMPARE_WITH_TIMEOUT(
        m_http->get(u"/api/v1/alerts?state=active&device=dev-h"_s).json().value(u"total"_s).toInt(), 1, 10000);
    const QJsonObject raised = m_http->get(u"/api/v1/alerts?state=active&device=dev-h"_s)
                                   .json()
                                   .value(u"alerts"_s)
                                   .toArray()
                                   .at(0)
                                   .toObject();
    QCOMPARE(raised.value(u"kind"_s).toString(), u"offline"_s);
    QCOMPARE(raised.value(u"rule"_s).toString(), u"offline"_s);
    QCOMPARE(raised.value(u"severity"_s).toString(), u"warning"_s);
    m_offlineAlert = static_cast<quint64>(raised.value(u"id"_s).toInteger());
    QCOMPARE(m_http->get(u"/api/v1/devices/dev-h"_s).json().value(u"status"_s).toString(), u"offline"_s);

    // On the gateway's MQTT alert topic.
    QTRY_VERIFY_WITH_TIMEOUT(!published().isEmpty(), 10000);
    QCOMPARE(published().front().value(u"id"_s).toInteger(), qint64(m_offlineAlert));
    QCOMPARE(published().front().value(u"state"_s).toString(), u"active"_s);

    // At the webhook: refused twice with 500, retried, then taken.
    QTRY_COMPARE_WITH_TIMEOUT(m_webhook.posts.size(), 3, 15000);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(m_webhook.posts[i].second.value(u"id"_s).toInteger(), qint64(m_offlineAlert));
        QCOMPARE(m_webhook.posts[i].second.value(u"state"_s).toString(), u"active"_s);
    }
    QCOMPARE(m_webhook.posts[1].first, 500);
    QCOMPARE(m_webhook.posts[2].first, 200);

    // An operator acknowledges it.
    const HttpReply ack = m_http->send("POST", u"/api/v1/alerts/%1/acknowledge"_s.arg(m_offlineAlert),
                                       R"({"by": "ana", "note": "checking the cable"})");
    QCOMPARE(ack.status, 200);
    QCOMPARE(ack.json().value(u"state"_s).toString(), u"acknowledged"_s);
    QCOMPARE(ack.json().value(u"acknowledged_by"_s).toString(), u"ana"_s);
    QCOMPARE(ack.json().value(u"note"_s).toString(), u"checking the cable"_s);
    QVERIFY(ack.json().value(u"acknowledged_at"_s).isString());
    QCOMPARE(m_http->send("POST", u"/api/v1/alerts/%1/acknowledge"_s.arg(m_offlineAlert), R"({"by": "bob"})").status,
             409);
    QCOMPARE(m_http->send("POST", u"/api/v1/alerts/%1/acknowledge"_s.arg(m_offlineAlert), R"({})").status, 400);
    QCOMPARE(m_http->send("POST", u"/api/v1/alerts/999999/acknowledge"_s, R"({"by": "bob"})").status, 404);
    QTRY_COMPARE_WITH_TIMEOUT(published().size(), 2, 10000);
    QCOMPARE(published().at(1).value(u"state"_s).toString(), u"acknowledged"_s);

    // The device is back: the alert clears by itself, everywhere.
    QVERIFY(publish(m_broker.port(), u"devices/dev-h/telemetry"_s, R"({"t": 21})"));
    QTRY_COMPARE_WITH_TIMEOUT(alert(m_offlineAlert).value(u"state"_s).toString(), u"cleared"_s, 10000);
    QVERIFY(alert(m_offlineAlert).value(u"cleared_at"_s).isString());
    QCOMPARE(alert(m_offlineAlert).value(u"acknowledged_by"_s).toString(), u"ana"_s);
    QTRY_VERIFY_WITH_TIMEOUT(published().size() >= 3, 10000);
    QCOMPARE(published().at(2).value(u"id"_s).toInteger(), qint64(m_offlineAlert));
    QCOMPARE(published().at(2).value(u"state"_s).toString(), u"cleared"_s);
    QTRY_VERIFY_WITH_TIMEOUT(m_webhook.posts.size() >= 5, 10000);
    QCOMPARE(m_webhook.posts[3].second.value(u"state"_s).toString(), u"acknowledged"_s);
    QCOMPARE(m_webhook.posts[4].second.value(u"state"_s).toString(), u"cleared"_s);

    // The history has every transition, newest first, with its reason.
    const QJsonObject history = m_http->get(u"/api/v1/devices/dev-h/history"_s).json();
    QCOMPARE(history.value(u"device"_s).toString(), u"dev-h"_s);
    const QJsonArray transitions = history.value(u"transitions"_s).toArray();
    QVERIFY2(transitions.size() >= 3, QJsonDocument(history).toJson().constData());
    const QJsonObject last = transitions.at(transitions.size() - 1).toObject();
    QVERIFY(last.value(u"from"_s).isNull());
    QCOMPARE(last.value(u"to"_s).toString(), u"online"_s);
    QCOMPARE(transitions.at(transitions.size() - 2).toObject().value(u"to"_s).toString(), u"offline"_s);
    QCOMPARE(transitions.at(transitions.size() - 2).toObject().value(u"reason"_s).toString(), u"silent for 1s"_s);
    QCOMPARE(transitions.at(transitions.size() - 3).toObject().value(u"to"_s).toString(), u"online"_s);
    QCOMPARE(history.value(u"total"_s).toInt(), transitions.size());
    QCOMPARE(m_http->get(u"/api/v1/devices/dev-h/history?limit=1"_s).json().value(u"transitions"_s).toArray().size(),
             1);
    QCOMPARE(m_http->get(u"/api/v1/devices/dev-h/history?since=yesterday"_s).status, 400);
    QCOMPARE(m_http->get(u"/api/v1/devices/nobody/history"_s).status, 404);
}

void TestHealth::thresholdRuleFromApi()
{
    const HttpReply put = m_http->send("PUT", u"/api/v1/alert-rules/hot"_s,
                                       R"({"kind": "threshold", "metric": "t", "above": 50, "severity": "critical"})");
    QCOMPARE(put.status, 201);
    QCOMPARE(put.json().value(u"id"_s).toString(), u"hot"_s);
    QCOMPARE(m_http->send("PUT", u"/api/v1/alert-rules/bad"_s, R"({"kind": "threshold"})").status, 400);
    const QJsonObject rules = m_http->get(u"/api/v1/alert-rules"_s).json();
    QCOMPARE(rules.value(u"source"_s).toString(), u"api"_s);
    QCOMPARE(rules.value(u"rules"_s).toArray().size(), 5); // the four defaults and this one

    QVERIFY(publish(m_broker.port(), u"devices/dev-h/telemetry"_s, R"({"t": 60})"));
    const QString query = u"/api/v1/alerts?state=active&severity=critical&device=dev-h"_s;
    QTRY_COMPARE_WITH_TIMEOUT(m_http->get(query).json().value(u"total"_s).toInt(), 1, 10000);
    const QJsonObject hot = m_http->get(query).json().value(u"alerts"_s).toArray().at(0).toObject();
    QCOMPARE(hot.value(u"rule"_s).toString(), u"hot"_s);
    QCOMPARE(hot.value(u"kind"_s).toString(), u"threshold"_s);
    QCOMPARE(hot.value(u"metric"_s).toString(), u"t"_s);
    QCOMPARE(hot.value(u"value"_s).toDouble(), 60.0);
    QVERIFY(publish(m_broker.port(), u"devices/dev-h/telemetry"_s, R"({"t": 20})"));
    const quint64 id = static_cast<quint64>(hot.value(u"id"_s).toInteger());
    QTRY_COMPARE_WITH_TIMEOUT(alert(id).value(u"state"_s).toString(), u"cleared"_s, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(std::any_of(m_webhook.posts.cbegin(), m_webhook.posts.cend(),
                                         [id](const auto &p) {
                                             return p.second.value(u"id"_s).toInteger() == qint64(id)
                                                 && p.second.value(u"state"_s).toString() == u"cleared";
                                         }),
                             10000);
}

void TestHealth::survivesRestart()
{
    QCOMPARE(m_gateway.terminate(), 0);
    QVERIFY(m_gateway.start(m_yaml));
    const QJsonObject a = alert(m_offlineAlert);
    QCOMPARE(a.value(u"state"_s).toString(), u"cleared"_s);
    QCOMPARE(a.value(u"acknowledged_by"_s).toString(), u"ana"_s);
    QCOMPARE(a.value(u"note"_s).toString(), u"checking the cable"_s);
    const QJsonObject history = m_http->get(u"/api/v1/devices/dev-h/history"_s).json();
    QVERIFY(history.value(u"total"_s).toInt() >= 3);
    const QJsonObject rules = m_http->get(u"/api/v1/alert-rules"_s).json();
    QCOMPARE(rules.value(u"source"_s).toString(), u"api"_s);
    QCOMPARE(m_http->get(u"/api/v1/alert-rules/hot"_s).status, 200);
    QCOMPARE(m_http->send("DELETE", u"/api/v1/alert-rules/hot"_s).status, 204);
    QCOMPARE(m_http->get(u"/api/v1/alert-rules/hot"_s).status, 404);
    // New alerts after the restart get new ids.
    QVERIFY(publish(m_broker.port(), u"devices/dev-h/telemetry"_s, R"({"t": 20})"));
    QTRY_VERIFY_WITH_TIMEOUT(
        m_http->get(u"/api/v1/alerts?device=dev-h&state=active"_s).json().value(u"total"_s).toInt() == 1, 15000);
    const QJsonObject fresh = m_http->get(u"/api/v1/alerts?device=dev-h&state=active"_s)
                                  .json()
                                  .value(u"alerts"_s)
                                  .toArray()
                                  .at(0)
                                  .toObject();
    QVERIFY(static_cast<quint64>(fresh.value(u"id"_s).toInteger()) > m_offlineAlert);
}

QTEST_GUILESS_MAIN(TestHealth)
#include "tst_health.moc"
