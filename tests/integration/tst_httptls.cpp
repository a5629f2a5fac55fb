// SPDX-License-Identifier: Apache-2.0
// HTTPS and WSS on the API port: certificates made by openssl for the test, checked by curl,
// openssl s_client and QWebSocket; client certificates; reloading without a restart.
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QSslConfiguration>
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
    void badFilesStopTheStart();

private:
    [[nodiscard]] QString path(const QString &name) const { return m_dir.filePath(name); }
    bool openssl(const QStringList &args);
    /// A key and a certificate for 127.0.0.1 and localhost named `name`, signed by the CA `ca`.
    bool issue(const QString &name, const QString &commonName, const QString &ca);
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
    std::unique_ptr<Broker> m_broker;
};

bool TestHttpTls::openssl(const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(u"openssl"_s, args);
    if (!p.waitForFinished(30000) || p.exitCode() != 0) {
        qWarning("openssl %s: %s", qPrintable(args.join(u' ')), p.readAll().constData());
        return false;
    }
    return true;
}

bool TestHttpTls::issue(const QString &name, const QString &commonName, const QString &ca)
{
    QFile ext(path(name + u".ext"_s));
    if (!ext.open(QIODevice::WriteOnly))
        return false;
    ext.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
    ext.close();
    return openssl({u"req"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s, u"-nodes"_s,
                    u"-keyout"_s, path(name + u".key"_s), u"-out"_s, path(name + u".csr"_s), u"-subj"_s,
                    u"/CN="_s + commonName})
        && openssl({u"x509"_s, u"-req"_s, u"-in"_s, path(name + u".csr"_s), u"-CA"_s, path(ca + u".crt"_s),
                    u"-CAkey"_s, path(ca + u".key"_s), u"-CAcreateserial"_s, u"-days"_s, u"30"_s, u"-out"_s,
                    path(name + u".crt"_s), u"-extfile"_s, ext.fileName()});
}

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
    p.start(u"openssl"_s, {u"s_client"_s, u"-connect"_s, u"127.0.0.1:%1"_s.arg(port), u"-CAfile"_s,
                           path(u"ca.crt"_s)});
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
    for (const QString &ca : {u"ca"_s, u"clientca"_s}) {
        QVERIFY(openssl({u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s,
                         u"-nodes"_s, u"-keyout"_s, path(ca + u".key"_s), u"-out"_s, path(ca + u".crt"_s), u"-days"_s,
                         u"30"_s, u"-subj"_s, u"/CN=EdgeGate test "_s + ca}));
    }
    QVERIFY(issue(u"first"_s, u"first"_s, u"ca"_s));
    QVERIFY(issue(u"second"_s, u"second"_s, u"ca"_s));
    QVERIFY(issue(u"third"_s, u"third"_s, u"ca"_s));
    QVERIFY(issue(u"operator"_s, u"operator"_s, u"clientca"_s));
    QVERIFY(issue(u"stranger"_s, u"stranger"_s, u"ca"_s));
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
    const QStringList operatorCert{u"--cacert"_s, path(u"ca.crt"_s), u"--cert"_s, path(u"operator.crt"_s), u"--key"_s,
                                   path(u"operator.key"_s)};
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

void TestHttpTls::badFilesStopTheStart()
{
    Gateway gw;
    const QString yaml = gw.config(m_broker->port(), {}, {},
                                   u"  tls:\n    cert_file: %1\n    key_file: %2\n"_s.arg(path(u"first.crt"_s),
                                                                                         path(u"second.key"_s)));
    gw.setHttps({u"-k"_s});
    QVERIFY(!gw.start(yaml));
    QVERIFY(gw.output().contains(u"does not belong to the certificate"_s));
}

QTEST_GUILESS_MAIN(TestHttpTls)
#include "tst_httptls.moc"
