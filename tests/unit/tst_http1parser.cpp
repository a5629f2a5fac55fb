// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/http/http1parser.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace edgegate;

Q_DECLARE_METATYPE(edgegate::HttpRefusal)

class TestHttp1Parser : public QObject
{
    Q_OBJECT

private slots:
    void validHeads();
    void incomplete_data();
    void incomplete();
    void refused_data();
    void refused();
    void limitsAtTheEdge();
    void framing_data();
    void framing();
    void chunked_data();
    void chunked();
    void chunkedInPieces();
};

namespace {

http1::Parsed parsed(QByteArrayView bytes)
{
    auto result = http1::parseHead(bytes, HttpHeadLimits{});
    if (auto *p = std::get_if<http1::Parsed>(&result))
        return *p;
    return {};
}

} // namespace

void TestHttp1Parser::validHeads()
{
    const QByteArray raw = "\r\nPOST /api/v1/devices/d%2D1/telemetry?x=1 HTTP/1.1\r\nHost: gw:8080\r\n"
                           "Content-Type:application/json \r\nX-Empty:\r\nX-Bytes: caf\xc3\xa9\t!\r\n\r\nbody";
    const http1::Parsed p = parsed(raw);
    QCOMPARE(p.length, raw.indexOf("body"));
    QCOMPARE(p.head.method, QByteArray("POST"));
    QCOMPARE(p.head.target, QByteArray("/api/v1/devices/d%2D1/telemetry?x=1"));
    QCOMPARE(p.head.minorVersion, 1);
    QCOMPARE(p.head.headers.size(), 4);
    QCOMPARE(p.head.headers[1].name, QByteArray("content-type"));
    QCOMPARE(p.head.headers[1].value, QByteArray("application/json"));
    QCOMPARE(p.head.headers[2].value, QByteArray());
    QCOMPARE(p.head.headers[3].value, QByteArray("caf\xc3\xa9\t!"));
    const HttpRequest request(p.head, QHostAddress(QHostAddress::LocalHost), false);
    QCOMPARE(request.method(), HttpMethod::Post);
    QCOMPARE(request.value("CONTENT-TYPE"), QByteArray("application/json"));
    QCOMPARE(request.url().path(), u"/api/v1/devices/d-1/telemetry"_s);
    QCOMPARE(request.query().queryItemValue(u"x"_s), u"1"_s);
}

void TestHttp1Parser::incomplete_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addRow("empty") << QByteArray();
    QTest::addRow("empty lines") << QByteArray("\r\n\r\n");
    QTest::addRow("half a request line") << QByteArray("GET /he");
    QTest::addRow("request line") << QByteArray("GET / HTTP/1.1\r\n");
    QTest::addRow("CR at the end") << QByteArray("GET / HTTP/1.1\r\nHost: h\r\n\r");
}

void TestHttp1Parser::incomplete()
{
    QFETCH(QByteArray, raw);
    QVERIFY(std::holds_alternative<http1::Incomplete>(http1::parseHead(raw, HttpHeadLimits{})));
}

void TestHttp1Parser::refused_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<HttpRefusal>("refusal");
    const QByteArray line = "GET / HTTP/1.1\r\n";
    QTest::addRow("bare LF") << QByteArray("GET / HTTP/1.1\nHost: h\n\n") << HttpRefusal::BareLineBreak;
    QTest::addRow("bare CR") << line + "X: a\rb\r\n\r\n" << HttpRefusal::BareLineBreak;
    QTest::addRow("folded") << line + "X: a\r\n b\r\n\r\n" << HttpRefusal::FoldedHeader;
    QTest::addRow("space before colon") << line + "X : a\r\n\r\n" << HttpRefusal::BadHeaderName;
    QTest::addRow("no colon") << line + "Xa\r\n\r\n" << HttpRefusal::BadHeaderName;
    QTest::addRow("empty name") << line + ": a\r\n\r\n" << HttpRefusal::BadHeaderName;
    QTest::addRow("separator in name") << line + "X(y: 1\r\n\r\n" << HttpRefusal::BadHeaderName;
    QTest::addRow("UTF-8 name") << line + "X\xc3\xa9: 1\r\n\r\n" << HttpRefusal::BadHeaderName;
    QTest::addRow("NUL in value") << line + QByteArray("X: a\0b\r\n\r\n", 10) << HttpRefusal::BadHeaderValue;
    QTest::addRow("DEL in value") << line + "X: a\x7f\r\n\r\n" << HttpRefusal::BadHeaderValue;
    QTest::addRow("one part") << QByteArray("GARBAGE\r\n\r\n") << HttpRefusal::BadRequestLine;
    QTest::addRow("two spaces") << QByteArray("GET  / HTTP/1.1\r\n\r\n") << HttpRefusal::BadRequestLine;
    QTest::addRow("trailing space") << QByteArray("GET / HTTP/1.1 \r\n\r\n") << HttpRefusal::BadRequestLine;
    QTest::addRow("absolute form") << QByteArray("GET http://h/ HTTP/1.1\r\n\r\n") << HttpRefusal::BadRequestLine;
    QTest::addRow("asterisk") << QByteArray("OPTIONS * HTTP/1.1\r\n\r\n") << HttpRefusal::BadRequestLine;
    QTest::addRow("fragment") << QByteArray("GET /a#b HTTP/1.1\r\n\r\n") << HttpRefusal::BadRequestLine;
    QTest::addRow("UTF-8 target") << QByteArray("GET /\xc3\xa9 HTTP/1.1\r\n\r\n") << HttpRefusal::BadRequestLine;
    QTest::addRow("method not a token") << QByteArray("G(T / HTTP/1.1\r\n\r\n") << HttpRefusal::BadRequestLine;
    QTest::addRow("HTTP/2.0") << QByteArray("GET / HTTP/2.0\r\n\r\n") << HttpRefusal::UnsupportedVersion;
    QTest::addRow("HTTP/0.9") << QByteArray("GET / HTTP/0.9\r\n\r\n") << HttpRefusal::UnsupportedVersion;
    QTest::addRow("lower-case version") << QByteArray("GET / http/1.1\r\n\r\n") << HttpRefusal::BadRequestLine;
    QTest::addRow("request line over the limit") << "GET /" + QByteArray(20000, 'a') << HttpRefusal::RequestLineTooLong;
    QTest::addRow("head over the limit") << line + "X: " + QByteArray(20000, 'a') << HttpRefusal::HeadTooLarge;
}

void TestHttp1Parser::refused()
{
    QFETCH(QByteArray, raw);
    QFETCH(HttpRefusal, refusal);
    const auto result = http1::parseHead(raw, HttpHeadLimits{});
    QVERIFY(std::holds_alternative<HttpRefusal>(result));
    QCOMPARE(std::get<HttpRefusal>(result), refusal);
}

void TestHttp1Parser::limitsAtTheEdge()
{
    HttpHeadLimits limits;
    limits.maxHeadBytes = 100;
    limits.maxFields = 3;
    const QByteArray start = "GET / HTTP/1.1\r\n"; // 16 bytes
    // Exactly 100 bytes of head is taken; 101 is not.
    const QByteArray fits = start + "X: " + QByteArray(100 - 16 - 3 - 4, 'a') + "\r\n\r\n";
    QCOMPARE(fits.size(), 100);
    QVERIFY(std::holds_alternative<http1::Parsed>(http1::parseHead(fits, limits)));
    const QByteArray over = start + "X: " + QByteArray(100 - 16 - 3 - 4 + 1, 'a') + "\r\n\r\n";
    QCOMPARE(std::get<HttpRefusal>(http1::parseHead(over, limits)), HttpRefusal::HeadTooLarge);
    QVERIFY(std::holds_alternative<http1::Parsed>(
        http1::parseHead(QByteArray(start + "A: 1\r\nB: 2\r\nC: 3\r\n\r\n"), limits)));
    QCOMPARE(
        std::get<HttpRefusal>(http1::parseHead(QByteArray(start + "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n"), limits)),
        HttpRefusal::TooManyFields);
}

void TestHttp1Parser::framing_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<int>("kind"); // -1: refused
    QTest::addColumn<qint64>("length");
    QTest::addColumn<bool>("keepAlive");
    const QByteArray get = "GET / HTTP/1.1\r\nHost: h\r\n";
    QTest::addRow("no body") << get + "\r\n" << int(http1::Framing::Kind::None) << qint64(0) << true;
    QTest::addRow("length") << get + "Content-Length: 12\r\n\r\n"
                            << int(http1::Framing::Kind::Length) << qint64(12) << true;
    QTest::addRow("zero length") << get + "Content-Length: 0\r\n\r\n"
                                 << int(http1::Framing::Kind::None) << qint64(0) << true;
    QTest::addRow("chunked") << get + "Transfer-Encoding: Chunked\r\n\r\n"
                             << int(http1::Framing::Kind::Chunked) << qint64(0) << true;
    QTest::addRow("close") << get + "Connection: keep-alive, Close\r\n\r\n"
                           << int(http1::Framing::Kind::None) << qint64(0) << false;
    QTest::addRow("HTTP/1.0") << QByteArray("GET / HTTP/1.0\r\n\r\n") << int(http1::Framing::Kind::None) << qint64(0)
                              << false;
    QTest::addRow("HTTP/1.0 keep-alive") << QByteArray("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                                         << int(http1::Framing::Kind::None) << qint64(0) << true;
    QTest::addRow("no Host") << QByteArray("GET / HTTP/1.1\r\n\r\n") << -1 << qint64(0) << false;
    QTest::addRow("two Hosts") << get + "Host: i\r\n\r\n" << -1 << qint64(0) << false;
    QTest::addRow("Host with a space") << QByteArray("GET / HTTP/1.1\r\nHost: a b\r\n\r\n") << -1 << qint64(0) << false;
    QTest::addRow("two lengths") << get + "Content-Length: 1\r\nContent-Length: 1\r\n\r\n" << -1 << qint64(0) << false;
    QTest::addRow("length list") << get + "Content-Length: 1, 1\r\n\r\n" << -1 << qint64(0) << false;
    QTest::addRow("negative length") << get + "Content-Length: -1\r\n\r\n" << -1 << qint64(0) << false;
    QTest::addRow("length of 19 digits") << get + "Content-Length: 1000000000000000000\r\n\r\n"
                                         << -1 << qint64(0) << false;
    QTest::addRow("length and chunked") << get + "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                        << -1 << qint64(0) << false;
    QTest::addRow("gzip") << get + "Transfer-Encoding: gzip, chunked\r\n\r\n" << -1 << qint64(0) << false;
    QTest::addRow("chunked twice") << get + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
                                   << -1 << qint64(0) << false;
    QTest::addRow("chunked in HTTP/1.0") << QByteArray("GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n") << -1
                                         << qint64(0) << false;
    QTest::addRow("other Expect") << get + "Expect: 200-ok\r\n\r\n" << -1 << qint64(0) << false;
}

void TestHttp1Parser::framing()
{
    QFETCH(QByteArray, raw);
    QFETCH(int, kind);
    QFETCH(qint64, length);
    QFETCH(bool, keepAlive);
    const http1::Parsed p = parsed(raw);
    QVERIFY(p.length > 0);
    const auto f = http1::framing(p.head);
    if (kind < 0) {
        QVERIFY(std::holds_alternative<HttpRefusal>(f));
        return;
    }
    QVERIFY(std::holds_alternative<http1::Framing>(f));
    QCOMPARE(int(std::get<http1::Framing>(f).kind), kind);
    QCOMPARE(std::get<http1::Framing>(f).length, length);
    QCOMPARE(std::get<http1::Framing>(f).keepAlive, keepAlive);
}

void TestHttp1Parser::chunked_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<int>("state");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<qsizetype>("used");
    using S = http1::ChunkedDecoder::State;
    QTest::addRow("two chunks") << QByteArray("5\r\nhello\r\n1;ext=\"x\"\r\n!\r\n0\r\n\r\nNEXT") << int(S::Done)
                                << QByteArray("hello!") << qsizetype(29);
    QTest::addRow("trailer") << QByteArray("3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n") << int(S::Done) << QByteArray("abc")
                             << qsizetype(21);
    QTest::addRow("upper-case hex") << QByteArray("A\r\n0123456789\r\n0\r\n\r\n") << int(S::Done)
                                    << QByteArray("0123456789") << qsizetype(20);
    QTest::addRow("unfinished") << QByteArray("5\r\nhel") << int(S::More) << QByteArray("hel") << qsizetype(6);
    QTest::addRow("no size") << QByteArray("\r\nabc") << int(S::Failed) << QByteArray() << qsizetype(-1);
    QTest::addRow("size not hex") << QByteArray("g\r\n") << int(S::Failed) << QByteArray() << qsizetype(-1);
    QTest::addRow("16 hex digits") << QByteArray("1000000000000000\r\n") << int(S::Failed) << QByteArray()
                                   << qsizetype(-1);
    QTest::addRow("data longer than size")
        << QByteArray("2\r\nabc\r\n") << int(S::Failed) << QByteArray("ab") << qsizetype(-1);
    QTest::addRow("bare LF after size") << QByteArray("2\nab") << int(S::Failed) << QByteArray() << qsizetype(-1);
    QTest::addRow("bad trailer") << QByteArray("0\r\nbad trailer\r\n\r\n") << int(S::Failed) << QByteArray()
                                 << qsizetype(-1);
    QTest::addRow("size line too long") << "1;" + QByteArray(5000, 'x') << int(S::Failed) << QByteArray()
                                        << qsizetype(-1);
}

void TestHttp1Parser::chunked()
{
    QFETCH(QByteArray, raw);
    QFETCH(int, state);
    QFETCH(QByteArray, body);
    QFETCH(qsizetype, used);
    http1::ChunkedDecoder decoder;
    QByteArray out;
    const qsizetype took = decoder.feed(raw, &out);
    QCOMPARE(int(decoder.state()), state);
    QCOMPARE(out, body);
    QCOMPARE(decoder.decoded(), body.size());
    if (used >= 0)
        QCOMPARE(took, used);
}

void TestHttp1Parser::chunkedInPieces()
{
    const QByteArray raw = "5\r\nhello\r\n6\r\n world\r\n0\r\nA: b\r\n\r\n";
    for (qsizetype piece = 1; piece <= raw.size(); ++piece) {
        http1::ChunkedDecoder decoder;
        QByteArray out;
        for (qsizetype at = 0; at < raw.size(); at += piece)
            decoder.feed(QByteArrayView(raw).sliced(at, std::min(piece, raw.size() - at)), &out);
        QCOMPARE(int(decoder.state()), int(http1::ChunkedDecoder::State::Done));
        QCOMPARE(out, QByteArray("hello world"));
    }
}

QTEST_GUILESS_MAIN(TestHttp1Parser)
#include "tst_http1parser.moc"
