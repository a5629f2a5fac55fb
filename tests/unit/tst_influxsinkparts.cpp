// SPDX-License-Identifier: Apache-2.0
// The pure parts of InfluxSink: reading refusals (bodies as influxd 1.6.7 and InfluxDB 2.x word
// them), checking settings, and naming points.
#include "gateway/sinks/influx/influxsink.h"

#include <QTest>

using namespace edgegate;
using namespace Qt::StringLiterals;

class TestInfluxSinkParts : public QObject
{
    Q_OBJECT
private slots:
    void refusal_data();
    void refusal();
    void settings_data();
    void settings();
    void lines();
};

void TestInfluxSinkParts::refusal_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("partial");
    QTest::addColumn<quint64>("dropped");
    QTest::addColumn<QString>("reason");

    // Observed from influxd 1.6.7.
    QTest::addRow("1.x field type conflict")
        << 400
        << R"({"error":"partial write: field type conflict: input field \"v\" on measurement \"m\" is type string, already exists as type float dropped=1"})"_ba
        << true << quint64(1) << u"field_type_conflict"_s;
    QTest::addRow("1.x beyond retention")
        << 400 << R"({"error":"partial write: points beyond retention policy dropped=12"})"_ba << true << quint64(12)
        << u"beyond_retention"_s;
    QTest::addRow("1.x unparsable among good lines")
        << 400 << R"({"error":"partial write: unable to parse 'garbage': missing fields dropped=0"})"_ba << false
        << quint64(0) << u"bad_request"_s;
    QTest::addRow("1.x unparsable only")
        << 400
        << R"({"error":"unable to parse 'garbage': missing fields\nunable to parse 'm v=1 x': bad timestamp"})"_ba
        << false << quint64(0) << u"bad_request"_s;
    // InfluxDB 2.x shape ({"code", "message"}); written for this test, not taken from a server.
    QTest::addRow("2.x partial write")
        << 422
        << R"({"code":"unprocessable entity","message":"failure writing points to database: partial write: field type conflict: input field \"v\" on measurement \"m\" is type string, already exists as type float dropped=3"})"_ba
        << true << quint64(3) << u"field_type_conflict"_s;
    QTest::addRow("2.x other partial write")
        << 422
        << R"({"code":"unprocessable entity","message":"partial write: max-values-per-tag limit exceeded dropped=4"})"_ba
        << true << quint64(4) << u"partial_write"_s;
    QTest::addRow("2.x invalid") << 400 << R"({"code":"invalid","message":"unable to parse 'x': missing fields"})"_ba
                                 << false << quint64(0) << u"bad_request"_s;
    QTest::addRow("too large") << 413 << "Request Entity Too Large"_ba << false << quint64(0) << u"too_large"_s;
    QTest::addRow("unprocessable, not partial")
        << 422 << R"({"code":"unprocessable entity","message":"no"})"_ba << false << quint64(0) << u"unprocessable"_s;
    QTest::addRow("empty") << 400 << QByteArray() << false << quint64(0) << u"bad_request"_s;
    QTest::addRow("not JSON, partial write words")
        << 400 << "partial write: field type conflict dropped=2"_ba << true << quint64(2) << u"field_type_conflict"_s;
    QTest::addRow("partial write without a count")
        << 400 << R"({"error":"partial write: something"})"_ba << false << quint64(0) << u"bad_request"_s;
}

void TestInfluxSinkParts::refusal()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(bool, partial);
    QFETCH(quint64, dropped);
    QFETCH(QString, reason);
    const InfluxRefusal refusal = readInfluxRefusal(status, body);
    QCOMPARE(refusal.partial, partial);
    QCOMPARE(refusal.dropped, dropped);
    QCOMPARE(refusal.reason, reason);
    if (!body.isEmpty())
        QVERIFY(!refusal.message.isEmpty());
    QVERIFY(!refusal.message.startsWith(u'{'));
}

void TestInfluxSinkParts::settings_data()
{
    QTest::addColumn<InfluxSink::Settings>("settings");
    QTest::addColumn<bool>("valid");

    InfluxSink::Settings v1;
    v1.database = u"db"_s;
    InfluxSink::Settings v2;
    v2.org = u"org"_s;
    v2.bucket = u"bucket"_s;
    v2.token = u"token"_s;
    QTest::addRow("v1") << v1 << true;
    QTest::addRow("v2") << v2 << true;
    QTest::addRow("nothing") << InfluxSink::Settings{} << false;
    InfluxSink::Settings s = v2;
    s.bucket.clear();
    QTest::addRow("org without bucket") << s << false;
    s = v1;
    s.org = u"org"_s;
    QTest::addRow("both APIs") << s << false;
    s = v1;
    s.password = u"secret"_s;
    QTest::addRow("password without user") << s << false;
    s = v1;
    s.url = QUrl(u"ftp://127.0.0.1"_s);
    QTest::addRow("not http") << s << false;
    s = v1;
    s.url = QUrl(u"http://"_s);
    QTest::addRow("no host") << s << false;
    s = v1;
    s.url = QUrl(u"https://influx.example:8086/prefix"_s);
    QTest::addRow("https with prefix") << s << true;
    s = v1;
    s.batchPoints = 0;
    QTest::addRow("empty batch") << s << false;
    s = v1;
    s.retryMax = std::chrono::milliseconds(100);
    QTest::addRow("max below min") << s << false;
    s = v1;
    s.requestTimeout = std::chrono::milliseconds(0);
    QTest::addRow("no timeout") << s << false;
    s = v1;
    s.flushInterval = std::chrono::milliseconds(0);
    QTest::addRow("no flush delay") << s << true;
}

void TestInfluxSinkParts::settings()
{
    QFETCH(InfluxSink::Settings, settings);
    QFETCH(bool, valid);
    const auto problem = settings.problem();
    QCOMPARE(!problem.has_value(), valid);
    if (problem)
        QVERIFY(!problem->isEmpty());
}

void TestInfluxSinkParts::lines()
{
    Envelope envelope;
    envelope.deviceId = u"dev 1"_s;
    envelope.samples = {{u"t"_s, 21.5, 1700000000123000000}};
    InfluxSink::Settings s;
    QCOMPARE(InfluxSink::lines(s, envelope), "telemetry,device=dev\\ 1 t=21.5 1700000000123000000\n"_ba);
    QCOMPARE(InfluxSink::lines(s, envelope, u"thermo"_s), "thermo,device=dev\\ 1 t=21.5 1700000000123000000\n"_ba);
    s.measurement = u"fixed"_s;
    s.tags = {{u"site"_s, u"north"_s}, {u"device"_s, u"not this"_s}};
    QCOMPARE(InfluxSink::lines(s, envelope, u"thermo"_s),
             "fixed,device=dev\\ 1,site=north t=21.5 1700000000123000000\n"_ba);
    envelope.samples.clear();
    QCOMPARE(InfluxSink::lines(s, envelope), QByteArray());
}

QTEST_GUILESS_MAIN(TestInfluxSinkParts)
#include "tst_influxsinkparts.moc"
