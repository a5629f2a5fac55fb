// SPDX-License-Identifier: Apache-2.0
// Receive times: nanoseconds from the system clock, never the same twice, never going back.
#include "gateway/core/receiveclock.h"

#include <QDateTime>
#include <QTest>

#include <limits>

using namespace edgegate;

class TestReceiveClock : public QObject
{
    Q_OBJECT
private slots:
    void sameReadingGetsTheNextNanosecond();
    void clockSetBack();
    void laterReadingTakenAsItIs();
    void wallClockHasNanoseconds();
    void millisecondsRoundDown_data();
    void millisecondsRoundDown();
};

void TestReceiveClock::sameReadingGetsTheNextNanosecond()
{
    ReceiveClock clock;
    const qint64 t = 1'700'000'000'123'000'000;
    QCOMPARE(clock.stamp(t), t);
    for (qint64 i = 1; i <= 1000; ++i)
        QCOMPARE(clock.stamp(t), t + i);
    QCOMPARE(clock.aheadOf(t), 1000);
}

void TestReceiveClock::clockSetBack()
{
    ReceiveClock clock;
    const qint64 t = 1'700'000'000'000'000'000;
    QCOMPARE(clock.stamp(t), t);
    QCOMPARE(clock.stamp(t - 3'600'000'000'000), t + 1); // an hour back: held just after the last
    QCOMPARE(clock.aheadOf(t - 3'600'000'000'000), 3'600'000'000'001);
    QCOMPARE(clock.stamp(t - 1), t + 2);
    QCOMPARE(clock.stamp(t + 3), t + 3); // caught up
    QCOMPARE(clock.aheadOf(t + 10), 0);
}

void TestReceiveClock::laterReadingTakenAsItIs()
{
    ReceiveClock clock;
    QCOMPARE(clock.stamp(5), 5);
    QCOMPARE(clock.stamp(1'000'000), 1'000'000);
    QCOMPARE(clock.stamp(1'000'001), 1'000'001);
}

void TestReceiveClock::wallClockHasNanoseconds()
{
    // Milliseconds times 10^6 would end in six zeros every time; a real nanosecond reading almost
    // never does, so 100 readings that all do would mean the precision was lost.
    int subMillisecond = 0;
    for (int i = 0; i < 100; ++i)
        subMillisecond += wallClockNs() % 1'000'000 != 0 ? 1 : 0;
    QVERIFY(subMillisecond > 0);
    // And it is the same clock as QDateTime's.
    const qint64 ms = QDateTime::currentMSecsSinceEpoch();
    const qint64 ns = wallClockNs();
    QVERIFY(msFromNs(ns) >= ms);
    QVERIFY(msFromNs(ns) - ms < 60'000);
}

void TestReceiveClock::millisecondsRoundDown_data()
{
    QTest::addColumn<qint64>("ns");
    QTest::addColumn<qint64>("ms");
    QTest::addRow("zero") << qint64(0) << qint64(0);
    QTest::addRow("just below a millisecond") << qint64(999'999) << qint64(0);
    QTest::addRow("a millisecond") << qint64(1'000'000) << qint64(1);
    QTest::addRow("epoch time") << qint64(1'700'000'000'123'999'999) << qint64(1'700'000'000'123);
    QTest::addRow("one before the epoch") << qint64(-1) << qint64(-1);
    QTest::addRow("a millisecond before") << qint64(-1'000'000) << qint64(-1);
    QTest::addRow("just past a millisecond before") << qint64(-1'000'001) << qint64(-2);
    QTest::addRow("lowest") << std::numeric_limits<qint64>::min() << qint64(-9'223'372'036'855);
    QTest::addRow("highest") << std::numeric_limits<qint64>::max() << qint64(9'223'372'036'854);
}

void TestReceiveClock::millisecondsRoundDown()
{
    QFETCH(qint64, ns);
    QFETCH(qint64, ms);
    QCOMPARE(msFromNs(ns), ms);
}

QTEST_APPLESS_MAIN(TestReceiveClock)
#include "tst_receiveclock.moc"
