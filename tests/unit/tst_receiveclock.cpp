// SPDX-License-Identifier: Apache-2.0
// Receive times: nanoseconds from the system clock, never the same twice, never going back.
#include "gateway/core/ingest/receiveclock.h"

#include <QDateTime>
#include <QTest>

#include <limits>

using namespace edgegate;

namespace {

// The system clock as the tests set it.
qint64 fakeNow = 0;
qint64 readFakeNow()
{
    return fakeNow;
}

constexpr qint64 T = 1'700'000'000'000'000'000;
constexpr qint64 Second = 1'000'000'000;

} // namespace

class TestReceiveClock : public QObject
{
    Q_OBJECT
private slots:
    void sameReadingGetsTheNextNanosecond();
    void clockSetBackALittleIsHeld();
    void clockSetBackFarIsFollowed();
    void heldMessageIsNotASetBack();
    void laterReadingTakenAsItIs();
    void wallClockHasNanoseconds();
    void millisecondsRoundDown_data();
    void millisecondsRoundDown();
};

void TestReceiveClock::sameReadingGetsTheNextNanosecond()
{
    fakeNow = T;
    ReceiveClock clock(readFakeNow);
    QCOMPARE(clock.stamp(T), T);
    for (qint64 i = 1; i <= 1000; ++i)
        QCOMPARE(clock.stamp(T), T + i);
    QCOMPARE(clock.behindNs(), 999);
    QCOMPARE(clock.setBackCount(), 0u);
}

void TestReceiveClock::clockSetBackALittleIsHeld()
{
    ReceiveClock clock(readFakeNow);
    QCOMPARE(clock.stamp(T), T);
    fakeNow = T - 60 * Second; // a minute back: held just after the last stamp
    QCOMPARE(clock.stamp(fakeNow), T + 1);
    QCOMPARE(clock.behindNs(), 60 * Second);
    fakeNow = T - 1;
    QCOMPARE(clock.stamp(fakeNow), T + 2);
    fakeNow = T + 3; // caught up
    QCOMPARE(clock.stamp(fakeNow), T + 3);
    QCOMPARE(clock.behindNs(), 0);
    QCOMPARE(clock.setBackCount(), 0u);
}

void TestReceiveClock::clockSetBackFarIsFollowed()
{
    // The clock ran a day ahead and was corrected: stamps follow it rather than stay a day ahead.
    ReceiveClock clock(readFakeNow);
    QCOMPARE(clock.stamp(T + 86'400 * Second), T + 86'400 * Second);
    fakeNow = T;
    QCOMPARE(clock.stamp(T), T);
    QCOMPARE(clock.setBackCount(), 1u);
    QCOMPARE(clock.stamp(T), T + 1); // and strictly increasing again from there
    fakeNow = T + 5;
    QCOMPARE(clock.stamp(fakeNow), T + 5);
}

void TestReceiveClock::heldMessageIsNotASetBack()
{
    // A message read two hours ago and held since (no room) comes after newer ones: the clock is
    // right, so it is stamped just after the last one, not two hours back.
    ReceiveClock clock(readFakeNow);
    fakeNow = T;
    QCOMPARE(clock.stamp(T), T);
    QCOMPARE(clock.stamp(T - 7'200 * Second), T + 1);
    QCOMPARE(clock.behindNs(), 0);
    QCOMPARE(clock.setBackCount(), 0u);
}

void TestReceiveClock::laterReadingTakenAsItIs()
{
    ReceiveClock clock(readFakeNow);
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
