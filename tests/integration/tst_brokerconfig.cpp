// SPDX-License-Identifier: Apache-2.0
// The local broker as `edgegated broker-config` sets it up, met by devices over TLS with certificates
// of the gateway CA: each may publish as itself only, nobody gets in without proof, and a revoked
// certificate is refused once the broker reloads.
#include "gateway/storage/certauthority.h"
#include "testsupport.h"

#include <QFile>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace edgegate;
using namespace testsupport;
using namespace Qt::StringLiterals;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray output;
};

Run run(const QString &program, const QStringList &args, int timeoutMs = 20000)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, args);
    Run result;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.output = "timed out";
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.output = process.readAll();
    return result;
}

} // namespace

class TestBrokerConfig : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void badRequestsAreRefused();
    void deviceDataReachesTheGateway();
    void deviceCannotPublishAsAnother();
    void deviceReadsOnlyItsOwnCommands();
    void nobodyGetsInWithoutProof();
    void revokedCertificateRefusedAfterReload();
    void cleanupTestCase();

private:
    Run edgegated(const QStringList &args) const;
    /// mosquitto_pub over TLS with `device`'s certificate (none when empty).
    Run publishAs(const QString &device, const QString &topic, const QByteArray &payload) const;
    [[nodiscard]] int deviceStatus(const QString &device) const;

    Broker m_broker;
    Gateway m_gateway;
    QTemporaryDir m_work;
    QString m_configPath;
    QString m_brokerDir;
    QString m_certs;
    quint16 m_plainPort = 0;
    quint16 m_tlsPort = 0;
};

Run TestBrokerConfig::edgegated(const QStringList &args) const
{
    return run(QStringLiteral(EDGEGATED_PATH), args + QStringList{u"--config"_s, m_configPath});
}

Run TestBrokerConfig::publishAs(const QString &device, const QString &topic, const QByteArray &payload) const
{
    QStringList args{
        u"-h"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(m_tlsPort), u"--cafile"_s, m_certs + u"/ca.crt"_s,
        u"-t"_s, topic,          u"-m"_s, QString::fromUtf8(payload), u"-q"_s,       u"1"_s};
    if (!device.isEmpty())
        args += {u"--cert"_s, m_certs + u'/' + device + u".crt"_s, u"--key"_s, m_certs + u'/' + device + u".key"_s};
    return run(u"mosquitto_pub"_s, args);
}

int TestBrokerConfig::deviceStatus(const QString &device) const
{
    return curl(m_gateway.httpPort(), u"/api/v1/devices/"_s + device).status;
}

void TestBrokerConfig::initTestCase()
{
    m_plainPort = freePort();
    m_tlsPort = freePort();
    m_brokerDir = m_broker.sharedDir() + u"/conf"_s;
    m_certs = m_work.filePath(u"certs"_s);
    const QString yaml
        = m_gateway.config(m_plainPort, {}, u"  username: gateway@test\n  password: pw-of-the-gateway\n"_s);
    m_configPath = m_work.filePath(u"edgegated.yaml"_s);
    QFile file(m_configPath);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(yaml.toUtf8());
    file.close();

    const Run written = edgegated(
        {u"broker-config"_s, u"--out"_s, m_brokerDir, u"--device-listen"_s, u"127.0.0.1:%1"_s.arg(m_tlsPort)});
    QVERIFY2(written.exitCode == 0, written.output.constData());
    QVERIFY(written.output.contains("created the device CA"));
    for (const QString &device : {u"dev-1"_s, u"dev-2"_s}) {
        const Run issued = edgegated({u"ca"_s, u"issue"_s, device, u"--out"_s, m_certs});
        QVERIFY2(issued.exitCode == 0, issued.output.constData());
    }
    QVERIFY(m_broker.startWithFile(m_brokerDir + u"/mosquitto.conf"_s, m_plainPort));
    QVERIFY(waitForListening(m_tlsPort));
    QVERIFY(m_gateway.start(yaml));
    QTRY_VERIFY_WITH_TIMEOUT(m_gateway.output().contains(u"connected to the broker"_s), 15000);
}

void TestBrokerConfig::badRequestsAreRefused()
{
    // The gateway's user name must be one no device can take: a device id would get the gateway's rights.
    QTemporaryDir dir;
    const auto check = [&](const QString &mqtt, const QStringList &extra, const QByteArray &said) {
        const QString path = dir.filePath(u"c.yaml"_s);
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(u"gateway:\n  data_dir: %1\nmqtt:\n%2"_s.arg(dir.filePath(u"data"_s), mqtt).toUtf8());
        f.close();
        const Run r
            = run(QStringLiteral(EDGEGATED_PATH),
                  QStringList{u"broker-config"_s, u"--out"_s, dir.filePath(u"out"_s), u"--config"_s, path} + extra);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.output.contains(said), r.output.constData());
    };
    check(u"  username: dev-9\n  password: p\n"_s, {}, "could be a device's name");
    check(u"  port: 1883\n"_s, {}, "set mqtt.username and mqtt.password");
    check(u"  host: 10.1.2.3\n  username: g@w\n  password: p\n"_s, {}, "loopback");
    check(u"  username: g@w\n  password: p\n"_s, {u"--device-listen"_s, u"0.0.0.0:1883"_s}, "of its own");
    check(u"  username: g@w\n  password: p\n"_s, {u"--device-listen"_s, u"nowhere"_s}, "of its own");
    QVERIFY(!QFile::exists(dir.filePath(u"out/mosquitto.conf"_s)));
}

void TestBrokerConfig::deviceDataReachesTheGateway()
{
    const Run sent = publishAs(u"dev-1"_s, u"devices/dev-1/telemetry"_s, R"({"temperature": 21.5})");
    QVERIFY2(sent.exitCode == 0, sent.output.constData());
    QTRY_COMPARE_WITH_TIMEOUT(deviceStatus(u"dev-1"_s), 200, 10000);
}

void TestBrokerConfig::deviceCannotPublishAsAnother()
{
    // dev-1's certificate, dev-2's topics: the broker drops them. dev-2 is known (its certificate
    // provisioned it), but it never sent anything.
    const auto marker = [this] {
        return curl(m_gateway.httpPort(), u"/api/v1/devices/dev-1/telemetry/latest"_s)
            .json()[u"metrics"_s][u"marker"_s][u"value"_s]
            .toInt();
    };
    for (const QString &kind : {u"telemetry"_s, u"status"_s, u"meta"_s, u"commands/ack"_s, u"ota/progress"_s})
        publishAs(u"dev-1"_s, u"devices/dev-2/"_s + kind, R"({"temperature": 99})");
    publishAs(u"dev-1"_s, u"devices/dev-1/telemetry"_s, R"({"marker": 1})");
    // The marker went after the forgeries on the broker's way to the gateway: once it is in, they would be too.
    QTRY_COMPARE_WITH_TIMEOUT(marker(), 1, 10000);
    const QJsonObject dev2 = curl(m_gateway.httpPort(), u"/api/v1/devices/dev-2"_s).json();
    QCOMPARE(dev2.value(u"status"_s).toString(), u"offline"_s);
    QVERIFY(!curl(m_gateway.httpPort(), u"/api/v1/devices/dev-2/telemetry/latest"_s).body.contains("99"));
    QCOMPARE(deviceStatus(u"dev-3"_s), 404);
    publishAs(u"dev-1"_s, u"devices/dev-3/telemetry"_s, R"({"temperature": 99})");
    publishAs(u"dev-1"_s, u"devices/dev-1/telemetry"_s, R"({"marker": 2})");
    QTRY_COMPARE_WITH_TIMEOUT(marker(), 2, 10000);
    QCOMPARE(deviceStatus(u"dev-3"_s), 404);
}

void TestBrokerConfig::deviceReadsOnlyItsOwnCommands()
{
    // The gateway's own user may write anywhere: a retained command for each device.
    for (const QString &device : {u"dev-1"_s, u"dev-2"_s}) {
        const Run r = run(u"mosquitto_pub"_s,
                          {u"-h"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(m_plainPort), u"-u"_s, u"gateway@test"_s,
                           u"-P"_s, u"pw-of-the-gateway"_s, u"-t"_s, u"devices/%1/commands"_s.arg(device), u"-r"_s,
                           u"-m"_s, u"for-"_s + device});
        QVERIFY2(r.exitCode == 0, r.output.constData());
    }
    const auto read = [this](const QString &device, const QString &topic) {
        return run(u"mosquitto_sub"_s,
                   {u"-h"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(m_tlsPort), u"--cafile"_s, m_certs + u"/ca.crt"_s,
                    u"--cert"_s, m_certs + u'/' + device + u".crt"_s, u"--key"_s, m_certs + u'/' + device + u".key"_s,
                    u"-t"_s, topic, u"-C"_s, u"1"_s, u"-W"_s, u"3"_s});
    };
    const Run own = read(u"dev-1"_s, u"devices/dev-1/commands"_s);
    QCOMPARE(own.exitCode, 0);
    QCOMPARE(own.output.trimmed(), QByteArray("for-dev-1"));
    const Run other = read(u"dev-1"_s, u"devices/dev-2/commands"_s);
    QVERIFY2(!other.output.contains("for-dev-2"), other.output.constData());
    const Run everything = read(u"dev-1"_s, u"#"_s);
    QVERIFY2(!everything.output.contains("for-dev-2"), everything.output.constData());
}

void TestBrokerConfig::nobodyGetsInWithoutProof()
{
    // Anonymous on the loopback listener.
    const Run anonymous = run(u"mosquitto_pub"_s,
                              {u"-h"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(m_plainPort), u"-t"_s,
                               u"devices/dev-1/telemetry"_s, u"-m"_s, u"{}"_s});
    QVERIFY2(anonymous.exitCode != 0, anonymous.output.constData());
    // A wrong password for the gateway's user.
    const Run guessed = run(u"mosquitto_pub"_s,
                            {u"-h"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(m_plainPort), u"-u"_s, u"gateway@test"_s,
                             u"-P"_s, u"guess"_s, u"-t"_s, u"x"_s, u"-m"_s, u"{}"_s});
    QVERIFY2(guessed.exitCode != 0, guessed.output.constData());
    // TLS without a certificate.
    const Run certless = publishAs({}, u"devices/dev-1/telemetry"_s, "{}");
    QVERIFY2(certless.exitCode != 0, certless.output.constData());
    // A certificate named dev-1 from another CA.
    QTemporaryDir other;
    CertificateAuthority rogue(other.filePath(u"ca"_s), u"rogue"_s);
    CaError error;
    QVERIFY(rogue.init(&error));
    const auto forged = rogue.issue(u"dev-1"_s, {}, 10, QDateTime::currentDateTimeUtc(), &error);
    QVERIFY(forged);
    QFile cert(other.filePath(u"dev-1.crt"_s));
    QFile key(other.filePath(u"dev-1.key"_s));
    QVERIFY(cert.open(QIODevice::WriteOnly) && key.open(QIODevice::WriteOnly));
    cert.write(forged->certificatePem);
    key.write(forged->keyPem);
    cert.close();
    key.close();
    const Run rogueRun = run(u"mosquitto_pub"_s,
                             {u"-h"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(m_tlsPort), u"--cafile"_s,
                              m_certs + u"/ca.crt"_s, u"--cert"_s, cert.fileName(), u"--key"_s, key.fileName(), u"-t"_s,
                              u"devices/dev-1/telemetry"_s, u"-m"_s, u"{}"_s});
    QVERIFY2(rogueRun.exitCode != 0, rogueRun.output.constData());
}

void TestBrokerConfig::revokedCertificateRefusedAfterReload()
{
    QVERIFY(publishAs(u"dev-2"_s, u"devices/dev-2/telemetry"_s, "{\"t\": 1}").exitCode == 0);
    // Revoked through the running gateway: the CA copies its CRL to the broker's folder.
    const CurlReply revoked
        = curl(m_gateway.httpPort(), u"/api/v1/devices/dev-1/certificate"_s, {u"-X"_s, u"DELETE"_s});
    QCOMPARE(revoked.status, 200);
    QCOMPARE(QFile(m_brokerDir + u"/crl.pem"_s).size(), QFile(m_gateway.dataDir() + u"/ca/crl.pem"_s).size());
    m_broker.reload();
    QTRY_VERIFY_WITH_TIMEOUT(publishAs(u"dev-1"_s, u"devices/dev-1/telemetry"_s, "{\"t\": 2}").exitCode != 0, 10000);
    const Run stillGood = publishAs(u"dev-2"_s, u"devices/dev-2/telemetry"_s, "{\"t\": 3}");
    QVERIFY2(stillGood.exitCode == 0, stillGood.output.constData());
}

void TestBrokerConfig::cleanupTestCase()
{
    QCOMPARE(m_gateway.terminate(), 0);
}

QTEST_GUILESS_MAIN(TestBrokerConfig)
#include "tst_brokerconfig.moc"
