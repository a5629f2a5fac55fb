// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/normalize.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace edgegate;
using namespace Qt::StringLiterals;

class TestNormalize : public QObject
{
    Q_OBJECT
private slots:
    void flatWhenNamesAreUniqueAndTimesShared();
    void senmlWhenTimesDiffer();
    void senmlWhenNamesRepeat();
};

void TestNormalize::flatWhenNamesAreUniqueAndTimesShared()
{
    Envelope e;
    e.samples = {{u"temperature"_s, 21.5, 1700000000123},
                 {u"count"_s, qint64(7), 1700000000123},
                 {u"door"_s, true, 1700000000123},
                 {u"mode"_s, u"eco"_s, 1700000000123}};
    const QJsonObject o = QJsonDocument::fromJson(normalizedJson(e)).object();
    QCOMPARE(o.size(), 5);
    QCOMPARE(o.value(u"temperature"_s).toDouble(), 21.5);
    QCOMPARE(o.value(u"count"_s).toInteger(), 7);
    QCOMPARE(o.value(u"door"_s).toBool(), true);
    QCOMPARE(o.value(u"mode"_s).toString(), u"eco"_s);
    QCOMPARE(o.value(u"ts"_s).toInteger(), 1700000000123);
}

void TestNormalize::senmlWhenTimesDiffer()
{
    Envelope e;
    e.samples = {{u"t"_s, 1.5, 1700000000000}, {u"on"_s, false, 1700000001500}, {u"s"_s, u"x"_s, 1700000002000}};
    const QJsonArray records = QJsonDocument::fromJson(normalizedJson(e)).array();
    QCOMPARE(records.size(), 3);
    QCOMPARE(records.at(0).toObject().value(u"n"_s).toString(), u"t"_s);
    QCOMPARE(records.at(0).toObject().value(u"v"_s).toDouble(), 1.5);
    QCOMPARE(records.at(0).toObject().value(u"t"_s).toDouble(), 1700000000.0);
    QCOMPARE(records.at(1).toObject().value(u"vb"_s).toBool(), false);
    QCOMPARE(records.at(1).toObject().value(u"t"_s).toDouble(), 1700000001.5);
    QCOMPARE(records.at(2).toObject().value(u"vs"_s).toString(), u"x"_s);
}

void TestNormalize::senmlWhenNamesRepeat()
{
    Envelope e;
    e.samples = {{u"t"_s, 1.0, 5000}, {u"t"_s, 2.0, 5000}};
    const QJsonArray records = QJsonDocument::fromJson(normalizedJson(e)).array();
    QCOMPARE(records.size(), 2);
    QCOMPARE(records.at(1).toObject().value(u"v"_s).toDouble(), 2.0);
}

QTEST_APPLESS_MAIN(TestNormalize)
#include "tst_normalize.moc"
