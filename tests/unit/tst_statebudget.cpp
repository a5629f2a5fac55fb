// SPDX-License-Identifier: Apache-2.0
// analytics.memory_budget: the least recently seen devices' analytics and chart history go first,
// and a flood of new ids cannot take more than the budget.
#include "gateway/core/common/lrubudget.h"
#include "gateway/core/common/metrics.h"
#include "gateway/core/core.h"
#include "gateway/core/ingest/receiveclock.h"
#include "gateway/storage/chartfile.h"
#include "gateway/storage/sqlitedevicestore.h"

#include <QTemporaryDir>
#include <QTest>

using namespace edgegate;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

/// The service's core with analytics.memory_budget at `budget`.
struct Pipeline
{
    explicit Pipeline(qsizetype budget)
        : core({{RegistryPolicy::Auto, 90s, 1h, {}, 100000, 1000000}, {10, 3.0, 5, 256, budget}, {65536, 100}, 50},
               store, charts, metrics)
    {
        QString error;
        if (!store.open(dir.filePath(u"r.db"_s)) || !core.registry.load(nullptr)
            || !charts.open(dir.filePath(u"charts"_s), &error))
            qFatal("cannot open the stores: %s", qPrintable(error));
        core.telemetryHistory.load();
    }

    IngestResult send(const QString &device, int names, double value)
    {
        QByteArray json = "{";
        for (int i = 0; i < names; ++i)
            json += (i ? ", " : "") + u"\"m%1\": %2"_s.arg(i).arg(value).toUtf8();
        json += "}";
        return core.ingest.handle(receivedNow(Protocol::Http, device, MessageKind::Telemetry, json));
    }

    double gauge(const QString &name) { return metrics.gauge(name, {}).value(); }

    QTemporaryDir dir;
    Metrics metrics;
    SqliteDeviceStore store;
    ChartFile charts{4096, metrics};
    Core core;
};

} // namespace

class TestStateBudget : public QObject
{
    Q_OBJECT
private slots:
    void leastRecentlyUsedGoesFirst();
    void theKeyJustUsedStays();
    void removedKeysFreeTheirBytes();
    void floodOfNewIdsStaysWithinBudget();
    void removedDeviceLeavesTheBudget();
};

void TestStateBudget::leastRecentlyUsedGoesFirst()
{
    LruBudget budget(100);
    QVERIFY(budget.use(u"a"_s, 40).isEmpty());
    QVERIFY(budget.use(u"b"_s, 40).isEmpty());
    QVERIFY(budget.use(u"a"_s, 40).isEmpty()); // a is now the most recent
    QCOMPARE(budget.use(u"c"_s, 40), QStringList{u"b"_s});
    QCOMPARE(budget.used(), 80);
    QCOMPARE(budget.count(), 2);
    // Growing a key counts too: c grows past what a leaves room for.
    QCOMPARE(budget.use(u"c"_s, 70), QStringList{u"a"_s});
    QCOMPARE(budget.used(), 70);
}

void TestStateBudget::theKeyJustUsedStays()
{
    LruBudget budget(100);
    QVERIFY(budget.use(u"a"_s, 30).isEmpty());
    QCOMPARE(budget.use(u"huge"_s, 500), QStringList{u"a"_s});
    QCOMPARE(budget.count(), 1);
    QCOMPARE(budget.used(), 500);
    QCOMPARE(budget.use(u"b"_s, 1), QStringList{u"huge"_s});
}

void TestStateBudget::removedKeysFreeTheirBytes()
{
    LruBudget budget(100);
    QVERIFY(budget.use(u"a"_s, 60).isEmpty());
    budget.remove(u"a"_s);
    budget.remove(u"never-seen"_s);
    QCOMPARE(budget.used(), 0);
    QVERIFY(budget.use(u"b"_s, 90).isEmpty());
}

void TestStateBudget::floodOfNewIdsStaysWithinBudget()
{
    constexpr qsizetype Budget = 2 * 1024 * 1024;
    Pipeline p(Budget);
    // A device the operator cares about, seen between every few invented ones.
    for (int i = 0; i < 20; ++i)
        QCOMPARE(p.send(u"known-1"_s, 3, 20.0 + i % 2).outcome, IngestResult::Outcome::Accepted);
    const qint64 knownSamples = p.core.analytics.device(u"known-1"_s)->value(u"m0"_s).window->count();

    int sent = 0;
    for (int i = 0; i < 3000; ++i) {
        QCOMPARE(p.send(u"flood-%1"_s.arg(i), 64, i).outcome, IngestResult::Outcome::Accepted);
        ++sent;
        if (i % 10 == 0)
            QCOMPARE(p.send(u"known-1"_s, 3, 20.0).outcome, IngestResult::Outcome::Accepted);
        QVERIFY2(
            p.gauge(u"edgegate_analytics_state_bytes"_s) <= double(Budget),
            qPrintable(u"%1 bytes after %2 devices"_s.arg(p.gauge(u"edgegate_analytics_state_bytes"_s)).arg(sent)));
    }
    // Far fewer devices than were sent keep state, and the known one kept all its statistics.
    QVERIFY2(p.core.analytics.deviceCount() < 1000, qPrintable(QString::number(p.core.analytics.deviceCount())));
    QCOMPARE(p.core.analytics.deviceCount(), p.core.telemetryHistory.deviceCount());
    const auto *known = p.core.analytics.device(u"known-1"_s);
    QVERIFY(known);
    QCOMPARE(known->value(u"m0"_s).window->count(), knownSamples + 300);
    QVERIFY(!p.core.telemetryHistory.series(u"known-1"_s, 0).isEmpty());
    QVERIFY(!p.core.analytics.device(u"flood-0"_s));
    QVERIFY(p.core.telemetryHistory.series(u"flood-0"_s, 0).isEmpty());
    QVERIFY(p.core.analytics.device(u"flood-2999"_s));
    QCOMPARE(p.metrics.counter(u"edgegate_analytics_evicted_total"_s, {}).value(),
             quint64(3000 + 1 - p.core.analytics.deviceCount()));
    // The devices themselves stay registered: only their statistics went.
    QVERIFY(p.core.registry.find(u"flood-0"_s));
    // An evicted device starts again with its next sample.
    QCOMPARE(p.send(u"flood-0"_s, 2, 1.0).outcome, IngestResult::Outcome::Accepted);
    QCOMPARE(p.core.analytics.device(u"flood-0"_s)->value(u"m0"_s).window->count(), 1);
}

void TestStateBudget::removedDeviceLeavesTheBudget()
{
    Pipeline p(1024 * 1024);
    QCOMPARE(p.send(u"gone-1"_s, 8, 1.0).outcome, IngestResult::Outcome::Accepted);
    const double used = p.gauge(u"edgegate_analytics_state_bytes"_s);
    QVERIFY(used >= 8 * double(sizeof(MetricWindow))); // at least its eight windows
    QCOMPARE(p.core.registry.remove(u"gone-1"_s), DeviceRegistry::ChangeResult::Done);
    QCOMPARE(p.gauge(u"edgegate_analytics_state_bytes"_s), 0.0);
    QVERIFY(!p.core.analytics.device(u"gone-1"_s));
}

QTEST_GUILESS_MAIN(TestStateBudget)
#include "tst_statebudget.moc"
