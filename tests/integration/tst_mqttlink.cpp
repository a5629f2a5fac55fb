// SPDX-License-Identifier: Apache-2.0
// MqttLink in-process against a real mosquitto: message ids and PUBACKs of republished messages.
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

QTEST_GUILESS_MAIN(TestMqttLink)
#include "tst_mqttlink.moc"
