// SPDX-License-Identifier: Apache-2.0
// The HTTP port as an attacker on the network sees it: requests built to slip past the token
// gate, bodies and frames too large to hold, more connections than descriptors, foreign Hosts.
#include "testsupport.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <nghttp2/nghttp2.h>

#include <cstring>
#include <map>
#include <memory>
#include <vector>

using namespace Qt::StringLiterals;
using namespace testsupport;

namespace {

const QString AdminToken = u"edge-admin-token-0001"_s;
const QByteArray Smuggled = "DELETE /api/v1/devices/edge-1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
// What the gateway may grow by while refusing 200 MiB.
constexpr qint64 MaxGrowth = 16LL * 1024 * 1024;
constexpr qint64 AttackBytes = 200LL * 1024 * 1024;

QString tokensYaml()
{
    return u"  tokens:\n    - name: ops\n      token: %1\n      role: admin\n"_s.arg(AdminToken);
}

/// Sends `raw` from `source` and reads until the server closes the connection.
QByteArray exchange(quint16 port, const QByteArray &raw, const QString &source = u"127.0.0.1"_s)
{
    QTcpSocket socket;
    socket.bind(QHostAddress(source));
    socket.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write(raw);
    QByteArray answer;
    QDeadlineTimer deadline(15000);
    while (socket.state() == QAbstractSocket::ConnectedState && !deadline.hasExpired()) {
        socket.waitForReadyRead(100);
        answer += socket.readAll();
    }
    return answer + socket.readAll();
}

/// The status codes of the answers in `bytes`, in order.
QList<int> statuses(const QByteArray &bytes)
{
    QList<int> out;
    qsizetype at = 0;
    while (bytes.mid(at).startsWith("HTTP/1.1 ")) {
        out.append(bytes.mid(at + 9, 3).toInt());
        const qsizetype headEnd = bytes.indexOf("\r\n\r\n", at);
        if (headEnd < 0)
            break;
        qint64 length = 0;
        for (const QByteArray &line : bytes.mid(at, headEnd - at).split('\n')) {
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        }
        at = headEnd + 4 + length;
    }
    return out;
}

QByteArray fields(int count)
{
    QByteArray out;
    for (int i = 0; i < count; ++i)
        out += "X-Field-" + QByteArray::number(i) + ": v\r\n";
    return out;
}

/// A WebSocket client frame header (masked with a zero key, so the payload goes as it is).
QByteArray frameHeader(quint64 length)
{
    QByteArray h;
    h.append(char(0x82)); // FIN, binary
    h.append(char(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
        h.append(char((length >> shift) & 0xff));
    h.append(4, '\0');
    return h;
}

/// Writes `total` bytes of `chunk` repeated while the server keeps the connection open.
qint64 flood(QTcpSocket &socket, qint64 total)
{
    const QByteArray chunk(1024 * 1024, 'a');
    qint64 sent = 0;
    while (sent < total && socket.state() == QAbstractSocket::ConnectedState) {
        socket.write(chunk);
        while (socket.bytesToWrite() > 0 && socket.state() == QAbstractSocket::ConnectedState)
            socket.waitForBytesWritten(1000);
        sent += chunk.size();
    }
    return sent;
}

/// An HTTP/2 client that opens many POST streams on one connection, each announcing `length` bytes of
/// body, and sends the first `first` bytes of each; the rest only after resume().
class PartialBodies
{
public:
    struct Stream
    {
        qint64 sent = 0;
        qint64 allowed = 0;
        int status = 0;
        bool closed = false;
    };

    PartialBodies(quint16 port, const QByteArray &path, int streams, qint64 length, qint64 first)
        : m_length(length)
    {
        nghttp2_session_callbacks *callbacks = nullptr;
        nghttp2_session_callbacks_new(&callbacks);
        nghttp2_session_callbacks_set_on_header_callback(callbacks, onHeader);
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, onClose);
        nghttp2_session_client_new(&m_session, callbacks, this);
        nghttp2_session_callbacks_del(callbacks);
        nghttp2_submit_settings(m_session, NGHTTP2_FLAG_NONE, nullptr, 0);
        m_socket.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
        m_socket.waitForConnected(5000);
        const QByteArray lengthText = QByteArray::number(length);
        const QByteArray authority = "127.0.0.1:" + QByteArray::number(port);
        for (int i = 0; i < streams; ++i) {
            const std::pair<QByteArray, QByteArray> fields[] = {{":method", "POST"},
                                                                {":scheme", "http"},
                                                                {":authority", authority},
                                                                {":path", path},
                                                                {"content-type", "application/json"},
                                                                {"content-length", lengthText}};
            std::vector<nghttp2_nv> nva;
            for (const auto &[name, value] : fields) {
                nva.push_back({reinterpret_cast<uint8_t *>(const_cast<char *>(name.constData())),
                               reinterpret_cast<uint8_t *>(const_cast<char *>(value.constData())), size_t(name.size()),
                               size_t(value.size()), NGHTTP2_NV_FLAG_NONE});
            }
            nghttp2_data_provider provider{};
            provider.source.ptr = this;
            provider.read_callback = readBody;
            const int id = nghttp2_submit_request(m_session, nullptr, nva.data(), nva.size(), &provider, nullptr);
            m_streams[id].allowed = first;
        }
    }
    ~PartialBodies() { nghttp2_session_del(m_session); }

    /// Exchanges frames until every stream is closed or has sent what it may; false when the server
    /// went quiet before that.
    bool run()
    {
        while (!settled()) {
            const uint8_t *data = nullptr;
            for (ssize_t n; (n = nghttp2_session_mem_send(m_session, &data)) > 0;)
                m_socket.write(reinterpret_cast<const char *>(data), n);
            while (m_socket.bytesToWrite() > 0 && m_socket.waitForBytesWritten(1000)) { }
            if (settled())
                break;
            // Waits in the event loop, not blocked in the socket: the gateway's log pipe is read meanwhile,
            // so its output cannot fill the pipe and stall it.
            if (m_socket.bytesAvailable() == 0
                && !QTest::qWaitFor([this] { return m_socket.bytesAvailable() > 0; }, 20000))
                return false;
            const QByteArray in = m_socket.readAll();
            if (nghttp2_session_mem_recv(m_session, reinterpret_cast<const uint8_t *>(in.constData()),
                                         size_t(in.size()))
                < 0)
                return false;
        }
        return true;
    }

    /// Lets the open streams send the rest of their bodies.
    void resume()
    {
        for (auto &[id, s] : m_streams) {
            s.allowed = m_length;
            if (!s.closed)
                nghttp2_session_resume_data(m_session, id);
        }
    }

    [[nodiscard]] int count(int status) const
    {
        return int(std::count_if(m_streams.cbegin(), m_streams.cend(),
                                 [status](const auto &e) { return e.second.status == status; }));
    }
    [[nodiscard]] int closed() const
    {
        return int(std::count_if(m_streams.cbegin(), m_streams.cend(), [](const auto &e) { return e.second.closed; }));
    }

private:
    /// Each stream is closed or waits for resume().
    bool settled() const
    {
        return std::all_of(m_streams.cbegin(), m_streams.cend(), [this](const auto &e) {
            return e.second.closed || (e.second.sent == e.second.allowed && e.second.allowed < m_length);
        });
    }

    static int onHeader(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name, size_t nameLength,
                        const uint8_t *value, size_t valueLength, uint8_t, void *user)
    {
        auto *self = static_cast<PartialBodies *>(user);
        if (QByteArrayView(name, qsizetype(nameLength)) == ":status")
            self->m_streams[frame->hd.stream_id].status
                = QByteArrayView(value, qsizetype(valueLength)).toByteArray().toInt();
        return 0;
    }
    static int onClose(nghttp2_session *, int32_t id, uint32_t, void *user)
    {
        static_cast<PartialBodies *>(user)->m_streams[id].closed = true;
        return 0;
    }
    static ssize_t readBody(nghttp2_session *, int32_t id, uint8_t *buffer, size_t length, uint32_t *flags,
                            nghttp2_data_source *, void *user)
    {
        auto *self = static_cast<PartialBodies *>(user);
        Stream &s = self->m_streams[id];
        const qint64 n = std::min<qint64>(qint64(length), s.allowed - s.sent);
        if (n == 0)
            return NGHTTP2_ERR_DEFERRED;
        // A JSON object: {"pad":"xxx...x"}
        for (qint64 i = 0; i < n; ++i) {
            const qint64 at = s.sent + i;
            buffer[i] = at < 8             ? uint8_t("{\"pad\":\""[at])
                : at >= self->m_length - 2 ? uint8_t("\"}"[at - self->m_length + 2])
                                           : 'x';
        }
        s.sent += n;
        if (s.sent == self->m_length)
            *flags |= NGHTTP2_DATA_FLAG_EOF;
        return ssize_t(n);
    }

    QTcpSocket m_socket;
    nghttp2_session *m_session = nullptr;
    qint64 m_length;
    std::map<int, Stream> m_streams;
};

} // namespace

class TestHttpEdge : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void smuggling_data();
    void smuggling();
    void bodyOverTheLimit_data();
    void bodyOverTheLimit();
    void webSocketBigFrame();
    void manyHalfOpenConnections();
    void hostCheckWithoutTokens_data();
    void hostCheckWithoutTokens();
    void listenNameIsResolved();
    void http2_data();
    void http2();
    void http2WithNghttp();
    void http2Upload();
    void http2BodyOverTheLimit_data();
    void http2BodyOverTheLimit();
    void http2Garbage();
    void http2ManyUnfinishedBodies();
    void cleanupTestCase();

private:
    [[nodiscard]] double refusals();
    [[nodiscard]] int deviceStatus();

    std::unique_ptr<Broker> m_broker;
    Gateway m_gateway;
    std::unique_ptr<Gateway> m_open; ///< without tokens
};

double TestHttpEdge::refusals()
{
    const CurlReply reply
        = curl(m_gateway.httpPort(), u"/metrics"_s, {u"-H"_s, u"Authorization: Bearer "_s + AdminToken});
    double sum = 0;
    for (const QByteArray &line : reply.body.split('\n')) {
        if (line.startsWith("edgegate_http_refused_total{"))
            sum += line.mid(line.lastIndexOf(' ') + 1).toDouble();
    }
    return sum;
}

int TestHttpEdge::deviceStatus()
{
    return curl(m_gateway.httpPort(), u"/api/v1/devices/edge-1"_s, {u"-H"_s, u"Authorization: Bearer "_s + AdminToken})
        .status;
}

void TestHttpEdge::initTestCase()
{
    m_broker = std::make_unique<Broker>();
    QVERIFY(m_broker->start());
    QVERIFY(m_gateway.start(m_gateway.config(m_broker->port(), {}, {}, tokensYaml())));
    const CurlReply posted
        = curl(m_gateway.httpPort(), u"/api/v1/devices/edge-1/telemetry"_s,
               {u"-H"_s, u"Content-Type: application/json"_s, u"--data-binary"_s, u"{\"temp\": 20}"_s});
    QCOMPARE(posted.status, 202);
    QCOMPARE(deviceStatus(), 200);
}

void TestHttpEdge::smuggling_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QList<int>>("expected");
    QTest::addColumn<int>("refused");
    const QByteArray n = QByteArray::number(Smuggled.size());
    const QByteArray n2 = QByteArray::number(Smuggled.size() + 2);
    const QByteArray healthz = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    const QByteArray telemetry
        = "POST /api/v1/devices/edge-1/telemetry HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";

    // The three that reached the REST API without a token through the old two-parser design.
    QTest::addRow("header name with a separator")
        << healthz + "Content-Length: " + n2 + "\r\nX(y: 1\r\n\r\n\r\n" + Smuggled << QList<int>{400} << 1;
    QTest::addRow("101 header fields") << healthz + fields(100) + "Content-Length: " + n2 + "\r\n\r\n\r\n" + Smuggled
                                       << QList<int>{431} << 1;
    QTest::addRow("non-ASCII header name")
        << healthz + "Content-Length: " + n2 + "\r\nX\xc3\xa9: 1\r\n\r\n\r\n" + Smuggled << QList<int>{400} << 1;

    QTest::addRow("folded line") << healthz + "X: y\r\n Content-Length: " + n + "\r\n\r\n" + Smuggled << QList<int>{400}
                                 << 1;
    QTest::addRow("bare LF") << "GET /healthz HTTP/1.1\nHost: 127.0.0.1\nContent-Length: " + n + "\n\n" + Smuggled
                             << QList<int>{400} << 1;
    QTest::addRow("bare CR") << healthz + "X: a\rContent-Length: " + n + "\r\n\r\n" + Smuggled << QList<int>{400} << 1;
    QTest::addRow("NUL in a value") << healthz + "X: a" + QByteArray(1, '\0') + "b\r\n\r\n" + Smuggled
                                    << QList<int>{400} << 1;
    QTest::addRow("duplicate Content-Length")
        << healthz + "Content-Length: " + n + "\r\nContent-Length: " + n + "\r\n\r\n" + Smuggled << QList<int>{400}
        << 1;
    QTest::addRow("conflicting Content-Length")
        << healthz + "Content-Length: 0\r\nContent-Length: " + n + "\r\n\r\n" + Smuggled << QList<int>{400} << 1;
    QTest::addRow("Content-Length list") << healthz + "Content-Length: " + n + ", " + n + "\r\n\r\n" + Smuggled
                                         << QList<int>{400} << 1;
    QTest::addRow("signed Content-Length")
        << healthz + "Content-Length: +" + n + "\r\n\r\n" + Smuggled << QList<int>{400} << 1;
    QTest::addRow("Transfer-Encoding with Content-Length")
        << telemetry + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + Smuggled << QList<int>{400}
        << 1;
    QTest::addRow("Transfer-Encoding not chunked")
        << telemetry + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n" + Smuggled << QList<int>{501} << 1;
    QTest::addRow("Transfer-Encoding list")
        << telemetry + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n" + Smuggled << QList<int>{501} << 1;
    QTest::addRow("Transfer-Encoding twice")
        << telemetry + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + Smuggled
        << QList<int>{501} << 1;
    QTest::addRow("Transfer-Encoding with a space before the colon")
        << telemetry + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n" + Smuggled << QList<int>{400} << 1;
    QTest::addRow("Transfer-Encoding in HTTP/1.0")
        << "POST /api/v1/devices/edge-1/telemetry HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + Smuggled
        << QList<int>{400} << 1;
    QTest::addRow("chunk size overflow") << telemetry + "Transfer-Encoding: chunked\r\n\r\n1FFFFFFFFFFFFFFFF\r\n"
                                         << QList<int>{400} << 1;
    QTest::addRow("missing Host") << "GET /healthz HTTP/1.1\r\nContent-Length: " + n + "\r\n\r\n" + Smuggled
                                  << QList<int>{400} << 1;
    QTest::addRow("two Hosts") << healthz + "Host: other\r\nContent-Length: " + n + "\r\n\r\n" + Smuggled
                               << QList<int>{400} << 1;
    QTest::addRow("absolute-form target")
        << QByteArray("DELETE http://127.0.0.1/api/v1/devices/edge-1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        << QList<int>{400} << 1;
    QTest::addRow("two spaces in the request line")
        << "GET  /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + Smuggled << QList<int>{400} << 1;
    QTest::addRow("HTTP/2 version on a 1.1 request line")
        << "GET /healthz HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n" + Smuggled << QList<int>{505} << 1;
    // Requests that are whole: each is read and gated in turn, the protected one refused.
    QTest::addRow("pipelined after an exempt request") << healthz + "\r\n" + Smuggled << QList<int>{200, 401} << 1;
    QTest::addRow("after an exempt chunked body")
        << telemetry + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + Smuggled << QList<int>{400, 401} << 1;
    QTest::addRow("inside an exempt body")
        << telemetry + "Connection: close\r\nContent-Length: " + n + "\r\n\r\n" + Smuggled << QList<int>{400} << 0;
    QTest::addRow("percent-encoded id") << QByteArray("DELETE /api/v1/devices/edge%2D1 HTTP/1.1\r\nHost: h\r\n\r\n")
                                        << QList<int>{401} << 1;
}

void TestHttpEdge::smuggling()
{
    QFETCH(QByteArray, raw);
    QFETCH(QList<int>, expected);
    QFETCH(int, refused);
    const double before = refusals();
    const QByteArray answer = exchange(m_gateway.httpPort(), raw);
    QCOMPARE(statuses(answer), expected);
    // No protected route answered, and the device the smuggled request deletes is still there.
    QCOMPARE(deviceStatus(), 200);
    QCOMPARE(refusals(), before + refused);
}

void TestHttpEdge::bodyOverTheLimit_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<bool>("chunked");
    const QByteArray telemetry
        = "POST /api/v1/devices/edge-1/telemetry HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
    QTest::addRow("4 GiB announced") << telemetry + "Content-Length: 4294967296\r\n\r\n" << false;
    QTest::addRow("chunked without end") << telemetry + "Transfer-Encoding: chunked\r\n\r\n" << true;
    QTest::addRow("firmware upload over the image limit")
        << "PUT /api/v1/firmware/big/1.0.0 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + AdminToken.toLatin1() + "\r\nContent-Length: 99999999999\r\n\r\n"
        << false;
}

void TestHttpEdge::bodyOverTheLimit()
{
    QFETCH(QByteArray, head);
    QFETCH(bool, chunked);
    const qint64 before = m_gateway.residentBytes();
    QVERIFY(before > 0);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress(QHostAddress::LocalHost), m_gateway.httpPort());
    QVERIFY(socket.waitForConnected(5000));
    socket.write(head);
    if (chunked) {
        const QByteArray chunk = "100000\r\n" + QByteArray(0x100000, 'a') + "\r\n";
        for (qint64 sent = 0; sent < AttackBytes && socket.state() == QAbstractSocket::ConnectedState;
             sent += chunk.size()) {
            socket.write(chunk);
            while (socket.bytesToWrite() > 0 && socket.state() == QAbstractSocket::ConnectedState)
                socket.waitForBytesWritten(1000);
        }
    } else {
        flood(socket, AttackBytes);
    }
    const qint64 after = m_gateway.residentBytes();
    QByteArray answer = socket.readAll();
    while (socket.state() == QAbstractSocket::ConnectedState && socket.waitForReadyRead(2000))
        answer += socket.readAll();
    QVERIFY2(answer.startsWith("HTTP/1.1 413 "), answer.left(200).constData());
    qInfo("VmRSS %lld kB before, %lld kB after", before / 1024, after / 1024);
    QVERIFY2(after - before < MaxGrowth, qPrintable(u"grew by %1 bytes"_s.arg(after - before)));
    QVERIFY(m_gateway.isRunning());
}

void TestHttpEdge::webSocketBigFrame()
{
    const qint64 before = m_gateway.residentBytes();
    QTcpSocket socket;
    socket.connectToHost(QHostAddress(QHostAddress::LocalHost), m_gateway.httpPort());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("GET /ws/device/edge-ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    QByteArray answer;
    QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).contains("\r\n\r\n"), 10000);
    QVERIFY2(answer.startsWith("HTTP/1.1 101"), answer.constData());
    socket.write(frameHeader(quint64(AttackBytes)));
    const qint64 sent = flood(socket, AttackBytes);
    const qint64 after = m_gateway.residentBytes();
    QVERIFY2(sent < AttackBytes, "the gateway read a 200 MiB frame to the end");
    qInfo("VmRSS %lld kB before, %lld kB after; %lld bytes sent before the gateway closed", before / 1024, after / 1024,
          sent);
    QVERIFY2(after - before < MaxGrowth, qPrintable(u"grew by %1 bytes"_s.arg(after - before)));
    QVERIFY(m_gateway.isRunning());
}

void TestHttpEdge::manyHalfOpenConnections()
{
    // 256 descriptors leave room for 128 connections; one address may hold 64 of them.
    Gateway gw;
    gw.setDescriptorLimit(256);
    QVERIFY(gw.start(gw.config(m_broker->port(), {}, {}, u"  head_timeout: 2s\n"_s)));
    const QByteArray half = "GET /api/v1/devices HTTP/1.1\r\nHo";
    const QByteArray healthz = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    std::vector<std::unique_ptr<QTcpSocket>> held;
    const auto open = [&](const QString &source, int count) {
        for (int i = 0; i < count; ++i) {
            auto socket = std::make_unique<QTcpSocket>();
            socket->bind(QHostAddress(source));
            socket->connectToHost(QHostAddress(QHostAddress::LocalHost), gw.httpPort());
            if (socket->waitForConnected(5000))
                socket->write(half);
            socket->flush();
            held.push_back(std::move(socket));
        }
    };
    // One address with far more half-sent heads than it may hold: the others still get answers.
    open(u"127.0.0.1"_s, 300);
    QCOMPARE(statuses(exchange(gw.httpPort(), healthz, u"127.0.0.2"_s)), QList<int>{200});
    // More addresses, more connections than descriptors: refused at the door, and the service lives.
    for (int a = 3; a <= 6; ++a)
        open(u"127.0.0.%1"_s.arg(a), 64);
    QVERIFY(gw.isRunning());
    // Half-sent heads time out and their places come back.
    QTRY_COMPARE_WITH_TIMEOUT(statuses(exchange(gw.httpPort(), healthz, u"127.0.0.7"_s)), QList<int>{200}, 30000);
    held.clear();
    const QByteArray metrics = curl(gw.httpPort(), u"/metrics"_s).body;
    QVERIFY(metricValue(metrics, u"edgegate_http_refused_total{reason=\"too_many_from_address\"}"_s) >= 236);
    QVERIFY(metricValue(metrics, u"edgegate_http_refused_total{reason=\"too_many_connections\"}"_s) > 0);
    QVERIFY(metricValue(metrics, u"edgegate_http_refused_total{reason=\"head_timeout\"}"_s) > 0);
    QVERIFY(gw.output().contains(u"allows 128 HTTP connections"_s));
}

void TestHttpEdge::hostCheckWithoutTokens_data()
{
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<int>("status");
    QTest::addRow("rebinding name") << QByteArray("evil.example") << 421;
    QTest::addRow("rebinding name with port") << QByteArray("evil.example:8080") << 421;
    QTest::addRow("localhost in capitals") << QByteArray("LOCALHOST:1") << 200;
    QTest::addRow("IPv4 loopback") << QByteArray("127.0.0.1") << 200;
    QTest::addRow("IPv6 loopback") << QByteArray("[::1]:8080") << 200;
    QTest::addRow("final dot") << QByteArray("localhost.") << 200;
}

void TestHttpEdge::hostCheckWithoutTokens()
{
    QFETCH(QByteArray, host);
    QFETCH(int, status);
    if (!m_open) {
        m_open = std::make_unique<Gateway>();
        QVERIFY(m_open->start(m_open->config(m_broker->port())));
    }
    const QByteArray answer = exchange(
        m_open->httpPort(), "GET /api/v1/devices HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
    QCOMPARE(statuses(answer), QList<int>{status});
    if (status == 421)
        QVERIFY(answer.contains("\"host_not_allowed\""));
}

void TestHttpEdge::listenNameIsResolved()
{
    // A name for loopback binds loopback addresses only, not every interface.
    Gateway gw;
    const QString yaml = gw.config(m_broker->port());
    const QString port = QString::number(gw.httpPort());
    QVERIFY(gw.start(QString(yaml).replace(u"listen: 127.0.0.1:"_s + port, u"listen: LOCALHOST:"_s + port)));
    QFile tcp(u"/proc/net/tcp"_s);
    QVERIFY(tcp.open(QIODevice::ReadOnly));
    QStringList listening;
    const QString hexPort = u"%1"_s.arg(gw.httpPort(), 4, 16, QLatin1Char('0')).toUpper();
    for (const QByteArray &line : tcp.readAll().split('\n')) {
        const QList<QByteArray> f = line.simplified().split(' ');
        if (f.size() > 3 && f[3] == "0A" && f[1].endsWith(QByteArray(":" + hexPort.toLatin1())))
            listening.append(QString::fromLatin1(f[1]));
    }
    QCOMPARE(listening, QStringList{u"0100007F:"_s + hexPort});
}

namespace {

/// curl with HTTP/2 prior knowledge: the status and the HTTP version it used ("2", "1.1"), as "200 2".
QString http2Curl(quint16 port, const QString &path, const QStringList &args)
{
    QProcess p;
    p.start(u"curl"_s,
            QStringList{u"-s"_s, u"-o"_s, u"/dev/null"_s, u"-w"_s, u"%{http_code} %{http_version}"_s, u"--max-time"_s,
                        u"20"_s, u"--http2-prior-knowledge"_s}
                + args + QStringList{u"http://127.0.0.1:%1%2"_s.arg(port).arg(path)});
    p.waitForFinished(30000);
    return QString::fromLatin1(p.readAllStandardOutput());
}

} // namespace

void TestHttpEdge::http2_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("expected");
    const QString admin = u"Authorization: Bearer "_s + AdminToken;
    QTest::addRow("exempt") << QStringList() << u"/healthz"_s << u"200 2"_s;
    QTest::addRow("no token") << QStringList() << u"/api/v1/devices/edge-1"_s << u"401 2"_s;
    QTest::addRow("token") << QStringList{u"-H"_s, admin} << u"/api/v1/devices/edge-1"_s << u"200 2"_s;
    QTest::addRow("device telemetry") << QStringList{u"-H"_s, u"Content-Type: application/json"_s, u"--data-binary"_s,
                                                     u"{\"temp\": 21}"_s}
                                      << u"/api/v1/devices/edge-1/telemetry"_s << u"202 2"_s;
    QTest::addRow("unknown path") << QStringList{u"-H"_s, admin} << u"/nothing"_s << u"404 2"_s;
    QTest::addRow("101 header fields") << [] {
        QStringList a;
        for (int i = 0; i < 101; ++i)
            a << u"-H"_s << u"X-F%1: v"_s.arg(i);
        return a;
    }() << u"/healthz"_s << u"431 2"_s;
    QTest::addRow("WebSocket path") << QStringList() << u"/ws"_s << u"426 2"_s;
}

void TestHttpEdge::http2()
{
    QFETCH(QStringList, args);
    QFETCH(QString, path);
    QFETCH(QString, expected);
    QCOMPARE(http2Curl(m_gateway.httpPort(), path, args), expected);
    QCOMPARE(deviceStatus(), 200);
}

void TestHttpEdge::http2WithNghttp()
{
    // Several requests as concurrent streams on one connection.
    QProcess p;
    const QString base = u"http://127.0.0.1:%1"_s.arg(m_gateway.httpPort());
    p.start(u"nghttp"_s,
            {u"-n"_s, u"-s"_s, u"-H"_s, u"authorization: Bearer "_s + AdminToken, base + u"/healthz"_s,
             base + u"/api/v1/devices"_s, base + u"/api/v1/alerts"_s, base + u"/metrics"_s});
    QVERIFY(p.waitForFinished(30000));
    const QByteArray out = p.readAll();
    QVERIFY2(p.exitCode() == 0, out.constData());
    QCOMPARE(out.count("200 "), 4);
}

void TestHttpEdge::http2Upload()
{
    // A firmware upload streamed over HTTP/2, then downloaded again.
    QTemporaryDir dir;
    QFile image(dir.filePath(u"image.bin"_s));
    QVERIFY(image.open(QIODevice::WriteOnly));
    for (int i = 0; i < 64; ++i)
        image.write(QByteArray(64 * 1024, char('a' + i % 26)));
    image.close();
    const QStringList admin{u"-H"_s, u"Authorization: Bearer "_s + AdminToken};
    QCOMPARE(http2Curl(m_gateway.httpPort(), u"/api/v1/firmware/h2fw/1.0.0"_s,
                       admin + QStringList{u"-T"_s, image.fileName()}),
             u"201 2"_s);
    QProcess p;
    p.start(u"curl"_s,
            {u"-s"_s, u"--http2-prior-knowledge"_s, u"-o"_s, dir.filePath(u"back.bin"_s), u"-w"_s, u"%{http_code}"_s,
             u"http://127.0.0.1:%1/api/v1/firmware/h2fw/1.0.0/image"_s.arg(m_gateway.httpPort())});
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.readAllStandardOutput(), QByteArray("200"));
    QCOMPARE(QFileInfo(dir.filePath(u"back.bin"_s)).size(), image.size());
    QCOMPARE(
        http2Curl(m_gateway.httpPort(), u"/api/v1/firmware/h2fw/1.0.0"_s, admin + QStringList{u"-X"_s, u"DELETE"_s}),
        u"204 2"_s);
}

void TestHttpEdge::http2BodyOverTheLimit_data()
{
    QTest::addColumn<qint64>("size");
    QTest::addColumn<bool>("announced");
    QTest::addRow("Content-Length over the limit") << qint64(70000) << true;
    QTest::addRow("200 MiB without Content-Length") << AttackBytes << false;
}

void TestHttpEdge::http2BodyOverTheLimit()
{
    // nghttp, as curl 7.88 drops an answer that comes before the end of its upload.
    QFETCH(qint64, size);
    QFETCH(bool, announced);
    QTemporaryDir dir;
    QFile body(dir.filePath(u"body.json"_s));
    QVERIFY(body.open(QIODevice::WriteOnly));
    QVERIFY(body.resize(size));
    body.close();
    const qint64 before = m_gateway.residentBytes();
    QProcess p;
    QStringList args{u"-v"_s, u"-H"_s, u"content-type: application/json"_s, u"-d"_s, body.fileName()};
    if (!announced)
        args << u"--no-content-length"_s;
    p.start(u"nghttp"_s, args << u"http://127.0.0.1:%1/api/v1/devices/edge-1/telemetry"_s.arg(m_gateway.httpPort()));
    QVERIFY(p.waitForFinished(60000));
    const qint64 after = m_gateway.residentBytes();
    const QByteArray out = p.readAll();
    QVERIFY2(out.contains(":status: 413"), out.right(2000).constData());
    QVERIFY(out.contains("\"payload_too_large\""));
    qInfo("VmRSS %lld kB before, %lld kB after", before / 1024, after / 1024);
    QVERIFY2(after - before < MaxGrowth, qPrintable(u"grew by %1 bytes"_s.arg(after - before)));
}

void TestHttpEdge::http2Garbage()
{
    const double before = refusals();
    const QByteArray answer
        = exchange(m_gateway.httpPort(), "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + QByteArray(64, '\xff'));
    // A GOAWAY frame (type 7) and the connection closed; the refusal is counted.
    QVERIFY(answer.size() >= 9);
    QVERIFY(answer.contains('\x07'));
    QCOMPARE(refusals(), before + 1);
    QCOMPARE(deviceStatus(), 200);
}

void TestHttpEdge::http2ManyUnfinishedBodies()
{
    // 100 streams that each send half of a 60,000-byte body and wait: a connection must not hold 100
    // bodies. Flow control lets at most 4 stream windows (4 x 65,537 bytes) in, so at most 9 bodies are
    // held at once; the others are refused.
    constexpr int Streams = 100;
    constexpr qint64 Length = 60000;
    const qint64 before = m_gateway.residentBytes();
    PartialBodies client(m_gateway.httpPort(), "/api/v1/devices/edge-1/telemetry", Streams, Length, Length / 2);
    QVERIFY(client.run());
    const qint64 after = m_gateway.residentBytes();
    const int refused = client.count(503);
    QVERIFY2(refused >= Streams - 9, qPrintable(u"%1 refused"_s.arg(refused)));
    // The bodies it held go on and are handled.
    client.resume();
    QVERIFY(client.run());
    QCOMPARE(client.closed(), Streams);
    QVERIFY(client.count(202) >= 1);
    QCOMPARE(client.count(202) + client.count(503), Streams);
    qInfo("%d of %d refused; VmRSS %lld kB before, %lld kB after", client.count(503), Streams, before / 1024,
          after / 1024);
    QCOMPARE(deviceStatus(), 200);
}

void TestHttpEdge::cleanupTestCase()
{
    QVERIFY(m_gateway.isRunning());
}

QTEST_GUILESS_MAIN(TestHttpEdge)
#include "tst_httpedge.moc"
