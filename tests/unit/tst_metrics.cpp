// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/common/metrics.h"

#include <QByteArray>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QTest>

#include <limits>
#include <vector>

#include <unistd.h>

using edgegate::Counter;
using edgegate::Gauge;
using edgegate::Histogram;
using edgegate::MetricLabels;
using edgegate::Metrics;

using namespace Qt::StringLiterals;

class TestMetrics : public QObject
{
    Q_OBJECT

private slots:
    void counterRegistration();
    void gaugeRegistration();
    void histogramRegistration();
    void histogramBuckets();
    void expositionExact();
    void labelValueEscaping_data();
    void labelValueEscaping();
    void helpEscaping_data();
    void helpEscaping();
    void histogramBoundsInExposition_data();
    void histogramBoundsInExposition();
    void collectorsRunBeforeEachExposition();
    void collectorMayRegisterMetrics();
    void residentMemory();
    void promtoolAcceptsExposition();
};

void TestMetrics::counterRegistration()
{
    Metrics metrics;
    Counter &plain = metrics.counter(u"a_total"_s, u"A."_s);
    QCOMPARE(&metrics.counter(u"a_total"_s, u"A."_s), &plain);

    Counter &x1 = metrics.counter(u"a_total"_s, u"A."_s, {{u"kind"_s, u"x"_s}});
    Counter &y1 = metrics.counter(u"a_total"_s, u"A."_s, {{u"kind"_s, u"y"_s}});
    Counter &other = metrics.counter(u"a_total"_s, u"A."_s, {{u"sort"_s, u"x"_s}});
    Counter &two = metrics.counter(u"a_total"_s, u"A."_s, {{u"kind"_s, u"x"_s}, {u"zone"_s, u"1"_s}});
    Counter &elsewhere = metrics.counter(u"b_total"_s, u"B."_s, {{u"kind"_s, u"x"_s}});
    QVERIFY(&x1 != &plain);
    QVERIFY(&x1 != &y1);
    QVERIFY(&x1 != &other);
    QVERIFY(&x1 != &two);
    QVERIFY(&x1 != &elsewhere);
    QCOMPARE(&metrics.counter(u"a_total"_s, u"A."_s, {{u"kind"_s, u"x"_s}}), &x1);
    QCOMPARE(&metrics.counter(u"a_total"_s, u"A."_s, {{u"kind"_s, u"y"_s}}), &y1);
    QCOMPARE(&metrics.counter(u"a_total"_s, u"A."_s, {{u"kind"_s, u"x"_s}, {u"zone"_s, u"1"_s}}), &two);

    x1.inc();
    x1.inc(4);
    QCOMPARE(x1.value(), quint64(5));
    QCOMPARE(metrics.counter(u"a_total"_s, u"A."_s, {{u"kind"_s, u"x"_s}}).value(), quint64(5));
    QCOMPARE(y1.value(), quint64(0));
    QCOMPARE(plain.value(), quint64(0));
    QCOMPARE(elsewhere.value(), quint64(0));
}

void TestMetrics::gaugeRegistration()
{
    Metrics metrics;
    Gauge &plain = metrics.gauge(u"g"_s, u"G."_s);
    QCOMPARE(&metrics.gauge(u"g"_s, u"G."_s), &plain);

    Gauge &a = metrics.gauge(u"g"_s, u"G."_s, {{u"side"_s, u"a"_s}});
    Gauge &b = metrics.gauge(u"g"_s, u"G."_s, {{u"side"_s, u"b"_s}});
    QVERIFY(&a != &plain);
    QVERIFY(&a != &b);
    QCOMPARE(&metrics.gauge(u"g"_s, u"G."_s, {{u"side"_s, u"a"_s}}), &a);

    a.set(2.5);
    a.add(-4.0);
    QCOMPARE(a.value(), -1.5);
    QCOMPARE(metrics.gauge(u"g"_s, u"G."_s, {{u"side"_s, u"a"_s}}).value(), -1.5);
    QCOMPARE(b.value(), 0.0);
    QCOMPARE(plain.value(), 0.0);
}

void TestMetrics::histogramRegistration()
{
    Metrics metrics;
    const std::vector<double> bounds{0.1, 1.0};
    Histogram &plain = metrics.histogram(u"h_seconds"_s, u"H."_s, bounds);
    QCOMPARE(&metrics.histogram(u"h_seconds"_s, u"H."_s, bounds), &plain);

    Histogram &get = metrics.histogram(u"h_seconds"_s, u"H."_s, bounds, {{u"method"_s, u"GET"_s}});
    Histogram &put = metrics.histogram(u"h_seconds"_s, u"H."_s, bounds, {{u"method"_s, u"PUT"_s}});
    QVERIFY(&get != &plain);
    QVERIFY(&get != &put);
    QCOMPARE(&metrics.histogram(u"h_seconds"_s, u"H."_s, bounds, {{u"method"_s, u"GET"_s}}), &get);

    get.observe(0.5);
    QCOMPARE(metrics.histogram(u"h_seconds"_s, u"H."_s, bounds, {{u"method"_s, u"GET"_s}}).count(), quint64(1));
    QCOMPARE(put.count(), quint64(0));
    QCOMPARE(plain.count(), quint64(0));
}

void TestMetrics::histogramBuckets()
{
    Histogram h({2.0, 1.0, 4.0});
    QCOMPARE(h.upperBounds(), (std::vector<double>{1.0, 2.0, 4.0}));
    QCOMPARE(h.bucketCounts(), (std::vector<quint64>{0, 0, 0, 0}));

    for (double v : {-3.0, 0.5, 1.0, 1.5, 2.0, 4.0, 4.5, 100.0})
        h.observe(v);
    // A value equal to a bound counts in that bound's bucket (le is "less than or equal").
    QCOMPARE(h.bucketCounts(), (std::vector<quint64>{3, 2, 1, 2}));
    QCOMPARE(h.count(), quint64(8));
    QCOMPARE(h.sum(), 110.5);
}

void TestMetrics::expositionExact()
{
    Metrics metrics;
    // Registered out of name order on purpose.
    metrics.gauge(u"zeta_temperature_celsius"_s, u"Zeta."_s).set(-2.5);
    metrics.counter(u"beta_requests_total"_s, u"Requests by path."_s, {{u"path"_s, u"say \"hi\""_s}}).inc();
    metrics.counter(u"alpha_events_total"_s, u"Plain counter."_s).inc(7);
    metrics.counter(u"beta_requests_total"_s, u"Requests by path."_s, {{u"path"_s, u"C:\\dir"_s}}).inc(3);
    metrics.counter(u"beta_requests_total"_s, u"Requests by path."_s, {{u"path"_s, u"line1\nline2"_s}});
    metrics.gauge(u"help_escaped_ratio"_s, u"Back\\slash and\nnewline, \"quotes\" kept."_s).set(0.5);
    Histogram &get
        = metrics.histogram(u"mid_latency_seconds"_s, u"Latency."_s, {1.0, 0.25, 0.5}, {{u"method"_s, u"GET"_s}});
    for (double v : {0.125, 0.25, 0.375, 0.75, 5.0})
        get.observe(v);
    metrics.histogram(u"mid_latency_seconds"_s, u"Latency."_s, {1.0, 0.25, 0.5}, {{u"method"_s, u"POST"_s}});
    Histogram &size = metrics.histogram(u"mid_size_bytes"_s, u"Sizes."_s, {100.0, 1000.0});
    for (double v : {50.0, 1000.0, 5000.0})
        size.observe(v);

    const QByteArray expected = R"exp(# HELP alpha_events_total Plain counter.
# TYPE alpha_events_total counter
alpha_events_total 7
# HELP beta_requests_total Requests by path.
# TYPE beta_requests_total counter
beta_requests_total{path="C:\\dir"} 3
beta_requests_total{path="line1\nline2"} 0
beta_requests_total{path="say \"hi\""} 1
# HELP help_escaped_ratio Back\\slash and\nnewline, "quotes" kept.
# TYPE help_escaped_ratio gauge
help_escaped_ratio 0.5
# HELP mid_latency_seconds Latency.
# TYPE mid_latency_seconds histogram
mid_latency_seconds_bucket{method="GET",le="0.25"} 2
mid_latency_seconds_bucket{method="GET",le="0.5"} 3
mid_latency_seconds_bucket{method="GET",le="1"} 4
mid_latency_seconds_bucket{method="GET",le="+Inf"} 5
mid_latency_seconds_sum{method="GET"} 6.5
mid_latency_seconds_count{method="GET"} 5
mid_latency_seconds_bucket{method="POST",le="0.25"} 0
mid_latency_seconds_bucket{method="POST",le="0.5"} 0
mid_latency_seconds_bucket{method="POST",le="1"} 0
mid_latency_seconds_bucket{method="POST",le="+Inf"} 0
mid_latency_seconds_sum{method="POST"} 0
mid_latency_seconds_count{method="POST"} 0
# HELP mid_size_bytes Sizes.
# TYPE mid_size_bytes histogram
mid_size_bytes_bucket{le="100"} 1
mid_size_bytes_bucket{le="1000"} 2
mid_size_bytes_bucket{le="+Inf"} 3
mid_size_bytes_sum 6050
mid_size_bytes_count 3
# HELP zeta_temperature_celsius Zeta.
# TYPE zeta_temperature_celsius gauge
zeta_temperature_celsius -2.5
)exp"_ba;
    QCOMPARE(metrics.exposition(), expected);
    // Rendering has no side effects.
    QCOMPARE(metrics.exposition(), expected);
}

void TestMetrics::labelValueEscaping_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QByteArray>("rendered");

    QTest::addRow("plain") << u"abc"_s << R"(abc)"_ba;
    QTest::addRow("empty") << QString() << QByteArray();
    QTest::addRow("backslash") << u"a\\b"_s << R"(a\\b)"_ba;
    QTest::addRow("double quote") << u"a\"b"_s << R"(a\"b)"_ba;
    QTest::addRow("newline") << u"a\nb"_s << R"(a\nb)"_ba;
    QTest::addRow("backslash then n") << u"a\\nb"_s << R"(a\\nb)"_ba;
    QTest::addRow("all three") << u"\\\"\n"_s << R"(\\\"\n)"_ba;
    QTest::addRow("trailing backslash") << u"dir\\"_s << R"(dir\\)"_ba;
    QTest::addRow("tab kept") << u"a\tb"_s << "a\tb"_ba;
    QTest::addRow("carriage return kept") << u"a\rb"_s << "a\rb"_ba;
    QTest::addRow("braces and comma kept") << u"{a=1,b}"_s << R"({a=1,b})"_ba;
    QTest::addRow("unicode as UTF-8") << u"caf\u00e9 \u2713"_s << "caf\xc3\xa9 \xe2\x9c\x93"_ba;
}

void TestMetrics::labelValueEscaping()
{
    QFETCH(QString, value);
    QFETCH(QByteArray, rendered);

    Metrics metrics;
    metrics.counter(u"m_total"_s, u"M."_s, {{u"l"_s, value}}).inc(2);
    const QByteArray expected = "# HELP m_total M.\n# TYPE m_total counter\nm_total{l=\"" + rendered + "\"} 2\n";
    QCOMPARE(metrics.exposition(), expected);
}

void TestMetrics::helpEscaping_data()
{
    QTest::addColumn<QString>("help");
    QTest::addColumn<QByteArray>("rendered");

    QTest::addRow("plain") << u"Plain text."_s << "Plain text."_ba;
    QTest::addRow("backslash") << u"C:\\dir"_s << R"(C:\\dir)"_ba;
    QTest::addRow("newline") << u"one\ntwo"_s << R"(one\ntwo)"_ba;
    QTest::addRow("backslash then n") << u"a\\nb"_s << R"(a\\nb)"_ba;
    QTest::addRow("double quote kept") << u"say \"hi\""_s << R"(say "hi")"_ba;
    QTest::addRow("unicode as UTF-8") << u"\u00b0 Celsius"_s << "\xc2\xb0 Celsius"_ba;
}

void TestMetrics::helpEscaping()
{
    QFETCH(QString, help);
    QFETCH(QByteArray, rendered);

    Metrics metrics;
    metrics.gauge(u"m"_s, help).set(1);
    const QByteArray expected = "# HELP m " + rendered + "\n# TYPE m gauge\nm 1\n";
    QCOMPARE(metrics.exposition(), expected);
}

void TestMetrics::histogramBoundsInExposition_data()
{
    QTest::addColumn<double>("bound");
    QTest::addColumn<QByteArray>("le");

    QTest::addRow("integral") << 5.0 << "5"_ba;
    QTest::addRow("fraction") << 0.025 << "0.025"_ba;
    QTest::addRow("tenth") << 0.1 << "0.1"_ba;
    QTest::addRow("small") << 0.00001 << "1e-05"_ba;
    QTest::addRow("negative") << -1.5 << "-1.5"_ba;
    QTest::addRow("large") << 1e21 << "1e+21"_ba;
}

void TestMetrics::histogramBoundsInExposition()
{
    QFETCH(double, bound);
    QFETCH(QByteArray, le);

    Metrics metrics;
    metrics.histogram(u"h"_s, u"H."_s, {bound}).observe(bound);
    const QByteArray expected = "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"" + le
        + "\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum " + le + "\nh_count 1\n";
    QCOMPARE(metrics.exposition(), expected);
}

void TestMetrics::collectorsRunBeforeEachExposition()
{
    Metrics metrics;
    Gauge &gauge = metrics.gauge(u"collected"_s, u"Set by a collector."_s);
    int firstRuns = 0;
    int secondRuns = 0;
    metrics.addCollector([&] {
        ++firstRuns;
        gauge.set(10.0 * firstRuns);
    });
    metrics.addCollector([&] { ++secondRuns; });
    QCOMPARE(firstRuns, 0);
    QCOMPARE(secondRuns, 0);

    QCOMPARE(metrics.exposition(), "# HELP collected Set by a collector.\n# TYPE collected gauge\ncollected 10\n"_ba);
    QCOMPARE(firstRuns, 1);
    QCOMPARE(secondRuns, 1);

    QCOMPARE(metrics.exposition(), "# HELP collected Set by a collector.\n# TYPE collected gauge\ncollected 20\n"_ba);
    QCOMPARE(firstRuns, 2);
    QCOMPARE(secondRuns, 2);
}

void TestMetrics::collectorMayRegisterMetrics()
{
    // Ingest looks its gauge up inside the collector; the family then exists from the first exposition.
    Metrics metrics;
    metrics.addCollector([&metrics] { metrics.gauge(u"late"_s, u"Registered while collecting."_s).add(1.0); });
    QCOMPARE(metrics.exposition(), "# HELP late Registered while collecting.\n# TYPE late gauge\nlate 1\n"_ba);
    QCOMPARE(metrics.exposition(), "# HELP late Registered while collecting.\n# TYPE late gauge\nlate 2\n"_ba);
}

void TestMetrics::residentMemory()
{
#ifdef Q_OS_LINUX
    const qint64 rss = edgegate::residentMemoryBytes();
    QVERIFY2(rss > 0, qPrintable(QString::number(rss)));
    QCOMPARE(rss % static_cast<qint64>(sysconf(_SC_PAGESIZE)), qint64(0));
#else
    QSKIP("residentMemoryBytes reads /proc, which only Linux has");
#endif
}

void TestMetrics::promtoolAcceptsExposition()
{
    const QString promtool = QStandardPaths::findExecutable(u"promtool"_s);
    if (promtool.isEmpty())
        QSKIP("promtool is not installed");

    const auto check = [&promtool](const QByteArray &text, QByteArray *output) {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(promtool, {u"check"_s, u"metrics"_s});
        if (!process.waitForStarted())
            return -1;
        process.write(text);
        process.closeWriteChannel();
        if (!process.waitForFinished(120000) || process.exitStatus() != QProcess::NormalExit)
            return -1;
        *output = process.readAll();
        return process.exitCode();
    };

    // The check must be able to fail, or passing it says nothing.
    QByteArray output;
    QVERIFY(check("# TYPE broken_total counter\nbroken_total{a=\"x} 1\n"_ba, &output) > 0);

    Metrics metrics;
    metrics.counter(u"edgegate_plain_total"_s, u"A counter without labels."_s).inc(3);
    for (const QString &reason : {u"a\\b"_s, u"say \"hi\""_s, u"two\nlines"_s, u"caf\u00e9"_s, QString()})
        metrics.counter(u"edgegate_refused_total"_s, u"Refused, by reason."_s, {{u"reason"_s, reason}}).inc();
    metrics
        .counter(u"edgegate_messages_total"_s, u"Messages.\nBy protocol and kind, C:\\ style."_s,
                 {{u"protocol"_s, u"mqtt"_s}, {u"kind"_s, u"telemetry"_s}})
        .inc(12);
    metrics.gauge(u"edgegate_connected"_s, u"A gauge."_s).set(1);
    metrics.gauge(u"edgegate_temperature_celsius"_s, u"Negative gauge."_s, {{u"room"_s, u"cold"_s}}).set(-12.75);
    metrics.gauge(u"edgegate_temperature_celsius"_s, u"Negative gauge."_s, {{u"room"_s, u"unknown"_s}})
        .set(std::numeric_limits<double>::quiet_NaN());
    metrics.gauge(u"edgegate_limit_ratio"_s, u"Infinite gauge."_s).set(std::numeric_limits<double>::infinity());
    metrics.gauge(u"edgegate_tiny_ratio"_s, u"Tiny gauge."_s).set(1e-300);
    Histogram &latency = metrics.histogram(
        u"edgegate_ingest_latency_seconds"_s, u"Latency."_s,
        {0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1.0});
    for (double v : {0.000003, 0.00002, 0.0004, 0.02, 0.5, 3.0})
        latency.observe(v);
    Histogram &sizes = metrics.histogram(u"edgegate_payload_bytes"_s, u"Payload sizes."_s, {64, 1024, 65536},
                                         {{u"protocol"_s, u"mqtt"_s}});
    sizes.observe(100);
    metrics.histogram(u"edgegate_payload_bytes"_s, u"Payload sizes."_s, {64, 1024, 65536},
                      {{u"protocol"_s, u"coap"_s}});

    const QByteArray text = metrics.exposition();
    const int exitCode = check(text, &output);
    QVERIFY2(exitCode == 0,
             (u"promtool exit code %1:\n"_s.arg(exitCode) + QString::fromUtf8(output) + u"\nexposition:\n"_s
              + QString::fromUtf8(text))
                 .toUtf8()
                 .constData());
}

QTEST_GUILESS_MAIN(TestMetrics)

#include "tst_metrics.moc"
