// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/alerts/alertstore.h"
#include "gateway/core/common/metrics.h"
#include "gateway/core/devices/healthhistory.h"
#include "gateway/storage/sqlitehealthstore.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace edgegate;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

Alert alert(const QString &rule, const QString &device, qint64 timeMs)
{
    Alert a;
    a.rule = rule;
    a.kind = u"offline"_s;
    a.severity = u"warning"_s;
    a.deviceId = device;
    a.timeMs = timeMs;
    a.message = u"device "_s + device + u" offline"_s;
    return a;
}

} // namespace

/// Alerts and status history in health.db, across restarts.
class TestHealthStore : public QObject
{
    Q_OBJECT
private slots:
    void alertsSurviveRestart();
    void evictsClearedFirst();
    void historyQueriesAndPrunes();
    void lastOnline();
};

void TestHealthStore::alertsSurviveRestart()
{
    QTemporaryDir dir;
    quint64 acknowledged = 0;
    {
        Metrics metrics;
        SqliteHealthStore store;
        QVERIFY(store.open(dir.filePath(u"health.db"_s)));
        AlertStore alerts(100, metrics);
        QString error;
        QVERIFY2(alerts.load(store, &error), qPrintable(error));
        acknowledged = alerts.raise(alert(u"off"_s, u"a"_s, 1000)).id;
        alerts.raise(alert(u"off"_s, u"a"_s, 2000)); // a repeat
        const quint64 cleared = alerts.raise(alert(u"off"_s, u"b"_s, 3000)).id;
        QCOMPARE(alerts.acknowledge(acknowledged, u"ana"_s, u"note"_s, 4000), AlertStore::ChangeResult::Done);
        QCOMPARE(alerts.clear(cleared, {}, 5000), AlertStore::ChangeResult::Done);
        // The destructor writes what is pending.
    }
    Metrics metrics;
    SqliteHealthStore store;
    QVERIFY(store.open(dir.filePath(u"health.db"_s)));
    AlertStore alerts(100, metrics);
    QString error;
    QVERIFY2(alerts.load(store, &error), qPrintable(error));
    QCOMPARE(alerts.size(), 2);
    const Alert *a = alerts.find(acknowledged);
    QVERIFY(a);
    QCOMPARE(a->state, u"acknowledged"_s);
    QCOMPARE(a->acknowledgedBy, u"ana"_s);
    QCOMPARE(a->count, 2u);
    QCOMPARE(a->timeMs, 1000);
    QCOMPARE(a->lastAtMs, 2000);
    // Still open after the restart: a repeat is counted on it, and new ids do not collide.
    QCOMPARE(alerts.raise(alert(u"off"_s, u"a"_s, 6000)).id, acknowledged);
    QVERIFY(alerts.raise(alert(u"off"_s, u"c"_s, 6000)).id > acknowledged + 1);
    AlertStore::Filter filter;
    filter.state = u"cleared"_s;
    QCOMPARE(alerts.list(filter).size(), 1);
}

void TestHealthStore::evictsClearedFirst()
{
    QTemporaryDir dir;
    Metrics metrics;
    SqliteHealthStore store;
    QVERIFY(store.open(dir.filePath(u"health.db"_s)));
    AlertStore alerts(3, metrics);
    QVERIFY(alerts.load(store, nullptr));
    const quint64 first = alerts.raise(alert(u"r"_s, u"a"_s, 1)).id;
    const quint64 second = alerts.raise(alert(u"r"_s, u"b"_s, 2)).id;
    QCOMPARE(alerts.clear(second, {}, 3), AlertStore::ChangeResult::Done);
    alerts.raise(alert(u"r"_s, u"c"_s, 4));
    alerts.raise(alert(u"r"_s, u"d"_s, 5));
    QCOMPARE(alerts.size(), 3);
    QVERIFY(alerts.find(first)); // older, but open
    QVERIFY(!alerts.find(second));
    alerts.raise(alert(u"r"_s, u"e"_s, 6));
    QVERIFY(!alerts.find(first)); // no cleared left: the oldest goes
    QCOMPARE(metrics.counter(u"edgegate_alerts_evicted_total"_s, {}).value(), 2u);
    QVERIFY(alerts.flush());
    QCOMPARE(store.loadAlerts()->size(), 3);
}

void TestHealthStore::historyQueriesAndPrunes()
{
    QTemporaryDir dir;
    Metrics metrics;
    SqliteHealthStore store;
    QVERIFY(store.open(dir.filePath(u"health.db"_s)));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 day = qint64{24} * 3600 * 1000;
    {
        HealthHistory history({30, 1h}, store, metrics);
        history.record({u"d"_s, std::nullopt, DeviceStatus::Online, u"registered"_s, now - 40 * day});
        history.record({u"d"_s, DeviceStatus::Online, DeviceStatus::Offline, u"silent for 30s"_s, now - 2000});
        history.record({u"d"_s, DeviceStatus::Offline, DeviceStatus::Online, u"mqtt message"_s, now - 1000});
        history.record({u"other"_s, std::nullopt, DeviceStatus::Online, u"registered"_s, now - 1000});
        qsizetype total = 0;
        // The query sees what is still buffered.
        auto got = history.query(u"d"_s, 0, now, 10, &total);
        QVERIFY(got);
        QCOMPARE(total, 3);
        QCOMPARE(got->size(), 3);
        QCOMPARE(got->front().reason, u"mqtt message"_s); // newest first
        QCOMPARE(got->at(1).from, std::optional(DeviceStatus::Online));
        QVERIFY(!got->back().from);
        got = history.query(u"d"_s, now - 1500, now, 10, &total);
        QCOMPARE(total, 1);
        got = history.query(u"d"_s, 0, now, 1, &total);
        QCOMPARE(got->size(), 1);
        QCOMPARE(total, 3);
        // start() prunes what is older than keepDays.
        history.start();
        got = history.query(u"d"_s, 0, now, 10, &total);
        QCOMPARE(total, 2);
        QCOMPARE(metrics.counter(u"edgegate_status_history_pruned_total"_s, {}).value(), 1u);
    }
    qsizetype total = 0;
    QVERIFY(store.transitions(u"other"_s, 0, now, 10, &total));
    QCOMPARE(total, 1);
}

void TestHealthStore::lastOnline()
{
    QTemporaryDir dir;
    SqliteHealthStore store;
    QVERIFY(store.open(dir.filePath(u"health.db"_s)));
    QVERIFY(store.appendTransitions({{u"d"_s, std::nullopt, DeviceStatus::Online, {}, 100},
                                     {u"d"_s, DeviceStatus::Online, DeviceStatus::Error, {}, 200},
                                     {u"d"_s, DeviceStatus::Error, DeviceStatus::Offline, {}, 300},
                                     {u"d"_s, DeviceStatus::Offline, DeviceStatus::Online, {}, 400},
                                     {u"d"_s, DeviceStatus::Online, DeviceStatus::Error, {}, 500}}));
    const auto since = store.lastOnline();
    QVERIFY(since);
    QCOMPARE(since->value(u"d"_s), 400);
}

QTEST_GUILESS_MAIN(TestHealthStore)
#include "tst_healthstore.moc"
