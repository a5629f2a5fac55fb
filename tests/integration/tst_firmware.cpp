// SPDX-License-Identifier: Apache-2.0
// The firmware store end to end: real edgegated, real curl and coap-client.
#include "testsupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace testsupport;

namespace {

constexpr qint64 ImageBytes = 20LL * 1000 * 1000;
constexpr qint64 MaxImageBytes = 30LL * 1000 * 1000;
const QString Image = u"/api/v1/firmware/x/1.0.0"_s;

QString sha256(const QByteArray &data)
{
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

} // namespace

class TestFirmware : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void upload();
    void duplicateRefused();
    void refusedBeforeTheBody_data();
    void refusedBeforeTheBody();
    void wrongChecksumRefused();
    void cutUploadLeavesNothing();
    void ranges_data();
    void ranges();
    void unsatisfiableRange();
    void resumedDownload();
    void coapBlockwise();
    void keepAliveGetThenPut();
    void splitRequestLineAfterGet();
    void remove();
    void cleanupTestCase();

private:
    [[nodiscard]] QStringList storedFiles() const;
    [[nodiscard]] QStringList listed();
    [[nodiscard]] double metric(const QString &series);
    QString writeFile(const QString &name, const QByteArray &data);

    Gateway m_gateway;
    QTemporaryDir m_dir;
    QByteArray m_image;
    QString m_imagePath;
};

void TestFirmware::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_image.resize(ImageBytes);
    QRandomGenerator generator(42);
    generator.fillRange(reinterpret_cast<quint32 *>(m_image.data()), m_image.size() / 4);
    m_imagePath = writeFile(u"image.bin"_s, m_image);
    QVERIFY(m_gateway.start(m_gateway.config(freePort(), u"firmware:\n  max_image_bytes: %1\n"_s.arg(MaxImageBytes))));
}

void TestFirmware::cleanupTestCase()
{
    QCOMPARE(m_gateway.terminate(), 0);
}

QString TestFirmware::writeFile(const QString &name, const QByteArray &data)
{
    QString path = m_dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

QStringList TestFirmware::storedFiles() const
{
    const QString root = QDir(m_gateway.dataDir()).filePath(u"firmware"_s);
    QStringList out;
    QDirIterator it(root, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        out.append(QDir(root).relativeFilePath(it.next()));
    out.sort();
    return out;
}

QStringList TestFirmware::listed()
{
    QStringList out;
    const CurlReply reply = curl(m_gateway.httpPort(), u"/api/v1/firmware"_s);
    for (const QJsonValue v : reply.json().value(u"images"_s).toArray())
        out.append(v[u"name"_s].toString() + u' ' + v[u"version"_s].toString());
    return out;
}

double TestFirmware::metric(const QString &series)
{
    return metricValue(curl(m_gateway.httpPort(), u"/metrics"_s).body, series);
}

void TestFirmware::upload()
{
    // curl -T sends "Expect: 100-continue" for a body this large.
    const CurlReply reply = curl(m_gateway.httpPort(), Image + u"?device_type=sensor"_s,
                                 {u"-T"_s, m_imagePath, u"--max-time"_s, u"60"_s});
    QCOMPARE(reply.status, 201);
    const QJsonObject o = reply.json();
    QCOMPARE(o[u"size"_s].toInteger(), ImageBytes);
    QCOMPARE(o[u"sha256"_s].toString(), sha256(m_image));
    QCOMPARE(o[u"device_type"_s].toString(), u"sensor"_s);
    QCOMPARE(listed(), QStringList{u"x 1.0.0"_s});
    const CurlReply one = curl(m_gateway.httpPort(), Image);
    QCOMPARE(one.status, 200);
    QCOMPARE(one.json()[u"sha256"_s].toString(), sha256(m_image));
    QCOMPARE(readFile(QDir(m_gateway.dataDir()).filePath(u"firmware/x/1.0.0.bin"_s)), m_image);
}

void TestFirmware::duplicateRefused()
{
    const CurlReply reply = curl(m_gateway.httpPort(), Image, {u"-T"_s, m_imagePath, u"--max-time"_s, u"60"_s});
    QCOMPARE(reply.status, 409);
    QCOMPARE(reply.json()[u"code"_s].toString(), u"conflict"_s);
    QCOMPARE(listed(), QStringList{u"x 1.0.0"_s});
}

void TestFirmware::refusedBeforeTheBody_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<qint64>("size");
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<int>("status");

    QTest::addRow("over max_image_bytes")
        << u"/api/v1/firmware/big/1.0.0"_s << MaxImageBytes + 1 << QStringList() << 413;
    QTest::addRow("bad name") << u"/api/v1/firmware/b%40d/1.0.0"_s << 10LL << QStringList() << 400;
    QTest::addRow("bad version") << u"/api/v1/firmware/ok/1.0"_s << 10LL << QStringList() << 400;
    QTest::addRow("bad device type") << u"/api/v1/firmware/ok/1.0.0?device_type=a%2Fb"_s << 10LL << QStringList()
                                     << 400;
    QTest::addRow("chunked") << u"/api/v1/firmware/ok/1.0.0"_s << 10LL
                             << QStringList{u"-H"_s, u"Transfer-Encoding: chunked"_s} << 411;
}

void TestFirmware::refusedBeforeTheBody()
{
    QFETCH(QString, path);
    QFETCH(qint64, size);
    QFETCH(QStringList, extra);
    QFETCH(int, status);
    // Sparse: refused from the announced length, before its bytes are sent.
    const QString file = m_dir.filePath(u"sized.bin"_s);
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QVERIFY(f.resize(size));
    f.close();
    const CurlReply reply = curl(m_gateway.httpPort(), path, QStringList{u"-T"_s, file} + extra);
    QCOMPARE(reply.status, status);
    QVERIFY2(!reply.json()[u"code"_s].toString().isEmpty(), reply.body.constData());
    QCOMPARE(listed(), QStringList{u"x 1.0.0"_s});
    QCOMPARE(storedFiles(), (QStringList{u"x"_s, u"x/1.0.0.bin"_s, u"x/1.0.0.json"_s}));
}

void TestFirmware::wrongChecksumRefused()
{
    const QString file = writeFile(u"small.bin"_s, QByteArray(5000, 'a'));
    const CurlReply wrong = curl(m_gateway.httpPort(), u"/api/v1/firmware/small/1.0.0"_s,
                                 {u"-T"_s, file, u"-H"_s, u"X-Checksum-SHA256: "_s + QString(64, u'0')});
    QCOMPARE(wrong.status, 422);
    QCOMPARE(wrong.json()[u"code"_s].toString(), u"checksum_mismatch"_s);
    QCOMPARE(listed(), QStringList{u"x 1.0.0"_s});
    QCOMPARE(storedFiles(), (QStringList{u"x"_s, u"x/1.0.0.bin"_s, u"x/1.0.0.json"_s}));
    const CurlReply right = curl(m_gateway.httpPort(), u"/api/v1/firmware/small/1.0.0"_s,
                                 {u"-T"_s, file, u"-H"_s, u"X-Checksum-SHA256: "_s + sha256(QByteArray(5000, 'a'))});
    QCOMPARE(right.status, 201);
    QCOMPARE(curl(m_gateway.httpPort(), u"/api/v1/firmware/small/1.0.0"_s, {u"-X"_s, u"DELETE"_s}).status, 204);
}

void TestFirmware::cutUploadLeavesNothing()
{
    const double abortedBefore = std::max(0.0, metric(u"edgegate_firmware_uploads_total{result=\"aborted\"}"_s));
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, m_gateway.httpPort());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("PUT /api/v1/firmware/cut/1.0.0 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n");
    socket.write(m_image.left(500000));
    QTRY_VERIFY_WITH_TIMEOUT(socket.bytesToWrite() == 0 || !socket.waitForBytesWritten(100), 10000);
    // The half-written image is on disk while the upload is under way...
    QTRY_VERIFY_WITH_TIMEOUT(storedFiles().contains(u"cut/1.0.0.bin.part"_s), 10000);
    socket.disconnectFromHost();
    // ...and gone once the connection is.
    QTRY_COMPARE_WITH_TIMEOUT(metric(u"edgegate_firmware_uploads_total{result=\"aborted\"}"_s), abortedBefore + 1,
                              10000);
    QCOMPARE(storedFiles(), (QStringList{u"x"_s, u"x/1.0.0.bin"_s, u"x/1.0.0.json"_s}));
    QCOMPARE(listed(), QStringList{u"x 1.0.0"_s});
}

void TestFirmware::ranges_data()
{
    QTest::addColumn<QString>("range");
    QTest::addColumn<qint64>("first");
    QTest::addColumn<qint64>("length");

    QTest::addRow("first 100") << u"0-99"_s << 0LL << 100LL;
    QTest::addRow("middle") << u"1000000-1999999"_s << 1000000LL << 1000000LL;
    QTest::addRow("from an offset") << u"19999000-"_s << 19999000LL << 1000LL;
    QTest::addRow("suffix") << u"-500"_s << ImageBytes - 500 << 500LL;
    QTest::addRow("past the end") << u"19999990-30000000"_s << 19999990LL << 10LL;
}

void TestFirmware::ranges()
{
    QFETCH(QString, range);
    QFETCH(qint64, first);
    QFETCH(qint64, length);
    const QString headers = m_dir.filePath(u"headers.txt"_s);
    const CurlReply reply = curl(m_gateway.httpPort(), Image + u"/image"_s, {u"-r"_s, range, u"-D"_s, headers});
    QCOMPARE(reply.status, 206);
    QCOMPARE(reply.body, m_image.mid(first, length));
    const QByteArray head = readFile(headers).toLower();
    const QByteArray contentRange = "content-range: bytes " + QByteArray::number(first) + '-'
        + QByteArray::number(first + length - 1) + '/' + QByteArray::number(ImageBytes);
    QVERIFY2(head.contains(contentRange), head.constData());
    QVERIFY(head.contains("accept-ranges: bytes"));
    const QByteArray etag = "etag: \"" + sha256(m_image).toLatin1() + '"';
    QVERIFY(head.contains(etag));
}

void TestFirmware::unsatisfiableRange()
{
    const CurlReply reply = curl(m_gateway.httpPort(), Image + u"/image"_s, {u"-r"_s, u"%1-"_s.arg(ImageBytes)});
    QCOMPARE(reply.status, 416);
    QCOMPARE(reply.json()[u"code"_s].toString(), u"range_not_satisfiable"_s);
    QCOMPARE(curl(m_gateway.httpPort(), u"/api/v1/firmware/x/9.9.9/image"_s).status, 404);
}

void TestFirmware::resumedDownload()
{
    // curl -C - continues from the size of the file it writes to (so not through curl(), which writes to stdout).
    const auto download = [this](const QStringList &args) {
        QProcess process;
        process.start(u"curl"_s,
                      QStringList{u"-sS"_s, u"-w"_s, u"%{http_code}"_s, u"--max-time"_s, u"60"_s} + args
                          + QStringList{u"http://127.0.0.1:%1%2/image"_s.arg(m_gateway.httpPort()).arg(Image)});
        process.waitForFinished(70000);
        return process.readAllStandardOutput().toInt();
    };
    const QString file = writeFile(u"resumed.bin"_s, m_image.left(7654321));
    QCOMPARE(download({u"-C"_s, u"-"_s, u"-o"_s, file}), 206);
    QCOMPARE(readFile(file), m_image);
    const QString whole = m_dir.filePath(u"whole.bin"_s);
    QCOMPARE(download({u"-o"_s, whole}), 200);
    QCOMPARE(readFile(whole), m_image);
}

void TestFirmware::coapBlockwise()
{
    const QString out = m_dir.filePath(u"coap.bin"_s);
    QProcess client;
    client.setProcessChannelMode(QProcess::MergedChannels);
    QSignalSpy finished(&client, &QProcess::finished);
    client.start(u"coap-client-openssl"_s,
                 {u"-b"_s, u"1024"_s, u"-B"_s, u"120"_s, u"-m"_s, u"get"_s, u"-o"_s, out,
                  u"coap://127.0.0.1:%1/firmware/x/1.0.0"_s.arg(m_gateway.coapPort())});
    QVERIFY(client.waitForStarted(5000));
    QVERIFY(finished.wait(150000));
    QCOMPARE(client.exitCode(), 0);
    QCOMPARE(readFile(out).size(), ImageBytes);
    QVERIFY(readFile(out) == m_image);

    // An image that does not exist: 4.04, which coap-client prints with -v 6.
    QProcess missing;
    missing.setProcessChannelMode(QProcess::MergedChannels);
    QSignalSpy missingDone(&missing, &QProcess::finished);
    missing.start(u"coap-client-openssl"_s,
                  {u"-v"_s, u"6"_s, u"-B"_s, u"10"_s, u"-m"_s, u"get"_s,
                   u"coap://127.0.0.1:%1/firmware/x/9.9.9"_s.arg(m_gateway.coapPort())});
    QVERIFY(missingDone.wait(20000));
    const QByteArray log = missing.readAll();
    QVERIFY2(log.contains("4.04"), log.constData());
}

void TestFirmware::keepAliveGetThenPut()
{
    // A GET, an upload and a GET on one connection (QNetworkAccessManager keeps it open): the upload
    // streams to the store and the connection stays open for the next request.
    QNetworkAccessManager manager;
    const QUrl base(u"http://127.0.0.1:%1"_s.arg(m_gateway.httpPort()));
    QNetworkRequest list(base.resolved(QUrl(u"/api/v1/firmware"_s)));
    std::unique_ptr<QNetworkReply> first(manager.get(list));
    QSignalSpy firstDone(first.get(), &QNetworkReply::finished);
    QVERIFY(firstDone.wait(10000));
    QCOMPARE(first->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);

    const QByteArray body = m_image.left(3LL * 1000 * 1000);
    QNetworkRequest put(base.resolved(QUrl(u"/api/v1/firmware/ka/1.0.0"_s)));
    put.setHeader(QNetworkRequest::ContentTypeHeader, u"application/octet-stream"_s);
    std::unique_ptr<QNetworkReply> second(manager.put(put, body));
    QSignalSpy secondDone(second.get(), &QNetworkReply::finished);
    QVERIFY(secondDone.wait(30000));
    QCOMPARE(second->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 201);
    QCOMPARE(second->rawHeader("Connection"), QByteArray());
    QCOMPARE(QJsonDocument::fromJson(second->readAll()).object()[u"sha256"_s].toString(), sha256(body));

    std::unique_ptr<QNetworkReply> third(manager.get(list));
    QSignalSpy thirdDone(third.get(), &QNetworkReply::finished);
    QVERIFY(thirdDone.wait(10000));
    QCOMPARE(third->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(listed(), (QStringList{u"ka 1.0.0"_s, u"x 1.0.0"_s}));
    QCOMPARE(curl(m_gateway.httpPort(), u"/api/v1/firmware/ka/1.0.0"_s, {u"-X"_s, u"DELETE"_s}).status, 204);
}

void TestFirmware::splitRequestLineAfterGet()
{
    // By hand on one socket: a GET answered by the REST server, then an upload whose request line
    // arrives in pieces, which the front door must hold back from the REST server until it is whole.
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, m_gateway.httpPort());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("GET /api/v1/firmware HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray answer;
    QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).contains("\"images\""), 10000);
    QVERIFY(answer.startsWith("HTTP/1.1 200"));

    const QByteArray body(4096, 'k');
    const QByteArray request = "PUT /api/v1/firmware/split/2.0.0-rc.1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    qsizetype sent = 0;
    for (const qsizetype cut : {5, 21, 30}) {
        socket.write(request.mid(sent, cut - sent));
        sent = cut;
        QVERIFY(socket.waitForBytesWritten(5000));
        // Nothing answers half a request line.
        QVERIFY(!socket.waitForReadyRead(200));
    }
    socket.write(request.mid(sent));
    answer.clear();
    QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).contains("\"sha256\""), 10000);
    QVERIFY2(answer.startsWith("HTTP/1.1 201"), answer.constData());
    QVERIFY(listed().contains(u"split 2.0.0-rc.1"_s));
    QCOMPARE(curl(m_gateway.httpPort(), u"/api/v1/firmware/split/2.0.0-rc.1"_s, {u"-X"_s, u"DELETE"_s}).status, 204);
}

void TestFirmware::remove()
{
    QCOMPARE(curl(m_gateway.httpPort(), Image, {u"-X"_s, u"DELETE"_s}).status, 204);
    QCOMPARE(listed(), QStringList());
    QCOMPARE(storedFiles(), QStringList());
    QCOMPARE(curl(m_gateway.httpPort(), Image).status, 404);
    QCOMPARE(curl(m_gateway.httpPort(), Image + u"/image"_s).status, 404);
    QCOMPARE(curl(m_gateway.httpPort(), Image, {u"-X"_s, u"DELETE"_s}).status, 404);
}

QTEST_GUILESS_MAIN(TestFirmware)
#include "tst_firmware.moc"
