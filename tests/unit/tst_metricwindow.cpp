// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/analytics/metricwindow.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <random>
#include <vector>

using edgegate::MetricWindow;
using namespace Qt::StringLiterals;

namespace {

// The bucket summaries are all the window keeps; the claim is a few hundred bytes per metric.
static_assert(sizeof(MetricWindow) <= 256);

// Independent reference: a plain two-pass over the samples the window says it holds, in extended
// precision where the platform has it.
struct Direct
{
    double mean = 0;
    double stddev = 0;
    double min = 0;
    double max = 0;
};

Direct direct(const std::deque<double> &all, int size)
{
    const auto first = all.end() - size;
    long double sum = 0.0L;
    for (auto it = first; it != all.end(); ++it)
        sum += *it;
    const long double mean = sum / size;
    long double squares = 0.0L;
    for (auto it = first; it != all.end(); ++it)
        squares += (*it - mean) * (*it - mean);
    return {double(mean), double(std::sqrt(squares / size)), *std::min_element(first, all.end()),
            *std::max_element(first, all.end())};
}

// Uniform in [-1, 1) from the raw engine output: std:: distributions differ between standard
// libraries, the engine does not.
double noise(std::mt19937_64 &rng)
{
    return double(rng() >> 11) * 0x1.0p-52 - 1.0;
}

bool near(double actual, double expected, double relative)
{
    return std::abs(actual - expected) <= relative * std::max(1.0, std::abs(expected));
}

} // namespace

class TestMetricWindow : public QObject
{
    Q_OBJECT

private slots:
    void emptyWindow();
    void smallCapacityIsExact_data();
    void smallCapacityIsExact();
    void holdsBetweenCapacityLessABucketAndCapacity_data();
    void holdsBetweenCapacityLessABucketAndCapacity();
    void constantSeriesHasNoSpread();
    void glitchLeavesWithItsBucket();
    void nonFiniteSampleLeavesToo();
    void largeMagnitude();
    void longRunAccuracy();
    void rate();
    void zScore();
};

void TestMetricWindow::emptyWindow()
{
    const MetricWindow w(5);
    QCOMPARE(w.capacity(), 5);
    QCOMPARE(w.size(), 0);
    QCOMPARE(w.count(), qint64(0));
    QCOMPARE(w.mean(), 0.0);
    QCOMPARE(w.variance(), 0.0);
    QCOMPARE(w.min(), 0.0);
    QCOMPARE(w.max(), 0.0);
    QCOMPARE(w.rate(), 0.0);
    QVERIFY(w.zScore(1.0) < 0.0);
    QCOMPARE(MetricWindow(0).capacity(), 1);
    QCOMPARE(MetricWindow(-3).capacity(), 1);
}

void TestMetricWindow::smallCapacityIsExact_data()
{
    QTest::addColumn<int>("capacity");
    for (int c = 1; c <= 4; ++c)
        QTest::addRow("capacity %d", c) << c;
}

void TestMetricWindow::smallCapacityIsExact()
{
    // Up to four samples, every bucket holds one: the window is exactly the last `capacity` samples.
    QFETCH(int, capacity);
    MetricWindow w(capacity);
    std::deque<double> all;
    const double values[] = {2, 4, 4, 4, 5, 5, 7, 9, -3, 0.5};
    for (const double v : values) {
        w.add(v, 0);
        all.push_back(v);
        const int expected = std::min<int>(capacity, int(all.size()));
        QCOMPARE(w.size(), expected);
        const Direct d = direct(all, expected);
        QVERIFY(near(w.mean(), d.mean, 1e-15));
        QVERIFY(near(w.stddev(), d.stddev, 1e-15));
        QCOMPARE(w.min(), d.min);
        QCOMPARE(w.max(), d.max);
    }
    QCOMPARE(w.count(), qint64(std::size(values)));
}

void TestMetricWindow::holdsBetweenCapacityLessABucketAndCapacity_data()
{
    QTest::addColumn<int>("capacity");
    for (const int c : {5, 7, 10, 60, 61, 1000})
        QTest::addRow("capacity %d", c) << c;
}

void TestMetricWindow::holdsBetweenCapacityLessABucketAndCapacity()
{
    QFETCH(int, capacity);
    const int bucket = (capacity + MetricWindow::Buckets - 1) / MetricWindow::Buckets;
    MetricWindow w(capacity);
    std::deque<double> all;
    std::mt19937_64 rng(capacity);
    for (int i = 0; i < 5 * capacity + 3; ++i) {
        const double v = 20.0 + 5.0 * noise(rng);
        w.add(v, 0);
        all.push_back(v);
        QVERIFY2(w.size() <= capacity, qPrintable(QString::number(i)));
        if (int(all.size()) >= capacity)
            QVERIFY2(w.size() >= capacity - bucket, qPrintable(QString::number(i)));
        // What it reports is exact for the samples it holds: the newest size() of them.
        const Direct d = direct(all, w.size());
        QVERIFY2(near(w.mean(), d.mean, 1e-13), qPrintable(QString::number(i)));
        QVERIFY2(near(w.stddev(), d.stddev, 1e-12), qPrintable(QString::number(i)));
        QCOMPARE(w.min(), d.min);
        QCOMPARE(w.max(), d.max);
    }
}

void TestMetricWindow::constantSeriesHasNoSpread()
{
    for (const double level : {0.0, 21.5, -4.25, 1e9 + 0.1, 1e-9}) {
        MetricWindow w(60);
        for (int i = 0; i < 500; ++i)
            w.add(level, i);
        QCOMPARE(w.variance(), 0.0);
        QCOMPARE(w.mean(), level);
        QVERIFY(w.zScore(level + 1.0) < 0.0);
    }
}

void TestMetricWindow::glitchLeavesWithItsBucket()
{
    MetricWindow w(60);
    for (int i = 0; i < 100; ++i)
        w.add(20.0, i);
    w.add(1e12, 100);
    QVERIFY(w.stddev() > 1e9);
    for (int i = 0; i < 60; ++i)
        w.add(20.0, 101 + i);
    // Gone for good, not merely decayed: the spread is exactly zero again.
    QCOMPARE(w.variance(), 0.0);
    QCOMPARE(w.max(), 20.0);
    QVERIFY(w.zScore(25.0) < 0.0);
}

void TestMetricWindow::nonFiniteSampleLeavesToo()
{
    MetricWindow w(8);
    for (int i = 0; i < 8; ++i)
        w.add(i, i);
    w.add(std::nan(""), 8);
    QVERIFY(!std::isfinite(w.mean()));
    w.add(std::numeric_limits<double>::infinity(), 9);
    for (int i = 0; i < 8; ++i)
        w.add(5.0 + i % 2, 10 + i);
    QVERIFY(std::isfinite(w.mean()));
    QVERIFY(std::isfinite(w.stddev()));
    QCOMPARE(w.min(), 5.0);
    QCOMPARE(w.max(), 6.0);
}

void TestMetricWindow::largeMagnitude()
{
    // A meter reading near 1e9 with a spread of 1e-3: the bucket shift keeps the spread resolvable.
    MetricWindow w(60);
    std::deque<double> all;
    std::mt19937_64 rng(7);
    for (int i = 0; i < 1000; ++i) {
        const double v = 1e9 + 1e-3 * noise(rng);
        w.add(v, i);
        all.push_back(v);
    }
    const Direct d = direct(all, w.size());
    QVERIFY2(std::abs(w.stddev() - d.stddev) <= 1e-3 * d.stddev,
             qPrintable(u"%1 vs %2"_s.arg(w.stddev(), 0, 'g', 17).arg(d.stddev, 0, 'g', 17)));
}

void TestMetricWindow::longRunAccuracy()
{
    // Buckets start afresh when reused, so nothing accumulates over millions of samples.
    MetricWindow w(60);
    std::deque<double> recent;
    std::mt19937_64 rng(11);
    for (int i = 0; i < 2'000'000; ++i) {
        const double v = 1e6 + 100.0 * noise(rng) + (i % 1000) * 0.01;
        w.add(v, i);
        recent.push_back(v);
        if (recent.size() > 60)
            recent.pop_front();
    }
    const Direct d = direct(recent, w.size());
    QVERIFY(near(w.mean(), d.mean, 1e-14));
    QVERIFY(std::abs(w.stddev() - d.stddev) <= 1e-9 * d.stddev);
    QCOMPARE(w.count(), qint64(2'000'000));
}

void TestMetricWindow::rate()
{
    MetricWindow w(10);
    for (int i = 0; i < 100; ++i)
        w.add(1.0, qint64(i) * 250'000'000); // 4 per second
    QVERIFY(near(w.rate(), 4.0, 1e-12));
    MetricWindow same(10);
    same.add(1.0, 5);
    same.add(2.0, 5);
    QCOMPARE(same.rate(), 0.0); // no time between them: undefined
}

void TestMetricWindow::zScore()
{
    MetricWindow w(4);
    for (const double v : {2.0, 4.0, 6.0, 8.0})
        w.add(v, 0);
    // Mean 5, population stddev sqrt(5).
    QVERIFY(near(w.zScore(5.0 + 3.0 * std::sqrt(5.0)), 3.0, 1e-12));
    QVERIFY(near(w.zScore(5.0), 0.0, 1e-12));
}

QTEST_GUILESS_MAIN(TestMetricWindow)
#include "tst_metricwindow.moc"
