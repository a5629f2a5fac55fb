// SPDX-License-Identifier: Apache-2.0
// API tokens end to end: real mosquitto, real edgegated, real curl.
#include "testsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

using namespace Qt::StringLiterals;
using namespace testsupport;

namespace {

const QString AdminToken = u"s3cret-admin-token-0001"_s;
const QString ViewerToken = u"s3cret-viewer-token-001"_s;

QString tokensYaml()
{
    return u"  tokens:\n    - {name: ops, token: \"%1\", role: admin}\n    - name: wall\n      token: \"%2\"\n"
           "      role: viewer\n"_s.arg(AdminToken, ViewerToken);
}

/// What curl got, with the response headers (names in lower case).
struct Answer
{
    int status = 0;
    QByteArray body;
    QHash<QByteArray, QByteArray> headers;
    [[nodiscard]] QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

} // namespace

class TestAuth : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void refusedWithoutToken_data();
    void refusedWithoutToken();
    void wrongToken();
    void viewerReads_data();
    void viewerReads();
    void viewerCannotChange_data();
    void viewerCannotChange();
    void adminChanges();
    void devicesNeedNoApiToken();
    void firmwareUploadThroughTheGate();
    void webSocketsThroughTheGate();
    void keepAliveSecondRequestRefused();
    void headInPieces();
    void pipelinedRequestRefused();
    void headsRefused_data();
    void headsRefused();
    void refusalsCounted();
    void refusedAtStartWithoutTokens();
    void startsWithAllowUnauthenticated();
    void startsWithTokensOnAnyAddress();
    void cleanupTestCase();

private:
    Answer request(const QByteArray &method, const QString &path, const QString &token, const QStringList &extra = {});
    [[nodiscard]] double metric(const QString &series);

    std::unique_ptr<Broker> m_broker;
    Gateway m_gateway;
    QTemporaryDir m_dir;
};

Answer TestAuth::request(const QByteArray &method, const QString &path, const QString &token, const QStringList &extra)
{
    const QString headersPath = m_dir.filePath(u"headers.txt"_s);
    QFile::remove(headersPath);
    QStringList args{u"-X"_s, QString::fromLatin1(method), u"-D"_s, headersPath};
    if (!token.isEmpty())
        args << u"-H"_s << u"Authorization: Bearer "_s + token;
    const CurlReply reply = curl(m_gateway.httpPort(), path, args + extra);
    Answer answer{reply.status, reply.body, {}};
    QFile headers(headersPath);
    if (headers.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : headers.readAll().split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                answer.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
        }
    }
    return answer;
}

double TestAuth::metric(const QString &series)
{
    return metricValue(request("GET", u"/metrics"_s, AdminToken).body, series);
}

void TestAuth::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_broker = std::make_unique<Broker>();
    QVERIFY(m_broker->start());
    QVERIFY(m_gateway.start(m_gateway.config(m_broker->port(), {}, {}, tokensYaml())));
    // A device, through the device-facing endpoint that needs no API token.
    const CurlReply posted
        = curl(m_gateway.httpPort(), u"/api/v1/devices/auth-1/telemetry"_s,
               {u"-H"_s, u"Content-Type: application/json"_s, u"--data-binary"_s, u"{\"temp\": 21.5}"_s});
    QCOMPARE(posted.status, 202);
}

void TestAuth::refusedWithoutToken_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addRow("devices") << QByteArray("GET") << u"/api/v1/devices"_s;
    QTest::addRow("metrics") << QByteArray("GET") << u"/metrics"_s;
    QTest::addRow("one device") << QByteArray("GET") << u"/api/v1/devices/auth-1"_s;
    QTest::addRow("alerts") << QByteArray("GET") << u"/api/v1/alerts"_s;
    QTest::addRow("firmware list") << QByteArray("GET") << u"/api/v1/firmware"_s;
    QTest::addRow("delete device") << QByteArray("DELETE") << u"/api/v1/devices/auth-1"_s;
    QTest::addRow("unknown path") << QByteArray("GET") << u"/nothing/here"_s;
}

void TestAuth::refusedWithoutToken()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    const Answer answer = request(method, path, {});
    QCOMPARE(answer.status, 401);
    QCOMPARE(answer.json().value(u"code"_s).toString(), u"unauthorized"_s);
    QVERIFY(!answer.json().value(u"error"_s).toString().isEmpty());
    QCOMPARE(answer.headers.value("www-authenticate"), QByteArray("Bearer"));
    QCOMPARE(answer.headers.value("connection"), QByteArray("close"));
    QCOMPARE(answer.headers.value("content-type"), QByteArray("application/json"));
    // Nothing was removed by the refused DELETE.
    QCOMPARE(request("GET", u"/api/v1/devices/auth-1"_s, AdminToken).status, 200);
}

void TestAuth::wrongToken()
{
    for (const QString &token :
         {u"not-the-right-token-at-all"_s, AdminToken.left(AdminToken.size() - 1), QString(AdminToken + u"x"_s)}) {
        const Answer answer = request("GET", u"/api/v1/devices"_s, token);
        QCOMPARE(answer.status, 401);
        QCOMPARE(answer.json().value(u"code"_s).toString(), u"unauthorized"_s);
        QCOMPARE(answer.headers.value("www-authenticate"), QByteArray("Bearer"));
    }
    // Another scheme is no token either.
    const Answer basic = request("GET", u"/api/v1/devices"_s, {}, {u"-u"_s, u"ops:"_s + AdminToken});
    QCOMPARE(basic.status, 401);
    // The scheme is case-insensitive.
    const Answer lower = request("GET", u"/api/v1/devices"_s, {}, {u"-H"_s, u"authorization: bearer "_s + ViewerToken});
    QCOMPARE(lower.status, 200);
}

void TestAuth::viewerReads_data()
{
    QTest::addColumn<QString>("path");
    QTest::addRow("devices") << u"/api/v1/devices"_s;
    QTest::addRow("one device") << u"/api/v1/devices/auth-1"_s;
    QTest::addRow("latest telemetry") << u"/api/v1/devices/auth-1/telemetry/latest"_s;
    QTest::addRow("alerts") << u"/api/v1/alerts"_s;
    QTest::addRow("metrics") << u"/metrics"_s;
    QTest::addRow("firmware") << u"/api/v1/firmware"_s;
    QTest::addRow("routes") << u"/api/v1/routes"_s;
}

void TestAuth::viewerReads()
{
    QFETCH(QString, path);
    QCOMPARE(request("GET", path, ViewerToken).status, 200);
    QCOMPARE(request("GET", path, AdminToken).status, 200);
}

void TestAuth::viewerCannotChange_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addRow("POST command") << QByteArray("POST") << u"/api/v1/devices/auth-1/commands"_s
                                  << QByteArray(R"({"name":"reboot"})");
    QTest::addRow("PATCH device") << QByteArray("PATCH") << u"/api/v1/devices/auth-1"_s
                                  << QByteArray(R"({"name":"renamed by a viewer"})");
    QTest::addRow("DELETE device") << QByteArray("DELETE") << u"/api/v1/devices/auth-1"_s << QByteArray();
    QTest::addRow("PUT routes") << QByteArray("PUT") << u"/api/v1/routes"_s << QByteArray(R"({"routes":[]})");
    QTest::addRow("DELETE routes") << QByteArray("DELETE") << u"/api/v1/routes"_s << QByteArray();
    QTest::addRow("PUT credentials") << QByteArray("PUT") << u"/api/v1/devices/auth-1/credentials"_s
                                     << QByteArray(R"({"token":"device-token-0001"})");
}

void TestAuth::viewerCannotChange()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    // What a change could touch (the rest, such as the message rate, moves by itself).
    const auto device = [this] {
        QJsonObject o = request("GET", u"/api/v1/devices/auth-1"_s, AdminToken).json();
        return QJsonObject{{u"id"_s, o[u"id"_s]},
                           {u"name"_s, o[u"name"_s]},
                           {u"metadata"_s, o[u"metadata"_s]},
                           {u"approval"_s, o[u"approval"_s]},
                           {u"status"_s, o[u"status"_s]}};
    };
    const QJsonObject before = device();
    QCOMPARE(before[u"id"_s].toString(), u"auth-1"_s);
    const QByteArray routesBefore = request("GET", u"/api/v1/routes"_s, AdminToken).body;
    QStringList extra{u"-H"_s, u"Content-Type: application/json"_s};
    if (!body.isEmpty())
        extra << u"--data-binary"_s << QString::fromUtf8(body);
    const Answer answer = request(method, path, ViewerToken, extra);
    QCOMPARE(answer.status, 403);
    QCOMPARE(answer.json().value(u"code"_s).toString(), u"forbidden"_s);
    QCOMPARE(answer.json().value(u"error"_s).toString(), u"viewer tokens cannot change anything"_s);
    QCOMPARE(answer.headers.value("connection"), QByteArray("close"));
    QVERIFY(!answer.headers.contains("www-authenticate"));
    // Nothing changed.
    QCOMPARE(device(), before);
    QCOMPARE(request("GET", u"/api/v1/routes"_s, AdminToken).body, routesBefore);
    QCOMPARE(
        request("GET", u"/api/v1/devices/auth-1/commands"_s, AdminToken).json().value(u"commands"_s).toArray().size(),
        0);
}

void TestAuth::adminChanges()
{
    const Answer patched
        = request("PATCH", u"/api/v1/devices/auth-1"_s, AdminToken,
                  {u"-H"_s, u"Content-Type: application/json"_s, u"--data-binary"_s, u"{\"name\":\"Boiler\"}"_s});
    QCOMPARE(patched.status, 200);
    QCOMPARE(request("GET", u"/api/v1/devices/auth-1"_s, ViewerToken).json().value(u"name"_s).toString(), u"Boiler"_s);
    const Answer command
        = request("POST", u"/api/v1/devices/auth-1/commands"_s, AdminToken,
                  {u"-H"_s, u"Content-Type: application/json"_s, u"--data-binary"_s, u"{\"name\":\"blink\"}"_s});
    QVERIFY2(command.status == 201 || command.status == 202, command.body.constData());
}

void TestAuth::devicesNeedNoApiToken()
{
    // Device-facing endpoints: the device's own credentials (none here) decide, not API tokens.
    QCOMPARE(curl(m_gateway.httpPort(), u"/api/v1/devices/auth-2/telemetry"_s,
                  {u"-H"_s, u"Content-Type: application/json"_s, u"--data-binary"_s, u"{\"t\": 1}"_s})
                 .status,
             202);
    QCOMPARE(curl(m_gateway.httpPort(), u"/api/v1/devices/auth-2/meta"_s,
                  {u"-H"_s, u"Content-Type: application/json"_s, u"--data-binary"_s, u"{\"firmware\": \"1.0.0\"}"_s})
                 .status,
             202);
    QCOMPARE(curl(m_gateway.httpPort(), u"/api/v1/devices/auth-2/ota/pending"_s).status, 200);
    QCOMPARE(curl(m_gateway.httpPort(), u"/api/v1/devices/auth-2/commands/pending"_s).status, 200);
    QCOMPARE(curl(m_gateway.httpPort(), u"/healthz"_s).status, 200);
    // The WebSocket endpoints are reached (their answer to a plain GET is 426, not 401).
    QCOMPARE(curl(m_gateway.httpPort(), u"/ws"_s).status, 426);
    QCOMPARE(curl(m_gateway.httpPort(), u"/ws/device/auth-2"_s).status, 426);
    // An API token on a device-facing endpoint is no device token, but no refusal either.
    QCOMPARE(request("POST", u"/api/v1/devices/auth-2/telemetry"_s, ViewerToken,
                     {u"-H"_s, u"Content-Type: application/json"_s, u"--data-binary"_s, u"{\"t\": 2}"_s})
                 .status,
             202);
    QCOMPARE(request("GET", u"/api/v1/devices/auth-2/telemetry/latest"_s, ViewerToken)
                 .json()
                 .value(u"metrics"_s)
                 .toObject()
                 .value(u"t"_s)
                 .toObject()
                 .value(u"value"_s)
                 .toDouble(),
             2.0);
}

void TestAuth::firmwareUploadThroughTheGate()
{
    QByteArray image(3 * 1000 * 1000, '\0');
    for (qsizetype i = 0; i < image.size(); ++i)
        image[i] = char(i * 7 % 251);
    const QString path = m_dir.filePath(u"image.bin"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(image);
    file.close();

    // A viewer is refused before the body (curl waits for 100 Continue on a large PUT).
    const Answer viewer
        = request("PUT", u"/api/v1/firmware/gated/1.0.0?device_type=sensor"_s, ViewerToken, {u"-T"_s, path});
    QCOMPARE(viewer.status, 403);
    QCOMPARE(viewer.json().value(u"code"_s).toString(), u"forbidden"_s);
    QCOMPARE(request("PUT", u"/api/v1/firmware/gated/1.0.0"_s, {}, {u"-T"_s, path}).status, 401);
    QVERIFY(!request("GET", u"/api/v1/firmware"_s, AdminToken).body.contains("gated"));

    // The admin's upload streams to the store as without tokens.
    const Answer admin = request("PUT", u"/api/v1/firmware/gated/1.0.0?device_type=sensor"_s, AdminToken,
                                 {u"-T"_s, path, u"--max-time"_s, u"60"_s});
    QCOMPARE(admin.status, 201);
    QCOMPARE(admin.json().value(u"size"_s).toInteger(), image.size());

    // Devices download it without an API token.
    const CurlReply download = curl(m_gateway.httpPort(), u"/api/v1/firmware/gated/1.0.0/image"_s);
    QCOMPARE(download.status, 200);
    QCOMPARE(download.body, image);
    QCOMPARE(curl(m_gateway.httpPort(), u"/api/v1/firmware/gated/1.0.0/image"_s, {u"-I"_s}).status, 200);
    // Deleting it is a change.
    QCOMPARE(request("DELETE", u"/api/v1/firmware/gated/1.0.0"_s, ViewerToken).status, 403);
    QCOMPARE(request("DELETE", u"/api/v1/firmware/gated/1.0.0"_s, AdminToken).status, 204);
}

void TestAuth::webSocketsThroughTheGate()
{
    // Once upgraded, a connection is the WebSocket's: its frames are never read as requests.
    QWebSocket device;
    QSignalSpy deviceUp(&device, &QWebSocket::connected);
    device.open(QUrl(u"ws://127.0.0.1:%1/ws/device/auth-ws"_s.arg(m_gateway.httpPort())));
    QVERIFY(deviceUp.wait(10000));
    for (int i = 1; i <= 3; ++i)
        device.sendTextMessage(u"{\"n\": %1}"_s.arg(i));
    QTRY_COMPARE_WITH_TIMEOUT(request("GET", u"/api/v1/devices/auth-ws/telemetry/latest"_s, ViewerToken)
                                  .json()
                                  .value(u"metrics"_s)
                                  .toObject()
                                  .value(u"n"_s)
                                  .toObject()
                                  .value(u"value"_s)
                                  .toInt(),
                              3, 10000);

    QWebSocket ui;
    QSignalSpy frames(&ui, &QWebSocket::textMessageReceived);
    QSignalSpy pong(&ui, &QWebSocket::pong);
    ui.open(QUrl(u"ws://127.0.0.1:%1/ws"_s.arg(m_gateway.httpPort())));
    QVERIFY(frames.wait(10000)); // hello
    ui.ping("are you there");
    QVERIFY(pong.wait(10000));
    ui.ping("still there");
    QVERIFY(pong.wait(10000));
    QCOMPARE(ui.state(), QAbstractSocket::ConnectedState);
    QCOMPARE(device.state(), QAbstractSocket::ConnectedState);
}

void TestAuth::keepAliveSecondRequestRefused()
{
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, m_gateway.httpPort());
    QVERIFY(socket.waitForConnected(5000));
    const QByteArray admin = "Authorization: Bearer " + AdminToken.toLatin1() + "\r\n";
    // Two allowed requests on the connection, each answered in turn, then one without a token.
    for (int i = 0; i < 2; ++i) {
        socket.write("GET /api/v1/devices/auth-1 HTTP/1.1\r\nHost: 127.0.0.1\r\n" + admin + "\r\n");
        QByteArray answer;
        QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).contains("\"auth-1\""), 10000);
        QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.constData());
    }
    socket.write("DELETE /api/v1/devices/auth-1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray answer;
    QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).contains("\"unauthorized\""), 10000);
    QVERIFY2(answer.startsWith("HTTP/1.1 401 Unauthorized\r\n"), answer.constData());
    QVERIFY(answer.contains("\r\nConnection: close\r\n"));
    QVERIFY(answer.contains("\r\nWWW-Authenticate: Bearer\r\n"));
    // The connection is closed after the refusal.
    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 10000);
    QCOMPARE(request("GET", u"/api/v1/devices/auth-1"_s, AdminToken).status, 200);
}

void TestAuth::headInPieces()
{
    // The token comes in a later piece than the request line: nothing is answered until the head
    // is whole, then the request goes through.
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, m_gateway.httpPort());
    QVERIFY(socket.waitForConnected(5000));
    const QByteArray request = "GET /api/v1/devices/auth-1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
        + ViewerToken.toLatin1() + "\r\n\r\n";
    qsizetype sent = 0;
    for (const qsizetype cut : {12, 40, 70}) {
        socket.write(request.mid(sent, cut - sent));
        sent = cut;
        QVERIFY(socket.waitForBytesWritten(5000));
        QVERIFY(!socket.waitForReadyRead(200));
    }
    socket.write(request.mid(sent));
    QByteArray answer;
    QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).contains("\"auth-1\""), 10000);
    QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.constData());
}

void TestAuth::pipelinedRequestRefused()
{
    // A request sent before the answer to the one before is read and gated like any other.
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, m_gateway.httpPort());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                 "DELETE /api/v1/devices/auth-1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray answer;
    QTRY_COMPARE_WITH_TIMEOUT(((answer += socket.readAll()), socket.state()), QAbstractSocket::UnconnectedState, 10000);
    answer += socket.readAll();
    QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.constData());
    const qsizetype second = answer.indexOf("HTTP/1.1 ", 1);
    QVERIFY2(second > 0 && answer.mid(second).startsWith("HTTP/1.1 401"), answer.constData());
    QCOMPARE(request("GET", u"/api/v1/devices/auth-1"_s, AdminToken).status, 200);
}

void TestAuth::headsRefused_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QByteArray>("statusLine");
    QTest::addColumn<QByteArray>("code");
    const QByteArray admin = "Authorization: Bearer " + AdminToken.toLatin1() + "\r\n";
    QTest::addRow("head over 16 KiB") << "GET /api/v1/devices HTTP/1.1\r\nX-Filler: " + QByteArray(17000, 'f')
                                      << QByteArray("HTTP/1.1 431 ") << QByteArray("head_too_large");
    QTest::addRow("chunk longer than its size") << "PATCH /api/v1/devices/auth-1 HTTP/1.1\r\nHost: h\r\n" + admin
            + "Transfer-Encoding: chunked\r\nContent-Type: "
              "application/json\r\n\r\n2\r\n{\"name\":\"chunk\"}\r\n0\r\n\r\n"
                                                << QByteArray("HTTP/1.1 400 ") << QByteArray("bad_chunk");
    QTest::addRow("two lengths") << "PATCH /api/v1/devices/auth-1 HTTP/1.1\r\nHost: h\r\n" + admin
            + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}"
                                 << QByteArray("HTTP/1.1 400 ") << QByteArray("bad_content_length");
    QTest::addRow("malformed request line")
        << QByteArray("GARBAGE\r\nHost: h\r\n\r\n") << QByteArray("HTTP/1.1 400 ") << QByteArray("bad_request_line");
    // Were a folded line a continuation, the DELETE would be the body of an exempt request.
    const QByteArray smuggled = "DELETE /api/v1/devices/auth-1 HTTP/1.1\r\nHost: h\r\n\r\n";
    QTest::addRow("folded Content-Length") << "GET /healthz HTTP/1.1\r\nHost: h\r\nX: y\r\n Content-Length: "
            + QByteArray::number(smuggled.size()) + "\r\n\r\n" + smuggled
                                           << QByteArray("HTTP/1.1 400 ") << QByteArray("folded_header");
    QTest::addRow("space before colon") << "GET /api/v1/devices HTTP/1.1\r\nHost: h\r\n" + admin
            + "Content-Length : 0\r\n\r\n"
                                        << QByteArray("HTTP/1.1 400 ") << QByteArray("bad_header_name");
    QTest::addRow("line without colon") << "GET /api/v1/devices HTTP/1.1\r\nHost: h\r\n" + admin + "NoColonHere\r\n\r\n"
                                        << QByteArray("HTTP/1.1 400 ") << QByteArray("bad_header_name");
    QTest::addRow("bare CR") << "GET /api/v1/devices HTTP/1.1\r\nHost: h\r\n" + admin + "X: a\rb\r\n\r\n"
                             << QByteArray("HTTP/1.1 400 ") << QByteArray("bare_line_break");
    QTest::addRow("HEAD without token") << QByteArray("HEAD /api/v1/devices HTTP/1.1\r\nHost: h\r\n\r\n")
                                        << QByteArray("HTTP/1.1 401 ") << QByteArray();
}

void TestAuth::headsRefused()
{
    QFETCH(QByteArray, raw);
    QFETCH(QByteArray, statusLine);
    QFETCH(QByteArray, code);
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, m_gateway.httpPort());
    QVERIFY(socket.waitForConnected(5000));
    socket.write(raw);
    QByteArray answer;
    QTRY_COMPARE_WITH_TIMEOUT(((answer += socket.readAll()), socket.state()), QAbstractSocket::UnconnectedState, 10000);
    answer += socket.readAll();
    QVERIFY2(answer.startsWith(statusLine), answer.constData());
    QVERIFY(answer.contains("\r\nConnection: close\r\n"));
    const QByteArray body = answer.mid(answer.indexOf("\r\n\r\n") + 4);
    if (code.isEmpty())
        QCOMPARE(body, QByteArray()); // an answer to HEAD has no body
    else
        QCOMPARE(QJsonDocument::fromJson(body).object().value(u"code"_s).toString(), QString::fromLatin1(code));
    QCOMPARE(request("GET", u"/api/v1/devices/auth-1"_s, AdminToken).json().value(u"name"_s).toString(), u"Boiler"_s);
}

void TestAuth::refusalsCounted()
{
    const QString unauthorized = u"edgegate_http_refused_total{reason=\"unauthorized\"}"_s;
    const QString forbidden = u"edgegate_http_refused_total{reason=\"forbidden\"}"_s;
    const double unauthorizedBefore = metric(unauthorized);
    const double forbiddenBefore = metric(forbidden);
    QVERIFY(unauthorizedBefore > 0);
    QVERIFY(forbiddenBefore > 0);
    QCOMPARE(request("GET", u"/metrics"_s, {}).status, 401);
    QCOMPARE(request("GET", u"/metrics"_s, u"wrong-token-wrong-token"_s).status, 401);
    QCOMPARE(request("DELETE", u"/api/v1/alerts/1"_s, ViewerToken).status, 403);
    QCOMPARE(metric(unauthorized), unauthorizedBefore + 2);
    QCOMPARE(metric(forbidden), forbiddenBefore + 1);
}

void TestAuth::refusedAtStartWithoutTokens()
{
    const quint16 port = freePort();
    const QString config = m_dir.filePath(u"open.yaml"_s);
    QFile file(config);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(u"gateway:\n  data_dir: %1\nmqtt:\n  port: %2\nhttp:\n  listen: 0.0.0.0:%3\n"_s
                   .arg(m_dir.filePath(u"open-data"_s))
                   .arg(m_broker->port())
                   .arg(port)
                   .toUtf8());
    file.close();
    QProcess process;
    process.start(QStringLiteral(EDGEGATED_PATH), {u"--config"_s, config});
    QVERIFY(process.waitForFinished(15000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 2);
    const QString error = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(error.contains(config + u":6: http.listen: '0.0.0.0' is not a loopback address"_s), qPrintable(error));
    QVERIFY2(error.contains(u"add http.tokens"_s), qPrintable(error));
    QVERIFY2(error.contains(u"set http.allow_unauthenticated: true"_s), qPrintable(error));
    // --check-config says the same.
    process.start(QStringLiteral(EDGEGATED_PATH), {u"--check-config"_s, config});
    QVERIFY(process.waitForFinished(15000));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY(QString::fromUtf8(process.readAllStandardError()).contains(u"http.allow_unauthenticated"_s));
    QVERIFY(!waitForListening(port, 200));
}

void TestAuth::startsWithAllowUnauthenticated()
{
    Gateway gateway;
    QString config = gateway.config(m_broker->port(), {}, {}, u"  allow_unauthenticated: true\n"_s);
    config.replace(u"listen: 127.0.0.1:%1"_s.arg(gateway.httpPort()), u"listen: 0.0.0.0:%1"_s.arg(gateway.httpPort()));
    QVERIFY(config.contains(u"0.0.0.0:%1"_s.arg(gateway.httpPort())));
    QVERIFY(gateway.start(config));
    QCOMPARE(curl(gateway.httpPort(), u"/api/v1/devices"_s).status, 200);
    QCOMPARE(curl(gateway.httpPort(), u"/api/v1/devices/x"_s, {u"-X"_s, u"DELETE"_s}).status, 404);
    QCOMPARE(gateway.terminate(), 0);
}

void TestAuth::startsWithTokensOnAnyAddress()
{
    Gateway gateway;
    QString config = gateway.config(m_broker->port(), {}, {}, tokensYaml());
    config.replace(u"listen: 127.0.0.1:%1"_s.arg(gateway.httpPort()), u"listen: 0.0.0.0:%1"_s.arg(gateway.httpPort()));
    QVERIFY(gateway.start(config));
    QCOMPARE(curl(gateway.httpPort(), u"/api/v1/devices"_s).status, 401);
    QCOMPARE(
        curl(gateway.httpPort(), u"/api/v1/devices"_s, {u"-H"_s, u"Authorization: Bearer "_s + ViewerToken}).status,
        200);
    QCOMPARE(gateway.terminate(), 0);
}

void TestAuth::cleanupTestCase()
{
    QCOMPARE(m_gateway.terminate(), 0);
}

QTEST_GUILESS_MAIN(TestAuth)
#include "tst_auth.moc"
