// SPDX-License-Identifier: Apache-2.0
// HTTPS and WSS on the API port: certificates made by openssl for the test, checked by curl,
// openssl s_client and QWebSocket; client certificates; reloading without a restart.
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace testsupport;

class TestHttpTls : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void httpsAndWss();
    void reloadWithoutRestart();
    void clientCertificates();
    void deviceCertificates();
    void badFilesStopTheStart();
    void expiryAlert();

private:
    [[nodiscard]] QString path(const QString &name) const { return m_dir.filePath(name); }
    [[nodiscard]] QString tlsYaml(const QString &clientCa = {}) const;
    /// The subject of the certificate the gateway presents now.
    [[nodiscard]] QByteArray servedSubject(quint16 port);
    [[nodiscard]] QString https(quint16 port, const QString &path) const
    {
        return u"https://127.0.0.1:%1%2"_s.arg(port).arg(path);
    }
    /// Replaces the served certificate and key the way certificate tools do: write aside, rename.
    void install(const QString &cert, const QString &key);

    QTemporaryDir m_dir;
    TestPki m_pki{m_dir.path()};
    std::unique_ptr<Broker> m_broker;
};

QString TestHttpTls::tlsYaml(const QString &clientCa) const
{
    QString yaml = u"  tls:\n    cert_file: %1\n    key_file: %2\n"_s.arg(path(u"served.crt"_s), path(u"served.key"_s));
    if (!clientCa.isEmpty())
        yaml += u"    client_ca_file: %1\n"_s.arg(clientCa);
    return yaml;
}

void TestHttpTls::install(const QString &cert, const QString &key)
{
    for (const auto &[from, to] : {std::pair{cert, u"served.crt"_s}, std::pair{key, u"served.key"_s}}) {
        QFile::remove(path(to + u".new"_s));
        QVERIFY(QFile::copy(path(from), path(to + u".new"_s)));
        QVERIFY(::rename(qPrintable(path(to + u".new"_s)), qPrintable(path(to))) == 0);
    }
}

QByteArray TestHttpTls::servedSubject(quint16 port)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(u"openssl"_s, {u"s_client"_s, u"-connect"_s, u"127.0.0.1:%1"_s.arg(port), u"-CAfile"_s, path(u"ca.crt"_s)});
    p.closeWriteChannel();
    if (!p.waitForFinished(15000))
        return {};
    for (const QByteArray &line : p.readAll().split('\n')) {
        if (line.startsWith("subject="))
            return line.mid(8).trimmed();
    }
    return {};
}

void TestHttpTls::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(m_pki.makeCa(u"ca"_s));
    QVERIFY(m_pki.makeCa(u"clientca"_s));
    QVERIFY(m_pki.issue(u"first"_s, u"first"_s, u"ca"_s));
    QVERIFY(m_pki.issue(u"second"_s, u"second"_s, u"ca"_s));
    QVERIFY(m_pki.issue(u"third"_s, u"third"_s, u"ca"_s));
    QVERIFY(m_pki.issue(u"operator"_s, u"operator"_s, u"clientca"_s));
    QVERIFY(m_pki.issue(u"stranger"_s, u"stranger"_s, u"ca"_s));
    QVERIFY(m_pki.issue(u"soon"_s, u"soon"_s, u"ca"_s, 10));
    m_broker = std::make_unique<Broker>();
    QVERIFY(m_broker->start());
}

void TestHttpTls::httpsAndWss()
{
    install(u"first.crt"_s, u"first.key"_s);
    Gateway gw;
    gw.setHttps({u"--cacert"_s, path(u"ca.crt"_s)});
    QVERIFY(gw.start(gw.config(m_broker->port(), {}, {}, tlsYaml())));
    const QStringList ca{u"--cacert"_s, path(u"ca.crt"_s)};
    QCOMPARE(curlUrl(https(gw.httpPort(), u"/healthz"_s), ca).status, 200);
    QCOMPARE(curlUrl(https(gw.httpPort(), u"/api/v1/devices"_s), ca + QStringList{u"--http1.1"_s}).status, 200);
    // Plain HTTP on the TLS port gets nowhere, and a client that trusts another CA stops at the handshake.
    QCOMPARE(curl(gw.httpPort(), u"/api/v1/devices"_s).status, 0);
    QCOMPARE(curlUrl(https(gw.httpPort(), u"/healthz"_s)).status, 0);
    const QByteArray metrics = curlUrl(https(gw.httpPort(), u"/metrics"_s), ca).body;
    const double expiry = metricValue(metrics, u"edgegate_tls_certificate_expiry_seconds{listener=\"http\"}"_s);
    QVERIFY2(expiry > 29 * 86400.0 && expiry <= 30 * 86400.0 + 60, qPrintable(QString::number(expiry)));
    QVERIFY(metricValue(metrics, u"edgegate_http_refused_total{reason=\"tls_handshake\"}"_s) >= 1);

    // HTTP/2 chosen by ALPN; HTTP/1.1 for a client that offers only that.
    for (const auto &[option, version] :
         {std::pair{u"--http2"_s, QByteArray("2")}, std::pair{u"--http1.1"_s, QByteArray("1.1")}}) {
        QProcess p;
        p.start(u"curl"_s,
                ca
                    + QStringList{u"-s"_s, u"-o"_s, u"/dev/null"_s, u"-w"_s, u"%{http_code} %{http_version}"_s, option,
                                  https(gw.httpPort(), u"/api/v1/devices"_s)});
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.readAllStandardOutput(), "200 " + version);
    }

    // The dashboard's way in: WSS with the gateway's CA.
    QWebSocket socket;
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setCaCertificates(QSslCertificate::fromPath(path(u"ca.crt"_s)));
    socket.setSslConfiguration(ssl);
    QSignalSpy frames(&socket, &QWebSocket::textMessageReceived);
    socket.open(QUrl(u"wss://127.0.0.1:%1/ws"_s.arg(gw.httpPort())));
    QVERIFY(frames.wait(10000));
    QVERIFY(frames.first().first().toString().contains(u"\"hello\""_s));
}

void TestHttpTls::reloadWithoutRestart()
{
    install(u"first.crt"_s, u"first.key"_s);
    Gateway gw;
    gw.setHttps({u"--cacert"_s, path(u"ca.crt"_s)});
    QVERIFY(gw.start(gw.config(m_broker->port(), {}, {}, tlsYaml())));
    QCOMPARE(servedSubject(gw.httpPort()), QByteArray("CN = first"));
    const qint64 pid = gw.pid();

    // New files are picked up when they change.
    install(u"second.crt"_s, u"second.key"_s);
    QTRY_COMPARE_WITH_TIMEOUT(servedSubject(gw.httpPort()), QByteArray("CN = second"), 20000);

    // A key that does not belong to the certificate is refused; the pair in use stays.
    install(u"third.crt"_s, u"second.key"_s);
    QTRY_VERIFY_WITH_TIMEOUT(gw.output().count(u"TLS certificate not reloaded"_s) == 1, 20000);
    QVERIFY(gw.output().contains(u"does not belong to the certificate"_s));
    QCOMPARE(servedSubject(gw.httpPort()), QByteArray("CN = second"));
    // SIGHUP loads them again too (and refuses them again).
    ::kill(pid_t(pid), SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(gw.output().count(u"TLS certificate not reloaded"_s) == 2, 20000);
    QCOMPARE(curlUrl(https(gw.httpPort(), u"/healthz"_s), {u"--cacert"_s, path(u"ca.crt"_s)}).status, 200);

    install(u"third.crt"_s, u"third.key"_s);
    QTRY_COMPARE_WITH_TIMEOUT(servedSubject(gw.httpPort()), QByteArray("CN = third"), 20000);
    QCOMPARE(gw.pid(), pid);
}

void TestHttpTls::clientCertificates()
{
    install(u"first.crt"_s, u"first.key"_s);
    const QStringList operatorCert{u"--cacert"_s,           path(u"ca.crt"_s), u"--cert"_s,
                                   path(u"operator.crt"_s), u"--key"_s,        path(u"operator.key"_s)};
    Gateway gw;
    gw.setHttps(operatorCert);
    QVERIFY(gw.start(gw.config(m_broker->port(), {}, {}, tlsYaml(path(u"clientca.crt"_s)))));
    QCOMPARE(curlUrl(https(gw.httpPort(), u"/api/v1/devices"_s), operatorCert).status, 200);
    // No client certificate, or one from a CA the gateway does not trust for clients: no connection.
    QCOMPARE(curlUrl(https(gw.httpPort(), u"/api/v1/devices"_s), {u"--cacert"_s, path(u"ca.crt"_s)}).status, 0);
    QCOMPARE(curlUrl(https(gw.httpPort(), u"/api/v1/devices"_s),
                     {u"--cacert"_s, path(u"ca.crt"_s), u"--cert"_s, path(u"stranger.crt"_s), u"--key"_s,
                      path(u"stranger.key"_s)})
                 .status,
             0);
    const QByteArray metrics = curlUrl(https(gw.httpPort(), u"/metrics"_s), operatorCert).body;
    QVERIFY(metricValue(metrics, u"edgegate_http_refused_total{reason=\"tls_handshake\"}"_s) >= 2);
}

void TestHttpTls::deviceCertificates()
{
    install(u"first.crt"_s, u"first.key"_s);
    Gateway gw;
    const QStringList ca{u"--cacert"_s, path(u"ca.crt"_s)};
    gw.setHttps(ca);
    QVERIFY(gw.start(gw.config(m_broker->port(), {}, {}, tlsYaml())));
    const auto post = [&](const QString &url, const QByteArray &json = "{}") {
        return curlUrl(https(gw.httpPort(), url),
                       ca
                           + QStringList{u"-X"_s, u"POST"_s, u"-H"_s, u"Content-Type: application/json"_s,
                                         u"--data-binary"_s, QString::fromUtf8(json)});
    };
    QCOMPARE(post(u"/api/v1/ca"_s).status, 201);
    for (const QString &device : {u"cert-a"_s, u"cert-b"_s}) {
        const QJsonObject issued = post(u"/api/v1/devices/%1/certificate"_s.arg(device)).json();
        for (const auto &[field, suffix] : {std::pair{u"certificate"_s, u".crt"_s}, std::pair{u"key"_s, u".key"_s}}) {
            QFile file(path(device + suffix));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(issued.value(field).toString().toLatin1());
        }
    }
    const auto telemetry = [&](const QString &device, const QString &certOf) {
        QStringList args = ca;
        if (!certOf.isEmpty())
            args += {u"--cert"_s, path(certOf + u".crt"_s), u"--key"_s, path(certOf + u".key"_s)};
        args += {u"-H"_s, u"Content-Type: application/json"_s, u"--data-binary"_s, u"{\"t\": 1}"_s};
        return curlUrl(https(gw.httpPort(), u"/api/v1/devices/%1/telemetry"_s.arg(device)), args).status;
    };
    // Its own certificate is enough; none, another device's, or one of another CA is not.
    QCOMPARE(telemetry(u"cert-a"_s, u"cert-a"_s), 202);
    QCOMPARE(telemetry(u"cert-a"_s, {}), 401);
    QCOMPARE(telemetry(u"cert-b"_s, u"cert-a"_s), 401);
    QCOMPARE(telemetry(u"open-9"_s, u"cert-a"_s), 401);
    QCOMPARE(telemetry(u"stranger"_s, u"stranger"_s), 401);
    QCOMPARE(telemetry(u"open-9"_s, {}), 202);

    // A WebSocket device with its certificate.
    QWebSocket socket;
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setCaCertificates(QSslCertificate::fromPath(path(u"ca.crt"_s)));
    ssl.setLocalCertificate(QSslCertificate::fromPath(path(u"cert-b.crt"_s)).value(0));
    QFile keyFile(path(u"cert-b.key"_s));
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    ssl.setPrivateKey(QSslKey(keyFile.readAll(), QSsl::Ec));
    socket.setSslConfiguration(ssl);
    QSignalSpy frames(&socket, &QWebSocket::textMessageReceived);
    QSignalSpy connected(&socket, &QWebSocket::connected);
    socket.open(QUrl(u"wss://127.0.0.1:%1/ws/device/cert-b"_s.arg(gw.httpPort())));
    QVERIFY(connected.wait(10000));
    socket.sendTextMessage(u"{\"t\": 2}"_s);
    QVERIFY(frames.wait(10000));
    QVERIFY2(frames.first().first().toString().contains(u"ack"_s), qPrintable(frames.first().first().toString()));
    socket.close();

    // Revoked, the certificate proves nothing.
    QCOMPARE(
        curlUrl(https(gw.httpPort(), u"/api/v1/devices/cert-a/certificate"_s), ca + QStringList{u"-X"_s, u"DELETE"_s})
            .status,
        200);
    QCOMPARE(telemetry(u"cert-a"_s, u"cert-a"_s), 401);
    QCOMPARE(telemetry(u"cert-b"_s, u"cert-b"_s), 202);
    QCOMPARE(gw.terminate(), 0);
}

void TestHttpTls::badFilesStopTheStart()
{
    Gateway gw;
    const QString yaml = gw.config(
        m_broker->port(), {}, {},
        u"  tls:\n    cert_file: %1\n    key_file: %2\n"_s.arg(path(u"first.crt"_s), path(u"second.key"_s)));
    gw.setHttps({u"-k"_s});
    QVERIFY(!gw.start(yaml));
    QVERIFY(gw.output().contains(u"does not belong to the certificate"_s));
}

void TestHttpTls::expiryAlert()
{
    // A certificate 10 days from its end raises the default certificate_expiry alert (14 days);
    // one 30 days away clears it once it is loaded.
    install(u"soon.crt"_s, u"soon.key"_s);
    Gateway gw;
    const QStringList ca{u"--cacert"_s, path(u"ca.crt"_s)};
    gw.setHttps(ca);
    QVERIFY(gw.start(gw.config(m_broker->port(), {}, {}, tlsYaml())));
    const auto openAlerts = [&] {
        return curlUrl(https(gw.httpPort(), u"/api/v1/alerts?state=active"_s), ca).json().value(u"alerts"_s).toArray();
    };
    QTRY_COMPARE_WITH_TIMEOUT(openAlerts().size(), 1, 10000);
    const QJsonObject alert = openAlerts().first().toObject();
    QCOMPARE(alert.value(u"kind"_s).toString(), u"certificate_expiry"_s);
    QCOMPARE(alert.value(u"metric"_s).toString(), u"http"_s);
    QVERIFY(alert.value(u"message"_s).toString().contains(u"expires"_s));
    install(u"first.crt"_s, u"first.key"_s);
    QTRY_COMPARE_WITH_TIMEOUT(openAlerts().size(), 0, 20000);
}

QTEST_GUILESS_MAIN(TestHttpTls)
#include "tst_httptls.moc"
