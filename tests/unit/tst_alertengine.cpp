// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/alerts/alertengine.h"
#include "gateway/core/alerts/alertstore.h"
#include "gateway/core/common/metrics.h"
#include "gateway/core/devices/deviceregistry.h"
#include "gateway/storage/sqlitedevicestore.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace edgegate;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

AlertRule rule(const char *json)
{
    QString error;
    auto r = alertRuleFromJson(QJsonDocument::fromJson(json).object(), &error);
    if (!r)
        qFatal("bad rule in the test: %s", qPrintable(error));
    return *r;
}

/// The engine over a real registry, with a clock the test moves.
struct Fixture
{
    explicit Fixture(const QList<AlertRule> &rules)
        : registry({RegistryPolicy::Auto, 1h, 1h}, store, metrics)
        , alerts(100, metrics)
        , engine(alerts, registry, [this] { return now; })
    {
        if (!store.open(dir.filePath(u"r.db"_s)) || !registry.load(nullptr))
            qFatal("cannot open the registry");
        QObject::connect(&registry, &DeviceRegistry::statusChanged, &engine, &AlertEngine::onStatus);
        engine.setRules(rules);
    }

    void advance(std::chrono::milliseconds by)
    {
        now += by.count();
        engine.tick();
    }

    void telemetry(const QString &device, const QString &metric, double value)
    {
        registry.admit(device, Protocol::Mqtt, now);
        Envelope e;
        e.deviceId = device;
        e.kind = MessageKind::Telemetry;
        e.samples.append({metric, value, now * 1'000'000});
        e.receivedAtNs = now * 1'000'000;
        engine.onTelemetry(e);
    }

    QList<Alert> open() const { return alerts.openAlerts(); }

    qint64 now = 1'700'000'000'000;
    QTemporaryDir dir;
    Metrics metrics;
    SqliteDeviceStore store;
    DeviceRegistry registry;
    AlertStore alerts;
    AlertEngine engine;
};

} // namespace

class TestAlertEngine : public QObject
{
    Q_OBJECT
private slots:
    void ruleParsing_data();
    void ruleParsing();
    void ruleRoundTrip();
    void offlineRaisesAndClears();
    void offlineWithFor();
    void thresholdWithDuration();
    void thresholdImmediate();
    void noData();
    void anomalyClearsAfterQuiet();
    void outboxOverflow();
    void lifecycle();
    void selectors();
    void defaults();
    void certificateExpiry();
};

void TestAlertEngine::ruleParsing_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error"); // empty: valid
    QTest::addRow("offline") << QByteArray(R"({"id":"o","kind":"offline","for":"30s"})") << QString();
    QTest::addRow("threshold") << QByteArray(R"({"id":"t","kind":"threshold","metric":"temp","above":30})")
                               << QString();
    QTest::addRow("threshold as text") << QByteArray(R"({"id":"t","kind":"threshold","metric":"t","below":"-5.5"})")
                                       << QString();
    QTest::addRow("no id") << QByteArray(R"({"kind":"offline"})") << u"id:"_s;
    QTest::addRow("certificate_expiry") << QByteArray(R"({"id":"c","kind":"certificate_expiry","before":"30d"})")
                                        << QString();
    QTest::addRow("before on another kind")
        << QByteArray(R"({"id":"c","kind":"offline","before":"30d"})") << u"before:"_s;
    QTest::addRow("certificate_expiry with a selector")
        << QByteArray(R"({"id":"c","kind":"certificate_expiry","selector":{"devices":["d"]}})") << u"selector:"_s;
    QTest::addRow("bad id") << QByteArray(R"({"id":"a b","kind":"offline"})") << u"id:"_s;
    QTest::addRow("bad kind") << QByteArray(R"({"id":"a","kind":"loud"})") << u"kind:"_s;
    QTest::addRow("bad severity") << QByteArray(R"({"id":"a","kind":"offline","severity":"fatal"})") << u"severity:"_s;
    QTest::addRow("threshold without metric")
        << QByteArray(R"({"id":"a","kind":"threshold","above":1})") << u"metric:"_s;
    QTest::addRow("threshold without limits")
        << QByteArray(R"({"id":"a","kind":"threshold","metric":"t"})") << u"above:"_s;
    QTest::addRow("limit on offline") << QByteArray(R"({"id":"a","kind":"offline","above":1})") << u"metric:"_s;
    QTest::addRow("bad duration") << QByteArray(R"({"id":"a","kind":"offline","for":"soon"})") << u"for:"_s;
    QTest::addRow("zero clear_after") << QByteArray(R"({"id":"a","kind":"anomaly","clear_after":"0s"})")
                                      << u"clear_after:"_s;
    QTest::addRow("unknown key") << QByteArray(R"({"id":"a","kind":"offline","color":"red"})") << u"color:"_s;
    QTest::addRow("bad selector device") << QByteArray(
        R"({"id":"a","kind":"offline","selector":{"devices":["ok","no/slash"]}})")
                                         << u"selector.devices:"_s;
    QTest::addRow("outbox with selector")
        << QByteArray(R"({"id":"a","kind":"outbox_overflow","selector":{"device_type":"x"}})") << u"selector:"_s;
    QTest::addRow("non-finite") << QByteArray(R"({"id":"a","kind":"threshold","metric":"t","above":"nan"})")
                                << u"above:"_s;
}

void TestAlertEngine::ruleParsing()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    QString problem;
    const auto r = alertRuleFromJson(QJsonDocument::fromJson(json).object(), &problem);
    if (error.isEmpty()) {
        QVERIFY2(r, qPrintable(problem));
    } else {
        QVERIFY(!r);
        QVERIFY2(problem.startsWith(error), qPrintable(problem));
    }
}

void TestAlertEngine::ruleRoundTrip()
{
    const QList<AlertRule> rules{
        rule(R"({"id":"t","kind":"threshold","metric":"temp","above":30,"below":-5,"for":"1m","severity":"critical",
                 "selector":{"device_type":"sensor","devices":["a","b"]}})"),
        rule(R"({"id":"n","kind":"no_data","for":"90s"})"),
        rule(R"({"id":"x","kind":"anomaly","clear_after":"10m","severity":"info"})")};
    QString error;
    const auto back = alertRulesFromJson(alertRulesToJson(rules), &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(*back, rules);
    const auto twice = alertRulesFromJson(QJsonArray{alertRuleToJson(rules[1]), alertRuleToJson(rules[1])}, &error);
    QVERIFY(!twice);
    QVERIFY2(error.startsWith(u"[1].id:"_s), qPrintable(error));
}

void TestAlertEngine::offlineRaisesAndClears()
{
    Fixture f({rule(R"({"id":"off","kind":"offline"})")});
    QSignalSpy changes(&f.alerts, &AlertStore::alertChanged);
    f.registry.admit(u"d"_s, Protocol::Mqtt, f.now);
    QCOMPARE(f.open().size(), 0);
    f.registry.setReportedStatus(u"d"_s, DeviceStatus::Offline, f.now);
    QCOMPARE(f.open().size(), 1);
    const Alert a = f.open().front();
    QCOMPARE(a.rule, u"off"_s);
    QCOMPARE(a.kind, u"offline"_s);
    QCOMPARE(a.severity, u"warning"_s);
    QCOMPARE(a.deviceId, u"d"_s);
    QCOMPARE(a.state, u"active"_s);
    f.registry.admit(u"d"_s, Protocol::Mqtt, f.now);
    QCOMPARE(f.open().size(), 0);
    QCOMPARE(f.alerts.find(a.id)->state, u"cleared"_s);
    QVERIFY(f.alerts.find(a.id)->clearedBy.isEmpty());
    QCOMPARE(changes.size(), 2); // raised, cleared
}

void TestAlertEngine::offlineWithFor()
{
    Fixture f({rule(R"({"id":"off","kind":"offline","for":"5m"})")});
    f.registry.admit(u"d"_s, Protocol::Mqtt, f.now);
    f.registry.setReportedStatus(u"d"_s, DeviceStatus::Offline, f.now);
    QCOMPARE(f.engine.nextDeadline(), std::optional(f.now + 300000));
    f.advance(4min);
    QCOMPARE(f.open().size(), 0);
    // Back before the 5 minutes: nothing fires.
    f.registry.admit(u"d"_s, Protocol::Mqtt, f.now);
    f.advance(2min);
    QCOMPARE(f.open().size(), 0);
    QVERIFY(!f.engine.nextDeadline());
    f.registry.setReportedStatus(u"d"_s, DeviceStatus::Offline, f.now);
    f.advance(5min);
    QCOMPARE(f.open().size(), 1);
}

void TestAlertEngine::thresholdWithDuration()
{
    Fixture f({rule(R"({"id":"hot","kind":"threshold","metric":"temp","above":30,"below":0,"for":"1m"})")});
    QSignalSpy changes(&f.alerts, &AlertStore::alertChanged);
    f.telemetry(u"d"_s, u"temp"_s, 31);
    f.advance(30s);
    f.telemetry(u"d"_s, u"temp"_s, 25); // back inside before the minute: the clock restarts
    f.advance(60s);
    QCOMPARE(f.open().size(), 0);
    f.telemetry(u"d"_s, u"temp"_s, 35);
    f.advance(30s);
    f.telemetry(u"d"_s, u"temp"_s, 36);
    QCOMPARE(f.open().size(), 0);
    f.advance(30s);
    QCOMPARE(f.open().size(), 1);
    QCOMPARE(f.open().front().value, 36.0);
    QCOMPARE(f.open().front().metric, u"temp"_s);
    // Still outside: counted, not announced again.
    f.telemetry(u"d"_s, u"temp"_s, 37);
    QCOMPARE(f.open().front().count, 2u);
    QCOMPARE(changes.size(), 1);
    // Below the lower limit is outside too; the other metric is ignored.
    f.telemetry(u"d"_s, u"humidity"_s, 99);
    f.telemetry(u"d"_s, u"temp"_s, -1);
    QCOMPARE(f.open().size(), 1);
    f.telemetry(u"d"_s, u"temp"_s, 20);
    QCOMPARE(f.open().size(), 0);
    QCOMPARE(changes.size(), 2);
}

void TestAlertEngine::thresholdImmediate()
{
    Fixture f({rule(R"({"id":"low","kind":"threshold","metric":"battery","below":10,"severity":"critical"})")});
    f.telemetry(u"d"_s, u"battery"_s, 9);
    QCOMPARE(f.open().size(), 1);
    QCOMPARE(f.open().front().severity, u"critical"_s);
}

void TestAlertEngine::noData()
{
    Fixture f({rule(R"({"id":"quiet","kind":"no_data","for":"2m"})")});
    f.telemetry(u"a"_s, u"t"_s, 1);
    f.advance(1min);
    f.telemetry(u"b"_s, u"t"_s, 1);
    f.advance(61s);
    QCOMPARE(f.open().size(), 1);
    QCOMPARE(f.open().front().deviceId, u"a"_s);
    f.advance(1min);
    QCOMPARE(f.open().size(), 2);
    f.telemetry(u"a"_s, u"t"_s, 1);
    QCOMPARE(f.open().size(), 1);
    QCOMPARE(f.open().front().deviceId, u"b"_s);
}

void TestAlertEngine::anomalyClearsAfterQuiet()
{
    Fixture f({rule(R"({"id":"z","kind":"anomaly","clear_after":"5m"})")});
    f.engine.onAnomaly({u"d"_s, u"t"_s, 100, 5, 10, 2, f.now});
    f.advance(3min);
    f.engine.onAnomaly({u"d"_s, u"t"_s, 120, 6, 10, 2, f.now});
    QCOMPARE(f.open().size(), 1);
    QCOMPARE(f.open().front().count, 2u);
    QCOMPARE(f.open().front().value, 120.0);
    f.advance(4min); // 4 minutes after the repeat: still open
    QCOMPARE(f.open().size(), 1);
    f.advance(1min);
    QCOMPARE(f.open().size(), 0);
    // Another metric makes another alert.
    f.engine.onAnomaly({u"d"_s, u"t"_s, 100, 5, 10, 2, f.now});
    f.engine.onAnomaly({u"d"_s, u"h"_s, 100, 5, 10, 2, f.now});
    QCOMPARE(f.open().size(), 2);
}

void TestAlertEngine::outboxOverflow()
{
    Fixture f({rule(R"({"id":"ob","kind":"outbox_overflow","severity":"critical","clear_after":"1m"})")});
    f.engine.onOutboxDropped(u"upstream"_s, 5, u"overflow"_s);
    f.engine.onOutboxDropped(u"upstream"_s, 3, u"overflow"_s);
    QCOMPARE(f.open().size(), 1);
    QCOMPARE(f.open().front().metric, u"upstream"_s);
    QCOMPARE(f.open().front().value, 8.0);
    QCOMPARE(f.open().front().count, 2u);
    f.advance(61s);
    QCOMPARE(f.open().size(), 0);
}

void TestAlertEngine::lifecycle()
{
    Fixture f({rule(R"({"id":"off","kind":"offline"})")});
    QSignalSpy changes(&f.alerts, &AlertStore::alertChanged);
    f.registry.admit(u"d"_s, Protocol::Mqtt, f.now);
    f.registry.setReportedStatus(u"d"_s, DeviceStatus::Offline, f.now);
    const quint64 id = f.open().front().id;
    QCOMPARE(f.alerts.acknowledge(id, u"ana"_s, u"on it"_s, f.now + 5), AlertStore::ChangeResult::Done);
    QCOMPARE(f.alerts.acknowledge(id, u"bob"_s, {}, f.now + 6), AlertStore::ChangeResult::Conflict);
    QCOMPARE(f.alerts.acknowledge(999, u"bob"_s, {}, f.now + 6), AlertStore::ChangeResult::NotFound);
    const Alert *a = f.alerts.find(id);
    QCOMPARE(a->state, u"acknowledged"_s);
    QCOMPARE(a->acknowledgedBy, u"ana"_s);
    QCOMPARE(a->note, u"on it"_s);
    QCOMPARE(a->acknowledgedAtMs, f.now + 5);
    // Acknowledged is still open: a repeat counts up, it does not make a new alert.
    f.registry.setReportedStatus(u"d"_s, DeviceStatus::Online, f.now);
    QCOMPARE(a->state, u"cleared"_s);
    f.registry.setReportedStatus(u"d"_s, DeviceStatus::Offline, f.now);
    QCOMPARE(f.open().size(), 1);
    const quint64 second = f.open().front().id;
    QVERIFY(second != id);
    QCOMPARE(f.alerts.clear(second, u"ana"_s, f.now + 9), AlertStore::ChangeResult::Done);
    QCOMPARE(f.alerts.find(second)->clearedBy, u"ana"_s);
    QCOMPARE(f.alerts.clear(second, u"ana"_s, f.now + 9), AlertStore::ChangeResult::Conflict);
    QCOMPARE(changes.size(), 5); // raised, acknowledged, cleared, raised, cleared
    AlertStore::Filter cleared;
    cleared.state = u"cleared"_s;
    qsizetype total = 0;
    QCOMPARE(f.alerts.list(cleared, 1, &total).size(), 1);
    QCOMPARE(total, 2);
}

void TestAlertEngine::selectors()
{
    Fixture f({rule(R"({"id":"s","kind":"offline","selector":{"device_type":"sensor"}})"),
               rule(R"({"id":"l","kind":"offline","selector":{"devices":["b"]}})")});
    for (const QString &id : {u"a"_s, u"b"_s, u"c"_s})
        f.registry.admit(id, Protocol::Mqtt, f.now);
    f.registry.applyMeta(u"a"_s, {std::nullopt, u"sensor"_s, std::nullopt, {}});
    for (const QString &id : {u"a"_s, u"b"_s, u"c"_s})
        f.registry.setReportedStatus(id, DeviceStatus::Offline, f.now);
    const QList<Alert> open = f.open();
    QCOMPARE(open.size(), 2);
    QCOMPARE(open[0].deviceId, u"a"_s);
    QCOMPARE(open[0].rule, u"s"_s);
    QCOMPARE(open[1].deviceId, u"b"_s);
    QCOMPARE(open[1].rule, u"l"_s);
}

void TestAlertEngine::defaults()
{
    const QList<AlertRule> rules = defaultAlertRules();
    QCOMPARE(rules.size(), 4);
    Fixture f(rules);
    f.engine.onAnomaly({u"d"_s, u"t"_s, 100, 5, 10, 2, f.now});
    f.engine.onOutboxDropped(u"influxdb"_s, 1, u"overflow"_s);
    f.registry.admit(u"d"_s, Protocol::Mqtt, f.now);
    f.registry.setReportedStatus(u"d"_s, DeviceStatus::Offline, f.now);
    f.engine.onCertificateExpiry(u"http"_s, f.now + (24LL * 3600 * 1000 * 13));
    const QList<Alert> open = f.open();
    QCOMPARE(open.size(), 4);
    QCOMPARE(open[0].kind, u"anomaly"_s);
    QCOMPARE(open[0].severity, u"warning"_s);
    QCOMPARE(open[1].kind, u"outbox_overflow"_s);
    QCOMPARE(open[1].severity, u"critical"_s);
    QCOMPARE(open[2].kind, u"offline"_s);
    QCOMPARE(open[2].severity, u"warning"_s);
    QCOMPARE(open[3].kind, u"certificate_expiry"_s);
    QCOMPARE(open[3].metric, u"http"_s);
}

void TestAlertEngine::certificateExpiry()
{
    QString error;
    const auto rule = alertRuleFromJson(
        QJsonDocument::fromJson(R"({"id":"c","kind":"certificate_expiry","before":"7d"})").object(), &error);
    QVERIFY2(rule, qPrintable(error));
    Fixture f({*rule});
    const qint64 day = 24LL * 3600 * 1000;
    // Far from expiry: nothing; checked again and again: nothing.
    f.engine.onCertificateExpiry(u"http"_s, f.now + 30 * day);
    f.engine.onCertificateExpiry(u"http"_s, f.now + 30 * day);
    QCOMPARE(f.open().size(), 0);
    // Within the rule's 7 days: one alert, not repeated by the checks that follow.
    f.engine.onCertificateExpiry(u"http"_s, f.now + 6 * day);
    f.engine.onCertificateExpiry(u"http"_s, f.now + 6 * day);
    QCOMPARE(f.open().size(), 1);
    QCOMPARE(f.open().first().count, 1);
    QVERIFY(f.open().first().message.contains(u"in 6.0 days"_s));
    // A new certificate clears it.
    f.engine.onCertificateExpiry(u"http"_s, f.now + 90 * day);
    QCOMPARE(f.open().size(), 0);
    // An expired one says so.
    f.engine.onCertificateExpiry(u"http"_s, f.now - day);
    QVERIFY(f.open().first().message.contains(u"expired"_s));
}

QTEST_GUILESS_MAIN(TestAlertEngine)
#include "tst_alertengine.moc"
