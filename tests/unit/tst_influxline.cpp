// SPDX-License-Identifier: Apache-2.0
#include "gateway/sinks/influx/influxline.h"

#include <QTest>

#include <limits>

using namespace edgegate;
using namespace Qt::StringLiterals;

using Tags = QList<std::pair<QString, QString>>;
using Fields = QList<Sample>;
Q_DECLARE_METATYPE(Tags)
Q_DECLARE_METATYPE(Fields)

class TestInfluxLine : public QObject
{
    Q_OBJECT
private slots:
    void line_data();
    void line();
    void lines_data();
    void lines();
    void overwrites_data();
    void overwrites();
    void overwritesOfEncodedNames();
};

namespace {

Fields one(const QString &name, const Value &value)
{
    return {{name, value, 0}};
}

} // namespace

void TestInfluxLine::line_data()
{
    QTest::addColumn<QString>("measurement");
    QTest::addColumn<Tags>("tags");
    QTest::addColumn<Fields>("fields");
    QTest::addColumn<qint64>("timestampNs");
    QTest::addColumn<QByteArray>("expected");

    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();

    // Value types.
    QTest::addRow("float") << u"m"_s << Tags{} << one(u"f"_s, 21.5) << qint64(1) << "m f=21.5 1"_ba;
    QTest::addRow("float integral stays float") << u"m"_s << Tags{} << one(u"f"_s, 1.0) << qint64(1) << "m f=1 1"_ba;
    QTest::addRow("float shortest") << u"m"_s << Tags{} << one(u"f"_s, 0.1) << qint64(1) << "m f=0.1 1"_ba;
    QTest::addRow("float third") << u"m"_s << Tags{} << one(u"f"_s, 1.0 / 3.0) << qint64(1)
                                 << "m f=0.3333333333333333 1"_ba;
    QTest::addRow("float exponent") << u"m"_s << Tags{} << one(u"f"_s, 1e300) << qint64(1) << "m f=1e+300 1"_ba;
    QTest::addRow("float tiny") << u"m"_s << Tags{} << one(u"f"_s, 5e-324) << qint64(1) << "m f=5e-324 1"_ba;
    QTest::addRow("float negative zero") << u"m"_s << Tags{} << one(u"f"_s, -0.0) << qint64(1) << "m f=-0 1"_ba;
    QTest::addRow("integer") << u"m"_s << Tags{} << one(u"f"_s, qint64(42)) << qint64(1) << "m f=42i 1"_ba;
    QTest::addRow("integer min") << u"m"_s << Tags{} << one(u"f"_s, std::numeric_limits<qint64>::min()) << qint64(1)
                                 << "m f=-9223372036854775808i 1"_ba;
    QTest::addRow("bool true") << u"m"_s << Tags{} << one(u"f"_s, true) << qint64(1) << "m f=true 1"_ba;
    QTest::addRow("bool false") << u"m"_s << Tags{} << one(u"f"_s, false) << qint64(1) << "m f=false 1"_ba;
    QTest::addRow("string") << u"m"_s << Tags{} << one(u"f"_s, u"eco"_s) << qint64(1) << R"(m f="eco" 1)"_ba;
    QTest::addRow("string empty") << u"m"_s << Tags{} << one(u"f"_s, QString()) << qint64(1) << R"(m f="" 1)"_ba;

    // String field values: only backslash and double quote are escaped; the rest is carried.
    QTest::addRow("string quote and backslash")
        << u"m"_s << Tags{} << one(u"f"_s, uR"(a "b" \c, d=e)"_s) << qint64(1) << R"(m f="a \"b\" \\c, d=e" 1)"_ba;
    QTest::addRow("string trailing backslash")
        << u"m"_s << Tags{} << one(u"f"_s, uR"(x\)"_s) << qint64(1) << R"(m f="x\\" 1)"_ba;
    QTest::addRow("string newline kept") << u"m"_s << Tags{} << one(u"f"_s, u"a\r\nb"_s) << qint64(1)
                                         << "m f=\"a\r\nb\" 1"_ba;
    QTest::addRow("string unicode")
        << u"m"_s << Tags{} << one(u"f"_s, u"Zürich — 温度 🌡"_s) << qint64(1)
        << "m f=\"Z\xc3\xbcrich \xe2\x80\x94 \xe6\xb8\xa9\xe5\xba\xa6 \xf0\x9f\x8c\xa1\" 1"_ba;

    // Escaping in names.
    QTest::addRow("measurement comma space, equals kept")
        << u"my m,x=y"_s << Tags{} << one(u"f"_s, qint64(1)) << qint64(1) << R"(my\ m\,x=y f=1i 1)"_ba;
    QTest::addRow("tag key and value") << u"m"_s << Tags{{u"k ,="_s, u"v ,="_s}} << one(u"f"_s, qint64(1)) << qint64(1)
                                       << R"(m,k\ \,\==v\ \,\= f=1i 1)"_ba;
    QTest::addRow("field key") << u"m"_s << Tags{} << one(u"f ,="_s, qint64(1)) << qint64(1) << R"(m f\ \,\==1i 1)"_ba;
    QTest::addRow("quote in names is literal") << uR"(m")"_s << Tags{{uR"(k")"_s, uR"(v")"_s}}
                                               << one(uR"(f")"_s, qint64(1)) << qint64(1) << R"(m",k"=v" f"=1i 1)"_ba;
    QTest::addRow("backslash inside names is literal")
        << u"a\\b"_s << Tags{{u"k\\x"_s, u"v\\y"_s}} << one(u"f\\z"_s, qint64(1)) << qint64(1)
        << R"(a\b,k\x=v\y f\z=1i 1)"_ba;
    QTest::addRow("unicode names") << u"Zürich — 温度"_s << Tags{{u"ort"_s, u"🏔 Säntis"_s}} << one(u"°C"_s, 1.5)
                                   << qint64(1)
                                   << "Z\xc3\xbcrich\\ \xe2\x80\x94\\ \xe6\xb8\xa9\xe5\xba\xa6,ort=\xf0\x9f\x8f\x94\\ "
                                      "S\xc3\xa4ntis \xc2\xb0"
                                      "C=1.5 1"_ba;

    // Substitutions for what the server cannot carry.
    QTest::addRow("newline in names") << u"m\n1"_s << Tags{{u"k\n"_s, u"\nv"_s}} << one(u"f\nx"_s, qint64(1))
                                      << qint64(1) << R"(m\n1,k\n=\nv f\nx=1i 1)"_ba;
    QTest::addRow("trailing backslash in names")
        << u"m\\"_s << Tags{{u"k\\"_s, u"v\\\\"_s}} << one(u"f\\"_s, qint64(1)) << qint64(1)
        << "m\xef\xbc\xbc,k\xef\xbc\xbc=v\\\xef\xbc\xbc f\xef\xbc\xbc=1i 1"_ba;
    QTest::addRow("backslash before delimiter in measurement")
        << u"a\\,b\\ c\\=d"_s << Tags{} << one(u"f"_s, qint64(1)) << qint64(1)
        << "a\xef\xbc\xbc\\,b\xef\xbc\xbc\\ c\xef\xbc\xbc=d f=1i 1"_ba;
    QTest::addRow("backslash before delimiter in tag")
        << u"m"_s << Tags{{u"k\\,"_s, u"a\\,b\\ c\\=d"_s}} << one(u"f"_s, qint64(1)) << qint64(1)
        << "m,k\xef\xbc\xbc\\,=a\xef\xbc\xbc\\,b\xef\xbc\xbc\\ c\xef\xbc\xbc\\=d f=1i 1"_ba;
    QTest::addRow("backslash before delimiter in field key")
        << u"m"_s << Tags{} << one(u"a\\,b\\ c\\=d"_s, qint64(1)) << qint64(1)
        << "m a\xef\xbc\xbc\\,b\xef\xbc\xbc\\ c\xef\xbc\xbc\\=d=1i 1"_ba;
    QTest::addRow("only the last of several backslashes")
        << u"m"_s << Tags{} << one(u"a\\\\,b"_s, qint64(1)) << qint64(1) << "m a\\\xef\xbc\xbc\\,b=1i 1"_ba;
    QTest::addRow("leading hash in measurement") << u"#m"_s << Tags{{u"#k"_s, u"#v"_s}} << one(u"#f"_s, qint64(1))
                                                 << qint64(1) << "\xef\xbc\x83m,#k=#v #f=1i 1"_ba;
    QTest::addRow("leading tab in measurement")
        << u"\tm\t"_s << Tags{} << one(u"f"_s, qint64(1)) << qint64(1) << "\\ m\t f=1i 1"_ba;
    QTest::addRow("leading space in measurement")
        << u" m"_s << Tags{} << one(u"f"_s, qint64(1)) << qint64(1) << R"(\ m f=1i 1)"_ba;

    // Tags.
    QTest::addRow("tags sorted") << u"m"_s << Tags{{u"b"_s, u"2"_s}, {u"a"_s, u"1"_s}, {u"c"_s, u"3"_s}}
                                 << one(u"f"_s, qint64(1)) << qint64(1) << "m,a=1,b=2,c=3 f=1i 1"_ba;
    QTest::addRow("tags sorted by utf8 bytes")
        << u"m"_s << Tags{{u"😀"_s, u"2"_s}, {u"\uff01"_s, u"1"_s}} << one(u"f"_s, qint64(1)) << qint64(1)
        << "m,\xef\xbc\x81=1,\xf0\x9f\x98\x80=2 f=1i 1"_ba;
    QTest::addRow("duplicate tag key, last wins")
        << u"m"_s << Tags{{u"a"_s, u"1"_s}, {u"b"_s, u"x"_s}, {u"a"_s, u"2"_s}} << one(u"f"_s, qint64(1)) << qint64(1)
        << "m,a=2,b=x f=1i 1"_ba;
    QTest::addRow("keys equal after substitution written once")
        << u"m"_s << Tags{{u"a\n"_s, u"1"_s}, {uR"(a\n)"_s, u"2"_s}} << one(u"f"_s, qint64(1)) << qint64(1)
        << R"(m,a\n=2 f=1i 1)"_ba;
    QTest::addRow("empty tag value dropped") << u"m"_s << Tags{{u"a"_s, QString()}, {u"b"_s, u"1"_s}}
                                             << one(u"f"_s, qint64(1)) << qint64(1) << "m,b=1 f=1i 1"_ba;
    QTest::addRow("empty tag key dropped")
        << u"m"_s << Tags{{QString(), u"x"_s}} << one(u"f"_s, qint64(1)) << qint64(1) << "m f=1i 1"_ba;
    QTest::addRow("time tag key dropped") << u"m"_s << Tags{{u"time"_s, u"x"_s}, {u"times"_s, u"y"_s}}
                                          << one(u"f"_s, qint64(1)) << qint64(1) << "m,times=y f=1i 1"_ba;

    // Fields.
    QTest::addRow("several fields in order")
        << u"m"_s << Tags{} << Fields{{u"z"_s, 1.5, 0}, {u"a"_s, qint64(2), 0}, {u"s"_s, u"x"_s, 0}} << qint64(7)
        << R"(m z=1.5,a=2i,s="x" 7)"_ba;
    QTest::addRow("non-finite skipped")
        << u"m"_s << Tags{} << Fields{{u"a"_s, nan, 0}, {u"b"_s, 2.5, 0}, {u"c"_s, inf, 0}, {u"d"_s, -inf, 0}}
        << qint64(1) << "m b=2.5 1"_ba;
    QTest::addRow("only non-finite") << u"m"_s << Tags{} << Fields{{u"a"_s, nan, 0}, {u"b"_s, inf, 0}} << qint64(1)
                                     << QByteArray();
    QTest::addRow("empty field key skipped")
        << u"m"_s << Tags{} << Fields{{QString(), 1.0, 0}, {u"b"_s, true, 0}} << qint64(1) << "m b=true 1"_ba;
    QTest::addRow("time field skipped") << u"m"_s << Tags{} << Fields{{u"time"_s, 1.0, 0}} << qint64(1) << QByteArray();
    QTest::addRow("no fields") << u"m"_s << Tags{{u"a"_s, u"1"_s}} << Fields{} << qint64(1) << QByteArray();
    QTest::addRow("empty measurement") << QString() << Tags{} << one(u"f"_s, 1.0) << qint64(1) << QByteArray();

    // Timestamps.
    QTest::addRow("nanoseconds") << u"m"_s << Tags{} << one(u"f"_s, true) << qint64(1700000000123000000)
                                 << "m f=true 1700000000123000000"_ba;
    QTest::addRow("negative time") << u"m"_s << Tags{} << one(u"f"_s, true) << qint64(-5) << "m f=true -5"_ba;
}

void TestInfluxLine::line()
{
    QFETCH(QString, measurement);
    QFETCH(Tags, tags);
    QFETCH(Fields, fields);
    QFETCH(qint64, timestampNs);
    QFETCH(QByteArray, expected);
    QCOMPARE(influxLine(measurement, tags, fields, timestampNs), expected);
}

void TestInfluxLine::lines_data()
{
    QTest::addColumn<Fields>("samples");
    QTest::addColumn<QByteArray>("expected");

    QTest::addRow("empty") << Fields{} << QByteArray();
    QTest::addRow("one time, one line") << Fields{{u"t"_s, 21.5, 1700000000123456789},
                                                  {u"n"_s, qint64(3), 1700000000123456789}}
                                        << "env,dev=d1 t=21.5,n=3i 1700000000123456789\n"_ba;
    QTest::addRow("grouped by time in order of first appearance")
        << Fields{{u"a"_s, 1.5, 2000}, {u"b"_s, true, 1000}, {u"c"_s, u"x"_s, 2000}, {u"d"_s, qint64(4), 1000}}
        << "env,dev=d1 a=1.5,c=\"x\" 2000\nenv,dev=d1 b=true,d=4i 1000\n"_ba;
    QTest::addRow("times one nanosecond apart stay apart")
        << Fields{{u"a"_s, 1.0, 1700000000123456789}, {u"a"_s, 2.0, 1700000000123456790}}
        << "env,dev=d1 a=1 1700000000123456789\nenv,dev=d1 a=2 1700000000123456790\n"_ba;
    QTest::addRow("time with nothing writable omitted")
        << Fields{{u"a"_s, std::numeric_limits<double>::quiet_NaN(), 1000}, {u"b"_s, 2.0, 2000}}
        << "env,dev=d1 b=2 2000\n"_ba;
}

void TestInfluxLine::lines()
{
    QFETCH(Fields, samples);
    QFETCH(QByteArray, expected);
    Envelope envelope;
    envelope.deviceId = u"d1"_s;
    envelope.samples = samples;
    QCOMPARE(influxLines(envelope, u"env"_s, {{u"dev"_s, u"d1"_s}, {u"empty"_s, QString()}}), expected);
}

void TestInfluxLine::overwrites_data()
{
    QTest::addColumn<QList<QByteArray>>("lines");
    QTest::addColumn<qsizetype>("expected");
    using L = QList<QByteArray>;
    QTest::addRow("none") << L{} << qsizetype(0);
    QTest::addRow("distinct times") << L{"m,d=a f=1 1", "m,d=a f=1 2", "m,d=a f=1 3"} << qsizetype(0);
    QTest::addRow("same series, time and field") << L{"m,d=a f=1 5", "m,d=a f=2 5"} << qsizetype(1);
    QTest::addRow("three of them") << L{"m,d=a f=1 5", "m,d=a f=2 5", "m,d=a f=3 5"} << qsizetype(2);
    QTest::addRow("other fields are merged, not replaced") << L{"m,d=a f=1 5", "m,d=a g=2 5"} << qsizetype(0);
    QTest::addRow("one shared field of several") << L{"m,d=a f=1,g=2 5", "m,d=a h=3,g=4 5"} << qsizetype(1);
    QTest::addRow("other device") << L{"m,d=a f=1 5", "m,d=b f=2 5"} << qsizetype(0);
    QTest::addRow("other measurement") << L{"m,d=a f=1 5", "n,d=a f=2 5"} << qsizetype(0);
    QTest::addRow("escaped space in a tag")
        << L{"m,d=a\\ b f=1 5", "m,d=a\\ b f=2 5", "m,d=a\\ c f=2 5"} << qsizetype(1);
    QTest::addRow("string values with delimiters")
        << L{R"(m s="a, b=\"c\" d",f=1 5)", R"(m f=2,s="x" 5)"} << qsizetype(1);
    QTest::addRow("string value ending in a backslash") << L{R"(m s="a\\",f=1 5)", R"(m g=2 5)"} << qsizetype(0);
    QTest::addRow("escaped equals in a key") << L{"m k\\=1=1 5", "m k\\=1=2 5", "m k=2 5"} << qsizetype(1);
    QTest::addRow("not a line") << L{"garbage", "m f=1 5", "m f=1"} << qsizetype(0);
}

void TestInfluxLine::overwrites()
{
    QFETCH(QList<QByteArray>, lines);
    QFETCH(qsizetype, expected);
    QList<QByteArrayView> views;
    for (const QByteArray &line : std::as_const(lines))
        views.append(line);
    QCOMPARE(influxOverwrites(views), expected);
}

void TestInfluxLine::overwritesOfEncodedNames()
{
    // Whatever the encoder escapes, the lines it writes are read back as the same or other points.
    const QString nasty = u"a b,c=d\"e\\f\\ g"_s;
    const Tags tags{{nasty, nasty}};
    const QByteArray a = influxLine(nasty, tags, {{nasty, u"x, y=\"z\""_s, 0}, {u"n"_s, 1.0, 0}}, 42);
    const QByteArray b = influxLine(nasty, tags, {{nasty, u"other"_s, 0}}, 42);
    const QByteArray c = influxLine(nasty, tags, {{u"n2"_s, 1.0, 0}}, 42);
    const QByteArray d = influxLine(nasty, Tags{{nasty, u"other"_s}}, {{nasty, u"x"_s, 0}}, 42);
    QCOMPARE(influxOverwrites({a, b}), 1);
    QCOMPARE(influxOverwrites({a, c}), 0);
    QCOMPARE(influxOverwrites({a, d}), 0);
}

QTEST_GUILESS_MAIN(TestInfluxLine)
#include "tst_influxline.moc"
