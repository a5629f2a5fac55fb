// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/ingest/normalize.h"

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
    void timesKeepTheirNanoseconds_data();
    void timesKeepTheirNanoseconds();
    void receiveTimeWithoutSamples();
};

void TestNormalize::flatWhenNamesAreUniqueAndTimesShared()
{
    Envelope e;
    constexpr qint64 t = 1700000000123'000'000;
    e.samples
        = {{u"temperature"_s, 21.5, t}, {u"count"_s, qint64(7), t}, {u"door"_s, true, t}, {u"mode"_s, u"eco"_s, t}};
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
    e.samples = {{u"t"_s, 1.5, 1700000000000'000'000},
                 {u"on"_s, false, 1700000001500'000'000},
                 {u"s"_s, u"x"_s, 1700000002000'000'000}};
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

void TestNormalize::timesKeepTheirNanoseconds_data()
{
    QTest::addColumn<QList<qint64>>("times");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("whole millisecond stays an integer")
        << QList<qint64>{1700000000123'000'000} << R"({"v":1,"ts":1700000000123})"_ba;
    QTest::addRow("nanoseconds as a fraction of a millisecond")
        << QList<qint64>{1700000000123'456'789} << R"({"v":1,"ts":1700000000123.456789})"_ba;
    QTest::addRow("one nanosecond") << QList<qint64>{1700000000123'000'001}
                                    << R"({"v":1,"ts":1700000000123.000001})"_ba;
    QTest::addRow("trailing zeros dropped")
        << QList<qint64>{1700000000123'450'000} << R"({"v":1,"ts":1700000000123.45})"_ba;
    QTest::addRow("senml seconds with nanoseconds")
        << QList<qint64>{1700000000'000'000'001, 1700000000'000'000'002}
        << R"([{"n":"v","v":1,"t":1700000000.000000001},{"n":"v","v":1,"t":1700000000.000000002}])"_ba;
    QTest::addRow("senml whole seconds") << QList<qint64>{1700000000'000'000'000, 1700000001'500'000'000}
                                         << R"([{"n":"v","v":1,"t":1700000000},{"n":"v","v":1,"t":1700000001.5}])"_ba;
}

void TestNormalize::timesKeepTheirNanoseconds()
{
    // Written as text: a double could not tell two messages a nanosecond apart.
    QFETCH(QList<qint64>, times);
    QFETCH(QByteArray, expected);
    Envelope e;
    for (qint64 t : times)
        e.samples.append({u"v"_s, qint64(1), t});
    const QByteArray json = normalizedJson(e);
    QCOMPARE(json, expected);
    QJsonParseError error{};
    QJsonDocument::fromJson(json, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
}

void TestNormalize::receiveTimeWithoutSamples()
{
    Envelope e;
    e.receivedAtNs = 1700000000123'000'007;
    QCOMPARE(normalizedJson(e), R"({"ts":1700000000123.000007})"_ba);
}

QTEST_APPLESS_MAIN(TestNormalize)
#include "tst_normalize.moc"
