// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/rest/resterror.h"

#include <QTest>
#include <QUrlQuery>

#include <optional>

using namespace Qt::StringLiterals;

class TestRestQuery : public QObject
{
    Q_OBJECT

private slots:
    void intQueryItem_data();
    void intQueryItem();
};

void TestRestQuery::intQueryItem_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<int>("value");

    QTest::addRow("absent") << u"other=3"_s << true << 100;
    QTest::addRow("empty query") << QString() << true << 100;
    QTest::addRow("zero") << u"limit=0"_s << true << 0;
    QTest::addRow("in range") << u"limit=42"_s << true << 42;
    QTest::addRow("at max") << u"limit=1000"_s << true << 1000;
    QTest::addRow("over max") << u"limit=1001"_s << false << 0;
    QTest::addRow("negative") << u"limit=-1"_s << false << 0;
    QTest::addRow("empty value") << u"limit="_s << false << 0;
    QTest::addRow("not a number") << u"limit=ten"_s << false << 0;
    QTest::addRow("fraction") << u"limit=1.5"_s << false << 0;
    QTest::addRow("overflow") << u"limit=99999999999999999999"_s << false << 0;
    QTest::addRow("first of two") << u"limit=5&limit=7"_s << true << 5;
}

void TestRestQuery::intQueryItem()
{
    QFETCH(QString, query);
    QFETCH(bool, valid);
    QFETCH(int, value);

    const std::optional<int> got = edgegate::intQueryItem(QUrlQuery(query), u"limit"_s, 100, 1000);
    QCOMPARE(got.has_value(), valid);
    if (valid)
        QCOMPARE(*got, value);
}

QTEST_GUILESS_MAIN(TestRestQuery)
#include "tst_restquery.moc"
