// SPDX-License-Identifier: Apache-2.0
// The WebSocket API's request actions over the core objects (no sockets): roles, reply codes,
// who signs an alert, and the actions that need a part the gateway may lack.
#include "gateway/api/ws/uiactions.h"
#include "gateway/core/devices/healthhistory.h"
#include "gateway/core/devices/telemetryhistory.h"
#include "gateway/core/downlink/commandqueue.h"
#include "gateway/storage/sqlitehealthstore.h"
#include "support/corepipeline.h"

#include <QDateTime>
#include <QJsonArray>
#include <QTest>

using namespace edgegate;
using namespace Qt::StringLiterals;

namespace {

/// The objects UiActions works on, with one approved device "d1" and one active alert.
struct Fixture
{
    Fixture()
        : pipeline(RegistryPolicy::Auto)
        , downlinks(pipeline.registry)
        , commands(pipeline.registry, downlinks, pipeline.metrics)
        , history({}, healthStore, pipeline.metrics)
        , operations(pipeline.registry, pipeline.alerts, commands, pipeline.ingest)
        , actions(operations, pipeline.registry, history, telemetry, nullptr, nullptr)
    {
        if (!healthStore.open(pipeline.dir.filePath(u"h.db"_s)))
            qFatal("cannot open the health store");
        pipeline.ingest.handle(receivedNow(Protocol::Mqtt, u"d1"_s, MessageKind::Telemetry, R"({"t": 20})"));
        Alert alert;
        alert.rule = u"r"_s;
        alert.kind = u"threshold"_s;
        alert.severity = u"warning"_s;
        alert.deviceId = u"d1"_s;
        alert.metric = u"t"_s;
        alertId = pipeline.alerts.raise(alert).id;
    }

    wsapi::Reply run(const QString &action, const QJsonObject &params, const ApiIdentity &who = {})
    {
        return actions.run({7, action, params}, who);
    }

    CorePipeline pipeline;
    SqliteHealthStore healthStore;
    Downlinks downlinks;
    CommandQueue commands;
    HealthHistory history;
    TelemetryHistory &telemetry = pipeline.core.telemetryHistory;
    Operations operations;
    UiActions actions;
    quint64 alertId = 0;
};

} // namespace

class TestUiActions : public QObject
{
    Q_OBJECT
private slots:
    void viewerMayOnlyRead_data();
    void viewerMayOnlyRead();
    void unknownAction();
    void withoutOtaOrFirmwareStore_data();
    void withoutOtaOrFirmwareStore();
    void alertSignedBySessionUser_data();
    void alertSignedBySessionUser();
    void badParams_data();
    void badParams();
    void telemetryHistorySeries();
};

void TestUiActions::viewerMayOnlyRead_data()
{
    QTest::addColumn<QString>("action");
    for (const QStringView name : wsapi::actionNames())
        QTest::addRow("%s", qPrintable(name.toString())) << name.toString();
}

void TestUiActions::viewerMayOnlyRead()
{
    QFETCH(QString, action);
    Fixture f;
    const wsapi::Reply viewer = f.run(action, {}, {u"wall"_s, ApiRole::Viewer});
    QCOMPARE(viewer.id, 7);
    if (wsapi::isReadAction(action)) {
        QVERIFY(viewer.ok || viewer.error.code != u"forbidden");
    } else {
        QVERIFY(!viewer.ok);
        QCOMPARE(viewer.error.code, u"forbidden"_s);
    }
    // An admin is never forbidden.
    const wsapi::Reply admin = f.run(action, {}, {u"ops"_s, ApiRole::Admin});
    QVERIFY(admin.ok || admin.error.code != u"forbidden");
}

void TestUiActions::unknownAction()
{
    Fixture f;
    const wsapi::Reply reply = f.run(u"device.explode"_s, {});
    QVERIFY(!reply.ok);
    QCOMPARE(reply.error.code, u"unknown_action"_s);
    // Unknown beats forbidden: a viewer learns the action does not exist.
    QCOMPARE(f.run(u"x"_s, {}, {u"wall"_s, ApiRole::Viewer}).error.code, u"unknown_action"_s);
}

void TestUiActions::withoutOtaOrFirmwareStore_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<QJsonObject>("params");
    const QJsonObject campaign{{u"campaign"_s, u"c1"_s}};
    QTest::addRow("ota.create") << u"ota.create"_s << QJsonObject{{u"firmware"_s, u"fw"_s}};
    QTest::addRow("ota.pause") << u"ota.pause"_s << campaign;
    QTest::addRow("ota.jobs") << u"ota.jobs"_s << campaign;
    QTest::addRow("firmware.list") << u"firmware.list"_s << QJsonObject();
    QTest::addRow("firmware.delete") << u"firmware.delete"_s
                                     << QJsonObject{{u"name"_s, u"fw"_s}, {u"version"_s, u"1.0.0"_s}};
}

void TestUiActions::withoutOtaOrFirmwareStore()
{
    QFETCH(QString, action);
    QFETCH(QJsonObject, params);
    Fixture f;
    const wsapi::Reply reply = f.run(action, params);
    QVERIFY(!reply.ok);
    QCOMPARE(reply.error.code, u"unavailable"_s);
}

void TestUiActions::alertSignedBySessionUser_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("by");
    QTest::addRow("no tokens") << QString() << u"dashboard"_s;
    QTest::addRow("token name") << u"ops"_s << u"ops"_s;
}

void TestUiActions::alertSignedBySessionUser()
{
    QFETCH(QString, user);
    QFETCH(QString, by);
    Fixture f;
    const ApiIdentity who{user, ApiRole::Admin};
    const auto id = static_cast<qint64>(f.alertId);
    const wsapi::Reply acked = f.run(u"alert.acknowledge"_s, {{u"id"_s, id}, {u"note"_s, u"on it"_s}}, who);
    QVERIFY2(acked.ok, qPrintable(acked.error.message));
    QCOMPARE(acked.result.toObject().value(u"acknowledged_by"_s).toString(), by);
    QCOMPARE(acked.result.toObject().value(u"note"_s).toString(), u"on it"_s);
    QCOMPARE(f.run(u"alert.acknowledge"_s, {{u"id"_s, id}}, who).error.code, u"conflict"_s);
    const wsapi::Reply cleared = f.run(u"alert.clear"_s, {{u"id"_s, id}}, who);
    QVERIFY(cleared.ok);
    QCOMPARE(cleared.result.toObject().value(u"cleared_by"_s).toString(), by);
    QCOMPARE(f.pipeline.alerts.find(f.alertId)->clearedBy, by);
}

void TestUiActions::badParams_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<QString>("code");

    const auto row = [](const char *name, const QString &action, const QJsonObject &params, const QString &code) {
        QTest::addRow("%s", name) << action << params << code;
    };
    row("ack without id", u"alert.acknowledge"_s, {}, u"bad_request"_s);
    row("ack with string id", u"alert.acknowledge"_s, {{u"id"_s, u"1"_s}}, u"bad_request"_s);
    row("ack with fractional id", u"alert.acknowledge"_s, {{u"id"_s, 1.5}}, u"bad_request"_s);
    row("ack with zero id", u"alert.acknowledge"_s, {{u"id"_s, 0}}, u"bad_request"_s);
    row("ack with long note", u"alert.acknowledge"_s, {{u"id"_s, 1}, {u"note"_s, QString(1025, u'n')}},
        u"bad_request"_s);
    row("ack of unknown alert", u"alert.acknowledge"_s, {{u"id"_s, 999}}, u"not_found"_s);
    row("clear of unknown alert", u"alert.clear"_s, {{u"id"_s, 999}}, u"not_found"_s);
    row("approve without device", u"device.approve"_s, {}, u"bad_request"_s);
    row("approve with invalid id", u"device.approve"_s, {{u"device"_s, u"a b"_s}}, u"bad_request"_s);
    row("approve with numeric id", u"device.approve"_s, {{u"device"_s, 5}}, u"bad_request"_s);
    row("approve of unknown device", u"device.approve"_s, {{u"device"_s, u"zz"_s}}, u"not_found"_s);
    row("approve of approved device", u"device.approve"_s, {{u"device"_s, u"d1"_s}}, u"conflict"_s);
    row("reject of approved device", u"device.reject"_s, {{u"device"_s, u"d1"_s}}, u"conflict"_s);
    row("maintenance without on", u"device.maintenance"_s, {{u"device"_s, u"d1"_s}}, u"bad_request"_s);
    row("maintenance with string on", u"device.maintenance"_s, {{u"device"_s, u"d1"_s}, {u"on"_s, u"true"_s}},
        u"bad_request"_s);
    row("command without name", u"device.command"_s, {{u"device"_s, u"d1"_s}}, u"bad_request"_s);
    row("command with array params", u"device.command"_s,
        {{u"device"_s, u"d1"_s}, {u"name"_s, u"x"_s}, {u"params"_s, QJsonArray()}}, u"bad_request"_s);
    row("command with zero ttl", u"device.command"_s, {{u"device"_s, u"d1"_s}, {u"name"_s, u"x"_s}, {u"ttl"_s, 0}},
        u"bad_request"_s);
    row("command with unknown field", u"device.command"_s,
        {{u"device"_s, u"d1"_s}, {u"name"_s, u"x"_s}, {u"color"_s, 1}}, u"bad_request"_s);
    row("command for unknown device", u"device.command"_s, {{u"device"_s, u"zz"_s}, {u"name"_s, u"x"_s}},
        u"not_found"_s);
    row("history with negative limit", u"device.history"_s, {{u"device"_s, u"d1"_s}, {u"limit"_s, -1}},
        u"bad_request"_s);
    row("history with huge limit", u"device.history"_s, {{u"device"_s, u"d1"_s}, {u"limit"_s, 1001}}, u"bad_request"_s);
    row("telemetry range too short", u"telemetry.history"_s, {{u"device"_s, u"d1"_s}, {u"range_s"_s, 59}},
        u"bad_request"_s);
    row("telemetry range too long", u"telemetry.history"_s, {{u"device"_s, u"d1"_s}, {u"range_s"_s, 3601}},
        u"bad_request"_s);
    row("telemetry of unknown device", u"telemetry.history"_s, {{u"device"_s, u"zz"_s}}, u"not_found"_s);
}

void TestUiActions::badParams()
{
    QFETCH(QString, action);
    QFETCH(QJsonObject, params);
    QFETCH(QString, code);
    Fixture f;
    const wsapi::Reply reply = f.run(action, params);
    QVERIFY(!reply.ok);
    QCOMPARE(reply.error.code, code);
    QVERIFY(!reply.error.message.isEmpty());
}

void TestUiActions::telemetryHistorySeries()
{
    Fixture f;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 bucket = now - now % TelemetryHistory::BucketMs;
    f.telemetry.add(u"d1"_s, u"u"_s, now, 20, now);
    f.telemetry.add(u"d1"_s, u"u"_s, now, 22, now);
    const wsapi::Reply reply = f.run(u"telemetry.history"_s, {{u"device"_s, u"d1"_s}, {u"range_s"_s, 60}});
    QVERIFY2(reply.ok, qPrintable(reply.error.message));
    const QJsonObject result = reply.result.toObject();
    QCOMPARE(result.value(u"device"_s).toString(), u"d1"_s);
    const QJsonArray points = result.value(u"series"_s).toObject().value(u"u"_s).toArray();
    QCOMPARE(points.size(), 1);
    QCOMPARE(points.at(0).toArray().at(0).toInteger(), bucket);
    QCOMPARE(points.at(0).toArray().at(1).toDouble(), 21.0);
}

QTEST_GUILESS_MAIN(TestUiActions)
#include "tst_uiactions.moc"
