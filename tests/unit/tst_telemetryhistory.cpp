// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/devices/telemetryhistory.h"

#include "gateway/core/common/metrics.h"
#include "gateway/storage/chartfile.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <limits>

using namespace edgegate;
using namespace Qt::StringLiterals;

namespace {

using Point = TelemetryHistory::Point;
constexpr qint64 T0 = 1'700'000'000'000; // a bucket start
constexpr qint64 Bucket = TelemetryHistory::BucketMs;
// The receiving time for samples whose own time is to be kept.
constexpr qint64 Now = T0 + 10'000 * Bucket;

/// "t:v" per point, relative to T0 in buckets, for readable comparisons.
QStringList shown(const QList<Point> &points)
{
    QStringList out;
    for (const Point &p : points)
        out.append(u"%1:%2"_s.arg((p.timeMs - T0) / Bucket).arg(p.value));
    return out;
}

/// A history over a chart file of its own in a temporary folder.
struct Charts
{
    explicit Charts(int capacity = 64, const QString &folder = {})
        : file(capacity, metrics)
        , history(file)
    {
        QString error;
        if (!file.open(folder.isEmpty() ? dir.filePath(u"charts"_s) : folder, &error))
            qFatal("cannot open the chart file: %s", qPrintable(error));
        history.load();
    }

    QTemporaryDir dir;
    Metrics metrics;
    ChartFile file;
    TelemetryHistory history;
};

/// A run that charts one sample of `device` (metric v at T0) in `folder` and stops.
void runOnce(const QString &folder, int capacity, const QString &device)
{
    Charts run(capacity, folder);
    run.history.add(device, u"v"_s, T0, 1, Now);
    run.history.flush();
}

} // namespace

/// The bounded store of recent numeric telemetry behind the dashboard charts.
class TestTelemetryHistory : public QObject
{
    Q_OBJECT

private slots:
    void bucketing_data();
    void bucketing();
    void ringDropsOldest();
    void lateSamples();
    void futureSamples();
    void metricCap();
    void since();
    void removeDevice();
    void devicesApart();
    void burstInOneMillisecond();
    void envelopeChartsNumbersAndBooleans();
    void restartKeepsTheHour();
    void freedSlotStartsEmpty();
    void fullStoreChartsNoMore();
    void hostileIndexLinesAreLeftOut();
    void otherCapacityStartsAfresh();
    void indexStaysBoundedUnderChurn();
};

void TestTelemetryHistory::bucketing_data()
{
    QTest::addColumn<QList<qint64>>("times"); // offsets from T0 in ms
    QTest::addColumn<QList<double>>("values");
    QTest::addColumn<QStringList>("expected");

    QTest::addRow("one sample") << QList<qint64>{0} << QList<double>{5} << QStringList{u"0:5"_s};
    QTest::addRow("mean of a bucket") << QList<qint64>{0, 3000, 9999} << QList<double>{1, 2, 6}
                                      << QStringList{u"0:3"_s};
    QTest::addRow("bucket edge") << QList<qint64>{9999, 10000} << QList<double>{1, 2}
                                 << QStringList{u"0:1"_s, u"1:2"_s};
    QTest::addRow("gap between buckets") << QList<qint64>{0, 50000} << QList<double>{1, 2}
                                         << QStringList{u"0:1"_s, u"5:2"_s};
    QTest::addRow("out of order") << QList<qint64>{20000, 0, 10000, 25000} << QList<double>{3, 1, 2, 5}
                                  << QStringList{u"0:1"_s, u"1:2"_s, u"2:4"_s};
    QTest::addRow("negative values") << QList<qint64>{0, 1} << QList<double>{-4, -2} << QStringList{u"0:-3"_s};
    QTest::addRow("not finite ignored") << QList<qint64>{0, 1, 2}
                                        << QList<double>{std::numeric_limits<double>::quiet_NaN(),
                                                         std::numeric_limits<double>::infinity(), 7}
                                        << QStringList{u"0:7"_s};
    QTest::addRow("before the epoch") << QList<qint64>{-T0 - 1, -T0 - 10000} << QList<double>{1, 3}
                                      << QStringList{u"%1:2"_s.arg((-Bucket - T0) / Bucket)};
}

void TestTelemetryHistory::bucketing()
{
    QFETCH(QList<qint64>, times);
    QFETCH(QList<double>, values);
    QFETCH(QStringList, expected);
    Charts charts;
    TelemetryHistory &history = charts.history;
    for (qsizetype i = 0; i < times.size(); ++i)
        history.add(u"d"_s, u"temp"_s, T0 + times[i], values[i], Now);
    const auto series = history.series(u"d"_s, std::numeric_limits<qint64>::min());
    QCOMPARE(series.keys(), QStringList{u"temp"_s});
    QCOMPARE(shown(series.value(u"temp"_s)), expected);
}

void TestTelemetryHistory::ringDropsOldest()
{
    Charts charts;
    TelemetryHistory &history = charts.history;
    for (int i = 0; i < TelemetryHistory::Buckets; ++i)
        history.add(u"d"_s, u"v"_s, T0 + i * Bucket, i, Now);
    QList<Point> points = history.series(u"d"_s, 0).value(u"v"_s);
    QCOMPARE(points.size(), TelemetryHistory::Buckets);
    QCOMPARE(points.first().timeMs, T0);

    // One bucket more: the oldest goes.
    history.add(u"d"_s, u"v"_s, T0 + TelemetryHistory::Buckets * Bucket, 360, Now);
    points = history.series(u"d"_s, 0).value(u"v"_s);
    QCOMPARE(points.size(), TelemetryHistory::Buckets);
    QCOMPARE(points.first().timeMs, T0 + Bucket);
    QCOMPARE(points.first().value, 1.0);
    QCOMPARE(points.last().value, 360.0);

    // A jump of more than an hour leaves only the new bucket.
    history.add(u"d"_s, u"v"_s, T0 + 3 * TelemetryHistory::Buckets * Bucket, 9, Now);
    QCOMPARE(shown(history.series(u"d"_s, 0).value(u"v"_s)), QStringList{u"%1:9"_s.arg(3 * TelemetryHistory::Buckets)});
}

void TestTelemetryHistory::lateSamples()
{
    Charts charts;
    TelemetryHistory &history = charts.history;
    history.add(u"d"_s, u"v"_s, T0 + 400 * Bucket, 1, Now);
    // Older than the hour kept behind the newest bucket: dropped.
    history.add(u"d"_s, u"v"_s, T0 + 40 * Bucket, 2, Now);
    // Within it: a bucket of its own, in order.
    history.add(u"d"_s, u"v"_s, T0 + 41 * Bucket, 3, Now);
    QCOMPARE(shown(history.series(u"d"_s, 0).value(u"v"_s)), (QStringList{u"41:3"_s, u"400:1"_s}));
}

void TestTelemetryHistory::futureSamples()
{
    Charts charts;
    TelemetryHistory &history = charts.history;
    history.add(u"d"_s, u"v"_s, T0, 1, T0);
    // Up to one bucket ahead of the receiving time is taken as it is.
    history.add(u"d"_s, u"v"_s, T0 + Bucket, 2, T0);
    // Further ahead (a day): counted at the receiving time, the hour kept does not move.
    history.add(u"d"_s, u"v"_s, T0 + 8640 * Bucket, 3, T0 + 1);
    history.add(u"d"_s, u"v"_s, T0 + 2 * Bucket, 4, T0 + 2 * Bucket);
    QCOMPARE(shown(history.series(u"d"_s, 0).value(u"v"_s)), (QStringList{u"0:2"_s, u"1:2"_s, u"2:4"_s}));
}

void TestTelemetryHistory::metricCap()
{
    Charts charts;
    TelemetryHistory &history = charts.history;
    for (int m = 0; m < TelemetryHistory::MaxMetrics + 5; ++m)
        history.add(u"d"_s, u"m%1"_s.arg(m, 2, 10, QChar(u'0')), T0, m, Now);
    auto series = history.series(u"d"_s, 0);
    QCOMPARE(series.size(), TelemetryHistory::MaxMetrics);
    QVERIFY(series.contains(u"m00"_s));
    QVERIFY(series.contains(u"m31"_s));
    QVERIFY(!series.contains(u"m32"_s));
    // Known metrics still take samples.
    history.add(u"d"_s, u"m00"_s, T0 + Bucket, 1, Now);
    QCOMPARE(history.series(u"d"_s, 0).value(u"m00"_s).size(), 2);
    // Another device has a cap of its own.
    history.add(u"e"_s, u"m40"_s, T0, 1, Now);
    QCOMPARE(history.series(u"e"_s, 0).size(), 1);
}

void TestTelemetryHistory::since()
{
    Charts charts;
    TelemetryHistory &history = charts.history;
    for (int i = 0; i < 10; ++i) {
        history.add(u"d"_s, u"a"_s, T0 + i * Bucket + 500, i, Now);
        if (i % 2 == 0)
            history.add(u"d"_s, u"b"_s, T0 + i * Bucket, 10 * i, Now);
    }
    const auto series = history.series(u"d"_s, T0 + 7 * Bucket);
    QCOMPARE(shown(series.value(u"a"_s)), (QStringList{u"7:7"_s, u"8:8"_s, u"9:9"_s}));
    QCOMPARE(shown(series.value(u"b"_s)), QStringList{u"8:80"_s});
    // The bound is on the bucket start: a since inside a bucket leaves it out.
    QCOMPARE(history.series(u"d"_s, T0 + 9 * Bucket + 1).value(u"a"_s).size(), 0);
    QVERIFY(history.series(u"unknown"_s, 0).isEmpty());
}

void TestTelemetryHistory::burstInOneMillisecond()
{
    // 2,000 messages within one millisecond all count: a bucket is a mean, not a value per time.
    Charts charts;
    TelemetryHistory &history = charts.history;
    for (int i = 0; i < 2000; ++i)
        history.add(u"fast"_s, u"v"_s, T0 + 5, i < 1000 ? 1.0 : 3.0, T0 + 5);
    QCOMPARE(shown(history.series(u"fast"_s, 0).value(u"v"_s)), QStringList{u"0:2"_s});
}

void TestTelemetryHistory::removeDevice()
{
    Charts charts;
    TelemetryHistory &history = charts.history;
    history.add(u"d"_s, u"v"_s, T0, 1, Now);
    history.add(u"e"_s, u"v"_s, T0, 2, Now);
    history.removeDevice(u"d"_s);
    QVERIFY(history.series(u"d"_s, 0).isEmpty());
    QCOMPARE(shown(history.series(u"e"_s, 0).value(u"v"_s)), QStringList{u"0:2"_s});
    history.removeDevice(u"never-seen"_s);
    // A device added again starts empty.
    history.add(u"d"_s, u"w"_s, T0 + Bucket, 3, Now);
    QCOMPARE(history.series(u"d"_s, 0).keys(), QStringList{u"w"_s});
}

void TestTelemetryHistory::devicesApart()
{
    Charts charts;
    TelemetryHistory &history = charts.history;
    history.add(u"d"_s, u"v"_s, T0, 1, Now);
    history.add(u"e"_s, u"v"_s, T0, 3, Now);
    QCOMPARE(shown(history.series(u"d"_s, 0).value(u"v"_s)), QStringList{u"0:1"_s});
    QCOMPARE(shown(history.series(u"e"_s, 0).value(u"v"_s)), QStringList{u"0:3"_s});
}

void TestTelemetryHistory::restartKeepsTheHour()
{
    QTemporaryDir dir;
    const QString folder = dir.filePath(u"charts"_s);
    {
        Charts first(64, folder);
        for (int i = 0; i < 5; ++i) {
            first.history.add(u"d"_s, u"v"_s, T0 + i * Bucket, i, Now);
            first.history.add(u"e"_s, u"w"_s, T0 + i * Bucket, 10 * i, Now);
        }
        first.history.flush(); // as a stop does
    }
    Charts second(64, folder);
    QCOMPARE(second.history.seriesCount(), 2);
    QCOMPARE(shown(second.history.series(u"d"_s, 0).value(u"v"_s)),
             (QStringList{u"0:0"_s, u"1:1"_s, u"2:2"_s, u"3:3"_s, u"4:4"_s}));
    // The bucket in progress goes on where it was.
    second.history.add(u"e"_s, u"w"_s, T0 + 4 * Bucket, 50, Now);
    QCOMPARE(shown(second.history.series(u"e"_s, 0).value(u"w"_s)).last(), u"4:45"_s);
    second.history.add(u"e"_s, u"w"_s, T0 + 5 * Bucket, 60, Now);
    QCOMPARE(second.history.series(u"e"_s, 0).value(u"w"_s).size(), 6);
}

void TestTelemetryHistory::freedSlotStartsEmpty()
{
    Charts charts(1);
    for (int i = 0; i < 5; ++i)
        charts.history.add(u"d"_s, u"v"_s, T0 + i * Bucket, 7, Now);
    charts.history.removeDevice(u"d"_s);
    // The one slot goes to another series: nothing of the old one shows through, on disk or in progress.
    charts.history.add(u"e"_s, u"w"_s, T0 + 4 * Bucket, 1, Now);
    charts.history.add(u"e"_s, u"w"_s, T0 + 2 * Bucket, 2, Now); // its slot's past is not its own
    charts.history.add(u"e"_s, u"w"_s, T0 + 5 * Bucket, 3, Now);
    QCOMPARE(shown(charts.history.series(u"e"_s, 0).value(u"w"_s)), (QStringList{u"4:1"_s, u"5:3"_s}));
    QVERIFY(charts.history.series(u"d"_s, 0).isEmpty());
}

void TestTelemetryHistory::fullStoreChartsNoMore()
{
    Charts charts(2);
    charts.history.add(u"a"_s, u"v"_s, T0, 1, Now);
    charts.history.add(u"b"_s, u"v"_s, T0, 2, Now);
    charts.history.add(u"c"_s, u"v"_s, T0, 3, Now);
    QCOMPARE(charts.history.seriesCount(), 2);
    QVERIFY(charts.history.series(u"c"_s, 0).isEmpty());
    QCOMPARE(charts.history.deviceCount(), 2);
    charts.history.removeDevice(u"a"_s);
    charts.history.add(u"c"_s, u"v"_s, T0 + Bucket, 3, Now);
    QCOMPARE(shown(charts.history.series(u"c"_s, 0).value(u"v"_s)), QStringList{u"1:3"_s});
}

void TestTelemetryHistory::hostileIndexLinesAreLeftOut()
{
    QTemporaryDir dir;
    const QString folder = dir.filePath(u"charts"_s);
    runOnce(folder, 8, u"good"_s);
    QFile index(folder + u"/charts.idx"_s);
    QVERIFY(index.open(QIODevice::Append));
    index.write("not json\n");
    index.write("{\"s\": 99, \"d\": \"far\", \"m\": \"v\"}\n"); // past the capacity
    index.write("{\"s\": -1, \"d\": \"neg\", \"m\": \"v\"}\n");
    index.write("{\"s\": 3, \"d\": \"bad id!\", \"m\": \"v\"}\n");
    index.write("{\"s\": 4, \"d\": \"no-metric\", \"m\": \"\"}\n");
    index.write(QByteArray(10000, 'x') + "\n");
    index.close();
    Charts second(8, folder);
    QCOMPARE(second.history.seriesCount(), 1);
    QCOMPARE(shown(second.history.series(u"good"_s, 0).value(u"v"_s)), QStringList{u"0:1"_s});
    // The file was compacted to what is live.
    QVERIFY(index.open(QIODevice::ReadOnly));
    QCOMPARE(index.readAll().count('\n'), 1);
}

void TestTelemetryHistory::otherCapacityStartsAfresh()
{
    QTemporaryDir dir;
    const QString folder = dir.filePath(u"charts"_s);
    runOnce(folder, 8, u"d"_s);
    Charts second(16, folder);
    QCOMPARE(second.history.seriesCount(), 0);
    QVERIFY(second.history.series(u"d"_s, 0).isEmpty());
    second.history.add(u"d"_s, u"v"_s, T0, 2, Now);
    QCOMPARE(shown(second.history.series(u"d"_s, 0).value(u"v"_s)), QStringList{u"0:2"_s});
}

void TestTelemetryHistory::indexStaysBoundedUnderChurn()
{
    // Ids that come and go, as a flood evicted by the memory budget would: the index is compacted.
    QTemporaryDir dir;
    const QString folder = dir.filePath(u"charts"_s);
    {
        Charts churn(4, folder);
        churn.history.add(u"stays"_s, u"v"_s, T0, 1, Now);
        for (int i = 0; i < 40000; ++i) {
            const QString id = u"churn-%1"_s.arg(i);
            churn.history.add(id, u"v"_s, T0, 2, Now);
            churn.history.removeDevice(id);
        }
        churn.history.flush();
        QVERIFY2(QFileInfo(folder + u"/charts.idx"_s).size() <= 1024 * 1024 + 200,
                 qPrintable(QString::number(QFileInfo(folder + u"/charts.idx"_s).size())));
    }
    Charts again(4, folder);
    QCOMPARE(again.history.seriesCount(), 1);
    QCOMPARE(shown(again.history.series(u"stays"_s, 0).value(u"v"_s)), QStringList{u"0:1"_s});
}

QTEST_GUILESS_MAIN(TestTelemetryHistory)
void TestTelemetryHistory::envelopeChartsNumbersAndBooleans()
{
    Charts charts;
    TelemetryHistory &history = charts.history;
    Envelope envelope;
    envelope.deviceId = u"d"_s;
    envelope.receivedAtNs = 1'000'000'000'000'000'000;
    const qint64 t = envelope.receivedAtNs;
    envelope.samples = {{u"temp"_s, Value(21.5), t},
                        {u"door"_s, Value(true), t},
                        {u"shut"_s, Value(false), t},
                        {u"label"_s, Value(u"north"_s), t},
                        {u"count"_s, Value(qint64(3)), t}};
    history.add(envelope);
    const auto series = history.series(u"d"_s, 0);
    QCOMPARE(series.keys(), (QStringList{u"count"_s, u"door"_s, u"shut"_s, u"temp"_s})); // text has no chart
    QCOMPARE(series.value(u"door"_s).front().value, 1.0);
    QCOMPARE(series.value(u"shut"_s).front().value, 0.0);
    QCOMPARE(series.value(u"temp"_s).front().value, 21.5);
    QCOMPARE(series.value(u"count"_s).front().value, 3.0);
}

#include "tst_telemetryhistory.moc"
