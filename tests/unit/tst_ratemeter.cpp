// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/common/ratemeter.h"

#include <QTest>

using edgegate::RateMeter;

class TestRateMeter : public QObject
{
    Q_OBJECT

private slots:
    void emptyIsZero()
    {
        RateMeter meter;
        QCOMPARE(meter.perSecond(5'000), 0.0);
    }

    void meanOverTenSeconds()
    {
        RateMeter meter;
        for (qint64 s = 0; s < 10; ++s)
            meter.add(s * 1000 + 500, 3);
        QCOMPARE(meter.perSecond(9'999), 3.0);
    }

    void oldSecondsLeaveTheWindow()
    {
        RateMeter meter;
        meter.add(1'000, 50);
        meter.add(5'000, 10);
        QCOMPARE(meter.perSecond(5'000), 6.0);
        QCOMPARE(meter.perSecond(10'999), 6.0); // seconds 1..10
        QCOMPARE(meter.perSecond(11'000), 1.0);
        QCOMPARE(meter.perSecond(15'000), 0.0);
    }

    void longGapClearsEverything()
    {
        RateMeter meter;
        meter.add(0, 100);
        meter.add(1'000'000, 20);
        QCOMPARE(meter.perSecond(1'000'000), 2.0);
    }

    void clockGoingBackCountsInTheNewestSlot()
    {
        RateMeter meter;
        meter.add(10'000, 10);
        meter.add(9'000, 10);
        QCOMPARE(meter.perSecond(10'000), 2.0);
    }
};

QTEST_APPLESS_MAIN(TestRateMeter)
#include "tst_ratemeter.moc"
