// SPDX-License-Identifier: Apache-2.0
// Messages a broker sends again after a reconnect or a crash: recognised as a whole run, never a new one.
#include "gateway/devicelinks/mqtt/redeliveryfilter.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace edgegate;
using namespace Qt::StringLiterals;

using Verdict = RedeliveryFilter::Verdict;

namespace {

quint64 fp(int n)
{
    return RedeliveryFilter::fingerprint("devices/d1/telemetry", QByteArray::number(n));
}

/// Messages `from`..`to` (id n, payload n) arrive as new, are taken and stored.
void take(RedeliveryFilter &filter, int from, int to)
{
    for (int mid = from; mid <= to; ++mid) {
        QCOMPARE(filter.check(mid, fp(mid)), Verdict::New);
        filter.stored(filter.remember(mid, fp(mid)), mid, fp(mid));
    }
}

constexpr qsizetype FileSize = 24 + 16 * RedeliveryFilter::Capacity;

} // namespace

class TestRedeliveryFilter : public QObject
{
    Q_OBJECT
private slots:
    void sentAgainAfterReconnect();
    void runMustReachTheLast();
    void firstMessageDecides();
    void sameIdOtherMessage();
    void notStoredIsTakenAgain();
    void newSessionForgets();
    void abandonedRun();
    void reusedIdsTurnItOff();
    void keepsTheLastOnes();
    void survivesARestart();
    void unusableFile_data();
    void unusableFile();
    void fingerprintIsStable();
};

void TestRedeliveryFilter::sentAgainAfterReconnect()
{
    RedeliveryFilter filter;
    QString error;
    QVERIFY(filter.open(&error));
    filter.connected(false);
    take(filter, 1, 30);
    // The broker did not see the last ten acknowledgements: it sends 21..30 again, then new ones.
    filter.connected(true);
    for (int mid = 21; mid < 30; ++mid)
        QCOMPARE(filter.check(mid, fp(mid)), Verdict::Hold);
    QCOMPARE(filter.check(30, fp(30)), Verdict::Redelivered);
    QCOMPARE(filter.runStored(), QList<bool>(10, true));
    QCOMPARE(filter.check(31, fp(31)), Verdict::New);
    // The run is over: nothing more is compared in this connection.
    QCOMPARE(filter.check(25, fp(25)), Verdict::New);
}

void TestRedeliveryFilter::runMustReachTheLast()
{
    // Messages that match old ones but stop short of the last one remembered are new after all.
    RedeliveryFilter filter;
    filter.connected(false);
    take(filter, 1, 5);
    filter.connected(true);
    QCOMPARE(filter.check(3, fp(3)), Verdict::Hold);
    QCOMPARE(filter.check(4, fp(4)), Verdict::Hold);
    QCOMPARE(filter.check(99, fp(99)), Verdict::Broken);
    QVERIFY(!filter.inRun());
    QCOMPARE(filter.check(5, fp(5)), Verdict::New);
    // Out of order is no redelivery either.
    filter.connected(true);
    QCOMPARE(filter.check(3, fp(3)), Verdict::Hold);
    QCOMPARE(filter.check(5, fp(5)), Verdict::Broken);
}

void TestRedeliveryFilter::firstMessageDecides()
{
    RedeliveryFilter filter;
    filter.connected(false);
    take(filter, 1, 5);
    filter.connected(true);
    QCOMPARE(filter.check(6, fp(6)), Verdict::New);
    QCOMPARE(filter.check(5, fp(5)), Verdict::New);
}

void TestRedeliveryFilter::sameIdOtherMessage()
{
    RedeliveryFilter filter;
    filter.connected(false);
    take(filter, 7, 7);
    filter.connected(true);
    QCOMPARE(filter.check(7, fp(8)), Verdict::New);
    filter.connected(true);
    QCOMPARE(filter.check(8, fp(7)), Verdict::New);
    filter.connected(true);
    QCOMPARE(filter.check(7, fp(7)), Verdict::Redelivered);
}

void TestRedeliveryFilter::notStoredIsTakenAgain()
{
    // A message that was not stored (held for approval, in memory only) must be taken again.
    RedeliveryFilter filter;
    filter.connected(false);
    filter.stored(filter.remember(1, fp(1)), 1, fp(1));
    (void)filter.remember(2, fp(2));
    filter.connected(true);
    QCOMPARE(filter.check(1, fp(1)), Verdict::Hold);
    QCOMPARE(filter.check(2, fp(2)), Verdict::Redelivered);
    QCOMPARE(filter.runStored(), (QList<bool>{true, false}));
}

void TestRedeliveryFilter::newSessionForgets()
{
    // Without its session the broker numbers from anywhere: an old id with an old payload is new.
    RedeliveryFilter filter;
    filter.connected(false);
    take(filter, 1, 1);
    filter.connected(false);
    QCOMPARE(filter.check(1, fp(1)), Verdict::New);
}

void TestRedeliveryFilter::abandonedRun()
{
    RedeliveryFilter filter;
    filter.connected(false);
    take(filter, 1, 3);
    filter.connected(true);
    QCOMPARE(filter.check(2, fp(2)), Verdict::Hold);
    QVERIFY(filter.inRun());
    filter.abandonRun();
    QVERIFY(!filter.inRun());
    QCOMPARE(filter.check(3, fp(3)), Verdict::New);
}

void TestRedeliveryFilter::reusedIdsTurnItOff()
{
    // A broker that hands out the lowest free id could give a new message an old id and payload.
    RedeliveryFilter filter;
    filter.connected(false);
    take(filter, 1, 3);
    QVERIFY(filter.enabled());
    (void)filter.remember(2, fp(99));
    QVERIFY(!filter.enabled());
    filter.connected(true);
    QCOMPARE(filter.check(2, fp(99)), Verdict::New);
    // The same id in two connections is what redeliveries look like, not reuse.
    RedeliveryFilter other;
    other.connected(false);
    take(other, 1, 3);
    other.connected(true);
    QCOMPARE(other.check(4, fp(4)), Verdict::New);
    (void)other.remember(4, fp(4));
    (void)other.remember(3, fp(30));
    QVERIFY(other.enabled());
}

void TestRedeliveryFilter::keepsTheLastOnes()
{
    RedeliveryFilter filter;
    filter.connected(false);
    take(filter, 1, 200);
    const int oldest = 200 - RedeliveryFilter::Capacity + 1;
    filter.connected(true);
    QCOMPARE(filter.check(oldest - 1, fp(oldest - 1)), Verdict::New);
    filter.connected(true);
    for (int mid = oldest; mid < 200; ++mid)
        QCOMPARE(filter.check(mid, fp(mid)), Verdict::Hold);
    QCOMPARE(filter.check(200, fp(200)), Verdict::Redelivered);
}

void TestRedeliveryFilter::survivesARestart()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"mqtt-session"_s);
    {
        RedeliveryFilter filter(path);
        QString error;
        QVERIFY2(filter.open(&error), qPrintable(error));
        filter.connected(false);
        take(filter, 1, 5);
    }
    QCOMPARE(QFile(path).size(), FileSize);
    QCOMPARE(QFile(path).permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup), QFileDevice::Permissions());
    RedeliveryFilter again(path);
    QString error;
    QVERIFY2(again.open(&error), qPrintable(error));
    again.connected(true);
    QCOMPARE(again.check(4, fp(4)), Verdict::Hold);
    QCOMPARE(again.check(5, fp(5)), Verdict::Redelivered);
    QCOMPARE(again.check(6, fp(6)), Verdict::New);
}

void TestRedeliveryFilter::unusableFile_data()
{
    QTest::addColumn<QByteArray>("content");
    const auto header = [](int offset, char byte) {
        QByteArray content(FileSize, '\0');
        content.replace(0, 8, "EGREDLV2");
        content[offset] = byte;
        return content;
    };
    QTest::addRow("empty") << QByteArray();
    QTest::addRow("short") << QByteArray("EGREDLV2");
    QTest::addRow("garbage of the right size") << QByteArray(FileSize, '\xff');
    QTest::addRow("older layout") << QByteArray("EGREDLV1").leftJustified(FileSize, '\0');
    QTest::addRow("index out of range") << header(8, char(0xff));
    QTest::addRow("count out of range") << header(13, char(0x01)); // 256
    QTest::addRow("reuse flag out of range") << header(16, char(0x02));
}

void TestRedeliveryFilter::unusableFile()
{
    QFETCH(QByteArray, content);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"mqtt-session"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
    file.close();
    RedeliveryFilter filter(path);
    QString error;
    QVERIFY2(filter.open(&error), qPrintable(error));
    QVERIFY(filter.enabled());
    filter.connected(true);
    QCOMPARE(filter.check(0, 0), Verdict::New);
    take(filter, 1, 1);
    filter.connected(true);
    QCOMPARE(filter.check(1, fp(1)), Verdict::Redelivered);
}

void TestRedeliveryFilter::fingerprintIsStable()
{
    // Written in one run and read in the next: the same function in every build (FNV-1a).
    QCOMPARE(RedeliveryFilter::fingerprint("devices/d1/telemetry", R"({"v":1})"), 3619287704490022262ULL);
    QVERIFY(RedeliveryFilter::fingerprint("a", "bc") != RedeliveryFilter::fingerprint("ab", "c"));
}

QTEST_GUILESS_MAIN(TestRedeliveryFilter)
#include "tst_redeliveryfilter.moc"
