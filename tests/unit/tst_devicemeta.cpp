// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/devices/devicemeta.h"

#include <QCborMap>
#include <QCborValue>
#include <QTest>

using namespace edgegate;
using namespace Qt::StringLiterals;

class TestDeviceMeta : public QObject
{
    Q_OBJECT
private slots:
    void fullAnnouncement();
    void cbor();
    void badInput_data();
    void badInput();
};

void TestDeviceMeta::fullAnnouncement()
{
    const MetaParse r = MetaParser(65536).parse(
        R"({"name": "Lamp", "type": "light", "firmware": "1.2", "model": "L-9", "capabilities": ["ota", "dim", "ota"],
            "metrics": ["lux", {"name": "w", "unit": "W"}, {"name": "v", "unit": null}], "site": "Hall 3",
            "floor": 2, "firmware_note": null})",
        PayloadFormat::Json);
    QVERIFY2(r.meta, qPrintable(r.detail));
    QCOMPARE(r.meta->name, u"Lamp"_s);
    QCOMPARE(r.meta->type, u"light"_s);
    QCOMPARE(r.meta->model, u"L-9"_s);
    QCOMPARE(r.meta->capabilities, QStringList({u"ota"_s, u"dim"_s})); // repeats kept once
    QCOMPARE(r.meta->metrics, QList<MetricInfo>({{u"lux"_s, {}}, {u"w"_s, u"W"_s}, {u"v"_s, {}}}));
    QCOMPARE(r.meta->metadata.value(u"site"_s), u"Hall 3"_s);
    QCOMPARE(r.meta->metadata.value(u"floor"_s), u"2"_s);
    QVERIFY(!r.meta->metadata.contains(u"firmware_note"_s)); // null says nothing

    const MetaParse empty = MetaParser(65536).parse("{}", PayloadFormat::Auto);
    QVERIFY(empty.meta);
    QVERIFY(!empty.meta->capabilities); // absent: the device's list is left as it is
}

void TestDeviceMeta::cbor()
{
    QCborMap map;
    map.insert(u"model"_s, u"C-1"_s);
    map.insert(u"metrics"_s, QCborArray{u"t"_s});
    const QByteArray bytes = QCborValue(map).toCbor();
    for (const PayloadFormat format : {PayloadFormat::Cbor, PayloadFormat::Auto}) {
        const MetaParse r = MetaParser(65536).parse(bytes, format);
        QVERIFY2(r.meta, qPrintable(r.detail));
        QCOMPARE(r.meta->model, u"C-1"_s);
        QCOMPARE(r.meta->metrics->size(), 1);
    }
}

void TestDeviceMeta::badInput_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<PayloadFormat>("format");
    QTest::addColumn<QString>("reason");
    const auto json = PayloadFormat::Json;
    QTest::addRow("empty") << QByteArray() << json << u"empty"_s;
    QTest::addRow("blank") << QByteArray("  ") << json << u"empty"_s;
    QTest::addRow("too large") << QByteArray(300, ' ') << json << u"too_large"_s;
    QTest::addRow("truncated") << QByteArray(R"({"model": "x)") << json << u"malformed_json"_s;
    QTest::addRow("invalid UTF-8") << QByteArray("{\"model\": \"\xc3\x28\"}") << json << u"malformed_json"_s;
    QTest::addRow("array") << QByteArray("[1]") << json << u"not_an_object"_s;
    QTest::addRow("name not a string") << QByteArray(R"({"name": 5})") << json << u"bad_meta"_s;
    QTest::addRow("model too long") << (R"({"model": ")" + QByteArray(129, 'm') + R"("})") << json << u"bad_meta"_s;
    QTest::addRow("control in type") << QByteArray(R"({"type": "a\u0007b"})") << json << u"bad_meta"_s;
    QTest::addRow("capabilities not a list") << QByteArray(R"({"capabilities": "ota"})") << json << u"bad_meta"_s;
    QTest::addRow("capability not a string") << QByteArray(R"({"capabilities": [1]})") << json << u"bad_meta"_s;
    QTest::addRow("capability empty") << QByteArray(R"({"capabilities": [""]})") << json << u"bad_meta"_s;
    QByteArray many = R"({"capabilities": [)";
    for (int i = 0; i < 65; ++i)
        many += (i ? ",\"c" : "\"c") + QByteArray::number(i) + '"';
    QTest::addRow("too many capabilities") << (many + "]}") << json << u"bad_meta"_s;
    QTest::addRow("metric empty name") << QByteArray(R"({"metrics": [""]})") << json << u"bad_meta"_s;
    QTest::addRow("metric twice") << QByteArray(R"({"metrics": ["t", {"name": "t"}]})") << json << u"bad_meta"_s;
    QTest::addRow("metric unknown field")
        << QByteArray(R"({"metrics": [{"name": "t", "x": 1}]})") << json << u"bad_meta"_s;
    QTest::addRow("metric unit not text")
        << QByteArray(R"({"metrics": [{"name": "t", "unit": 1}]})") << json << u"bad_meta"_s;
    QTest::addRow("metric nested") << QByteArray(R"({"metrics": [["t"]]})") << json << u"bad_meta"_s;
    QTest::addRow("metadata value too long")
        << (R"({"x": ")" + QByteArray(1025, 'v') + R"("})") << json << u"bad_meta"_s;
    QTest::addRow("metadata key too long") << (R"({")" + QByteArray(65, 'k') + R"(": 1})") << json << u"bad_meta"_s;
    QTest::addRow("cbor truncated") << QByteArray("\xa1\x65model", 7) << PayloadFormat::Cbor << u"malformed_cbor"_s;
    QTest::addRow("cbor trailing bytes") << QByteArray("\xa0\x00", 2) << PayloadFormat::Cbor << u"malformed_cbor"_s;
    QTest::addRow("cbor not a map") << QByteArray("\x81\x01", 2) << PayloadFormat::Cbor << u"not_an_object"_s;
    QTest::addRow("cbor integer key") << QByteArray("\xa1\x01\x02", 3) << PayloadFormat::Cbor << u"bad_meta"_s;
    QTest::addRow("cbor invalid UTF-8") << QByteArray("\xa1\x61m\x62\xc3\x28", 6) << PayloadFormat::Cbor
                                        << u"malformed_cbor"_s;
}

void TestDeviceMeta::badInput()
{
    QFETCH(QByteArray, payload);
    QFETCH(PayloadFormat, format);
    QFETCH(QString, reason);
    const MetaParse r
        = MetaParser(QTest::currentDataTag() == QByteArrayLiteral("too large") ? 256 : 65536).parse(payload, format);
    QVERIFY(!r.meta);
    QCOMPARE(badInputLabel(r.reason), reason);
    QVERIFY(!r.detail.isEmpty());
}

QTEST_GUILESS_MAIN(TestDeviceMeta)
#include "tst_devicemeta.moc"
