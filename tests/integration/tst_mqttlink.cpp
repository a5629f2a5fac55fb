// SPDX-License-Identifier: Apache-2.0
// MqttLink in-process against a real mosquitto: message ids and PUBACKs of republished messages,
// and back-pressure (holding messages while Ingest is busy, pausing the socket). Against a scripted
// MQTT 3.1.1 broker for what mosquitto does only by chance: sending messages again after a reconnect.
#include "gateway/core/ingest/ingest.h"
#include "gateway/devicelinks/mqtt/mqttlink.h"
#include "support/corepipeline.h"
#include "testsupport.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace edgegate;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using testsupport::Broker;

namespace {

MqttLink::Settings linkSettings(quint16 port, const QString &clientId)
{
    MqttLink::Settings settings;
    settings.port = port;
    settings.clientId = clientId;
    settings.gatewayId = u"test-gw"_s;
    return settings;
}

/// An MQTT 3.1.1 broker of a few lines: it accepts one client at a time, answers CONNECT (with the
/// session-present flag the test chooses), SUBSCRIBE, PUBLISH and PINGREQ, and publishes what the
/// test tells it to, with the packet ids the test chooses.
class ScriptedBroker : public QObject
{
public:
    ScriptedBroker()
    {
        m_server.listen(QHostAddress::LocalHost);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            m_socket.reset(m_server.nextPendingConnection());
            m_buffer.clear();
            connect(m_socket.get(), &QTcpSocket::readyRead, this, &ScriptedBroker::read);
        });
    }
    [[nodiscard]] quint16 port() const { return m_server.serverPort(); }
    void setSessionPresent(bool present) { m_sessionPresent = present; }
    /// Connections in which the client subscribed to all it subscribes to, so far.
    [[nodiscard]] int subscribed() const { return m_subscribes / int(MqttLink::subscriptions().size()); }
    /// Packet ids the client acknowledged so far.
    [[nodiscard]] const QList<int> &acked() const { return m_acked; }
    /// A QoS 1 publish to the client; `dup` as on a message sent again.
    void publish(int mid, const QByteArray &topic, const QByteArray &payload, bool dup = false)
    {
        QByteArray body;
        appendString(body, topic);
        body += char(mid >> 8);
        body += char(mid & 0xff);
        body += payload;
        send(char(0x32 | (dup ? 0x08 : 0)), body);
    }
    /// Ends the connection as a crash or a broken network would: no DISCONNECT, no more PUBACKs read.
    void drop()
    {
        if (m_socket)
            m_socket->abort();
    }

private:
    static void appendString(QByteArray &out, const QByteArray &text)
    {
        out += char(text.size() >> 8);
        out += char(text.size() & 0xff);
        out += text;
    }
    void send(char header, const QByteArray &body)
    {
        QByteArray packet(1, header);
        qsizetype length = body.size();
        do {
            char byte = char(length % 128);
            length /= 128;
            if (length > 0)
                byte = char(byte | 0x80);
            packet += byte;
        } while (length > 0);
        m_socket->write(packet + body);
    }
    void read()
    {
        m_buffer += m_socket->readAll();
        for (;;) {
            // Fixed header: type and flags, then the remaining length (1 to 4 bytes of 7 bits).
            qsizetype length = 0;
            qsizetype at = 1;
            int shift = 0;
            for (; at < m_buffer.size() && at <= 4; ++at, shift += 7) {
                length |= qsizetype(quint8(m_buffer[at]) & 0x7f) << shift;
                if (!(quint8(m_buffer[at]) & 0x80))
                    break;
            }
            if (at >= m_buffer.size() || m_buffer.size() < at + 1 + length)
                return;
            const int type = quint8(m_buffer[0]) >> 4;
            const int qos = (quint8(m_buffer[0]) >> 1) & 0x03;
            const QByteArray body = m_buffer.mid(at + 1, length);
            m_buffer.remove(0, at + 1 + length);
            const auto id = [](const QByteArray &bytes, qsizetype offset) {
                return (quint8(bytes[offset]) << 8) | quint8(bytes[offset + 1]);
            };
            switch (type) {
            case 1: // CONNECT
                send(char(0x20), QByteArray(1, char(m_sessionPresent ? 1 : 0)) + '\0');
                break;
            case 3: { // PUBLISH from the client (its status)
                const int topicLength = id(body, 0);
                if (qos == 1)
                    send(char(0x40), body.mid(2 + topicLength, 2));
                break;
            }
            case 4: // PUBACK
                m_acked.append(id(body, 0));
                break;
            case 8: { // SUBSCRIBE: grant QoS 1 to every filter
                QByteArray granted = body.left(2);
                for (qsizetype i = 2; i + 2 <= body.size(); i += 2 + id(body, i) + 1)
                    granted += char(1);
                send(char(0x90), granted);
                ++m_subscribes;
                break;
            }
            case 12: // PINGREQ
                send(char(0xd0), {});
                break;
            default:
                break;
            }
        }
    }

    QTcpServer m_server;
    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_buffer;
    bool m_sessionPresent = false;
    int m_subscribes = 0;
    QList<int> m_acked;
};

} // namespace

class TestMqttLink : public QObject
{
    Q_OBJECT

private slots:
    void republishReportsIdAndPuback();
    void holdsMessagesWhileIngestIsBusy();
    void pausedDoesNotRead();
    void messagesSentAgainAreTakenOnce();
};

void TestMqttLink::republishReportsIdAndPuback()
{
    Broker broker;
    QVERIFY(broker.start());
    CorePipeline core(RegistryPolicy::Auto);
    MqttLink link(linkSettings(broker.port(), u"edgegate-test-ids"_s), core.ingest, core.metrics);
    QVERIFY(!link.republish(u"devices/a/telemetry"_s, "{}", 1)); // not connected
    QSignalSpy connected(&link, &MqttLink::connectedChanged);
    link.start();
    QVERIFY(connected.wait(10000));

    QSignalSpy published(&link, &MqttLink::published);
    const std::optional<int> first = link.republish(u"devices/a/telemetry"_s, "{\"t\":1}", 1);
    const std::optional<int> second = link.republish(u"devices/b/telemetry"_s, "{\"t\":2}", 1);
    QVERIFY(first && second && *first != *second);
    QHash<int, int> reasons;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const QList<QVariant> &args : std::as_const(published))
                reasons.insert(args.at(0).toInt(), args.at(1).toInt());
            return reasons.contains(*first) && reasons.contains(*second);
        }(),
        10000);
    // Success (0, or 0x10 "no matching subscribers").
    QVERIFY(reasons.value(*first) < 0x80);
    QVERIFY(reasons.value(*second) < 0x80);
}

void TestMqttLink::holdsMessagesWhileIngestIsBusy()
{
    Broker broker;
    QVERIFY(broker.start());
    CorePipeline core(RegistryPolicy::Auto);
    MqttLink link(linkSettings(broker.port(), u"edgegate-test-hold"_s), core.ingest, core.metrics);
    bool busy = true;
    QList<QByteArray> taken;
    int offers = 0;
    link.setHandler([&](const InboundMessage &message) {
        ++offers;
        if (busy)
            return IngestResult{IngestResult::Outcome::Busy, {}, {}};
        taken.append(message.payload);
        return core.ingest.handle(message);
    });
    QSignalSpy connected(&link, &MqttLink::connectedChanged);
    link.start();
    QVERIFY(connected.wait(10000));
    QTRY_VERIFY_WITH_TIMEOUT(broker.log().contains(u"edgegate-test-hold 1 devices/+/telemetry"_s), 10000);

    const QList<QByteArray> sent{"{\"t\":1}", "{\"t\":2}", "{\"t\":3}"};
    QVERIFY(testsupport::publish(broker.port(), u"devices/held-1/telemetry"_s, sent.at(0)));
    QTRY_COMPARE_WITH_TIMEOUT(link.heldCount(), 1, 10000);
    // Offered again and again while busy, and the connection stays up meanwhile.
    QTRY_VERIFY_WITH_TIMEOUT(offers >= 3, 10000);
    QVERIFY(link.isConnected());
    for (const QByteArray &payload : sent.mid(1))
        QVERIFY(testsupport::publish(broker.port(), u"devices/held-1/telemetry"_s, payload));

    busy = false;
    QTRY_COMPARE_WITH_TIMEOUT(taken, sent, 10000);
    QCOMPARE(link.heldCount(), 0);
    // Only the first was held: the others waited in the broker while the link did not read.
    QCOMPARE(core.metrics.counter(u"edgegate_mqtt_held_total"_s, {}).value(), 1u);
    QVERIFY(core.registry.find(u"held-1"_s));
}

void TestMqttLink::pausedDoesNotRead()
{
    Broker broker;
    QVERIFY(broker.start());
    CorePipeline core(RegistryPolicy::Auto);
    MqttLink link(linkSettings(broker.port(), u"edgegate-test-pause"_s), core.ingest, core.metrics);
    QList<QByteArray> taken;
    link.setHandler([&](const InboundMessage &message) {
        taken.append(message.payload);
        return core.ingest.handle(message);
    });
    // A second link that reads: once it has a message, the broker sent it to this process.
    CorePipeline otherCore(RegistryPolicy::Auto);
    MqttLink other(linkSettings(broker.port(), u"edgegate-test-witness"_s), otherCore.ingest, otherCore.metrics);
    QList<QByteArray> witnessed;
    other.setHandler([&](const InboundMessage &message) {
        witnessed.append(message.payload);
        return otherCore.ingest.handle(message);
    });
    link.start();
    other.start();
    for (const QString &client : {u"edgegate-test-pause"_s, u"edgegate-test-witness"_s})
        QTRY_VERIFY_WITH_TIMEOUT(broker.log().contains(client + u" 1 devices/+/telemetry"_s), 10000);

    link.setPaused(true);
    QVERIFY(link.isPaused());
    QVERIFY(testsupport::publish(broker.port(), u"devices/paused-1/telemetry"_s, "{\"t\":1}"));
    QTRY_COMPARE_WITH_TIMEOUT(witnessed.size(), 1, 10000);
    QVERIFY(taken.isEmpty());
    QVERIFY(link.isConnected());

    link.setPaused(false);
    QTRY_COMPARE_WITH_TIMEOUT(taken, (QList<QByteArray>{"{\"t\":1}"}), 10000);
}

void TestMqttLink::messagesSentAgainAreTakenOnce()
{
    ScriptedBroker broker;
    QTemporaryDir dir;
    CorePipeline core(RegistryPolicy::Auto);
    MqttLink::Settings settings = linkSettings(broker.port(), u"edgegate-test-again"_s);
    settings.v5 = false;
    settings.reconnectMin = 50ms;
    settings.reconnectMax = 100ms;
    settings.sessionFile = dir.filePath(u"mqtt-session"_s);
    QList<QByteArray> taken;
    const auto handler = [&](const InboundMessage &message) {
        taken.append(message.payload);
        // One device awaits approval: its messages live in memory only.
        if (message.deviceId == u"pending-1")
            return IngestResult{IngestResult::Outcome::Held, {}, {}};
        return core.ingest.handle(message);
    };
    const auto redelivered
        = [&] { return core.metrics.counter(u"edgegate_mqtt_redelivered_skipped_total"_s, {}).value(); };
    const QByteArray topic = "devices/r-1/telemetry";
    const auto reading = [](int n) -> QByteArray { return "{\"n\":" + QByteArray::number(n) + "}"; };

    auto link = std::make_unique<MqttLink>(settings, core.ingest, core.metrics);
    link->setHandler(handler);
    link->start();
    QTRY_COMPARE_WITH_TIMEOUT(broker.subscribed(), 1, 10000);
    for (int mid = 1; mid <= 5; ++mid)
        broker.publish(mid, topic, reading(mid));
    QTRY_COMPARE_WITH_TIMEOUT(taken.size(), 5, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(broker.acked().size(), 5, 10000);

    // The acknowledgements of 4 and 5 were "lost": the broker sends them again, then new ones, one of
    // them with the same payload as 5.
    broker.setSessionPresent(true);
    broker.drop();
    QTRY_COMPARE_WITH_TIMEOUT(broker.subscribed(), 2, 10000);
    broker.publish(4, topic, reading(4), true);
    broker.publish(5, topic, reading(5), true);
    broker.publish(6, topic, reading(6));
    broker.publish(7, topic, reading(5));
    QTRY_COMPARE_WITH_TIMEOUT(taken.size(), 7, 10000);
    QCOMPARE(taken,
             (QList<QByteArray>{reading(1), reading(2), reading(3), reading(4), reading(5), reading(6), reading(5)}));
    QCOMPARE(redelivered(), 2u);

    // Messages that look like old ones but stop short of the last one taken are new: they are taken,
    // in order, once the run breaks.
    broker.drop();
    QTRY_COMPARE_WITH_TIMEOUT(broker.subscribed(), 3, 10000);
    broker.publish(6, topic, reading(6));
    broker.publish(8, topic, reading(8));
    QTRY_COMPARE_WITH_TIMEOUT(taken.size(), 9, 10000);
    QCOMPARE(taken.mid(7), (QList<QByteArray>{reading(6), reading(8)}));
    // And a run that pauses is given up: after a second, what it held is taken.
    broker.drop();
    QTRY_COMPARE_WITH_TIMEOUT(broker.subscribed(), 4, 10000);
    broker.publish(6, topic, reading(6));
    QTRY_COMPARE_WITH_TIMEOUT(taken.size(), 10, 10000);
    QCOMPARE(taken.last(), reading(6));
    QCOMPARE(redelivered(), 2u);

    // A message held for approval is in memory only: sent again, it is taken again.
    broker.publish(9, "devices/pending-1/telemetry", reading(9));
    QTRY_COMPARE_WITH_TIMEOUT(taken.size(), 11, 10000);

    // After a restart of the gateway: the broker sends the last two again.
    link.reset();
    broker.drop();
    link = std::make_unique<MqttLink>(settings, core.ingest, core.metrics);
    link->setHandler(handler);
    link->start();
    QTRY_COMPARE_WITH_TIMEOUT(broker.subscribed(), 5, 10000);
    broker.publish(6, topic, reading(6), true);
    broker.publish(9, "devices/pending-1/telemetry", reading(9), true);
    broker.publish(10, topic, reading(10));
    QTRY_COMPARE_WITH_TIMEOUT(taken.size(), 13, 10000);
    QCOMPARE(taken.mid(11), (QList<QByteArray>{reading(9), reading(10)}));
    QCOMPARE(redelivered(), 3u);

    // A new session numbers from anywhere: an old id with an old payload is a new message.
    broker.setSessionPresent(false);
    broker.drop();
    QTRY_COMPARE_WITH_TIMEOUT(broker.subscribed(), 6, 10000);
    broker.publish(10, topic, reading(10));
    QTRY_COMPARE_WITH_TIMEOUT(taken.size(), 14, 10000);
    QCOMPARE(redelivered(), 3u);
}

QTEST_GUILESS_MAIN(TestMqttLink)
#include "tst_mqttlink.moc"
