// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/common/metrics.h"
#include "gateway/sinks/forwarder.h"
#include "gateway/sinks/outbox/outbox.h"
#include "gateway/sinks/sink.h"

#include <QCoreApplication>
#include <QDebug>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <memory>

using namespace edgegate;
using namespace Qt::StringLiterals;

using Drain = ForwarderSettings::Drain;
Q_DECLARE_METATYPE(Drain)

namespace {

/// A sink under the test's control: a window of in-flight entries, up or down at will, and
/// confirmations or refusals on command (or at once, with autoConfirm).
class TestSink : public Sink
{
    Q_OBJECT
public:
    TestSink(int window, bool up)
        : m_window(window)
        , m_up(up)
    {
    }

    [[nodiscard]] QString name() const override { return u"test"_s; }
    [[nodiscard]] bool isUp() const override { return m_up; }
    [[nodiscard]] int room() const override { return m_up ? m_window - int(m_inFlight.size()) : 0; }

    void deliver(const OutboxEntry &entry) override
    {
        if (room() <= 0)
            ++violations; // sent without room, or while down
        m_inFlight.append(entry.seq);
        sent.append(entry);
        rounds.last().append(entry.seq);
        if (autoConfirm)
            QMetaObject::invokeMethod(
                this, [this, seq = entry.seq] { confirm(seq); }, Qt::QueuedConnection);
    }

    void setUp(bool up)
    {
        if (up == m_up)
            return;
        m_up = up;
        if (up)
            rounds.append(QList<quint64>());
        else
            m_inFlight.clear(); // the far end forgot them
        emit upChanged(up);
        if (up)
            emit roomAvailable();
    }

    void confirm(quint64 seq)
    {
        if (!m_inFlight.removeOne(seq))
            return; // lost when the sink went down
        emit delivered(seq);
        emit roomAvailable();
    }

    void confirmOldest(int count)
    {
        for (int i = 0; i < count && !m_inFlight.isEmpty(); ++i)
            confirm(m_inFlight.first());
    }

    void confirmAll() { confirmOldest(int(m_inFlight.size())); }

    void refuse(quint64 seq, const QString &reason)
    {
        if (!m_inFlight.removeOne(seq))
            return;
        emit rejected(seq, reason);
        emit roomAvailable();
    }

    [[nodiscard]] QList<quint64> sentSeqs() const
    {
        QList<quint64> out;
        for (const OutboxEntry &entry : sent)
            out.append(entry.seq);
        return out;
    }

    QList<OutboxEntry> sent;
    QList<QList<quint64>> rounds{{}}; // what was sent in each up period
    bool autoConfirm = false;
    int violations = 0;

private:
    int m_window;
    bool m_up;
    QList<quint64> m_inFlight;
};

QString deviceFor(quint64 seq)
{
    static const QString devices[] = {u"a"_s, u"b"_s, u"c"_s};
    return devices[seq % 3];
}

QList<quint64> range(quint64 from, quint64 to)
{
    QList<quint64> out;
    for (quint64 s = from; s < to; ++s)
        out.append(s);
    return out;
}

/// An open outbox, a test sink and (once started) the forwarder between them, with a fake clock
/// for the rate cap.
struct Fixture
{
    Fixture(int window, bool up, Drain drain = Drain::Fifo, double drainRate = 0.0)
        : sink(window, up)
    {
        OutboxSettings outboxSettings;
        outboxSettings.directory = dir.filePath(u"outbox/test"_s);
        outbox = std::make_unique<Outbox>(u"test"_s, outboxSettings, metrics);
        QString error;
        if (!outbox->open(&error))
            qFatal("%s", qPrintable(error));
        settings.drain = drain;
        settings.drainRate = drainRate;
        settings.clock = [this] { return now; };
    }

    Forwarder &start()
    {
        forwarder = std::make_unique<Forwarder>(*outbox, sink, settings, metrics);
        return *forwarder;
    }

    void append(int count)
    {
        for (int i = 0; i < count; ++i) {
            const quint64 seq = outbox->tail();
            if (outbox->append(deviceFor(seq), "k", QByteArray::number(seq)) != Outbox::AppendResult::Stored)
                qFatal("append failed");
        }
    }

    quint64 counter(const QString &name, const MetricLabels &labels = {{u"sink"_s, u"test"_s}})
    {
        return metrics.counter(name, {}, labels).value();
    }

    double draining() { return metrics.gauge(u"edgegate_outbox_draining"_s, {}, {{u"sink"_s, u"test"_s}}).value(); }

    /// Lets one round of queued calls (the forwarder's pump) run.
    static void settle() { QCoreApplication::processEvents(); }

    QTemporaryDir dir;
    Metrics metrics;
    std::unique_ptr<Outbox> outbox;
    TestSink sink;
    ForwarderSettings settings;
    std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
    std::unique_ptr<Forwarder> forwarder;
};

} // namespace

class TestForwarder : public QObject
{
    Q_OBJECT
private slots:
    void deliversAllInOrder_data();
    void deliversAllInOrder();
    void backlogAtStart();
    void outageResendsFromHead();
    void rejectedIsDropped();
    void fifoOrderAcrossOutages();
    void liveFirst_data();
    void liveFirst();
    void rateCap_data();
    void rateCap();
    void droppedInFlight();
    void retriedCountsResendsOnly_data();
    void retriedCountsResendsOnly();
    void downInsideDeliver();
};

void TestForwarder::deliversAllInOrder_data()
{
    QTest::addColumn<int>("window");
    QTest::addColumn<Drain>("drain");
    for (const int window : {1, 4, 1000}) {
        QTest::addRow("fifo, window %d", window) << window << Drain::Fifo;
        QTest::addRow("live first, window %d", window) << window << Drain::LiveFirst;
    }
}

void TestForwarder::deliversAllInOrder()
{
    QFETCH(int, window);
    QFETCH(Drain, drain);
    Fixture f(window, true, drain);
    f.sink.autoConfirm = true;
    Forwarder &forwarder = f.start();
    QVERIFY(!forwarder.draining());
    f.append(50);
    QTRY_COMPARE_WITH_TIMEOUT(f.outbox->depthMessages(), 0, 10000);
    QCOMPARE(f.sink.sentSeqs(), range(1, 51));
    for (const OutboxEntry &entry : f.sink.sent) {
        QCOMPARE(entry.deviceId, deviceFor(entry.seq));
        QCOMPARE(entry.payload, QByteArray::number(entry.seq));
    }
    QCOMPARE(f.outbox->head(), quint64(51));
    QCOMPARE(f.counter(u"edgegate_outbox_delivered_total"_s), quint64(50));
    QCOMPARE(f.counter(u"edgegate_outbox_retried_total"_s), quint64(0));
    QCOMPARE(f.sink.violations, 0);
}

void TestForwarder::backlogAtStart()
{
    Fixture f(5, true);
    f.append(20);
    f.sink.autoConfirm = true;
    Forwarder &forwarder = f.start();
    QVERIFY(forwarder.draining());
    QCOMPARE(f.draining(), 1.0);
    QTRY_COMPARE_WITH_TIMEOUT(f.outbox->depthMessages(), 0, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!forwarder.draining(), 10000);
    QCOMPARE(f.draining(), 0.0);
    QCOMPARE(f.sink.sentSeqs(), range(1, 21));
    QCOMPARE(f.counter(u"edgegate_outbox_retried_total"_s), quint64(0));
}

void TestForwarder::outageResendsFromHead()
{
    Fixture f(5, true);
    f.start();
    f.append(20);
    QTRY_COMPARE(f.sink.sent.size(), 5);
    f.sink.confirmOldest(3); // 1..3 confirmed, room for three more
    QTRY_COMPARE(f.sink.sent.size(), 8);
    QCOMPARE(f.sink.sentSeqs(), range(1, 9));

    f.sink.setUp(false); // 4..8 were in flight
    f.append(5);
    Fixture::settle();
    QCOMPARE(f.sink.sent.size(), 8); // nothing while down
    QCOMPARE(f.outbox->head(), quint64(4));

    f.sink.setUp(true);
    QTRY_COMPARE(f.sink.sent.size(), 13);
    QCOMPARE(f.sink.rounds.last(), range(4, 9)); // again from the head
    QCOMPARE(f.counter(u"edgegate_outbox_retried_total"_s), quint64(5));

    f.sink.autoConfirm = true;
    f.sink.confirmAll();
    QTRY_COMPARE_WITH_TIMEOUT(f.outbox->depthMessages(), 0, 10000);
    QCOMPARE(f.sink.rounds.last(), range(4, 26));
    QCOMPARE(f.counter(u"edgegate_outbox_delivered_total"_s), quint64(25));
    QCOMPARE(f.counter(u"edgegate_outbox_retried_total"_s), quint64(5));
    QCOMPARE(f.sink.violations, 0);
}

void TestForwarder::rejectedIsDropped()
{
    Fixture f(10, true);
    f.start();
    f.append(5);
    QTRY_COMPARE(f.sink.sent.size(), 5);
    QSignalSpy dropped(f.outbox.get(), &Outbox::dropped);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"^test refused entry 3 for good: field_type_conflict"_s));
    f.sink.refuse(3, u"field_type_conflict"_s);
    QCOMPARE(dropped.count(), 1);
    f.sink.confirmAll();
    QCOMPARE(f.outbox->depthMessages(), 0);
    QCOMPARE(f.outbox->head(), quint64(6));
    QCOMPARE(f.counter(u"edgegate_outbox_dropped_total"_s,
                       {{u"sink"_s, u"test"_s}, {u"reason"_s, u"field_type_conflict"_s}}),
             quint64(1));
    QCOMPARE(f.counter(u"edgegate_outbox_delivered_total"_s), quint64(4));
    Fixture::settle();
    QCOMPARE(f.sink.sent.size(), 5); // not sent again
}

void TestForwarder::fifoOrderAcrossOutages()
{
    Fixture f(3, false, Drain::Fifo);
    f.start();
    f.append(10);
    Fixture::settle();
    QVERIFY(f.sink.sent.isEmpty());

    f.sink.setUp(true); // a backlog of 10
    QTRY_COMPARE(f.sink.sent.size(), 3);
    f.append(10); // live, behind the backlog
    f.sink.confirmOldest(2);
    QTRY_COMPARE(f.sink.sent.size(), 5);
    f.sink.setUp(false);
    f.append(5);
    f.sink.setUp(true);
    QTRY_COMPARE(f.sink.sent.size(), 8);
    f.sink.confirmOldest(1);
    QTRY_COMPARE(f.sink.sent.size(), 9);
    f.sink.setUp(false);
    f.sink.setUp(true);
    f.sink.autoConfirm = true;
    QTRY_COMPARE_WITH_TIMEOUT(f.outbox->depthMessages(), 0, 10000);

    // Within each up period one ascending stream, so every device's entries go out in order;
    // the last one sent everything that was not confirmed before it.
    for (const QList<quint64> &round : f.sink.rounds)
        QVERIFY2(std::is_sorted(round.begin(), round.end())
                     && std::adjacent_find(round.begin(), round.end()) == round.end(),
                 qPrintable(QDebug::toString(round)));
    QCOMPARE(f.sink.rounds.size(), 4);
    QCOMPARE(f.sink.rounds.last(), range(4, 26));
    QCOMPARE(f.sink.violations, 0);
}

void TestForwarder::liveFirst_data()
{
    QTest::addColumn<Drain>("drain");
    QTest::addColumn<QList<quint64>>("expected");

    QTest::addRow("fifo") << Drain::Fifo << range(1, 26);
    QTest::addRow("live first") << Drain::LiveFirst
                                << QList<quint64>{1, 2, 3, 4, 21, 22, 23} + range(5, 21) + QList<quint64>{24, 25};
}

void TestForwarder::liveFirst()
{
    QFETCH(Drain, drain);
    QFETCH(QList<quint64>, expected);

    Fixture f(4, false, drain);
    Forwarder &forwarder = f.start();
    f.append(20);
    f.sink.setUp(true); // a backlog of 20
    QTRY_COMPARE(f.sink.sent.size(), 4);
    QVERIFY(forwarder.draining());
    f.append(3); // live: 21..23
    f.sink.confirmOldest(2);
    QTRY_COMPARE(f.sink.sent.size(), 6);
    f.sink.confirmOldest(2);
    QTRY_COMPARE(f.sink.sent.size(), 8);
    f.sink.autoConfirm = true;
    f.sink.confirmAll();
    QTRY_COMPARE_WITH_TIMEOUT(f.outbox->depthMessages(), 0, 10000);
    QVERIFY(!forwarder.draining());

    // The backlog done, it is one stream again.
    f.append(2);
    QTRY_COMPARE_WITH_TIMEOUT(f.outbox->depthMessages(), 0, 10000);
    QCOMPARE(f.sink.sentSeqs(), expected);
    QCOMPARE(f.counter(u"edgegate_outbox_retried_total"_s), quint64(0));
    QCOMPARE(f.sink.violations, 0);
}

void TestForwarder::rateCap_data()
{
    QTest::addColumn<Drain>("drain");
    QTest::addColumn<int>("afterLive"); // sent once 5 live entries arrive, 25 of the backlog out
    QTest::addColumn<int>("afterStep1"); // and after each further 100 ms
    QTest::addColumn<int>("afterStep2");
    QTest::addRow("fifo: live waits behind the capped backlog") << Drain::Fifo << 25 << 35 << 45;
    QTest::addRow("live first: live goes at once, uncapped") << Drain::LiveFirst << 30 << 40 << 50;
}

void TestForwarder::rateCap()
{
    QFETCH(Drain, drain);
    QFETCH(int, afterLive);
    QFETCH(int, afterStep1);
    QFETCH(int, afterStep2);
    using namespace std::chrono_literals;

    // 100/s with a bucket of 100 ms worth: 10 at once, then one per 10 ms of the fake clock.
    Fixture f(1000, false, drain, 100.0);
    f.sink.autoConfirm = true;
    Forwarder &forwarder = f.start();
    auto *resume = forwarder.findChild<QTimer *>(u"resume"_s);
    QVERIFY(resume);
    QSignalSpy fired(resume, &QTimer::timeout);
    // Waits until the forwarder looked at the bucket again, then checks the count.
    auto settlesAt = [&](int expected) {
        QTRY_COMPARE_WITH_TIMEOUT(f.sink.sent.size(), expected, 10000);
        fired.clear();
        QVERIFY(fired.wait(10000));
        QCOMPARE(f.sink.sent.size(), expected);
    };

    f.append(50);
    f.sink.setUp(true);
    QVERIFY(forwarder.draining());
    QCOMPARE(f.draining(), 1.0);
    settlesAt(10); // a full bucket; the clock stands still, so no more however often the timer fires
    if (QTest::currentTestFailed())
        return;

    f.now += 50ms;
    settlesAt(15);
    if (QTest::currentTestFailed())
        return;
    f.now += 10s; // the bucket holds 10 at most
    settlesAt(25);
    if (QTest::currentTestFailed())
        return;

    f.append(5); // live: 51..55
    settlesAt(afterLive);
    if (QTest::currentTestFailed())
        return;
    f.now += 100ms;
    settlesAt(afterStep1);
    if (QTest::currentTestFailed())
        return;
    f.now += 100ms;
    settlesAt(afterStep2);
    if (QTest::currentTestFailed())
        return;

    f.now += 100ms; // the last 5 of the backlog; then the live entries, uncapped
    QTRY_COMPARE_WITH_TIMEOUT(f.sink.sent.size(), 55, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!forwarder.draining(), 10000);
    QCOMPARE(f.draining(), 0.0);
    f.append(20); // no backlog, no cap: all at once with the clock still
    QTRY_COMPARE_WITH_TIMEOUT(f.sink.sent.size(), 75, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(f.outbox->depthMessages(), 0, 10000);
    QCOMPARE(f.sink.violations, 0);
    if (drain == Drain::Fifo)
        QCOMPARE(f.sink.sentSeqs(), range(1, 76));
}

void TestForwarder::droppedInFlight()
{
    // Entries dropped for room while in flight: their late confirmations change nothing.
    Fixture f(5, true);
    OutboxSettings small;
    small.directory = f.dir.filePath(u"outbox/small"_s);
    small.maxBytes = 10 * Outbox::storedSize(u"a"_s, "k", "1"); // ten of seqs 1..9
    f.outbox = std::make_unique<Outbox>(u"test"_s, small, f.metrics);
    QVERIFY(f.outbox->open(nullptr));
    f.start();
    f.append(9);
    QTRY_COMPARE(f.sink.sent.size(), 5); // 1..5 in flight
    f.append(5); // 10..14 take a byte more each: 1..5 are dropped
    QCOMPARE(f.counter(u"edgegate_outbox_dropped_total"_s, {{u"sink"_s, u"test"_s}, {u"reason"_s, u"overflow"_s}}),
             quint64(5));
    QCOMPARE(f.outbox->head(), quint64(6));
    f.sink.autoConfirm = true;
    f.sink.confirmAll();
    QCOMPARE(f.counter(u"edgegate_outbox_delivered_total"_s), quint64(0));
    QTRY_COMPARE_WITH_TIMEOUT(f.outbox->depthMessages(), 0, 10000);
    QCOMPARE(f.sink.sentSeqs(), range(1, 15));
    QCOMPARE(f.counter(u"edgegate_outbox_delivered_total"_s), quint64(9));
    QCOMPARE(f.counter(u"edgegate_outbox_retried_total"_s), quint64(0));
}

void TestForwarder::retriedCountsResendsOnly_data()
{
    QTest::addColumn<Drain>("drain");
    QTest::addColumn<QList<quint64>>("inFlightAtOutage");
    QTest::addRow("fifo") << Drain::Fifo << QList<quint64>{3, 4, 5, 6};
    QTest::addRow("live first") << Drain::LiveFirst << QList<quint64>{3, 4, 21, 22};
}

void TestForwarder::retriedCountsResendsOnly()
{
    QFETCH(Drain, drain);
    QFETCH(QList<quint64>, inFlightAtOutage);

    Fixture f(4, false, drain);
    f.start();
    f.append(20);
    f.sink.setUp(true);
    QTRY_COMPARE(f.sink.sent.size(), 4);
    f.append(3); // live
    f.sink.confirmOldest(2);
    QTRY_COMPARE(f.sink.sent.size(), 6);
    QCOMPARE(f.sink.sentSeqs().mid(2), inFlightAtOutage);
    f.sink.setUp(false);
    f.sink.autoConfirm = true;
    f.sink.setUp(true);
    QTRY_COMPARE_WITH_TIMEOUT(f.outbox->depthMessages(), 0, 10000);
    // Only the four that were in flight went twice, whatever else lay between them.
    QCOMPARE(f.counter(u"edgegate_outbox_retried_total"_s), quint64(4));
    QCOMPARE(f.sink.sent.size(), 23 + 4);
    QCOMPARE(f.counter(u"edgegate_outbox_delivered_total"_s), quint64(23));
}

/// A sink that goes down in the middle of deliver(), as a link whose socket write fails may.
class FlakySink : public TestSink
{
public:
    using TestSink::TestSink;
    void deliver(const OutboxEntry &entry) override
    {
        TestSink::deliver(entry);
        if (entry.seq == failAt) {
            failAt = 0;
            setUp(false);
        }
    }
    quint64 failAt = 0;
};

void TestForwarder::downInsideDeliver()
{
    QTemporaryDir dir;
    Metrics metrics;
    OutboxSettings settings;
    settings.directory = dir.filePath(u"outbox/test"_s);
    Outbox outbox(u"test"_s, settings, metrics);
    QVERIFY(outbox.open(nullptr));
    FlakySink sink(10, true);
    sink.failAt = 3;
    Forwarder forwarder(outbox, sink, {}, metrics);
    for (int i = 0; i < 6; ++i)
        outbox.append(u"d"_s, "k", "p");
    QTRY_COMPARE(sink.sent.size(), 3);
    QVERIFY(!sink.isUp());
    QCoreApplication::processEvents();
    QCOMPARE(sink.sent.size(), 3); // stopped right there

    sink.autoConfirm = true;
    sink.setUp(true);
    QTRY_COMPARE_WITH_TIMEOUT(outbox.depthMessages(), 0, 10000);
    QCOMPARE(sink.rounds.last(), range(1, 7));
    QCOMPARE(metrics.counter(u"edgegate_outbox_retried_total"_s, {}, {{u"sink"_s, u"test"_s}}).value(), quint64(3));
}

QTEST_GUILESS_MAIN(TestForwarder)

#include "tst_forwarder.moc"
