// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/devices/devicemeta.h"
#include "gateway/core/ingest/payloaddecoder.h"

#include <QByteArray>
#include <QCborArray>
#include <QCborMap>
#include <QCborStreamWriter>
#include <QCborValue>
#include <QFile>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTest>
#include <QtNumeric>

#include <limits>
#include <utility>

using namespace edgegate;
using namespace Qt::StringLiterals;

using Samples = QList<Sample>;

namespace {

// Far from every device time used below, so a sample that wrongly falls back to it cannot pass.
constexpr qint64 ReceivedAt = 1'750'000'000'000; // ms
constexpr qint64 ReceivedAtNs = ReceivedAt * 1'000'000;
constexpr qsizetype DefaultLimit = 64 * 1024;

Value integer(qint64 v)
{
    return Value(v);
}

Value real(double v)
{
    return Value(v);
}

Value boolean(bool v)
{
    return Value(v);
}

Value text(const QString &v)
{
    return Value(v);
}

Sample sample(const QString &name, Value value, qint64 timeMs = ReceivedAt)
{
    return Sample{name, std::move(value), timeMs * 1'000'000};
}

Sample sampleNs(const QString &name, Value value, qint64 timeNs)
{
    return Sample{name, std::move(value), timeNs};
}

QByteArray hex(const char *digits)
{
    return QByteArray::fromHex(QByteArray(digits));
}

template<typename Write> QByteArray cborWritten(Write &&write)
{
    QByteArray out;
    QCborStreamWriter writer(&out);
    write(writer);
    return out;
}

QByteArray cbor(const QCborMap &map)
{
    return map.toCborValue().toCbor();
}

QByteArray cbor(const QCborArray &array)
{
    return array.toCborValue().toCbor();
}

QString metricName(int i)
{
    return u"m%1"_s.arg(i, 4, 10, QChar(u'0'));
}

QByteArray manyJsonKeys(int count)
{
    QByteArray out = "{";
    for (int i = 0; i < count; ++i) {
        if (i > 0)
            out += ',';
        out += '"' + metricName(i).toUtf8() + "\":" + QByteArray::number(i);
    }
    return out + '}';
}

QByteArray manySenmlJson(int count)
{
    QByteArray out = "[";
    for (int i = 0; i < count; ++i) {
        if (i > 0)
            out += ',';
        out += "{\"n\":\"" + metricName(i).toUtf8() + "\",\"v\":" + QByteArray::number(i) + '}';
    }
    return out + ']';
}

QByteArray manyCborKeys(int count)
{
    QCborMap map;
    for (int i = 0; i < count; ++i)
        map.insert(metricName(i), i);
    return cbor(map);
}

QByteArray manySenmlCbor(int count)
{
    QCborArray records;
    for (int i = 0; i < count; ++i)
        records.append(QCborMap{{0, metricName(i)}, {2, i}});
    return cbor(records);
}

QString describe(const Value &value)
{
    if (const auto *d = std::get_if<double>(&value))
        return u"double:"_s + QString::number(*d, 'g', 17);
    if (const auto *i = std::get_if<qint64>(&value))
        return u"int:"_s + QString::number(*i);
    if (const auto *b = std::get_if<bool>(&value))
        return *b ? u"bool:true"_s : u"bool:false"_s;
    return u"string:\""_s + std::get<QString>(value) + u'"';
}

// One line per sample with the exact variant alternative, so a failure shows the whole list at once.
// Sorting the lines makes the comparison independent of order where order is not part of the contract.
QString describe(const Samples &samples, bool sorted = false)
{
    QStringList lines;
    for (const Sample &s : samples)
        lines.append(s.name + u" = "_s + describe(s.value) + u" @ "_s + QString::number(s.timeNs));
    if (sorted)
        lines.sort();
    return lines.join(u'\n');
}

QByteArray readFixture(const QString &name)
{
    QFile file(QString::fromUtf8(EDGEGATE_TEST_DATA_DIR) + u"/payloads/"_s + name);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

} // namespace

class TestPayloadDecoder : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void deeplyNestedCborIsRefusedBeforeParsing();
    void flatJson_data();
    void flatJson();
    void senmlJson_data();
    void senmlJson();
    void cborMap_data();
    void cborMap();
    void senmlCbor_data();
    void senmlCbor();
    void fixtures_data();
    void fixtures();
    void limits_data();
    void limits();
    void rejects_data();
    void rejects();
    void errorDetails_data();
    void errorDetails();
    void errorReasons_data();
    void errorReasons();

private:
    static void addColumns();
    static void addRows(const char *name, const QByteArray &payload, PayloadFormat explicitFormat,
                        const Samples &expected, bool hasDeviceTime);
    static void verifyDecoded(bool sortByName);
};

void TestPayloadDecoder::initTestCase()
{
    // A local zone away from UTC, so that reading an offset-less ISO time as local time cannot pass by accident
    // on a UTC build machine. A POSIX rule needs no tz database.
    qputenv("TZ", "XST-3");
}

void TestPayloadDecoder::addColumns()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<PayloadFormat>("format");
    QTest::addColumn<Samples>("expected");
    QTest::addColumn<bool>("hasDeviceTime");
}

// Every good payload must decode the same whether detected or named explicitly.
void TestPayloadDecoder::addRows(const char *name, const QByteArray &payload, PayloadFormat explicitFormat,
                                 const Samples &expected, bool hasDeviceTime)
{
    QTest::addRow("%s/auto", name) << payload << PayloadFormat::Auto << expected << hasDeviceTime;
    QTest::addRow("%s/explicit", name) << payload << explicitFormat << expected << hasDeviceTime;
}

void TestPayloadDecoder::deeplyNestedCborIsRefusedBeforeParsing()
{
    // Array headers declaring 39321 elements each, 4 kB of them: Qt's fromCbor would reserve every level.
    const QByteArray nested(4000, '\x99');
    const PayloadDecoder decoder(DefaultLimit);
    for (const PayloadFormat format : {PayloadFormat::Cbor, PayloadFormat::SenmlCbor, PayloadFormat::Auto}) {
        const DecodeResult result = decoder.decode(nested, format, ReceivedAtNs);
        QCOMPARE(result.error, BadInput::BadValue);
        QVERIFY2(result.detail.contains(u"deeper than"_s), qPrintable(result.detail));
    }
    const MetaParse meta = MetaParser(DefaultLimit).parse(QByteArray(4000, '\xa1'), PayloadFormat::Cbor);
    QVERIFY(!meta.meta);
    QVERIFY2(meta.detail.contains(u"deeper than"_s), qPrintable(meta.detail));
    // As deep as a payload needs: a self-described SenML record list.
    QCborArray records{QCborMap{{0, u"t"_s}, {2, 21.5}}};
    const QByteArray senml = QCborValue(QCborKnownTags::Signature, records).toCbor();
    QVERIFY(!decoder.decode(senml, PayloadFormat::SenmlCbor, ReceivedAtNs).error);
}

void TestPayloadDecoder::verifyDecoded(bool sortByName)
{
    QFETCH(QByteArray, payload);
    QFETCH(PayloadFormat, format);
    QFETCH(Samples, expected);
    QFETCH(bool, hasDeviceTime);

    const PayloadDecoder decoder(DefaultLimit);
    const DecodeResult result = decoder.decode(payload, format, ReceivedAtNs);
    if (result.error)
        QFAIL(qPrintable(badInputLabel(*result.error) + u": "_s + result.detail));
    QVERIFY(result.detail.isEmpty());
    // Qt keeps JSON object keys sorted, which is not part of the decoder's contract.
    QCOMPARE(describe(result.samples, sortByName), describe(expected, sortByName));
    QCOMPARE(result.hasDeviceTime, hasDeviceTime);
}

void TestPayloadDecoder::flatJson_data()
{
    addColumns();
    const auto add = [](const char *name, const char *json, const Samples &expected, bool hasDeviceTime = false) {
        addRows(name, QByteArray(json), PayloadFormat::Json, expected, hasDeviceTime);
    };
    add("integer", R"({"temp":21})", {sample(u"temp"_s, integer(21))});
    add("negative integer", R"({"temp":-7})", {sample(u"temp"_s, integer(-7))});
    add("double", R"({"temp":21.5})", {sample(u"temp"_s, real(21.5))});
    add("exponent", R"({"x":2.5e-3})", {sample(u"x"_s, real(2.5e-3))});
    add("integral with fraction kept as integer by Qt", R"({"x":2.0})", {sample(u"x"_s, integer(2))});
    add("int64 max", R"({"x":9223372036854775807})", {sample(u"x"_s, integer(std::numeric_limits<qint64>::max()))});
    add("beyond int64 is double", R"({"x":9223372036854775808})", {sample(u"x"_s, real(9223372036854775808.0))});
    add("booleans", R"({"on":true,"off":false})", {sample(u"off"_s, boolean(false)), sample(u"on"_s, boolean(true))});
    add("string", R"({"fw":"1.4.2"})", {sample(u"fw"_s, text(u"1.4.2"_s))});
    add("empty string value", R"({"note":""})", {sample(u"note"_s, text(QString()))});
    add("utf-8 name and value",
        "{\"temp\xc3\xa9rature\":\"23 \xc2\xb0"
        "C\"}",
        {sample(u"température"_s, text(u"23 °C"_s))});
    add("all kinds", R"({"b":true,"d":0.5,"i":3,"s":"x"})",
        {sample(u"b"_s, boolean(true)), sample(u"d"_s, real(0.5)), sample(u"i"_s, integer(3)),
         sample(u"s"_s, text(u"x"_s))});
    add("null skipped", R"({"a":null,"b":1})", {sample(u"b"_s, integer(1))});
    add("ts milliseconds", R"({"ts":1700000000123,"temp":21.5})", {sample(u"temp"_s, real(21.5), 1'700'000'000'123)},
        true);
    add("ts applies to every sample", R"({"a":1,"ts":1700000000123,"z":2})",
        {sample(u"a"_s, integer(1), 1'700'000'000'123), sample(u"z"_s, integer(2), 1'700'000'000'123)}, true);
    add("ts iso utc", R"({"ts":"2023-11-14T22:13:20.123Z","temp":1})",
        {sample(u"temp"_s, integer(1), 1'700'000'000'123)}, true);
    add("ts iso with offset", R"({"ts":"2023-11-15T00:13:20.123+02:00","temp":1})",
        {sample(u"temp"_s, integer(1), 1'700'000'000'123)}, true);
    add("ts iso without offset is utc", R"({"ts":"2023-11-14T22:13:20.123","temp":1})",
        {sample(u"temp"_s, integer(1), 1'700'000'000'123)}, true);
    add("ts iso nanoseconds", R"({"ts":"2023-11-14T22:13:20.123456789Z","temp":1})",
        {sampleNs(u"temp"_s, integer(1), 1'700'000'000'123'456'789)}, true);
    add("ts iso microseconds with offset", R"({"ts":"2023-11-15T00:13:20.000001+02:00","temp":1})",
        {sampleNs(u"temp"_s, integer(1), 1'700'000'000'000'001'000)}, true);
    add("ts iso lower case t", R"({"ts":"2023-11-14t22:13:20.000000005Z","temp":1})",
        {sampleNs(u"temp"_s, integer(1), 1'700'000'000'000'000'005)}, true);
    add("ts iso end of day", R"({"ts":"2023-11-14T24:00:00Z","temp":1})",
        {sample(u"temp"_s, integer(1), 1'700'006'400'000)}, true);
    add("ts iso decimal comma", R"({"ts":"2023-11-14T22:13:20,5Z","temp":1})",
        {sampleNs(u"temp"_s, integer(1), 1'700'000'000'500'000'000)}, true);
    add("ts iso digits beyond nanoseconds cut", R"({"ts":"2023-11-14T22:13:20.1234567899999Z","temp":1})",
        {sampleNs(u"temp"_s, integer(1), 1'700'000'000'123'456'789)}, true);
    add("ts fractional milliseconds", R"({"ts":1700000000123.5,"temp":1})",
        {sampleNs(u"temp"_s, integer(1), 1'700'000'000'123'500'000)}, true);
    add("ts last millisecond before 2262", R"({"ts":9214646399999,"temp":1})",
        {sample(u"temp"_s, integer(1), 9'214'646'399'999)}, true);
    add("ts iso whole seconds", R"({"ts":"2023-11-14T22:13:20Z","temp":1})",
        {sample(u"temp"_s, integer(1), 1'700'000'000'000)}, true);
    add("ts null ignored", R"({"ts":null,"temp":1})", {sample(u"temp"_s, integer(1))});
    add("ts alone", R"({"ts":1700000000123})", {});
    add("empty object", "{}", {});
    add("duplicate key keeps last", R"({"a":1,"a":2})", {sample(u"a"_s, integer(2))});
    add("surrounding whitespace", " \r\n\t{\"a\":1}\n ", {sample(u"a"_s, integer(1))});
    add("byte order mark", "\xef\xbb\xbf{\"a\":1}", {sample(u"a"_s, integer(1))});
    add("name with punctuation", R"({"room 1/temp.c":1})", {sample(u"room 1/temp.c"_s, integer(1))});
    const QByteArray longName(PayloadDecoder::MaxMetricNameLength, 'n');
    addRows("128-character name", "{\"" + longName + "\":1}", PayloadFormat::Json,
            {sample(QString::fromLatin1(longName), integer(1))}, false);
}

void TestPayloadDecoder::flatJson()
{
    verifyDecoded(true);
}

void TestPayloadDecoder::senmlJson_data()
{
    addColumns();
    const auto add = [](const char *name, const char *json, const Samples &expected, bool hasDeviceTime = false) {
        addRows(name, QByteArray(json), PayloadFormat::SenmlJson, expected, hasDeviceTime);
    };
    const QString urn = u"urn:dev:ow:10e2073a01080063"_s;

    add("rfc8428 5.1.1 single datapoint", R"([{"n":"urn:dev:ow:10e2073a01080063","u":"Cel","v":23.1}])",
        {sample(urn, real(23.1))});
    add("rfc8428 5.1.2 multiple datapoints",
        R"([{"bn":"urn:dev:ow:10e2073a01080063:","n":"voltage","u":"V","v":120.1},{"n":"current","u":"A","v":1.2}])",
        {sample(urn + u":voltage"_s, real(120.1)), sample(urn + u":current"_s, real(1.2))});
    add("rfc8428 5.1.4 measurements without n",
        R"([{"bn":"urn:dev:ow:10e2073a01080063","bt":1.320067464e+09,"bu":"%RH","v":20},)"
        R"({"u":"lon","v":24.30621},{"u":"lat","v":60.07965},{"t":60,"v":20.3}])",
        {sample(urn, integer(20), 1'320'067'464'000), sample(urn, real(24.30621), 1'320'067'464'000),
         sample(urn, real(60.07965), 1'320'067'464'000), sample(urn, real(20.3), 1'320'067'524'000)},
        true);
    add("rfc8428 5.1.5 multiple data types",
        R"([{"bn":"urn:dev:ow:10e2073a01080063:","n":"temperature","u":"Cel","v":23.1},)"
        R"({"n":"label","vs":"Machine Room"},{"n":"open","vb":false},{"n":"nfv-reader","vd":"aGkgCg"}])",
        {sample(urn + u":temperature"_s, real(23.1)), sample(urn + u":label"_s, text(u"Machine Room"_s)),
         sample(urn + u":open"_s, boolean(false)), sample(urn + u":nfv-reader"_s, text(u"aGkgCg"_s))});
    add("rfc8428 5.1.6 collection of resources",
        R"([{"bn":"2001:db8::2/","bt":1.320078429e+09,"n":"temperature","v":27.2,"u":"Cel"},)"
        R"({"n":"humidity","v":80,"u":"%RH"}])",
        {sample(u"2001:db8::2/temperature"_s, real(27.2), 1'320'078'429'000),
         sample(u"2001:db8::2/humidity"_s, integer(80), 1'320'078'429'000)},
        true);
    add("relative t", R"([{"n":"a","t":-5,"v":1}])", {sample(u"a"_s, integer(1), ReceivedAt - 5000)}, true);
    add("t zero means now", R"([{"n":"a","t":0,"v":1}])", {sample(u"a"_s, integer(1), ReceivedAt)}, true);
    add("relative bt plus t", R"([{"bt":-10,"n":"a","v":1},{"n":"b","t":2.5,"v":2}])",
        {sample(u"a"_s, integer(1), ReceivedAt - 10'000), sample(u"b"_s, integer(2), ReceivedAt - 7'500)}, true);
    add("just below 2^28 is relative", R"([{"n":"a","t":268435455,"v":1}])",
        {sample(u"a"_s, integer(1), ReceivedAt + 268'435'455'000)}, true);
    add("2^28 is absolute", R"([{"n":"a","t":268435456,"v":1}])", {sample(u"a"_s, integer(1), 268'435'456'000)}, true);
    add("fractional seconds keep their nanoseconds", R"([{"n":"a","bt":1700000000,"t":0.000123456,"v":1}])",
        {sampleNs(u"a"_s, integer(1), 1'700'000'000'000'123'456)}, true);
    add("records 100 us apart stay apart",
        R"([{"bn":"vib/","bt":1700000000,"n":"x","t":0.0001,"v":1},{"n":"x","t":0.0002,"v":2},{"n":"x","t":0.0003,"v":3}])",
        {sampleNs(u"vib/x"_s, integer(1), 1'700'000'000'000'100'000),
         sampleNs(u"vib/x"_s, integer(2), 1'700'000'000'000'200'000),
         sampleNs(u"vib/x"_s, integer(3), 1'700'000'000'000'300'000)},
        true);
    add("relative t in microseconds", R"([{"n":"a","t":-0.000001,"v":1}])",
        {sampleNs(u"a"_s, integer(1), ReceivedAtNs - 1'000)}, true);
    add("base value applies to v only", R"([{"bn":"dev/","bv":20,"n":"a","v":1},{"n":"b","v":0.5},{"n":"c","vs":"x"}])",
        {sample(u"dev/a"_s, integer(21)), sample(u"dev/b"_s, real(20.5)), sample(u"dev/c"_s, text(u"x"_s))});
    add("integer base value overflow becomes double", R"([{"bn":"x","bv":9223372036854775807,"v":1}])",
        {sample(u"x"_s, real(9223372036854775808.0))});
    add("changing base name and time",
        R"([{"bn":"a/","bt":1700000000,"n":"x","v":1},{"bn":"b/","n":"x","v":2},{"bt":1700000100,"n":"y","v":3}])",
        {sample(u"a/x"_s, integer(1), 1'700'000'000'000), sample(u"b/x"_s, integer(2), 1'700'000'000'000),
         sample(u"b/y"_s, integer(3), 1'700'000'100'000)},
        true);
    add("base-only record yields nothing", R"([{"bn":"dev/","bt":1700000000,"bver":10},{"n":"t","v":1}])",
        {sample(u"dev/t"_s, integer(1), 1'700'000'000'000)}, true);
    add("sum alone", R"([{"n":"energy","u":"Wh","s":1200}])", {sample(u"energy"_s, integer(1200))});
    add("base sum", R"([{"bn":"m/","bs":100,"n":"e","s":5.5}])", {sample(u"m/e"_s, real(105.5))});
    add("value wins over sum", R"([{"n":"e","v":3,"s":5}])", {sample(u"e"_s, integer(3))});
    add("unknown fields ignored", R"([{"n":"a","v":1,"foo":"bar","ut":60}])", {sample(u"a"_s, integer(1))});
    add("name from bn alone", R"([{"bn":"urn:dev:x","v":1}])", {sample(u"urn:dev:x"_s, integer(1))});
    add("empty pack", "[]", {});
}

void TestPayloadDecoder::senmlJson()
{
    verifyDecoded(false);
}

void TestPayloadDecoder::cborMap_data()
{
    addColumns();
    const auto add
        = [](const char *name, const QByteArray &payload, const Samples &expected, bool hasDeviceTime = false) {
              addRows(name, payload, PayloadFormat::Cbor, expected, hasDeviceTime);
          };
    const QByteArray one = "\x61\x61\x01"; // "a": 1, to follow a "ts" entry

    add("integer", cbor(QCborMap{{u"temp"_s, 21}}), {sample(u"temp"_s, integer(21))});
    add("negative integer", cbor(QCborMap{{u"temp"_s, -40}}), {sample(u"temp"_s, integer(-40))});
    add("double", cbor(QCborMap{{u"temp"_s, 21.5}}), {sample(u"temp"_s, real(21.5))});
    add("half float", hex("a16178f93e00"), {sample(u"x"_s, real(1.5))});
    add("single float", hex("a16178fa3fc00000"), {sample(u"x"_s, real(1.5))});
    add("uint64 beyond int64 is double", hex("a161611bffffffffffffffff"),
        {sample(u"a"_s, real(18446744073709551615.0))});
    add("booleans and string", cbor(QCborMap{{u"on"_s, true}, {u"off"_s, false}, {u"fw"_s, u"1.4.2"_s}}),
        {sample(u"on"_s, boolean(true)), sample(u"off"_s, boolean(false)), sample(u"fw"_s, text(u"1.4.2"_s))});
    add("null and undefined skipped",
        cbor(QCborMap{{u"a"_s, QCborValue(nullptr)}, {u"b"_s, QCborValue()}, {u"c"_s, 3}}),
        {sample(u"c"_s, integer(3))});
    add("order preserved", cbor(QCborMap{{u"z"_s, 1}, {u"a"_s, 2}}),
        {sample(u"z"_s, integer(1)), sample(u"a"_s, integer(2))});
    add("ts milliseconds after metrics", cbor(QCborMap{{u"a"_s, 1}, {u"ts"_s, qint64(1'700'000'000'123)}}),
        {sample(u"a"_s, integer(1), 1'700'000'000'123)}, true);
    add("ts tag 1 integer seconds", cborWritten([&](QCborStreamWriter &w) {
            w.startMap(2);
            w.append(u"ts"_s);
            w.append(QCborKnownTags::UnixTime_t);
            w.append(qint64(1'700'000'000));
            w.append(u"a"_s);
            w.append(qint64(1));
            w.endMap();
        }),
        {sample(u"a"_s, integer(1), 1'700'000'000'000)}, true);
    add("ts tag 1 fractional seconds", cborWritten([&](QCborStreamWriter &w) {
            w.startMap(2);
            w.append(u"ts"_s);
            w.append(QCborKnownTags::UnixTime_t);
            w.append(1'700'000'000.5);
            w.append(u"a"_s);
            w.append(qint64(1));
            w.endMap();
        }),
        {sample(u"a"_s, integer(1), 1'700'000'000'500)}, true);
    add("ts tag 0 string", cborWritten([&](QCborStreamWriter &w) {
            w.startMap(2);
            w.append(u"ts"_s);
            w.append(QCborKnownTags::DateTimeString);
            w.append(u"2023-11-14T22:13:20.123Z"_s);
            w.append(u"a"_s);
            w.append(qint64(1));
            w.endMap();
        }),
        {sample(u"a"_s, integer(1), 1'700'000'000'123)}, true);
    add("ts untagged iso string", cbor(QCborMap{{u"ts"_s, u"2023-11-14T22:13:20.123Z"_s}, {u"a"_s, 1}}),
        {sample(u"a"_s, integer(1), 1'700'000'000'123)}, true);
    add("ts double milliseconds", cbor(QCborMap{{u"ts"_s, 1'700'000'000'123.0}, {u"a"_s, 1}}),
        {sample(u"a"_s, integer(1), 1'700'000'000'123)}, true);
    add("ts null ignored", hex("a2627473f6") + one, {sample(u"a"_s, integer(1))});
    add("self-described cbor", hex("d9d9f7") + cbor(QCborMap{{u"a"_s, 1}}), {sample(u"a"_s, integer(1))});
    add("indefinite-length map", hex("bf616101ff"), {sample(u"a"_s, integer(1))});
    add("duplicate key keeps last", hex("a2616101616102"), {sample(u"a"_s, integer(2))});

    // Past the linear-scan limit the decoder switches to a hash; both must keep the last value.
    Samples many;
    const QByteArray manyWithDuplicates = cborWritten([&](QCborStreamWriter &w) {
        w.startMap(42);
        for (int i = 0; i < 40; ++i) {
            w.append(metricName(i));
            w.append(qint64(i));
        }
        w.append(metricName(0));
        w.append(qint64(100));
        w.append(metricName(39));
        w.append(qint64(139));
        w.endMap();
    });
    for (int i = 0; i < 40; ++i)
        many.append(sample(metricName(i), integer(i == 0 ? 100 : i == 39 ? 139 : i)));
    add("duplicate keys in a large map keep last", manyWithDuplicates, many);
}

void TestPayloadDecoder::cborMap()
{
    verifyDecoded(false);
}

void TestPayloadDecoder::senmlCbor_data()
{
    addColumns();
    const auto add
        = [](const char *name, const QByteArray &payload, const Samples &expected, bool hasDeviceTime = false) {
              addRows(name, payload, PayloadFormat::SenmlCbor, expected, hasDeviceTime);
          };
    const QString urn = u"urn:dev:ow:10e2073a01080063"_s;

    add("rfc8428 6 multiple datapoints",
        cbor(QCborArray{QCborMap{{-2, QString(urn + u':')}, {0, u"voltage"_s}, {1, u"V"_s}, {2, 120.1}},
                        QCborMap{{0, u"current"_s}, {1, u"A"_s}, {2, 1.2}}}),
        {sample(urn + u":voltage"_s, real(120.1)), sample(urn + u":current"_s, real(1.2))});
    add("base time and relative t",
        cbor(QCborArray{
            QCborMap{{-2, u"dev:"_s}, {-3, 1.276020076001e+09}, {-4, u"A"_s}, {-1, 5}, {0, u"voltage"_s}, {2, 120.1}},
            QCborMap{{0, u"current"_s}, {6, -5}, {2, 1.2}}, QCborMap{{0, u"current"_s}, {2, 1.7}}}),
        {sample(u"dev:voltage"_s, real(120.1), 1'276'020'076'001),
         sample(u"dev:current"_s, real(1.2), 1'276'020'071'001),
         sample(u"dev:current"_s, real(1.7), 1'276'020'076'001)},
        true);
    add("relative t only", cbor(QCborArray{QCborMap{{0, u"a"_s}, {6, -5}, {2, 1}}}),
        {sample(u"a"_s, integer(1), ReceivedAt - 5000)}, true);
    add("vs vb vd",
        cbor(QCborArray{QCborMap{{0, u"label"_s}, {3, u"Machine Room"_s}}, QCborMap{{0, u"open"_s}, {4, false}},
                        QCborMap{{0, u"nfv-reader"_s}, {8, QByteArray("hi \n")}}}),
        {sample(u"label"_s, text(u"Machine Room"_s)), sample(u"open"_s, boolean(false)),
         sample(u"nfv-reader"_s, text(u"aGkgCg"_s))});
    add("vd uses the url-safe alphabet", cbor(QCborArray{QCborMap{{0, u"d"_s}, {8, hex("fbff")}}}),
        {sample(u"d"_s, text(u"-_8"_s))});
    add("vd holding the bytes of -2^64 is fine",
        cbor(QCborArray{QCborMap{{0, u"d"_s}, {8, hex("3bffffffffffffffff")}}}),
        {sample(u"d"_s, text(u"O___________"_s))});
    add("integer v stays integer", cbor(QCborArray{QCborMap{{0, u"count"_s}, {2, 3}}}),
        {sample(u"count"_s, integer(3))});
    add("base value",
        cbor(QCborArray{QCborMap{{-2, u"dev/"_s}, {-5, 20}, {0, u"a"_s}, {2, 1}}, QCborMap{{0, u"b"_s}, {2, 0.5}}}),
        {sample(u"dev/a"_s, integer(21)), sample(u"dev/b"_s, real(20.5))});
    add("sum with base sum", cbor(QCborArray{QCborMap{{-6, 100}, {0, u"e"_s}, {5, 5}}}),
        {sample(u"e"_s, integer(105))});
    add("base-only record",
        cbor(QCborArray{QCborMap{{-2, u"dev/"_s}, {-3, 1'700'000'000}}, QCborMap{{0, u"t"_s}, {2, 1}}}),
        {sample(u"dev/t"_s, integer(1), 1'700'000'000'000)}, true);
    add("text extension label ignored", cbor(QCborArray{QCborMap{{0, u"a"_s}, {2, 1}, {u"foo"_s, 1}}}),
        {sample(u"a"_s, integer(1))});
    add("unknown integer label ignored", cbor(QCborArray{QCborMap{{0, u"a"_s}, {2, 1}, {23, u"x"_s}}}),
        {sample(u"a"_s, integer(1))});
    add("self-described cbor", hex("d9d9f7") + cbor(QCborArray{QCborMap{{0, u"a"_s}, {2, 1}}}),
        {sample(u"a"_s, integer(1))});
    add("empty pack", hex("80"), {});
}

void TestPayloadDecoder::senmlCbor()
{
    verifyDecoded(false);
}

void TestPayloadDecoder::fixtures_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<PayloadFormat>("format");
    QTest::addColumn<Samples>("expected");
    QTest::addColumn<bool>("hasDeviceTime");
    QTest::addColumn<bool>("sortByName");

    const Samples flatJson = {sample(u"door_open"_s, boolean(false), 1'700'000'000'123),
                              sample(u"firmware"_s, text(u"1.4.2"_s), 1'700'000'000'123),
                              sample(u"humidity"_s, integer(40), 1'700'000'000'123),
                              sample(u"temperature"_s, real(21.5), 1'700'000'000'123)};
    QTest::addRow("flat.json/auto") << u"flat.json"_s << PayloadFormat::Auto << flatJson << true << true;
    QTest::addRow("flat.json/json") << u"flat.json"_s << PayloadFormat::Json << flatJson << true << true;

    const Samples flatCbor = {sample(u"temperature"_s, real(21.5), 1'700'000'000'000),
                              sample(u"humidity"_s, integer(40), 1'700'000'000'000),
                              sample(u"door_open"_s, boolean(false), 1'700'000'000'000),
                              sample(u"firmware"_s, text(u"1.4.2"_s), 1'700'000'000'000)};
    QTest::addRow("flat.cbor/auto") << u"flat.cbor"_s << PayloadFormat::Auto << flatCbor << true << false;
    QTest::addRow("flat.cbor/cbor") << u"flat.cbor"_s << PayloadFormat::Cbor << flatCbor << true << false;

    const QString multi = u"urn:dev:ow:10e2073a0108006:"_s;
    const Samples senmlMulti = {sample(multi + u"voltage"_s, real(120.1), 1'276'020'076'001),
                                sample(multi + u"current"_s, real(1.2), 1'276'020'071'001),
                                sample(multi + u"current"_s, real(1.3), 1'276'020'072'001),
                                sample(multi + u"current"_s, real(1.4), 1'276'020'073'001),
                                sample(multi + u"current"_s, real(1.5), 1'276'020'074'001),
                                sample(multi + u"current"_s, real(1.6), 1'276'020'075'001),
                                sample(multi + u"current"_s, real(1.7), 1'276'020'076'001)};
    QTest::addRow("senml-rfc8428-multi.json/auto")
        << u"senml-rfc8428-multi.json"_s << PayloadFormat::Auto << senmlMulti << true << false;
    QTest::addRow("senml-rfc8428-multi.json/senml")
        << u"senml-rfc8428-multi.json"_s << PayloadFormat::SenmlJson << senmlMulti << true << false;

    const QString urn = u"urn:dev:ow:10e2073a01080063:"_s;
    const Samples senmlTypes
        = {sample(urn + u"temperature"_s, real(23.1)), sample(urn + u"label"_s, text(u"Machine Room"_s)),
           sample(urn + u"open"_s, boolean(false)), sample(urn + u"nfv-reader"_s, text(u"aGkgCg"_s))};
    QTest::addRow("senml-rfc8428-types.json/auto")
        << u"senml-rfc8428-types.json"_s << PayloadFormat::Auto << senmlTypes << false << false;

    const Samples senmlCbor = {sample(urn + u"voltage"_s, real(120.1)), sample(urn + u"current"_s, real(1.2))};
    QTest::addRow("senml-rfc8428-multi.cbor/auto")
        << u"senml-rfc8428-multi.cbor"_s << PayloadFormat::Auto << senmlCbor << false << false;
    QTest::addRow("senml-rfc8428-multi.cbor/senml")
        << u"senml-rfc8428-multi.cbor"_s << PayloadFormat::SenmlCbor << senmlCbor << false << false;
}

void TestPayloadDecoder::fixtures()
{
    QFETCH(QString, file);
    QFETCH(PayloadFormat, format);
    QFETCH(Samples, expected);
    QFETCH(bool, hasDeviceTime);
    QFETCH(bool, sortByName);

    const QByteArray payload = readFixture(file);
    QVERIFY2(!payload.isEmpty(), qPrintable(u"fixture missing or empty: "_s + file));
    const DecodeResult result = PayloadDecoder(DefaultLimit).decode(payload, format, ReceivedAtNs);
    QVERIFY2(!result.error.has_value(), qPrintable(result.detail));
    QCOMPARE(describe(result.samples, sortByName), describe(expected, sortByName));
    QCOMPARE(result.hasDeviceTime, hasDeviceTime);
}

void TestPayloadDecoder::limits_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<PayloadFormat>("format");
    QTest::addColumn<qsizetype>("maxBytes");
    QTest::addColumn<Samples>("expected");

    constexpr int max = PayloadDecoder::MaxSamples;
    const auto numbered = [](qint64 timeMs) {
        Samples samples;
        for (int i = 0; i < max; ++i)
            samples.append(sample(metricName(i), integer(i), timeMs));
        return samples;
    };
    QByteArray withTs = manyJsonKeys(max);
    withTs.insert(1, "\"ts\":1700000000000,\"nothing\":null,");

    QTest::addRow("payload exactly at the limit")
        << QByteArray(R"({"a":1})") << PayloadFormat::Auto << qsizetype(7) << Samples{sample(u"a"_s, integer(1))};
    QTest::addRow("max samples json") << manyJsonKeys(max) << PayloadFormat::Auto << DefaultLimit
                                      << numbered(ReceivedAt);
    QTest::addRow("max samples json plus ts and null")
        << withTs << PayloadFormat::Json << DefaultLimit << numbered(1'700'000'000'000);
    QTest::addRow("max samples senml json")
        << manySenmlJson(max) << PayloadFormat::Auto << DefaultLimit << numbered(ReceivedAt);
    QTest::addRow("max samples cbor") << manyCborKeys(max) << PayloadFormat::Auto << DefaultLimit
                                      << numbered(ReceivedAt);
    QTest::addRow("max samples senml cbor")
        << manySenmlCbor(max) << PayloadFormat::Auto << DefaultLimit << numbered(ReceivedAt);
}

void TestPayloadDecoder::limits()
{
    QFETCH(QByteArray, payload);
    QFETCH(PayloadFormat, format);
    QFETCH(qsizetype, maxBytes);
    QFETCH(Samples, expected);

    const PayloadDecoder decoder(maxBytes);
    QCOMPARE(decoder.maxPayloadBytes(), maxBytes);
    const DecodeResult result = decoder.decode(payload, format, ReceivedAtNs);
    QVERIFY2(!result.error.has_value(), qPrintable(result.detail));
    QCOMPARE(result.samples.size(), expected.size());
    QCOMPARE(describe(result.samples, true), describe(expected, true));
}

void TestPayloadDecoder::rejects_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<PayloadFormat>("format");
    QTest::addColumn<qsizetype>("maxBytes");
    QTest::addColumn<BadInput>("error");

    const auto add = [](const char *name, const QByteArray &payload, PayloadFormat format, BadInput error,
                        qsizetype maxBytes = DefaultLimit) {
        QTest::addRow("%s", name) << payload << format << maxBytes << error;
    };
    using F = PayloadFormat;
    using E = BadInput;
    const auto json = [](const char *s) { return QByteArray(s); };

    // Empty and oversized are decided before any parsing.
    add("empty auto", QByteArray(), F::Auto, E::Empty);
    add("empty json", QByteArray(), F::Json, E::Empty);
    add("empty senml cbor", QByteArray(), F::SenmlCbor, E::Empty);
    add("empty with zero limit", QByteArray(), F::Auto, E::Empty, 0);
    add("oversized garbage", QByteArray(DefaultLimit + 1, '\xff'), F::Auto, E::TooLarge);
    add("oversized valid json", json(R"({"a":1})"), F::Json, E::TooLarge, 6);
    add("oversized valid cbor", cbor(QCborMap{{u"a"_s, 1}}), F::Cbor, E::TooLarge, 3);

    add("truncated json", json(R"({"a":1)"), F::Auto, E::MalformedJson);
    add("unterminated string", json(R"({"a":"x)"), F::Json, E::MalformedJson);
    add("missing value", json(R"({"a":})"), F::Auto, E::MalformedJson);
    add("trailing comma", json(R"({"a":1,})"), F::Auto, E::MalformedJson);
    add("junk after object", json(R"({"a":1} x)"), F::Auto, E::MalformedJson);
    add("single quotes", json("{'a':1}"), F::Auto, E::MalformedJson);
    add("only whitespace", json(" \n\t "), F::Auto, E::MalformedJson);
    add("only a byte order mark", json("\xef\xbb\xbf"), F::Auto, E::MalformedJson);
    add("truncated senml json", json(R"([{"n":"a")"), F::Auto, E::MalformedJson);
    add("invalid utf-8 in json value", json("{\"a\":\"\xff\"}"), F::Auto, E::MalformedJson);
    add("invalid utf-8 in json key", json("{\"\xc3\x28\":1}"), F::Json, E::MalformedJson);
    add("overlong utf-8 in json", json("{\"a\":\"\xc0\xaf\"}"), F::Auto, E::MalformedJson);
    add("invalid utf-8 in senml json", json("[{\"n\":\"\xfe\",\"v\":1}]"), F::SenmlJson, E::MalformedJson);
    add("json underflow is refused by qt", json(R"({"a":1e-400})"), F::Auto, E::MalformedJson);
    add("cbor given as json", cbor(QCborMap{{u"a"_s, 1}}), F::Json, E::MalformedJson);

    add("truncated cbor map", hex("a16161"), F::Auto, E::MalformedCbor);
    add("truncated cbor pair", hex("a2616101"), F::Cbor, E::MalformedCbor);
    add("truncated cbor double", hex("a16161fb4035"), F::Auto, E::MalformedCbor);
    add("truncated senml cbor", hex("81a100"), F::SenmlCbor, E::MalformedCbor);
    add("cbor with trailing byte", hex("a161610100"), F::Auto, E::MalformedCbor);
    add("cbor with trailing break", hex("a1616101ff"), F::Cbor, E::MalformedCbor);
    add("senml cbor with trailing byte", hex("81a2006161020100"), F::Auto, E::MalformedCbor);
    add("invalid utf-8 in cbor value", hex("a1616162fffe"), F::Auto, E::MalformedCbor);
    add("invalid utf-8 in cbor key", hex("a162c32801"), F::Cbor, E::MalformedCbor);
    add("invalid utf-8 in chunked cbor text", hex("a161617f61ff6180ff"), F::Auto, E::MalformedCbor);
    add("invalid utf-8 in top-level cbor text", hex("61ff"), F::Auto, E::MalformedCbor);
    add("invalid utf-8 in senml cbor name", hex("81a20061ff0201"), F::SenmlCbor, E::MalformedCbor);
    add("reserved cbor additional info", hex("a161611c"), F::Auto, E::MalformedCbor);
    add("lone cbor break", hex("ff"), F::Auto, E::MalformedCbor);
    add("json scalar given as cbor", json("42"), F::Cbor, E::MalformedCbor);

    add("json number", json("42"), F::Auto, E::NotAnObject);
    add("json negative number", json("-1.5"), F::Auto, E::NotAnObject);
    add("json string", json(R"("on")"), F::Auto, E::NotAnObject);
    add("json true", json("true"), F::Auto, E::NotAnObject);
    add("json null", json("null"), F::Auto, E::NotAnObject);
    add("json number explicit", json("42"), F::Json, E::NotAnObject);
    add("json string explicit", json(R"( "on" )"), F::Json, E::NotAnObject);
    add("json array for json format", json("[1,2]"), F::Json, E::NotAnObject);
    add("senml array for json format", json(R"([{"n":"a","v":1}])"), F::Json, E::NotAnObject);
    add("object for senml json format", json(R"({"n":"a","v":1})"), F::SenmlJson, E::NotAnObject);
    add("senml record that is a number", json("[1]"), F::Auto, E::NotAnObject);
    add("senml record that is an array", json(R"([[{"n":"a","v":1}]])"), F::SenmlJson, E::NotAnObject);
    add("senml later record not an object", json(R"([{"n":"a","v":1},5])"), F::Auto, E::NotAnObject);
    add("cbor integer", hex("01"), F::Auto, E::NotAnObject);
    add("cbor text", hex("6161"), F::Auto, E::NotAnObject);
    add("cbor true explicit", hex("f5"), F::Cbor, E::NotAnObject);
    add("cbor array for cbor format", hex("8101"), F::Cbor, E::NotAnObject);
    add("cbor map for senml cbor format", cbor(QCborMap{{u"a"_s, 1}}), F::SenmlCbor, E::NotAnObject);
    add("senml cbor record that is an integer", hex("8101"), F::Auto, E::NotAnObject);

    add("json 1e400", json(R"({"a":1e400})"), F::Auto, E::NonFinite);
    add("json -1e400", json(R"({"a":-1e400})"), F::Json, E::NonFinite);
    add("json 1e400 with fraction", json(R"({"a":123.456e398})"), F::Json, E::NonFinite);
    add("json NaN", json(R"({"a":NaN})"), F::Auto, E::NonFinite);
    add("json Infinity", json(R"({"a":Infinity})"), F::Auto, E::NonFinite);
    add("json -Infinity", json(R"({"a":-Infinity})"), F::Auto, E::NonFinite);
    add("json ts 1e400", json(R"({"ts":1e400,"a":1})"), F::Auto, E::NonFinite);
    add("senml json v 1e400", json(R"([{"n":"a","v":1e400}])"), F::Auto, E::NonFinite);
    add("senml json v NaN", json(R"([{"n":"a","v":NaN}])"), F::SenmlJson, E::NonFinite);
    add("cbor NaN", cbor(QCborMap{{u"a"_s, qQNaN()}}), F::Auto, E::NonFinite);
    add("cbor inf", cbor(QCborMap{{u"a"_s, qInf()}}), F::Cbor, E::NonFinite);
    add("cbor -inf", cbor(QCborMap{{u"a"_s, -qInf()}}), F::Auto, E::NonFinite);
    add("cbor half-float NaN", hex("a16161f97e00"), F::Auto, E::NonFinite);
    add("cbor single-float inf", hex("a16161fa7f800000"), F::Auto, E::NonFinite);
    add("cbor ts NaN", cbor(QCborMap{{u"ts"_s, qQNaN()}, {u"a"_s, 1}}), F::Auto, E::NonFinite);
    add("senml cbor v inf", cbor(QCborArray{QCborMap{{0, u"a"_s}, {2, qInf()}}}), F::Auto, E::NonFinite);
    add("senml cbor bv plus v overflows", cbor(QCborArray{QCborMap{{-5, 1e308}, {0, u"a"_s}, {2, 1e308}}}),
        F::SenmlCbor, E::NonFinite);
    add("senml cbor t NaN", cbor(QCborArray{QCborMap{{0, u"a"_s}, {2, 1}, {6, qQNaN()}}}), F::Auto, E::NonFinite);
    add("senml cbor bt -inf", cbor(QCborArray{QCborMap{{-3, -qInf()}, {0, u"a"_s}, {2, 1}}}), F::Auto, E::NonFinite);

    add("json nested object", json(R"({"a":{"b":1}})"), F::Auto, E::BadValue);
    add("json nested array", json(R"({"a":[1]})"), F::Json, E::BadValue);
    add("json empty nested array", json(R"({"ok":1,"a":[]})"), F::Auto, E::BadValue);
    add("json ts not a time", json(R"({"ts":"yesterday","a":1})"), F::Auto, E::BadValue);
    add("json ts impossible date", json(R"({"ts":"2023-13-01T00:00:00Z","a":1})"), F::Auto, E::BadValue);
    add("json ts boolean", json(R"({"ts":true,"a":1})"), F::Auto, E::BadValue);
    add("json ts negative", json(R"({"ts":-1,"a":1})"), F::Auto, E::BadValue);
    add("json ts after 9999", json(R"({"ts":253402300800000,"a":1})"), F::Auto, E::BadValue);
    add("json ts in 2262", json(R"({"ts":9214646400000,"a":1})"), F::Auto, E::BadValue);
    add("json iso ts in 2262", json(R"({"ts":"2262-01-01T00:00:00Z","a":1})"), F::Auto, E::BadValue);
    add("json iso ts after the end of a day", json(R"({"ts":"2023-11-14T24:00:00.5Z","a":1})"), F::Auto, E::BadValue);
    add("json iso ts two fractions", json(R"({"ts":"2023-11-14T22:13:20.5.7Z","a":1})"), F::Auto, E::BadValue);
    add("senml time in 2262", json(R"([{"n":"a","bt":9214646400,"v":1}])"), F::Auto, E::BadSenml);
    add("senml bt and t past 64 bits", json(R"([{"n":"a","bt":9214646399,"t":9214646399,"v":1}])"), F::Auto,
        E::BadSenml);
    add("json ts object", json(R"({"ts":{},"a":1})"), F::Auto, E::BadValue);
    add("cbor nested map", cbor(QCborMap{{u"a"_s, QCborMap{{u"b"_s, 1}}}}), F::Auto, E::BadValue);
    add("cbor nested array", cbor(QCborMap{{u"a"_s, QCborArray{1}}}), F::Cbor, E::BadValue);
    add("cbor byte string value", cbor(QCborMap{{u"a"_s, QByteArray("x")}}), F::Auto, E::BadValue);
    add("cbor integer key", hex("a10101"), F::Auto, E::BadValue);
    add("cbor byte string key", hex("a1416101"), F::Cbor, E::BadValue);
    add("cbor null key", hex("a1f601"), F::Auto, E::BadValue);
    add("cbor time tag on a metric", hex("a16161c101"), F::Auto, E::BadValue);
    add("cbor unknown tag on a metric", hex("a16161d86401"), F::Auto, E::BadValue);
    add("cbor simple value", hex("a16161f0"), F::Auto, E::BadValue);
    add("cbor -2^64", hex("a161613bffffffffffffffff"), F::Auto, E::BadValue);
    add("senml cbor v -2^64", hex("81a2006161023bffffffffffffffff"), F::Auto, E::BadValue);
    add("self-described cbor -2^64", hex("d9d9f7a161613bffffffffffffffff"), F::Auto, E::BadValue);
    // The walk looking for -2^64 once stopped on any other negative integer and never returned.
    add("senml cbor -1 then -2^64", hex("82a20061610220a2006162023bffffffffffffffff"), F::Auto, E::BadValue);
    add("cbor ts byte string", hex("a26274734101") + "\x61\x61\x01", F::Auto, E::BadValue);
    add("cbor ts invalid tag 0", hex("a2627473c0626162") + "\x61\x61\x01", F::Auto, E::BadValue);
    add("cbor ts tag 1 on text", hex("a2627473c1626162") + "\x61\x61\x01", F::Auto, E::BadValue);
    add("cbor ts negative", cbor(QCborMap{{u"ts"_s, -1}, {u"a"_s, 1}}), F::Auto, E::BadValue);
    add("cbor ts beyond int64",
        hex("a2627473"
            "1bffffffffffffffff")
            + "\x61\x61\x01",
        F::Auto, E::BadValue);

    add("senml no name", json(R"([{"v":1}])"), F::Auto, E::BadSenml);
    add("senml empty name", json(R"([{"bn":"","n":"","v":1}])"), F::Auto, E::BadSenml);
    add("senml no value", json(R"([{"n":"a"}])"), F::Auto, E::BadSenml);
    add("senml unit but no value", json(R"([{"n":"a","u":"V"}])"), F::SenmlJson, E::BadSenml);
    add("senml empty record", json("[{}]"), F::Auto, E::BadSenml);
    add("senml only unknown fields", json(R"([{"foo":1}])"), F::Auto, E::BadSenml);
    add("senml two values", json(R"([{"n":"a","v":1,"vs":"x"}])"), F::Auto, E::BadSenml);
    add("senml v as string", json(R"([{"n":"a","v":"1"}])"), F::Auto, E::BadSenml);
    add("senml v null", json(R"([{"n":"a","v":null}])"), F::Auto, E::BadSenml);
    add("senml n as number", json(R"([{"n":5,"v":1}])"), F::Auto, E::BadSenml);
    add("senml bn as number", json(R"([{"bn":5,"v":1}])"), F::Auto, E::BadSenml);
    add("senml vb as string", json(R"([{"n":"a","vb":"true"}])"), F::Auto, E::BadSenml);
    add("senml vs as number", json(R"([{"n":"a","vs":1}])"), F::Auto, E::BadSenml);
    add("senml vd as number", json(R"([{"n":"a","vd":1}])"), F::Auto, E::BadSenml);
    add("senml bt as string", json(R"([{"bt":"1","n":"a","v":1}])"), F::Auto, E::BadSenml);
    add("senml t as boolean", json(R"([{"t":true,"n":"a","v":1}])"), F::Auto, E::BadSenml);
    add("senml u as number", json(R"([{"n":"a","u":1,"v":1}])"), F::Auto, E::BadSenml);
    add("senml bver fractional", json(R"([{"bver":1.5,"n":"a","v":1}])"), F::Auto, E::BadSenml);
    add("senml bver too new", json(R"([{"bver":11,"n":"a","v":1}])"), F::Auto, E::BadSenml);
    add("senml must-understand field", json(R"([{"n":"a","v":1,"foo_":1}])"), F::Auto, E::BadSenml);
    add("senml time after 9999", json(R"([{"n":"a","v":1,"t":1e20}])"), F::Auto, E::BadSenml);
    add("senml relative time before 1970", json(R"([{"n":"a","v":1,"t":-1e12}])"), F::Auto, E::BadSenml);
    add("senml bad later record", json(R"([{"n":"a","v":1},{"n":"b"}])"), F::Auto, E::BadSenml);
    add("senml cbor no name", cbor(QCborArray{QCborMap{{2, 1}}}), F::Auto, E::BadSenml);
    add("senml cbor no value", cbor(QCborArray{QCborMap{{0, u"a"_s}}}), F::SenmlCbor, E::BadSenml);
    add("senml cbor v as text", cbor(QCborArray{QCborMap{{0, u"a"_s}, {2, u"1"_s}}}), F::Auto, E::BadSenml);
    add("senml cbor n as integer", cbor(QCborArray{QCborMap{{0, 5}, {2, 1}}}), F::Auto, E::BadSenml);
    add("senml cbor vb as integer", cbor(QCborArray{QCborMap{{0, u"a"_s}, {4, 1}}}), F::Auto, E::BadSenml);
    add("senml cbor vd as text", cbor(QCborArray{QCborMap{{0, u"a"_s}, {8, u"aGk"_s}}}), F::Auto, E::BadSenml);
    add("senml cbor bver too new", cbor(QCborArray{QCborMap{{-1, 11}, {0, u"a"_s}, {2, 1}}}), F::Auto, E::BadSenml);
    add("senml cbor must-understand label", cbor(QCborArray{QCborMap{{0, u"a"_s}, {2, 1}, {u"x_"_s, 1}}}), F::Auto,
        E::BadSenml);
    add("senml cbor byte string label", cbor(QCborArray{QCborMap{{0, u"a"_s}, {2, 1}, {QByteArray("x"), 1}}}), F::Auto,
        E::BadSenml);

    const QByteArray tooLong(PayloadDecoder::MaxMetricNameLength + 1, 'n');
    add("json empty key", json(R"({"":1})"), F::Auto, E::BadMetricName);
    add("json 129-character key", "{\"" + tooLong + "\":1}", F::Auto, E::BadMetricName);
    add("json escaped control character", json(R"({"a\u0001b":1})"), F::Auto, E::BadMetricName);
    add("json raw control character",
        json("{\"a\x01"
             "b\":1}"),
        F::Auto, E::BadMetricName);
    add("json tab", json(R"({"a\tb":1})"), F::Auto, E::BadMetricName);
    add("json delete character",
        json("{\"a\x7f"
             "b\":1}"),
        F::Auto, E::BadMetricName);
    add("senml resolved name too long",
        "[{\"bn\":\"" + tooLong.left(100) + "\",\"n\":\"" + tooLong.left(29) + "\",\"v\":1}]", F::Auto,
        E::BadMetricName);
    add("senml name with newline", json(R"([{"n":"a\nb","v":1}])"), F::Auto, E::BadMetricName);
    add("cbor empty key", cbor(QCborMap{{QString(), 1}}), F::Auto, E::BadMetricName);
    add("cbor 129-character key", cbor(QCborMap{{QString::fromLatin1(tooLong), 1}}), F::Auto, E::BadMetricName);
    add("cbor control character",
        cbor(QCborMap{{u"a\x1f"
                       "b"_s,
                       1}}),
        F::Auto, E::BadMetricName);
    add("senml cbor name with control character", cbor(QCborArray{QCborMap{{0, u"a\x01"_s}, {2, 1}}}), F::Auto,
        E::BadMetricName);

    constexpr int over = PayloadDecoder::MaxSamples + 1;
    add("too many json keys", manyJsonKeys(over), F::Auto, E::TooManyValues);
    add("too many senml json records", manySenmlJson(over), F::Auto, E::TooManyValues);
    add("too many cbor keys", manyCborKeys(over), F::Auto, E::TooManyValues);
    add("too many senml cbor records", manySenmlCbor(over), F::SenmlCbor, E::TooManyValues);
}

void TestPayloadDecoder::rejects()
{
    QFETCH(QByteArray, payload);
    QFETCH(PayloadFormat, format);
    QFETCH(qsizetype, maxBytes);
    QFETCH(BadInput, error);

    const DecodeResult result = PayloadDecoder(maxBytes).decode(payload, format, ReceivedAtNs);
    QVERIFY2(result.error.has_value(), qPrintable(u"decoded into: "_s + describe(result.samples)));
    // The reason names are unique (see errorReasons), so this compares the enum with a readable failure.
    QCOMPARE(badInputLabel(*result.error), badInputLabel(error));
    QCOMPARE(*result.error, error);
    QVERIFY(!result.detail.isEmpty());
    QVERIFY(result.samples.isEmpty());
    QVERIFY(!result.hasDeviceTime);
}

void TestPayloadDecoder::errorDetails_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<PayloadFormat>("format");
    QTest::addColumn<QString>("needle");

    QTest::addRow("json offset") << QByteArray(R"({"a":"x)") << PayloadFormat::Auto << u"offset 8"_s;
    QTest::addRow("cbor trailing") << hex("a161610100") << PayloadFormat::Auto << u"1 trailing byte"_s;
    QTest::addRow("size") << QByteArray(DefaultLimit + 1, ' ') << PayloadFormat::Auto << u"65537 bytes"_s;
    QTest::addRow("metric in value error") << QByteArray(R"({"pump":[1]})") << PayloadFormat::Auto << u"\"pump\""_s;
    QTest::addRow("senml record index") << QByteArray(R"([{"n":"a","v":1},{"n":"b"}])") << PayloadFormat::Auto
                                        << u"record 1"_s;
    QTest::addRow("senml field name") << QByteArray(R"([{"n":"a","vb":1}])") << PayloadFormat::Auto << u"\"vb\""_s;
    QTest::addRow("name length") << QByteArray("{\"" + QByteArray(200, 'x') + "\":1}") << PayloadFormat::Auto
                                 << u"200 characters"_s;
}

void TestPayloadDecoder::errorDetails()
{
    QFETCH(QByteArray, payload);
    QFETCH(PayloadFormat, format);
    QFETCH(QString, needle);

    const DecodeResult result = PayloadDecoder(DefaultLimit).decode(payload, format, ReceivedAtNs);
    QVERIFY(result.error.has_value());
    QVERIFY2(result.detail.contains(needle), qPrintable(result.detail));
}

void TestPayloadDecoder::errorReasons_data()
{
    QTest::addColumn<BadInput>("error");
    QTest::addColumn<QString>("reason");

    QTest::addRow("Empty") << BadInput::Empty << u"empty"_s;
    QTest::addRow("TooLarge") << BadInput::TooLarge << u"too_large"_s;
    QTest::addRow("MalformedJson") << BadInput::MalformedJson << u"malformed_json"_s;
    QTest::addRow("MalformedCbor") << BadInput::MalformedCbor << u"malformed_cbor"_s;
    QTest::addRow("NotAnObject") << BadInput::NotAnObject << u"not_an_object"_s;
    QTest::addRow("NonFinite") << BadInput::NonFinite << u"non_finite"_s;
    QTest::addRow("BadValue") << BadInput::BadValue << u"bad_value"_s;
    QTest::addRow("BadSenml") << BadInput::BadSenml << u"bad_senml"_s;
    QTest::addRow("BadMetricName") << BadInput::BadMetricName << u"bad_metric_name"_s;
    QTest::addRow("TooManyValues") << BadInput::TooManyValues << u"too_many_values"_s;
}

void TestPayloadDecoder::errorReasons()
{
    QFETCH(BadInput, error);
    QFETCH(QString, reason);

    QCOMPARE(badInputLabel(error), reason);
}

QTEST_APPLESS_MAIN(TestPayloadDecoder)
#include "tst_payloaddecoder.moc"
