// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/http/httprange.h"

#include <QByteArray>
#include <QTest>

using edgegate::ByteRange;
using Kind = ByteRange::Kind;

Q_DECLARE_METATYPE(ByteRange::Kind)

class TestHttpRange : public QObject
{
    Q_OBJECT

private slots:
    void resolve_data();
    void resolve();
};

void TestHttpRange::resolve_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<qint64>("size");
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<qint64>("first");
    QTest::addColumn<qint64>("length");

    QTest::addRow("no header") << QByteArray() << 1000LL << Kind::Full << 0LL << 1000LL;
    QTest::addRow("first-last") << QByteArray("bytes=0-499") << 1000LL << Kind::Partial << 0LL << 500LL;
    QTest::addRow("middle") << QByteArray("bytes=500-999") << 1000LL << Kind::Partial << 500LL << 500LL;
    QTest::addRow("one byte") << QByteArray("bytes=7-7") << 1000LL << Kind::Partial << 7LL << 1LL;
    QTest::addRow("last past the end") << QByteArray("bytes=900-5000") << 1000LL << Kind::Partial << 900LL << 100LL;
    QTest::addRow("open end") << QByteArray("bytes=100-") << 1000LL << Kind::Partial << 100LL << 900LL;
    QTest::addRow("suffix") << QByteArray("bytes=-100") << 1000LL << Kind::Partial << 900LL << 100LL;
    QTest::addRow("suffix longer than file") << QByteArray("bytes=-5000") << 1000LL << Kind::Partial << 0LL << 1000LL;
    QTest::addRow("unit case") << QByteArray("Bytes=1-2") << 1000LL << Kind::Partial << 1LL << 2LL;
    QTest::addRow("spaces") << QByteArray("  bytes= 1 - 2 ") << 1000LL << Kind::Partial << 1LL << 2LL;
    QTest::addRow("huge last") << QByteArray("bytes=0-99999999999999999999999") << 1000LL << Kind::Partial << 0LL
                               << 1000LL;
    QTest::addRow("huge suffix") << QByteArray("bytes=-99999999999999999999999") << 1000LL << Kind::Partial << 0LL
                                 << 1000LL;
    QTest::addRow("last byte") << QByteArray("bytes=999-") << 1000LL << Kind::Partial << 999LL << 1LL;

    QTest::addRow("first at the end") << QByteArray("bytes=1000-") << 1000LL << Kind::Unsatisfiable << 0LL << 0LL;
    QTest::addRow("first past the end") << QByteArray("bytes=2000-3000") << 1000LL << Kind::Unsatisfiable << 0LL << 0LL;
    QTest::addRow("zero suffix") << QByteArray("bytes=-0") << 1000LL << Kind::Unsatisfiable << 0LL << 0LL;
    QTest::addRow("empty file") << QByteArray("bytes=0-") << 0LL << Kind::Unsatisfiable << 0LL << 0LL;
    QTest::addRow("empty file suffix") << QByteArray("bytes=-1") << 0LL << Kind::Unsatisfiable << 0LL << 0LL;
    QTest::addRow("huge first") << QByteArray("bytes=99999999999999999999999-") << 1000LL << Kind::Unsatisfiable << 0LL
                                << 0LL;

    // Invalid or unsupported: ignored, the whole image is sent.
    QTest::addRow("last before first") << QByteArray("bytes=500-100") << 1000LL << Kind::Full << 0LL << 1000LL;
    QTest::addRow("several ranges") << QByteArray("bytes=0-1,5-6") << 1000LL << Kind::Full << 0LL << 1000LL;
    QTest::addRow("other unit") << QByteArray("items=0-1") << 1000LL << Kind::Full << 0LL << 1000LL;
    QTest::addRow("no equals") << QByteArray("bytes 0-1") << 1000LL << Kind::Full << 0LL << 1000LL;
    QTest::addRow("no dash") << QByteArray("bytes=5") << 1000LL << Kind::Full << 0LL << 1000LL;
    QTest::addRow("only dash") << QByteArray("bytes=-") << 1000LL << Kind::Full << 0LL << 1000LL;
    QTest::addRow("negative") << QByteArray("bytes=--5") << 1000LL << Kind::Full << 0LL << 1000LL;
    QTest::addRow("letters") << QByteArray("bytes=a-b") << 1000LL << Kind::Full << 0LL << 1000LL;
    QTest::addRow("plus sign") << QByteArray("bytes=+1-2") << 1000LL << Kind::Full << 0LL << 1000LL;
    QTest::addRow("hex") << QByteArray("bytes=0x10-0x20") << 1000LL << Kind::Full << 0LL << 1000LL;
    QTest::addRow("two dashes") << QByteArray("bytes=1-2-3") << 1000LL << Kind::Full << 0LL << 1000LL;
    QTest::addRow("nul byte") << QByteArray("bytes=1\0-2", 10) << 1000LL << Kind::Full << 0LL << 1000LL;
    QTest::addRow("unit only") << QByteArray("bytes=") << 1000LL << Kind::Full << 0LL << 1000LL;
    QTest::addRow("truncated unit") << QByteArray("byt") << 1000LL << Kind::Full << 0LL << 1000LL;
    QTest::addRow("long garbage") << QByteArray(10000, '9') << 1000LL << Kind::Full << 0LL << 1000LL;
}

void TestHttpRange::resolve()
{
    QFETCH(QByteArray, header);
    QFETCH(qint64, size);
    QFETCH(Kind, kind);
    QFETCH(qint64, first);
    QFETCH(qint64, length);
    const ByteRange r = ByteRange::resolve(header, size);
    QCOMPARE(r.kind, kind);
    if (kind != Kind::Unsatisfiable) {
        QCOMPARE(r.first, first);
        QCOMPARE(r.length, length);
    }
}

QTEST_GUILESS_MAIN(TestHttpRange)
#include "tst_httprange.moc"
