// SPDX-License-Identifier: Apache-2.0
// The gateway as an attacker on the device network or a reader of its disk meets it: data_dir is
// the service's alone, PSKs are not in registry.db, and a device with a credential must present it
// on every link.
#include "testsupport.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QNetworkRequest>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <sys/stat.h>

using namespace testsupport;
using namespace Qt::StringLiterals;

namespace {

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

mode_t modeOf(const QString &path)
{
    struct stat info = {};
    return ::lstat(QFile::encodeName(path).constData(), &info) == 0 ? (info.st_mode & 07777) : 07777;
}

} // namespace

class TestTrust : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void dataDirIsPrivate();
    void pskIsNotInTheRegistryFile();
    void credentialNeededOnEveryLink();
    void newDeviceFloodIsThrottledPerSource();
    void certificateAuthorityOverRestAndCommandLine();
    void cleanupTestCase();

private:
    CurlReply putCredentials(const QString &device, const QByteArray &json);

    std::unique_ptr<Broker> m_broker;
    Gateway m_gateway;
    quint16 m_dtlsPort = 0;
};

CurlReply TestTrust::putCredentials(const QString &device, const QByteArray &json)
{
    return curl(
        m_gateway.httpPort(), u"/api/v1/devices/%1/credentials"_s.arg(device),
        {u"-X"_s, u"PUT"_s, u"-H"_s, u"Content-Type: application/json"_s, u"--data-binary"_s, QString::fromUtf8(json)});
}

void TestTrust::initTestCase()
{
    // A data_dir someone made with the usual 0755/0644, with a file and a folder already in it.
    const QString data = m_gateway.dataDir();
    QVERIFY(QDir().mkpath(data + u"/old"_s));
    QFile stale(data + u"/old/stale.txt"_s);
    QVERIFY(stale.open(QIODevice::WriteOnly));
    stale.write("left over");
    stale.close();
    for (const QString &path : QStringList{data, data + u"/old"_s})
        QVERIFY(::chmod(QFile::encodeName(path).constData(), 0755) == 0);
    QVERIFY(::chmod(QFile::encodeName(stale.fileName()).constData(), 0644) == 0);

    m_broker = std::make_unique<Broker>();
    QVERIFY(m_broker->start());
    m_dtlsPort = freeUdpPort();
    // The extra lines continue the coap section first.
    QVERIFY(m_gateway.start(m_gateway.config(
        m_broker->port(), u"  dtls_listen: 127.0.0.1:%1\nregistry:\n  new_devices_per_minute: 5\n"_s.arg(m_dtlsPort))));
}

void TestTrust::dataDirIsPrivate()
{
    const QString data = m_gateway.dataDir();
    QVERIFY(QFile::exists(data + u"/registry.db"_s));
    QVERIFY(QFile::exists(data + u"/registry.key"_s));
    QCOMPARE(modeOf(data), mode_t(0700));
    int checked = 0;
    QDirIterator it(data, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QVERIFY2((modeOf(path) & 077) == 0,
                 qPrintable(u"%1 has mode %2"_s.arg(path, QString::number(modeOf(path), 8))));
        ++checked;
    }
    QVERIFY2(checked >= 4, qPrintable(u"only %1 entries in data_dir"_s.arg(checked)));
    QVERIFY(m_gateway.output().contains(u"entries of data_dir private"_s));
}

void TestTrust::pskIsNotInTheRegistryFile()
{
    const QByteArray key = "the-psk-that-must-not-leak-42";
    QCOMPARE(putCredentials(u"psk-1"_s, R"({"psk_identity": "psk-1-id", "psk_key": ")" + key + R"("})").status, 201);
    const QString data = m_gateway.dataDir();
    QByteArray onDisk;
    for (const QString &suffix : {u""_s, u"-wal"_s, u"-shm"_s})
        onDisk += readFile(data + u"/registry.db"_s + suffix);
    QVERIFY(onDisk.contains("psk-1-id"));
    QVERIFY(!onDisk.contains(key));
    // New files keep to the service's umask.
    QCOMPARE(modeOf(data + u"/registry.db-wal"_s) & 077, mode_t(0));
}

void TestTrust::credentialNeededOnEveryLink()
{
    // A device provisioned for CoAP over DTLS only: it has a PSK, and no token.
    QCOMPARE(putCredentials(u"psk-2"_s, R"({"psk_identity": "psk-2-id", "psk_key": "k2"})").status, 201);
    const auto post = [this](const QString &device, const QStringList &extra = {}) {
        return curl(m_gateway.httpPort(), u"/api/v1/devices/%1/telemetry"_s.arg(device),
                    QStringList{u"-H"_s, u"Content-Type: application/json"_s, u"--data-binary"_s, u"{\"t\": 1}"_s}
                        + extra);
    };
    const CurlReply anonymous = post(u"psk-2"_s);
    QCOMPARE(anonymous.status, 401);
    QVERIFY2(anonymous.body.contains("no token"), anonymous.body.constData());
    QCOMPARE(post(u"psk-2"_s, {u"-H"_s, u"Authorization: Bearer guess"_s}).status, 401);

    QWebSocket socket;
    QSignalSpy closed(&socket, &QWebSocket::disconnected);
    QNetworkRequest request(QUrl(u"ws://127.0.0.1:%1/ws/device/psk-2"_s.arg(m_gateway.httpPort())));
    socket.open(request);
    QVERIFY(closed.wait(10000));
    QCOMPARE(socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);

    // Given a token as well, the device proves itself with it.
    QCOMPARE(putCredentials(u"psk-2"_s, R"({"psk_identity": "psk-2-id", "psk_key": "k2", "token": "tok-2"})").status,
             200);
    QCOMPARE(post(u"psk-2"_s, {u"-H"_s, u"Authorization: Bearer tok-2"_s}).status, 202);
    QCOMPARE(curl(m_gateway.httpPort(), u"/api/v1/devices/psk-2"_s).json().value(u"proof"_s).toString(), u"token"_s);
    QCOMPARE(post(u"psk-2"_s).status, 401);
    // A device with no credential at all is left to the registry policy (auto here).
    QCOMPARE(post(u"open-1"_s).status, 202);
}

void TestTrust::newDeviceFloodIsThrottledPerSource()
{
    const auto post = [this](const QString &device, const QString &from) {
        return curl(m_gateway.httpPort(), u"/api/v1/devices/%1/telemetry"_s.arg(device),
                    {u"--interface"_s, from, u"-H"_s, u"Content-Type: application/json"_s, u"--data-binary"_s,
                     u"{\"t\": 1}"_s, u"--include"_s});
    };
    QVERIFY(post(u"steady-1"_s, u"127.0.0.1"_s).status == 202);
    // Invented ids from one address: five a minute are taken, the rest told when to come back.
    int taken = 0;
    int throttled = 0;
    for (int i = 0; i < 12; ++i) {
        const CurlReply reply = post(u"invented-%1"_s.arg(i), u"127.0.0.3"_s);
        if (reply.status == 202) {
            ++taken;
            continue;
        }
        QCOMPARE(reply.status, 429);
        QVERIFY2(reply.body.contains("too_many_new_devices"), reply.body.constData());
        QVERIFY2(reply.body.contains("Retry-After: "), reply.body.constData());
        ++throttled;
    }
    // (Twelve requests may straddle a minute boundary, which starts a new budget.)
    QVERIFY2(taken <= 10 && throttled >= 2, qPrintable(u"%1 taken, %2 throttled"_s.arg(taken).arg(throttled)));
    // Known devices, from that address too, and new devices from elsewhere go on.
    QCOMPARE(post(u"steady-1"_s, u"127.0.0.3"_s).status, 202);
    QCOMPARE(post(u"elsewhere-1"_s, u"127.0.0.1"_s).status, 202);
    const QByteArray metrics = curl(m_gateway.httpPort(), u"/metrics"_s).body;
    QVERIFY2(metrics.contains(
                 u"edgegate_messages_rejected_total{reason=\"too_many_new_devices\"} %1"_s.arg(throttled).toUtf8()),
             metrics.constData());
}

void TestTrust::certificateAuthorityOverRestAndCommandLine()
{
    const quint16 port = m_gateway.httpPort();
    const auto call = [port](const QString &method, const QString &path, const QByteArray &json = {}) {
        QStringList args{u"-X"_s, method};
        if (!json.isEmpty())
            args += {u"-H"_s, u"Content-Type: application/json"_s, u"--data-binary"_s, QString::fromUtf8(json)};
        return curl(port, path, args);
    };
    const auto cli = [this](const QStringList &args, QByteArray *out = nullptr) {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(QStringLiteral(EDGEGATED_PATH), args + QStringList{u"--config"_s, m_gateway.configPath()});
        process.waitForFinished(30000);
        if (out)
            *out = process.readAll();
        return process.exitCode();
    };
    const auto metric = [port](const QByteArray &line) { return curl(port, u"/metrics"_s).body.contains(line); };

    QCOMPARE(call(u"GET"_s, u"/api/v1/ca"_s).json().value(u"initialized"_s), QJsonValue(false));
    QCOMPARE(call(u"POST"_s, u"/api/v1/devices/cert-1/certificate"_s, "{}").status, 409);
    const CurlReply created = call(u"POST"_s, u"/api/v1/ca"_s);
    QCOMPARE(created.status, 201);
    QVERIFY(created.json().value(u"certificate"_s).toString().startsWith(u"-----BEGIN CERTIFICATE-----"_s));
    QCOMPARE(call(u"POST"_s, u"/api/v1/ca"_s).status, 409);

    const CurlReply issued = call(u"POST"_s, u"/api/v1/devices/cert-1/certificate"_s, R"({"days": 30})");
    QCOMPARE(issued.status, 201);
    const QJsonObject answer = issued.json();
    QVERIFY(answer.value(u"key"_s).toString().contains(u"PRIVATE KEY"_s));
    QVERIFY(answer.value(u"ca_certificate"_s).toString().startsWith(u"-----BEGIN CERTIFICATE-----"_s));
    QCOMPARE(answer.value(u"state"_s).toString(), u"valid"_s);
    QCOMPARE(call(u"POST"_s, u"/api/v1/devices/cert-1/certificate"_s, R"({"days": 0})").status, 400);
    QCOMPARE(call(u"POST"_s, u"/api/v1/devices/cert-1/certificate"_s, R"({"csr": "junk"})").status, 400);
    QCOMPARE(call(u"POST"_s, u"/api/v1/devices/cert-1/certificate"_s, R"({"cn": "other"})").status, 400);

    // A certificate is a credential: the device must prove itself on HTTP too now.
    QCOMPARE(call(u"GET"_s, u"/api/v1/devices/cert-1/credentials"_s).json().value(u"certificate"_s), QJsonValue(true));
    const auto telemetry = [port](const QString &device) {
        return curl(port, u"/api/v1/devices/%1/telemetry"_s.arg(device),
                    {u"-H"_s, u"Content-Type: application/json"_s, u"--data-binary"_s, u"{\"t\": 1}"_s});
    };
    QCOMPARE(telemetry(u"cert-1"_s).status, 401);

    // The DTLS port took a certificate of the new CA: cert-1 posts over CoAP with its certificate.
    QTemporaryDir keys;
    const QString pem = keys.filePath(u"cert-1.pem"_s);
    const QString caPem = keys.filePath(u"ca.crt"_s);
    QVERIFY(writeFile(pem, (answer.value(u"certificate"_s).toString() + answer.value(u"key"_s).toString()).toUtf8()));
    QVERIFY(writeFile(caPem, answer.value(u"ca_certificate"_s).toString().toUtf8()));
    const auto coapPost = [&](double value) {
        QProcess client;
        client.setProcessChannelMode(QProcess::MergedChannels);
        client.start(u"coap-client-openssl"_s,
                     {u"-B"_s, u"10"_s, u"-c"_s, pem, u"-C"_s, caPem, u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, u"-e"_s,
                      u"{\"t\": %1}"_s.arg(value), u"coaps://127.0.0.1:%1/devices/cert-1/telemetry"_s.arg(m_dtlsPort)});
        QSignalSpy finished(&client, &QProcess::finished);
        if (!finished.wait(30000))
            client.kill();
        return QString::fromUtf8(client.readAll());
    };
    const QString posted = coapPost(7.5);
    QVERIFY2(!posted.contains(u"4."_s) && !posted.contains(u"cannot"_s), qPrintable(posted));
    QTRY_COMPARE_WITH_TIMEOUT(curl(port, u"/api/v1/devices/cert-1"_s).json().value(u"protocol"_s).toString(), u"coap"_s,
                              10000);
    QCOMPARE(curl(port, u"/api/v1/devices/cert-1"_s).json().value(u"proof"_s).toString(), u"certificate"_s);

    // The command line works on the same CA while the service runs, and the service follows.
    QByteArray out;
    const QString outDir = m_gateway.dataDir() + u"/../issued"_s;
    QCOMPARE(cli({u"ca"_s, u"issue"_s, u"cert-2"_s, u"--out"_s, outDir}, &out), 0);
    QVERIFY2(out.contains("issued cert-2"), out.constData());
    QVERIFY(QFile::exists(outDir + u"/cert-2.crt"_s) && QFile::exists(outDir + u"/cert-2.key"_s));
    QTRY_VERIFY_WITH_TIMEOUT(metric("edgegate_ca_certificates{state=\"valid\"} 2"), 10000);
    QCOMPARE(telemetry(u"cert-2"_s).status, 401);

    QVERIFY2(cli({u"ca"_s, u"revoke"_s, u"cert-2"_s}, &out) == 0, out.constData());
    QTRY_VERIFY_WITH_TIMEOUT(metric("edgegate_ca_certificates{state=\"revoked\"} 1"), 10000);
    // Revoked, the device is still one that must prove itself: revoking never opens a device up.
    QCOMPARE(telemetry(u"cert-2"_s).status, 401);
    const CurlReply revoked = call(u"DELETE"_s, u"/api/v1/devices/cert-1/certificate"_s);
    QCOMPARE(revoked.json().value(u"revoked"_s).toInt(), 1);
    // Its certificate no longer opens a DTLS session.
    QTRY_VERIFY_WITH_TIMEOUT(metric("edgegate_ca_certificates{state=\"revoked\"} 2"), 10000);
    QVERIFY(metric("edgegate_coap_dtls_failures_total 0"));
    QVERIFY(!coapPost(8.5).contains(u"2.04"_s));
    QTRY_VERIFY_WITH_TIMEOUT(!metric("edgegate_coap_dtls_failures_total 0"), 60000);
    QCOMPARE(call(u"DELETE"_s, u"/api/v1/devices/nobody/certificate"_s).status, 404);
    const QJsonArray list = call(u"GET"_s, u"/api/v1/ca/certificates"_s).json().value(u"certificates"_s).toArray();
    QCOMPARE(list.size(), 2);
    for (const QJsonValue &c : list)
        QCOMPARE(c.toObject().value(u"state"_s).toString(), u"revoked"_s);
    QCOMPARE(cli({u"ca"_s, u"list"_s}, &out), 0);
    QVERIFY2(out.contains("cert-1\t") && out.contains("cert-2\t") && out.count("revoked") == 2, out.constData());
    QVERIFY(readFile(m_gateway.dataDir() + u"/ca/crl.pem"_s).startsWith("-----BEGIN X509 CRL-----"));
}

void TestTrust::cleanupTestCase()
{
    QCOMPARE(m_gateway.terminate(), 0);
    m_broker.reset();
}

QTEST_GUILESS_MAIN(TestTrust)
#include "tst_trust.moc"
