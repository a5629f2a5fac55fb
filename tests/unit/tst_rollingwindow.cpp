// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/analytics/rollingwindow.h"

#include <QList>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

using edgegate::RollingWindow;

namespace {

// Independent reference for the long runs: a plain two-pass over the values, in extended precision
// where the platform has it, so that it does not share the rounding behaviour of the running update.
struct Direct
{
    double mean;
    double stddev;
};

Direct directStats(const std::vector<double> &values)
{
    long double sum = 0.0L;
    for (double v : values) {
        sum += v;
    }
    const long double mean = sum / static_cast<long double>(values.size());
    long double squares = 0.0L;
    for (double v : values) {
        const long double d = static_cast<long double>(v) - mean;
        squares += d * d;
    }
    const long double variance = squares / static_cast<long double>(values.size());
    return {static_cast<double>(mean), static_cast<double>(std::sqrt(variance))};
}

// Uniform in [-1, 1) from the raw engine output: std:: distributions differ between standard
// libraries, the engine does not.
double noise(std::mt19937_64 &rng)
{
    return static_cast<double>(rng() >> 11) * 0x1.0p-52 - 1.0;
}

bool allFinite(const RollingWindow &w)
{
    return std::isfinite(w.mean()) && std::isfinite(w.variance()) && std::isfinite(w.stddev()) && std::isfinite(w.min())
        && std::isfinite(w.max()) && std::isfinite(w.rate());
}

} // namespace

class TestRollingWindow : public QObject
{
    Q_OBJECT

private slots:
    void emptyWindow();
    void capacityClamped_data();
    void capacityClamped();
    void welfordSequence_data();
    void welfordSequence();
    void evictsMinAndMax();
    void evictsDuplicateExtremes();
    void capacityOne();
    void zeroVariance_data();
    void zeroVariance();
    void zScore_data();
    void zScore();
    void rate_data();
    void rate();
    void countBeyondCapacity();
    void negativeValues();
    void largeMagnitude_data();
    void largeMagnitude();
    void longRunAccuracy_data();
    void longRunAccuracy();
    void recoversAfterGlitch();
    void recoversAfterNonFinite();
    void followsLevelShift();
};

void TestRollingWindow::emptyWindow()
{
    const RollingWindow w(5);
    QCOMPARE(w.capacity(), 5);
    QCOMPARE(w.size(), 0);
    QCOMPARE(w.count(), qint64(0));
    QCOMPARE(w.mean(), 0.0);
    QCOMPARE(w.variance(), 0.0);
    QCOMPARE(w.stddev(), 0.0);
    QCOMPARE(w.min(), 0.0);
    QCOMPARE(w.max(), 0.0);
    QCOMPARE(w.rate(), 0.0);
    QVERIFY(w.zScore(1.0) < 0.0);
}

void TestRollingWindow::capacityClamped_data()
{
    QTest::addColumn<int>("requested");
    QTest::addColumn<int>("expected");

    QTest::addRow("negative") << -5 << 1;
    QTest::addRow("zero") << 0 << 1;
    QTest::addRow("one") << 1 << 1;
    QTest::addRow("seven") << 7 << 7;
}

void TestRollingWindow::capacityClamped()
{
    QFETCH(int, requested);
    QFETCH(int, expected);

    RollingWindow w(requested);
    QCOMPARE(w.capacity(), expected);
    w.add(1.0, 0);
    w.add(2.0, 10);
    QCOMPARE(w.size(), std::min(2, expected));
}

void TestRollingWindow::welfordSequence_data()
{
    QTest::addColumn<int>("samples");
    QTest::addColumn<double>("mean");
    QTest::addColumn<double>("variance");
    QTest::addColumn<double>("min");
    QTest::addColumn<double>("max");

    // Window 4 fed 2, 4, 4, 4, 5, 5, 7, 9; population variance worked out by hand from the deviations.
    QTest::addRow("[2]") << 1 << 2.0 << 0.0 << 2.0 << 2.0;
    QTest::addRow("[2 4]") << 2 << 3.0 << 1.0 << 2.0 << 4.0; // (1 + 1) / 2
    QTest::addRow("[2 4 4]") << 3 << 10.0 / 3.0 << 8.0 / 9.0 << 2.0 << 4.0; // (16 + 4 + 4) / 9 / 3
    QTest::addRow("[2 4 4 4]") << 4 << 3.5 << 0.75 << 2.0 << 4.0; // (2.25 + 3 * 0.25) / 4
    QTest::addRow("[4 4 4 5]") << 5 << 4.25 << 0.1875 << 4.0 << 5.0; // (3 * 0.0625 + 0.5625) / 4
    QTest::addRow("[4 4 5 5]") << 6 << 4.5 << 0.25 << 4.0 << 5.0; // 4 * 0.25 / 4
    QTest::addRow("[4 5 5 7]") << 7 << 5.25 << 1.1875 << 4.0 << 7.0; // (1.5625 + 2 * 0.0625 + 3.0625) / 4
    QTest::addRow("[5 5 7 9]") << 8 << 6.5 << 2.75 << 5.0 << 9.0; // (2 * 2.25 + 0.25 + 6.25) / 4
}

void TestRollingWindow::welfordSequence()
{
    QFETCH(int, samples);
    QFETCH(double, mean);
    QFETCH(double, variance);
    QFETCH(double, min);
    QFETCH(double, max);

    const double feed[] = {2, 4, 4, 4, 5, 5, 7, 9};
    RollingWindow w(4);
    for (int i = 0; i < samples; ++i) {
        w.add(feed[i], i * 100);
    }
    QCOMPARE(w.size(), std::min(samples, 4));
    QCOMPARE(w.mean(), mean);
    QCOMPARE(w.variance(), variance);
    QCOMPARE(w.stddev(), std::sqrt(variance));
    QCOMPARE(w.min(), min);
    QCOMPARE(w.max(), max);
}

void TestRollingWindow::evictsMinAndMax()
{
    RollingWindow w(3);
    w.add(1.0, 0);
    w.add(9.0, 1);
    w.add(5.0, 2);
    QCOMPARE(w.min(), 1.0);
    QCOMPARE(w.max(), 9.0);

    w.add(6.0, 3); // [9 5 6]: the minimum leaves
    QCOMPARE(w.min(), 5.0);
    QCOMPARE(w.max(), 9.0);

    w.add(4.0, 4); // [5 6 4]: the maximum leaves
    QCOMPARE(w.min(), 4.0);
    QCOMPARE(w.max(), 6.0);

    w.add(7.0, 5); // [6 4 7]
    QCOMPARE(w.min(), 4.0);
    QCOMPARE(w.max(), 7.0);

    w.add(8.0, 6); // [4 7 8]
    w.add(9.0, 7); // [7 8 9]: the minimum leaves again, and the queue must not keep stale entries
    QCOMPARE(w.min(), 7.0);
    QCOMPARE(w.max(), 9.0);
}

void TestRollingWindow::evictsDuplicateExtremes()
{
    // Equal values: the copy that leaves first must not take the one that stays with it.
    RollingWindow w(2);
    w.add(3.0, 0);
    w.add(3.0, 1);
    w.add(5.0, 2); // [3 5]
    QCOMPARE(w.min(), 3.0);
    QCOMPARE(w.max(), 5.0);
    w.add(6.0, 3); // [5 6]
    QCOMPARE(w.min(), 5.0);
    QCOMPARE(w.max(), 6.0);
    w.add(6.0, 4); // [6 6]
    w.add(1.0, 5); // [6 1]
    QCOMPARE(w.min(), 1.0);
    QCOMPARE(w.max(), 6.0);
}

void TestRollingWindow::capacityOne()
{
    RollingWindow w(1);
    const double feed[] = {3.0, -2.0, 7.5, 1e16, 1.0};
    qint64 t = 0;
    for (double v : feed) {
        w.add(v, t += 100);
        QCOMPARE(w.size(), 1);
        QCOMPARE(w.mean(), v);
        QCOMPARE(w.variance(), 0.0);
        QCOMPARE(w.min(), v);
        QCOMPARE(w.max(), v);
        QCOMPARE(w.rate(), 0.0);
        QVERIFY(w.zScore(v + 1.0) < 0.0);
    }
    QCOMPARE(w.count(), qint64(5));
}

void TestRollingWindow::zeroVariance_data()
{
    QTest::addColumn<double>("value");

    QTest::addRow("5.0") << 5.0;
    QTest::addRow("zero") << 0.0;
    QTest::addRow("0.1 (not representable)") << 0.1;
    QTest::addRow("-3.7") << -3.7;
    QTest::addRow("1e9 + 0.3") << 1e9 + 0.3;
}

void TestRollingWindow::zeroVariance()
{
    QFETCH(double, value);

    RollingWindow w(8);
    for (int i = 0; i < 1000; ++i) {
        w.add(value, i * 10);
        QVERIFY(allFinite(w));
        QVERIFY2(w.zScore(value) < 0.0, qPrintable(QString::number(i)));
        QVERIFY(w.zScore(value + 1.0) < 0.0);
    }
    QCOMPARE(w.variance(), 0.0);
    QCOMPARE(w.stddev(), 0.0);
    QCOMPARE(w.mean(), value);
    QCOMPARE(w.min(), value);
    QCOMPARE(w.max(), value);
    QVERIFY(w.zScore(1e300) < 0.0);
    QVERIFY(w.zScore(-1e300) < 0.0);
}

void TestRollingWindow::zScore_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<double>("expected");

    // Window [10 12 14 16]: mean 13, population variance (9 + 1 + 1 + 9) / 4 = 5.
    QTest::addRow("outlier above") << 20.0 << 7.0 / std::sqrt(5.0);
    QTest::addRow("outlier below") << 6.0 << 7.0 / std::sqrt(5.0);
    QTest::addRow("one sigma") << 13.0 + std::sqrt(5.0) << 1.0;
    QTest::addRow("at the mean") << 13.0 << 0.0;
}

void TestRollingWindow::zScore()
{
    QFETCH(double, value);
    QFETCH(double, expected);

    RollingWindow w(4);
    w.add(2.0, 0); // evicted below, so the window really slides
    for (double v : {10.0, 12.0, 14.0, 16.0}) {
        w.add(v, 0);
    }
    QCOMPARE(w.mean(), 13.0);
    QCOMPARE(w.variance(), 5.0);
    QCOMPARE(w.zScore(value), expected);
}

void TestRollingWindow::rate_data()
{
    QTest::addColumn<int>("capacity");
    QTest::addColumn<QList<qint64>>("timesNs");
    QTest::addColumn<double>("expected");

    constexpr qint64 ms = 1'000'000;
    QTest::addRow("5 samples 250 ms apart") << 10 << QList<qint64>{0, 250 * ms, 500 * ms, 750 * ms, 1000 * ms} << 4.0;
    QTest::addRow("epoch timestamps") << 10 << QList<qint64>{1700000000000 * ms, 1700000000500 * ms, 1700000001000 * ms}
                                      << 2.0;
    QTest::addRow("250 us apart") << 10 << QList<qint64>{1700000000000 * ms, 1700000000000 * ms + 250'000} << 4000.0;
    QTest::addRow("same timestamps") << 10 << QList<qint64>{500, 500, 500, 500, 500} << 0.0;
    QTest::addRow("single sample") << 10 << QList<qint64>{500} << 0.0;
    QTest::addRow("time going backwards") << 10 << QList<qint64>{1000, 500} << 0.0;
    // Only the three samples still in the window count: 2 intervals over 200 ms.
    QTest::addRow("after eviction") << 3 << QList<qint64>{0, 1000 * ms, 1100 * ms, 1200 * ms} << 10.0;
}

void TestRollingWindow::rate()
{
    QFETCH(int, capacity);
    QFETCH(QList<qint64>, timesNs);
    QFETCH(double, expected);

    RollingWindow w(capacity);
    for (qint64 t : timesNs) {
        w.add(1.0, t);
    }
    QCOMPARE(w.rate(), expected);
}

void TestRollingWindow::countBeyondCapacity()
{
    RollingWindow w(3);
    for (int i = 0; i < 10; ++i) {
        w.add(i, i);
    }
    QCOMPARE(w.count(), qint64(10));
    QCOMPARE(w.size(), 3);
    QCOMPARE(w.capacity(), 3);
    QCOMPARE(w.mean(), 8.0); // [7 8 9]
    QCOMPARE(w.variance(), 2.0 / 3.0);
}

void TestRollingWindow::negativeValues()
{
    RollingWindow w(3);
    w.add(-5.0, 0);
    w.add(-1.0, 1);
    w.add(-3.0, 2);
    QCOMPARE(w.mean(), -3.0);
    QCOMPARE(w.variance(), 8.0 / 3.0); // (4 + 4 + 0) / 3
    QCOMPARE(w.min(), -5.0);
    QCOMPARE(w.max(), -1.0);
    QCOMPARE(w.zScore(-7.0), 4.0 / std::sqrt(8.0 / 3.0));

    w.add(3.0, 3); // [-1 -3 3]: crosses zero
    QCOMPARE(w.mean(), -1.0 / 3.0);
    QCOMPARE(w.variance(), 56.0 / 9.0); // deviations -2/3, -8/3, 10/3: (4 + 64 + 100) / 9 / 3
    QCOMPARE(w.min(), -3.0);
    QCOMPARE(w.max(), 3.0);
}

void TestRollingWindow::largeMagnitude_data()
{
    QTest::addColumn<QList<double>>("values");
    QTest::addColumn<double>("offset");
    QTest::addColumn<double>("meanMinusOffset");
    QTest::addColumn<double>("variance");

    // The offset is subtracted before comparing, otherwise QCOMPARE's relative fuzz would hide errors.
    QTest::addRow("1e15 + small steps") << QList<double>{1e15, 1e15 + 2, 1e15 + 4, 1e15 + 6} << 1e15 << 3.0 << 5.0;
    QTest::addRow("epoch milliseconds") << QList<double>{1.7e12, 1.7e12 + 1, 1.7e12 + 2} << 1.7e12 << 1.0 << 2.0 / 3.0;
    QTest::addRow("1e150 scale") << QList<double>{1e150, 3e150} << 0.0 << 2e150 << 1e300;
    QTest::addRow("+-1e12") << QList<double>{-1e12, 1e12} << 0.0 << 0.0 << 1e24;
}

void TestRollingWindow::largeMagnitude()
{
    QFETCH(QList<double>, values);
    QFETCH(double, offset);
    QFETCH(double, meanMinusOffset);
    QFETCH(double, variance);

    RollingWindow w(static_cast<int>(values.size()));
    w.add(-123.0, 0); // evicted: the window has to cope with a sample far from the data leaving
    for (double v : values) {
        w.add(v, 0);
    }
    QCOMPARE(w.mean() - offset, meanMinusOffset);
    QCOMPARE(w.variance(), variance);
    QCOMPARE(w.min(), values.first());
    QCOMPARE(w.max(), values.last());
    QVERIFY(allFinite(w));
}

void TestRollingWindow::longRunAccuracy_data()
{
    QTest::addColumn<double>("level");
    QTest::addColumn<double>("amplitude");

    QTest::addRow("1e6 +- 1") << 1e6 << 1.0;
    QTest::addRow("1e6 +- 1e-3") << 1e6 << 1e-3;
    QTest::addRow("1e6 +- 1e3") << 1e6 << 1e3;
}

void TestRollingWindow::longRunAccuracy()
{
    QFETCH(double, level);
    QFETCH(double, amplitude);

    constexpr int capacity = 100;
    constexpr int total = 1000000;
    std::mt19937_64 rng(20240601);
    RollingWindow w(capacity);
    std::vector<double> recent(capacity);

    int checks = 0;
    for (int i = 0; i < total; ++i) {
        const double x = level + amplitude * noise(rng);
        recent[static_cast<std::size_t>(i % capacity)] = x;
        w.add(x, i);
        if (i >= capacity && (i % 99991 == 0 || i == total - 1)) {
            const Direct d = directStats(recent);
            const double meanError = std::abs(w.mean() - d.mean) / std::abs(d.mean);
            const double stddevError = std::abs(w.stddev() - d.stddev) / d.stddev;
            QVERIFY2(meanError < 1e-9, qPrintable(QStringLiteral("sample %1: mean error %2").arg(i).arg(meanError)));
            QVERIFY2(stddevError < 1e-9,
                     qPrintable(QStringLiteral("sample %1: stddev error %2").arg(i).arg(stddevError)));
            ++checks;
        }
    }
    QCOMPARE(checks, 11);
    QCOMPARE(w.count(), qint64(total));
}

void TestRollingWindow::recoversAfterGlitch()
{
    // A glitch leaves rounding debris of order epsilon * 1e24 in the running sums; once it has left,
    // a constant window must again have exactly zero spread and no z-score.
    RollingWindow w(100);
    for (int i = 0; i < 50; ++i) {
        w.add(5.0, i);
    }
    w.add(1e12, 50);
    QVERIFY(w.zScore(5.0) > 0.0);
    for (int i = 0; i < 100; ++i) {
        w.add(5.0, 51 + i);
    }
    QCOMPARE(w.max(), 5.0);
    QCOMPARE(w.mean(), 5.0);
    QCOMPARE(w.stddev(), 0.0);
    QVERIFY(w.zScore(6.0) < 0.0);
}

void TestRollingWindow::recoversAfterNonFinite()
{
    constexpr int capacity = 20;
    RollingWindow w(capacity);
    for (int i = 0; i < capacity; ++i) {
        w.add(i % 2 == 0 ? 1.0 : 3.0, i);
    }
    w.add(std::numeric_limits<double>::quiet_NaN(), capacity);
    w.add(std::numeric_limits<double>::infinity(), capacity + 1);
    // Recovery may lag by the minimum spacing between exact passes (a quarter of the capacity).
    for (int i = 0; i < capacity + capacity / 4; ++i) {
        w.add(i % 2 == 0 ? 1.0 : 3.0, capacity + 2 + i);
    }
    QVERIFY(allFinite(w));
    QCOMPARE(w.mean(), 2.0);
    QCOMPARE(w.variance(), 1.0);
    QCOMPARE(w.zScore(5.0), 3.0);
}

void TestRollingWindow::followsLevelShift()
{
    // The running sums are kept relative to a reference picked near the first data; a signal that
    // moves far away from it must not lose precision.
    constexpr int capacity = 50;
    std::mt19937_64 rng(7);
    RollingWindow w(capacity);
    std::vector<double> recent(capacity);
    int i = 0;
    for (; i < 10000; ++i) {
        const double x = noise(rng);
        recent[static_cast<std::size_t>(i % capacity)] = x;
        w.add(x, i);
    }
    for (; i < 200000; ++i) {
        const double x = 1e9 + 1e-3 * noise(rng);
        recent[static_cast<std::size_t>(i % capacity)] = x;
        w.add(x, i);
    }
    // The mean itself cannot be closer than half an ulp at 1e9 (6e-8, a tenth of a permille of the spread).
    const Direct d = directStats(recent);
    QVERIFY(std::abs(w.mean() - d.mean) <= std::nextafter(1e9, 2e9) - 1e9);
    QVERIFY(std::abs(w.stddev() - d.stddev) / d.stddev < 1e-9);
}

QTEST_APPLESS_MAIN(TestRollingWindow)
#include "tst_rollingwindow.moc"
