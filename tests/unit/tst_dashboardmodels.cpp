// SPDX-License-Identifier: Apache-2.0
// The dashboard's list and filter models with canned rows, the reconnect backoff and the saved settings.
#include "ui/alertfiltermodel.h"
#include "ui/alertmodel.h"
#include "ui/appsettings.h"
#include "ui/backoff.h"
#include "ui/campaignmodel.h"
#include "ui/devicefiltermodel.h"
#include "ui/devicemodel.h"
#include "ui/firmwaremodel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace edgegate;
using namespace Qt::StringLiterals;

namespace {

DeviceInfo device(const QString &id, const QString &name, const QString &type, DeviceStatus status,
                  qint64 lastSeenMs = 1000, Approval approval = Approval::Approved)
{
    DeviceInfo d;
    d.id = id;
    d.name = name;
    d.type = type;
    d.status = status;
    d.approval = approval;
    d.lastSeenMs = lastSeenMs;
    d.protocol = u"mqtt"_s;
    return d;
}

QList<DeviceInfo> cannedDevices()
{
    return {
        device(u"boiler-1"_s, u"Boiler"_s, u"thermostat"_s, DeviceStatus::Online, 5000),
        device(u"pump-2"_s, u"Feed pump"_s, u"pump"_s, DeviceStatus::Error, 3000),
        device(u"valve-9"_s, {}, u"valve"_s, DeviceStatus::Offline, 1000),
        device(u"sensor-7"_s, u"Attic"_s, u"sensor"_s, DeviceStatus::Online, 4000, Approval::Pending),
        device(u"lamp-3"_s, u"Hall lamp"_s, u"lamp"_s, DeviceStatus::Maintenance, 2000),
    };
}

QStringList column(const QAbstractItemModel &model, int role)
{
    QStringList values;
    for (int row = 0; row < model.rowCount(); ++row)
        values.append(model.index(row, 0).data(role).toString());
    return values;
}

Alert alert(quint64 id, qint64 timeMs, const QString &severity, QStringView state = alertstate::Active)
{
    Alert a;
    a.id = id;
    a.timeMs = timeMs;
    a.lastAtMs = timeMs;
    a.severity = severity;
    a.state = state.toString();
    a.kind = u"threshold"_s;
    a.rule = u"hot"_s;
    a.deviceId = u"boiler-1"_s;
    a.message = u"alert %1"_s.arg(id);
    return a;
}

OtaCampaign campaign(const QString &id, qint64 createdMs, QMap<QString, int> counts)
{
    OtaCampaign c;
    c.id = id;
    c.name = u"rollout "_s + id;
    c.firmware = u"sensor-fw"_s;
    c.version = u"1.2.0"_s;
    c.createdMs = createdMs;
    c.jobCounts = std::move(counts);
    return c;
}

} // namespace

class TestDashboardModels : public QObject
{
    Q_OBJECT
private slots:
    void deviceModelRolesAndCounts();
    void deviceModelChanges();
    void deviceFilter_data();
    void deviceFilter();
    void deviceSort_data();
    void deviceSort();
    void deviceFilterFollowsChanges();
    void alertModelNewestFirst();
    void alertFilter_data();
    void alertFilter();
    void campaignModel();
    void firmwareModel();
    void displayRoleAndUnknownRole();
    void backoffGrowsWithJitterAndResets();
    void settingsPersist();
};

void TestDashboardModels::deviceModelRolesAndCounts()
{
    DeviceModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy counts(&model, &DeviceModel::countChanged);
    QSignalSpy types(&model, &DeviceModel::typesChanged);
    model.setDevices(cannedDevices());
    QCOMPARE(model.count(), 5);
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.onlineCount(), 2);
    QCOMPARE(model.offlineCount(), 1);
    QCOMPARE(model.pendingCount(), 1);
    QCOMPARE(model.types(), (QStringList{u"lamp"_s, u"pump"_s, u"sensor"_s, u"thermostat"_s, u"valve"_s}));
    QVERIFY(counts.count() >= 1);
    QCOMPARE(types.count(), 1);

    const QHash<int, QByteArray> names = model.roleNames();
    for (const char *role :
         {"deviceId", "name", "displayName", "type", "status", "approval", "protocol", "firmware", "model", "lastSeen",
          "lastError", "metadata", "capabilities", "metrics", "messagesPerMinute", "uptime", "onlineSince", "proof"})
        QVERIFY2(names.values().contains(role), role);

    const QVariantMap valve = model.get(u"valve-9"_s);
    QCOMPARE(valve.value(u"displayName"_s).toString(), u"valve-9"_s); // no name: the id
    QCOMPARE(valve.value(u"status"_s).toString(), u"offline"_s);
    QCOMPARE(valve.value(u"lastSeen"_s).toDateTime().toMSecsSinceEpoch(), 1000);
    QCOMPARE(valve.value(u"uptime"_s).toInt(), -1);
    QVERIFY(!valve.value(u"onlineSince"_s).isValid());
    QCOMPARE(model.get(u"sensor-7"_s).value(u"approval"_s).toString(), u"pending"_s);
    QCOMPARE(model.get(u"boiler-1"_s).value(u"displayName"_s).toString(), u"Boiler"_s);
    QVERIFY(model.get(u"nobody"_s).isEmpty());
}

void TestDashboardModels::deviceModelChanges()
{
    DeviceModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setDevices(cannedDevices());
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    DeviceInfo valve = *model.find(u"valve-9"_s);
    valve.status = DeviceStatus::Online;
    valve.metadata.insert(u"site"_s, u"Hall 3"_s);
    valve.metrics = {{u"flow"_s, u"l/min"_s}};
    model.upsert(valve);
    QCOMPARE(model.count(), 5);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(model.onlineCount(), 3);
    QCOMPARE(model.get(u"valve-9"_s).value(u"metadata"_s).toMap().value(u"site"_s).toString(), u"Hall 3"_s);
    QCOMPARE(model.get(u"valve-9"_s).value(u"metrics"_s).toStringList(), QStringList{u"flow"_s});

    model.upsert(device(u"meter-4"_s, u"Meter"_s, u"meter"_s, DeviceStatus::Online));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.count(), 6);
    QVERIFY(model.types().contains(u"meter"_s));

    model.remove(u"pump-2"_s);
    model.remove(u"nobody"_s);
    QCOMPARE(model.count(), 5);
    QVERIFY(!model.types().contains(u"pump"_s));
    model.clear();
    QCOMPARE(model.count(), 0);
    QCOMPARE(model.types(), QStringList{});
}

void TestDashboardModels::deviceFilter_data()
{
    QTest::addColumn<QString>("search");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QStringList>("ids"); // sorted by display name

    QTest::addRow("everything") << QString() << QString() << QString()
                                << QStringList{u"sensor-7"_s, u"boiler-1"_s, u"pump-2"_s, u"lamp-3"_s, u"valve-9"_s};
    QTest::addRow("search by id") << u"VALVE"_s << QString() << QString() << QStringList{u"valve-9"_s};
    QTest::addRow("search by name") << u"feed"_s << QString() << QString() << QStringList{u"pump-2"_s};
    QTest::addRow("search by type") << u"thermo"_s << QString() << QString() << QStringList{u"boiler-1"_s};
    QTest::addRow("search trims") << u"  lamp "_s << QString() << QString() << QStringList{u"lamp-3"_s};
    QTest::addRow("search without match") << u"nothing"_s << QString() << QString() << QStringList{};
    QTest::addRow("online") << QString() << u"online"_s << QString() << QStringList{u"sensor-7"_s, u"boiler-1"_s};
    QTest::addRow("maintenance") << QString() << u"maintenance"_s << QString() << QStringList{u"lamp-3"_s};
    QTest::addRow("pending approval") << QString() << u"pending"_s << QString() << QStringList{u"sensor-7"_s};
    QTest::addRow("type") << QString() << QString() << u"pump"_s << QStringList{u"pump-2"_s};
    QTest::addRow("type and status") << QString() << u"online"_s << u"pump"_s << QStringList{};
    QTest::addRow("all three") << u"b"_s << u"online"_s << u"thermostat"_s << QStringList{u"boiler-1"_s};
}

void TestDashboardModels::deviceFilter()
{
    QFETCH(QString, search);
    QFETCH(QString, status);
    QFETCH(QString, type);
    QFETCH(QStringList, ids);

    DeviceModel source;
    source.setDevices(cannedDevices());
    DeviceFilterModel filter;
    QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    filter.setSourceModel(&source);
    QSignalSpy count(&filter, &DeviceFilterModel::countChanged);
    filter.setSearch(search);
    filter.setStatus(status);
    filter.setType(type);
    QCOMPARE(column(filter, DeviceModel::DeviceIdRole), ids);
    QCOMPARE(filter.count(), ids.size());
    if (!search.isEmpty() || !status.isEmpty() || !type.isEmpty())
        QVERIFY(count.count() >= 1);
    for (int row = 0; row < ids.size(); ++row)
        QCOMPARE(filter.deviceIdAt(row), ids.at(row));
    QCOMPARE(filter.deviceIdAt(ids.size()), QString());
}

void TestDashboardModels::deviceSort_data()
{
    QTest::addColumn<QString>("sortBy");
    QTest::addColumn<bool>("descending");
    QTest::addColumn<QStringList>("ids");

    QTest::addRow("name") << u"name"_s << false
                          << QStringList{u"sensor-7"_s, u"boiler-1"_s, u"pump-2"_s, u"lamp-3"_s, u"valve-9"_s};
    QTest::addRow("name descending") << u"name"_s << true
                                     << QStringList{u"valve-9"_s, u"lamp-3"_s, u"pump-2"_s, u"boiler-1"_s,
                                                    u"sensor-7"_s};
    // Problems first: error, offline, maintenance, online; then by name.
    QTest::addRow("status") << u"status"_s << false
                            << QStringList{u"pump-2"_s, u"valve-9"_s, u"lamp-3"_s, u"sensor-7"_s, u"boiler-1"_s};
    QTest::addRow("type") << u"type"_s << false
                          << QStringList{u"lamp-3"_s, u"pump-2"_s, u"sensor-7"_s, u"boiler-1"_s, u"valve-9"_s};
    QTest::addRow("last seen, newest first")
        << u"lastSeen"_s << true << QStringList{u"boiler-1"_s, u"sensor-7"_s, u"pump-2"_s, u"lamp-3"_s, u"valve-9"_s};
}

void TestDashboardModels::deviceSort()
{
    QFETCH(QString, sortBy);
    QFETCH(bool, descending);
    QFETCH(QStringList, ids);

    DeviceModel source;
    source.setDevices(cannedDevices());
    DeviceFilterModel filter;
    QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    filter.setSourceModel(&source);
    filter.setSortBy(sortBy);
    filter.setDescending(descending);
    QCOMPARE(filter.sortBy(), sortBy);
    QCOMPARE(column(filter, DeviceModel::DeviceIdRole), ids);
}

void TestDashboardModels::deviceFilterFollowsChanges()
{
    DeviceModel source;
    source.setDevices(cannedDevices());
    DeviceFilterModel filter;
    QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    filter.setSourceModel(&source);
    filter.setStatus(u"online"_s);
    QCOMPARE(filter.count(), 2);
    QSignalSpy count(&filter, &DeviceFilterModel::countChanged);

    DeviceInfo valve = *source.find(u"valve-9"_s);
    valve.status = DeviceStatus::Online;
    source.upsert(valve);
    QCOMPARE(filter.count(), 3);
    QVERIFY(count.count() >= 1);
    source.upsert(device(u"aaa-1"_s, {}, u"x"_s, DeviceStatus::Online));
    QCOMPARE(filter.deviceIdAt(0), u"aaa-1"_s);
    source.remove(u"boiler-1"_s);
    QCOMPARE(filter.count(), 3);
    source.clear();
    QCOMPARE(filter.count(), 0);
}

void TestDashboardModels::alertModelNewestFirst()
{
    AlertModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setAlerts({alert(1, 1000, u"info"_s, alertstate::Cleared), alert(3, 3000, u"critical"_s),
                     alert(2, 2000, u"warning"_s, alertstate::Acknowledged)});
    QCOMPARE(column(model, AlertModel::AlertIdRole), (QStringList{u"3"_s, u"2"_s, u"1"_s}));
    QCOMPARE(model.count(), 3);
    QCOMPARE(model.openCount(), 2);

    // A new alert goes on top; a change keeps its place.
    model.upsert(alert(4, 4000, u"warning"_s));
    QCOMPARE(column(model, AlertModel::AlertIdRole), (QStringList{u"4"_s, u"3"_s, u"2"_s, u"1"_s}));
    Alert acked = *model.find(3);
    acked.state = alertstate::Acknowledged.toString();
    acked.acknowledgedBy = u"ops"_s;
    acked.acknowledgedAtMs = 5000;
    acked.note = u"on it"_s;
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.upsert(acked);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(column(model, AlertModel::AlertIdRole), (QStringList{u"4"_s, u"3"_s, u"2"_s, u"1"_s}));
    const QVariantMap three = model.get(3);
    QCOMPARE(three.value(u"state"_s).toString(), u"acknowledged"_s);
    QCOMPARE(three.value(u"acknowledgedBy"_s).toString(), u"ops"_s);
    QCOMPARE(three.value(u"note"_s).toString(), u"on it"_s);
    QCOMPARE(three.value(u"acknowledgedAt"_s).toDateTime().toMSecsSinceEpoch(), 5000);
    QCOMPARE(three.value(u"severity"_s).toString(), u"critical"_s);
    QVERIFY(!three.value(u"clearedAt"_s).isValid());
    QCOMPARE(model.openCount(), 3);
    QVERIFY(model.get(99).isEmpty());

    const QHash<int, QByteArray> names = model.roleNames();
    for (const char *role :
         {"alertId", "deviceId", "kind", "rule", "severity", "state", "message", "metric", "value", "count", "firstAt",
          "lastAt", "acknowledgedBy", "acknowledgedAt", "note", "clearedAt", "clearedBy"})
        QVERIFY2(names.values().contains(role), role);
}

void TestDashboardModels::alertFilter_data()
{
    QTest::addColumn<QString>("severity");
    QTest::addColumn<bool>("showCleared");
    QTest::addColumn<QStringList>("ids");

    QTest::addRow("open") << QString() << false << QStringList{u"4"_s, u"3"_s, u"2"_s};
    QTest::addRow("all") << QString() << true << QStringList{u"5"_s, u"4"_s, u"3"_s, u"2"_s, u"1"_s};
    QTest::addRow("warning, open") << u"warning"_s << false << QStringList{u"4"_s, u"2"_s};
    QTest::addRow("warning, all") << u"warning"_s << true << QStringList{u"5"_s, u"4"_s, u"2"_s};
    QTest::addRow("critical") << u"critical"_s << false << QStringList{u"3"_s};
    QTest::addRow("info, open") << u"info"_s << false << QStringList{};
    QTest::addRow("info, all") << u"info"_s << true << QStringList{u"1"_s};
}

void TestDashboardModels::alertFilter()
{
    QFETCH(QString, severity);
    QFETCH(bool, showCleared);
    QFETCH(QStringList, ids);

    AlertModel source;
    source.setAlerts({alert(1, 1000, u"info"_s, alertstate::Cleared), alert(2, 2000, u"warning"_s),
                      alert(3, 3000, u"critical"_s, alertstate::Acknowledged), alert(4, 4000, u"warning"_s),
                      alert(5, 5000, u"warning"_s, alertstate::Cleared)});
    AlertFilterModel filter;
    QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    filter.setSourceModel(&source);
    QVERIFY(!filter.showCleared());
    filter.setSeverity(severity);
    filter.setShowCleared(showCleared);
    QCOMPARE(column(filter, AlertModel::AlertIdRole), ids);
    QCOMPARE(filter.count(), ids.size());

    // Clearing an open alert hides it unless cleared ones are shown.
    Alert two = *source.find(2);
    two.state = alertstate::Cleared.toString();
    two.clearedAtMs = 6000;
    source.upsert(two);
    QCOMPARE(column(filter, AlertModel::AlertIdRole).contains(u"2"_s),
             showCleared && (severity.isEmpty() || severity == u"warning"));
}

void TestDashboardModels::campaignModel()
{
    CampaignModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setCampaigns({campaign(u"c1"_s, 1000, {{u"succeeded"_s, 4}}),
                        campaign(u"c2"_s, 2000,
                                 {{u"succeeded"_s, 3},
                                  {u"failed"_s, 1},
                                  {u"rolled_back"_s, 1},
                                  {u"timed_out"_s, 1},
                                  {u"downloading"_s, 2},
                                  {u"notified"_s, 1},
                                  {u"pending"_s, 2},
                                  {u"cancelled"_s, 1}})});
    QCOMPARE(model.count(), 2);
    QCOMPARE(column(model, CampaignModel::CampaignIdRole), (QStringList{u"c2"_s, u"c1"_s}));
    const QVariantMap c2 = model.get(u"c2"_s);
    QCOMPARE(c2.value(u"total"_s).toInt(), 12);
    QCOMPARE(c2.value(u"succeeded"_s).toInt(), 3);
    QCOMPARE(c2.value(u"failed"_s).toInt(), 3);
    QCOMPARE(c2.value(u"active"_s).toInt(), 3);
    QCOMPARE(c2.value(u"pending"_s).toInt(), 2);
    QCOMPARE(c2.value(u"progress"_s).toDouble(), 7.0 / 12.0);
    QCOMPARE(c2.value(u"state"_s).toString(), u"running"_s);
    QCOMPARE(c2.value(u"firmware"_s).toString(), u"sensor-fw"_s);
    QCOMPARE(model.get(u"c1"_s).value(u"progress"_s).toDouble(), 1.0);

    // Same creation time: the higher id is newer. An update keeps the row.
    QSignalSpy count(&model, &CampaignModel::countChanged);
    model.upsert(campaign(u"c3"_s, 2000, {}));
    QCOMPARE(column(model, CampaignModel::CampaignIdRole), (QStringList{u"c3"_s, u"c2"_s, u"c1"_s}));
    QCOMPARE(count.count(), 1);
    QCOMPARE(model.get(u"c3"_s).value(u"progress"_s).toDouble(), 0.0);
    OtaCampaign paused = *model.find(u"c2"_s);
    paused.state = OtaCampaignState::Paused;
    paused.pausedReason = u"operator"_s;
    model.upsert(paused);
    QCOMPARE(count.count(), 1);
    QCOMPARE(model.get(u"c2"_s).value(u"state"_s).toString(), u"paused"_s);
    QCOMPARE(model.get(u"c2"_s).value(u"pausedReason"_s).toString(), u"operator"_s);
}

void TestDashboardModels::firmwareModel()
{
    FirmwareModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setImages(QJsonArray{
        QJsonObject{{u"name"_s, u"sensor-fw"_s},
                    {u"version"_s, u"1.2.0"_s},
                    {u"device_type"_s, u"sensor"_s},
                    {u"size"_s, 262144},
                    {u"sha256"_s, u"9f86d0"_s},
                    {u"uploaded"_s, u"2026-11-25T18:00:00.000Z"_s}},
        QJsonObject{{u"name"_s, u"no-version"_s}},
        u"not an object"_s,
    });
    QCOMPARE(model.count(), 1);
    const QModelIndex first = model.index(0, 0);
    QCOMPARE(first.data(FirmwareModel::NameRole).toString(), u"sensor-fw"_s);
    QCOMPARE(first.data(FirmwareModel::VersionRole).toString(), u"1.2.0"_s);
    QCOMPARE(first.data(FirmwareModel::DeviceTypeRole).toString(), u"sensor"_s);
    QCOMPARE(first.data(FirmwareModel::SizeRole).toLongLong(), 262144);
    QCOMPARE(first.data(FirmwareModel::UploadedAtRole).toDateTime(),
             QDateTime(QDate(2026, 11, 25), QTime(18, 0), Qt::UTC));
    model.clear();
    QCOMPARE(model.count(), 0);
}

void TestDashboardModels::displayRoleAndUnknownRole()
{
    // Qt::DisplayRole shows each model's display role; a role a model does not have gives nothing.
    DeviceModel devices;
    devices.setDevices(cannedDevices());
    AlertModel alerts;
    alerts.setAlerts({alert(1, 1000, u"warning"_s)});
    CampaignModel campaigns;
    campaigns.setCampaigns({campaign(u"c1"_s, 1000, {})});

    const QModelIndex valve = devices.index(2, 0);
    QCOMPARE(valve.data(Qt::DisplayRole).toString(), u"valve-9"_s);
    QCOMPARE(valve.data(Qt::DisplayRole), valve.data(DeviceModel::DisplayNameRole));
    QCOMPARE(alerts.index(0, 0).data(Qt::DisplayRole).toString(), u"alert 1"_s);
    QCOMPARE(campaigns.index(0, 0).data(Qt::DisplayRole).toString(), u"rollout c1"_s);
    QVERIFY(!valve.data(Qt::ToolTipRole).isValid());
    QVERIFY(!alerts.index(0, 0).data(Qt::UserRole + 100).isValid());
}

void TestDashboardModels::backoffGrowsWithJitterAndResets()
{
    Backoff backoff(1000, 30000);
    const QList<qint64> steps{1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
    for (const qint64 step : steps) {
        const qint64 wait = backoff.next();
        QVERIFY2(wait >= std::max<qint64>(step / 2, 1000) && wait <= step, qPrintable(QString::number(wait)));
    }
    backoff.reset();
    QCOMPARE(backoff.next(), 1000);
}

void TestDashboardModels::settingsPersist()
{
    QStandardPaths::setTestModeEnabled(true);
    {
        AppSettings settings;
        settings.setUrl({});
        settings.setToken({});
        settings.setLanguage({});
        QSignalSpy url(&settings, &AppSettings::urlChanged);
        settings.setUrl(u"ws://10.0.0.5:8080/ws"_s);
        settings.setUrl(u"ws://10.0.0.5:8080/ws"_s);
        QCOMPARE(url.size(), 1);
        settings.setToken(u"s3cret-viewer-01"_s);
        settings.setLanguage(u"de"_s);
    }
    AppSettings again;
    QCOMPARE(again.url(), u"ws://10.0.0.5:8080/ws"_s);
    QCOMPARE(again.token(), u"s3cret-viewer-01"_s);
    QCOMPARE(again.language(), u"de"_s);
    // No translations are built into this test: nothing is installed, and applying changes nothing.
    QVERIFY(!AppSettings::installTranslator(u"xx"_s));
    again.applyLanguage();
    again.setUrl({});
    again.setToken({});
    again.setLanguage({});
}

QTEST_GUILESS_MAIN(TestDashboardModels)
#include "tst_dashboardmodels.moc"
