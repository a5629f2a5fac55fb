// SPDX-License-Identifier: Apache-2.0
// Messages a broker sends again after a reconnect or a crash: recognised once, never a new one.
#include "gateway/links/redeliveryfilter.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace edgegate;
using namespace Qt::StringLiterals;

namespace {

quint64 fp(int n)
{
    return RedeliveryFilter::fingerprint("devices/d1/telemetry", QByteArray::number(n));
}

} // namespace

class TestRedeliveryFilter : public QObject
{
    Q_OBJECT
private slots:
    void sentAgainAfterReconnect();
    void sameIdOtherMessage();
    void newSessionForgets();
    void onlyRightAfterTheReconnect();
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
    for (int mid = 1; mid <= 30; ++mid) {
        QVERIFY(!filter.isRedelivery(mid, fp(mid)));
        filter.taken(mid, fp(mid));
    }
    // The broker did not see the last acknowledgements: it sends 21..30 again, then new ones.
    filter.connected(true);
    for (int mid = 21; mid <= 30; ++mid)
        QVERIFY(filter.isRedelivery(mid, fp(mid)));
    QVERIFY(!filter.isRedelivery(31, fp(31)));
    // A message recognised once is forgotten.
    QVERIFY(!filter.isRedelivery(25, fp(25)));
}

void TestRedeliveryFilter::sameIdOtherMessage()
{
    RedeliveryFilter filter;
    filter.connected(false);
    filter.taken(7, fp(7));
    filter.connected(true);
    QVERIFY(!filter.isRedelivery(7, fp(8)));
    QVERIFY(!filter.isRedelivery(8, fp(7)));
    QVERIFY(filter.isRedelivery(7, fp(7)));
}

void TestRedeliveryFilter::newSessionForgets()
{
    // Without its session the broker numbers from anywhere: an old id with an old payload is new.
    RedeliveryFilter filter;
    filter.connected(false);
    filter.taken(1, fp(1));
    filter.connected(false);
    QVERIFY(!filter.isRedelivery(1, fp(1)));
    filter.taken(2, fp(2));
    filter.connected(true);
    QVERIFY(!filter.isRedelivery(1, fp(1)));
    QVERIFY(filter.isRedelivery(2, fp(2)));
}

void TestRedeliveryFilter::onlyRightAfterTheReconnect()
{
    RedeliveryFilter filter;
    filter.connected(false);
    filter.taken(1, fp(1));
    filter.connected(true);
    for (int i = 0; i < RedeliveryFilter::Capacity; ++i)
        QVERIFY(!filter.isRedelivery(1000 + i, fp(1000 + i)));
    // Past the window nothing sent again can be expected any more.
    QVERIFY(!filter.isRedelivery(1, fp(1)));
}

void TestRedeliveryFilter::keepsTheLastOnes()
{
    RedeliveryFilter filter;
    filter.connected(false);
    for (int mid = 1; mid <= 200; ++mid)
        filter.taken(mid, fp(mid));
    filter.connected(true);
    QVERIFY(!filter.isRedelivery(200 - RedeliveryFilter::Capacity, fp(200 - RedeliveryFilter::Capacity)));
    QVERIFY(filter.isRedelivery(200 - RedeliveryFilter::Capacity + 1, fp(200 - RedeliveryFilter::Capacity + 1)));
    QVERIFY(filter.isRedelivery(200, fp(200)));
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
        for (int mid = 1; mid <= 5; ++mid)
            filter.taken(mid, fp(mid));
    }
    QCOMPARE(QFile(path).permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup), QFileDevice::Permissions());
    RedeliveryFilter again(path);
    QString error;
    QVERIFY2(again.open(&error), qPrintable(error));
    again.connected(true);
    QVERIFY(again.isRedelivery(5, fp(5)));
    QVERIFY(again.isRedelivery(1, fp(1)));
    QVERIFY(!again.isRedelivery(6, fp(6)));
}

void TestRedeliveryFilter::unusableFile_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addRow("empty") << QByteArray();
    QTest::addRow("short") << QByteArray("EGREDLV1");
    QTest::addRow("garbage of the right size") << QByteArray(16 + 16 * RedeliveryFilter::Capacity, '\xff');
    QByteArray badIndex(16 + 16 * RedeliveryFilter::Capacity, '\0');
    badIndex.replace(0, 8, "EGREDLV1");
    badIndex[8] = char(0xff);
    QTest::addRow("index out of range") << badIndex;
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
    filter.connected(true);
    QVERIFY(!filter.isRedelivery(0, 0));
    QVERIFY(!filter.isRedelivery(-1, ~quint64(0)));
    filter.taken(1, fp(1));
    filter.connected(true);
    QVERIFY(filter.isRedelivery(1, fp(1)));
}

void TestRedeliveryFilter::fingerprintIsStable()
{
    // Written in one run and read in the next: the same function in every build (FNV-1a).
    QCOMPARE(RedeliveryFilter::fingerprint("devices/d1/telemetry", R"({"v":1})"), 3619287704490022262ULL);
    QVERIFY(RedeliveryFilter::fingerprint("a", "bc") != RedeliveryFilter::fingerprint("ab", "c"));
}

QTEST_GUILESS_MAIN(TestRedeliveryFilter)
#include "tst_redeliveryfilter.moc"
