// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/analytics/analytics.h"
#include "gateway/core/common/metrics.h"

#include <QTest>

#include <cmath>

using namespace edgegate;
using namespace Qt::StringLiterals;

namespace {

Envelope telemetry(const QString &device, const QList<std::pair<QString, Value>> &values, qint64 timeMs)
{
    Envelope e;
    e.deviceId = device;
    for (const auto &[name, value] : values)
        e.samples.append({name, value, timeMs * 1'000'000});
    return e;
}

} // namespace

class TestAnalytics : public QObject
{
    Q_OBJECT
private slots:
    void statisticsPerDeviceAndMetric();
    void anomalyNeedsEnoughSamples();
    void anomalyThreshold_data();
    void anomalyThreshold();
    void zeroVarianceNeverFlags();
    void nonNumericKeepsLatestOnly();
    void removeDevice();
    void metricsPerDeviceAreBounded();
};

void TestAnalytics::metricsPerDeviceAreBounded()
{
    Analytics analytics({5, 3.0, 2, 40});
    Counter untracked;
    analytics.setOverflowCounter(&untracked);
    for (int i = 0; i < 50; ++i)
        (void)analytics.process(telemetry(u"a"_s, {{u"m%1"_s.arg(i), 1.0}}, i));
    QCOMPARE(analytics.device(u"a"_s)->size(), 40);
    QCOMPARE(untracked.value(), 10u);
    // Known names keep updating.
    (void)analytics.process(telemetry(u"a"_s, {{u"m0"_s, 2.0}}, 999));
    QCOMPARE(std::get<double>(analytics.device(u"a"_s)->value(u"m0"_s).last), 2.0);
}

void TestAnalytics::statisticsPerDeviceAndMetric()
{
    Analytics analytics({4, 1000.0, 3}); // a threshold no sample here reaches
    const double values[] = {2, 4, 4, 4, 5, 5, 7, 9};
    qint64 t = 1000;
    for (double v : values) {
        QVERIFY(analytics.process(telemetry(u"a"_s, {{u"x"_s, v}}, t)).isEmpty());
        t += 500;
    }
    const auto *device = analytics.device(u"a"_s);
    QVERIFY(device);
    const MetricState &x = device->value(u"x"_s);
    QVERIFY(x.window);
    // The window holds the last four samples: 5, 5, 7, 9.
    QCOMPARE(x.window->size(), 4);
    QCOMPARE(x.window->count(), 8);
    QCOMPARE(x.window->mean(), 6.5);
    QCOMPARE(x.window->min(), 5.0);
    QCOMPARE(x.window->max(), 9.0);
    QVERIFY(std::abs(x.window->stddev() - std::sqrt(2.75)) < 1e-12);
    QCOMPARE(x.window->rate(), 2.0); // 3 intervals over 1.5 s
    QCOMPARE(std::get<double>(x.last), 9.0);
    QCOMPARE(x.lastTimeMs, 4500);
    QVERIFY(!analytics.device(u"b"_s));
}

void TestAnalytics::anomalyNeedsEnoughSamples()
{
    Analytics analytics({10, 2.0, 5});
    const double warmup[] = {10, 12, 14, 16};
    for (double v : warmup)
        QVERIFY(analytics.process(telemetry(u"a"_s, {{u"t"_s, v}}, 0)).isEmpty());
    // Four samples are fewer than min_samples: even a wild value is not judged yet.
    QVERIFY(analytics.process(telemetry(u"a"_s, {{u"t"_s, 1000.0}}, 0)).isEmpty());
}

void TestAnalytics::anomalyThreshold_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<bool>("anomaly");
    // Window [10, 12, 14, 16]: mean 13, population stddev sqrt(5) ~ 2.236; threshold z = 3.
    QTest::addRow("at the mean") << 13.0 << false;
    QTest::addRow("z 2.68 below threshold") << 19.0 << false;
    QTest::addRow("z 3.13 above threshold") << 20.0 << true;
    QTest::addRow("negative side") << 6.0 << true;
    QTest::addRow("integer sample") << 30.0 << true;
}

void TestAnalytics::anomalyThreshold()
{
    QFETCH(double, value);
    QFETCH(bool, anomaly);
    Analytics analytics({4, 3.0, 4});
    const qint64 warmup[] = {10, 12, 14, 16};
    for (qint64 v : warmup)
        QVERIFY(analytics.process(telemetry(u"dev"_s, {{u"t"_s, v}}, 0)).isEmpty());
    const QList<Anomaly> found = analytics.process(telemetry(u"dev"_s, {{u"t"_s, value}}, 77));
    QCOMPARE(found.size(), anomaly ? 1 : 0);
    if (anomaly) {
        const Anomaly &a = found.front();
        QCOMPARE(a.deviceId, u"dev"_s);
        QCOMPARE(a.metric, u"t"_s);
        QCOMPARE(a.value, value);
        QCOMPARE(a.mean, 13.0);
        QVERIFY(std::abs(a.stddev - std::sqrt(5.0)) < 1e-12);
        QVERIFY(std::abs(a.zScore - std::abs(value - 13.0) / std::sqrt(5.0)) < 1e-9);
        QCOMPARE(a.timeMs, 77);
    }
}

void TestAnalytics::zeroVarianceNeverFlags()
{
    Analytics analytics({5, 3.0, 2});
    for (int i = 0; i < 20; ++i)
        QVERIFY(analytics.process(telemetry(u"a"_s, {{u"v"_s, 21.5}}, i)).isEmpty());
    // No spread means no z-score: a different value is not divided by zero into an alert.
    QVERIFY(analytics.process(telemetry(u"a"_s, {{u"v"_s, 22.0}}, 21)).isEmpty());
    const MetricState &v = analytics.device(u"a"_s)->value(u"v"_s);
    QVERIFY(std::isfinite(v.window->stddev()));
    QVERIFY(std::isfinite(v.window->mean()));
}

void TestAnalytics::nonNumericKeepsLatestOnly()
{
    Analytics analytics({5, 3.0, 2});
    QVERIFY(analytics.process(telemetry(u"a"_s, {{u"door"_s, true}, {u"mode"_s, u"eco"_s}}, 5)).isEmpty());
    const auto *device = analytics.device(u"a"_s);
    QCOMPARE(std::get<bool>(device->value(u"door"_s).last), true);
    QVERIFY(!device->value(u"door"_s).window);
    QCOMPARE(std::get<QString>(device->value(u"mode"_s).last), u"eco"_s);
    QCOMPARE(device->value(u"mode"_s).lastTimeMs, 5);
}

void TestAnalytics::removeDevice()
{
    Analytics analytics({5, 3.0, 2});
    (void)analytics.process(telemetry(u"a"_s, {{u"v"_s, 1.0}}, 0));
    analytics.removeDevice(u"a"_s);
    QVERIFY(!analytics.device(u"a"_s));
}

QTEST_APPLESS_MAIN(TestAnalytics)
#include "tst_analytics.moc"
