// SPDX-License-Identifier: Apache-2.0
// MqttLink in-process against a real mosquitto: message ids and PUBACKs of republished messages,
// and back-pressure (holding messages while Ingest is busy, pausing the socket).
#include "gateway/core/ingest.h"
#include "gateway/links/mqttlink.h"
#include "support/corepipeline.h"
#include "testsupport.h"

#include <QSignalSpy>
#include <QTest>

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

} // namespace

class TestMqttLink : public QObject
{
    Q_OBJECT

private slots:
    void republishReportsIdAndPuback();
    void holdsMessagesWhileIngestIsBusy();
    void pausedDoesNotRead();
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
            return IngestResult{IngestResult::Outcome::Busy, u"outbox_full"_s, {}};
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

QTEST_GUILESS_MAIN(TestMqttLink)
#include "tst_mqttlink.moc"
