// SPDX-License-Identifier: Apache-2.0
// The MQTT sinks against real mosquitto brokers: the upstream connection (plain, TLS, mutual TLS,
// MQTT 3.1.1, a broker that dies and comes back, refusals) and the republish sink on the local broker.
#include "gateway/devicelinks/mqtt/mqttlink.h"
#include "gateway/sinks/mqtt/republishsink.h"
#include "gateway/sinks/mqtt/upstreamsink.h"
#include "support/corepipeline.h"
#include "testsupport.h"

#include <QFile>
#include <QMap>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <deque>

using namespace edgegate;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using testsupport::Broker;
using testsupport::Subscriber;

namespace {

const QString Prefix = u"edge"_s;
const QString GatewayId = u"test-gw"_s;

// What the service logged, to see why a connection was refused.
QStringList g_log;
QtMessageHandler g_previousHandler = nullptr;

void captureLog(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    g_log.append(QString::fromUtf8(context.category) + u": "_s + message);
    if (g_previousHandler)
        g_previousHandler(type, context, message);
}

bool logged(const QString &text)
{
    return std::any_of(g_log.cbegin(), g_log.cend(), [&](const QString &line) { return line.contains(text); });
}

OutboxEntry entry(quint64 seq, const QString &deviceId)
{
    OutboxEntry e;
    e.seq = seq;
    e.deviceId = deviceId;
    e.key = UpstreamSink::topicFor(Prefix, GatewayId, deviceId);
    e.payload = "{\"seq\":" + QByteArray::number(seq) + '}';
    return e;
}

QList<OutboxEntry> entries(quint64 first, int count)
{
    QList<OutboxEntry> out;
    for (int i = 0; i < count; ++i)
        out.append(entry(first + quint64(i), u"dev-%1"_s.arg(i % 3)));
    return out;
}

UpstreamSink::Settings plainSettings(quint16 port)
{
    UpstreamSink::Settings settings;
    settings.host = u"127.0.0.1"_s;
    settings.port = port;
    settings.gatewayId = GatewayId;
    settings.tls.enabled = false;
    settings.reconnectMin = 100ms;
    settings.reconnectMax = 500ms;
    return settings;
}

/// Plays the Forwarder: feeds entries while the sink has room, and when the sink goes down sends
/// again, in order, whatever it had not confirmed.
class Feeder : public QObject
{
public:
    Feeder(Sink &sink, const QList<OutboxEntry> &entries)
        : m_sink(sink)
        , m_pending(entries.cbegin(), entries.cend())
    {
        connect(&sink, &Sink::roomAvailable, this, &Feeder::feed);
        connect(&sink, &Sink::upChanged, this, [this](bool up) {
            if (up) {
                feed();
                return;
            }
            const QList<OutboxEntry> unconfirmed = m_inflight.values(); // ascending seq
            m_pending.insert(m_pending.begin(), unconfirmed.cbegin(), unconfirmed.cend());
            m_inflight.clear();
        });
        connect(&sink, &Sink::delivered, this, [this](quint64 seq) {
            ++confirmed[seq];
            m_inflight.remove(seq);
        });
        connect(&sink, &Sink::rejected, this, [this](quint64 seq, const QString &reason) {
            rejected.insert(seq, reason);
            m_inflight.remove(seq);
        });
    }

    void add(const QList<OutboxEntry> &more)
    {
        m_pending.insert(m_pending.end(), more.cbegin(), more.cend());
        feed();
    }

    void feed()
    {
        while (m_sink.room() > 0 && !m_pending.empty()) {
            const OutboxEntry next = m_pending.front();
            m_pending.pop_front();
            m_inflight.insert(next.seq, next);
            m_sink.deliver(next);
        }
    }

    [[nodiscard]] bool done() const { return m_pending.empty() && m_inflight.isEmpty(); }
    [[nodiscard]] int inflight() const { return int(m_inflight.size()); }

    QMap<quint64, int> confirmed;
    QMap<quint64, QString> rejected;

private:
    Sink &m_sink;
    std::deque<OutboxEntry> m_pending;
    QMap<quint64, OutboxEntry> m_inflight;
};

/// A throwaway CA with server and client certificates, made with the openssl CLI.
class Pki
{
public:
    bool create()
    {
        if (!m_dir.isValid())
            return false;
        // mosquitto started as root reads them as the user it drops to.
        QFile::setPermissions(m_dir.path(),
                              QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup
                                  | QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther);
        return openssl({u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s,
                        u"-nodes"_s, u"-keyout"_s, path(u"ca.key"_s), u"-out"_s, path(u"ca.crt"_s), u"-days"_s, u"2"_s,
                        u"-subj"_s, u"/CN=EdgeGate Test CA"_s, u"-addext"_s, u"basicConstraints=critical,CA:TRUE"_s,
                        u"-addext"_s, u"keyUsage=critical,keyCertSign,cRLSign"_s})
            && issue(u"server"_s, u"localhost"_s,
                     u"subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"_s)
            && issue(u"wrongname"_s, u"example.invalid"_s,
                     u"subjectAltName=DNS:example.invalid\nextendedKeyUsage=serverAuth\n"_s)
            && issue(u"client"_s, u"edgegate-test-gw-upstream"_s, u"extendedKeyUsage=clientAuth\n"_s);
    }

    [[nodiscard]] QString path(const QString &name) const { return m_dir.filePath(name); }

    /// A TLS listener on `port` for the broker, with the server certificate `server`.
    [[nodiscard]] QString listener(quint16 port, const QString &server, bool requireCertificate) const
    {
        return u"listener %1 127.0.0.1\ncafile %2\ncertfile %3\nkeyfile %4\nrequire_certificate %5\n"_s.arg(port).arg(
            path(u"ca.crt"_s), path(server + u".crt"_s), path(server + u".key"_s),
            requireCertificate ? u"true"_s : u"false"_s);
    }

private:
    bool openssl(const QStringList &args)
    {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(u"openssl"_s, args);
        if (!process.waitForFinished(30000) || process.exitCode() != 0) {
            qWarning("openssl %s failed: %s", qPrintable(args.join(u' ')), process.readAll().constData());
            return false;
        }
        return true;
    }

    bool issue(const QString &name, const QString &commonName, const QString &extensions)
    {
        QFile ext(path(name + u".ext"_s));
        if (!ext.open(QIODevice::WriteOnly))
            return false;
        ext.write(extensions.toUtf8());
        ext.close();
        const bool ok = openssl({u"req"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s,
                                 u"-nodes"_s, u"-keyout"_s, path(name + u".key"_s), u"-out"_s, path(name + u".csr"_s),
                                 u"-subj"_s, u"/CN="_s + commonName})
            && openssl({u"x509"_s, u"-req"_s, u"-in"_s, path(name + u".csr"_s), u"-CA"_s, path(u"ca.crt"_s),
                        u"-CAkey"_s, path(u"ca.key"_s), u"-CAcreateserial"_s, u"-out"_s, path(name + u".crt"_s),
                        u"-days"_s, u"2"_s, u"-extfile"_s, path(name + u".ext"_s)});
        for (const QString &file : QStringList{name + u".key"_s, name + u".crt"_s})
            QFile::setPermissions(path(file),
                                  QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
        return ok;
    }

    QTemporaryDir m_dir;
};

// The telemetry lines a subscriber saw, payloads in arrival order.
QList<QByteArray> telemetry(Subscriber &subscriber)
{
    QList<QByteArray> out;
    for (const auto &[topic, payload] : subscriber.messages()) {
        if (topic.endsWith(u"/telemetry"))
            out.append(payload);
    }
    return out;
}

QList<QByteArray> payloads(const QList<OutboxEntry> &list)
{
    QList<QByteArray> out;
    for (const OutboxEntry &e : list)
        out.append(e.payload);
    return out;
}

} // namespace

class TestUpstream : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void deliversInOrderEachConfirmedOnce();
    void statusOnlineOfflineAndWill();
    void brokerKilledAndRestarted();
    void noResendByTheLibraryAfterReconnect();
    void mqtt311();
    void refusalOfAV5BrokerIsFinal();
    void tlsVerifiesTheBroker();
    void mutualTlsNeedsTheClientCertificate();
    void hostNameMismatchIsRefused();
    void badTlsFilesAreAConfigurationError();
    void republishConfirmsOnPuback();

private:
    Pki m_pki;
};

void TestUpstream::initTestCase()
{
    g_previousHandler = qInstallMessageHandler(captureLog);
    QVERIFY(m_pki.create());
}

void TestUpstream::init()
{
    g_log.clear();
}

void TestUpstream::deliversInOrderEachConfirmedOnce()
{
    Broker broker;
    QVERIFY(broker.start());
    Subscriber subscriber(broker.port(), Prefix + u"/#"_s);
    QVERIFY(subscriber.waitUntilSubscribed(broker));

    Metrics metrics;
    UpstreamSink::Settings settings = plainSettings(broker.port());
    settings.inflightWindow = 7; // fewer than the entries: the window has to open and close
    UpstreamSink sink(settings, metrics);
    QCOMPARE(sink.name(), u"upstream"_s);
    QCOMPARE(sink.room(), 0);
    const QList<OutboxEntry> all = entries(1, 60);
    Feeder feeder(sink, all);
    QSignalSpy up(&sink, &Sink::upChanged);
    sink.start();
    QVERIFY(up.wait(10000));
    QVERIFY(sink.isUp());
    QCOMPARE(metrics.gauge(u"edgegate_upstream_connected"_s, {}).value(), 1.0);

    QTRY_VERIFY_WITH_TIMEOUT(feeder.done(), 20000);
    QCOMPARE(feeder.confirmed.size(), all.size());
    for (const OutboxEntry &e : all)
        QCOMPARE(feeder.confirmed.value(e.seq), 1);
    QVERIFY(feeder.rejected.isEmpty());
    QCOMPARE(sink.room(), 7);
    QCOMPARE(metrics.gauge(u"edgegate_upstream_inflight"_s, {}).value(), 0.0);

    QTRY_COMPARE_WITH_TIMEOUT(telemetry(subscriber).size(), all.size(), 10000);
    QCOMPARE(telemetry(subscriber), payloads(all));
    const auto seen = subscriber.messages();
    const auto first
        = std::find_if(seen.cbegin(), seen.cend(), [](const auto &m) { return m.first.endsWith(u"/telemetry"); });
    QCOMPARE(first->first, u"edge/test-gw/devices/dev-0/telemetry"_s);
}

void TestUpstream::statusOnlineOfflineAndWill()
{
    Broker broker;
    QVERIFY(broker.start());
    Metrics metrics;
    const QString status = u"edge/test-gw/status"_s;
    {
        UpstreamSink sink(plainSettings(broker.port()), metrics);
        QCOMPARE(sink.statusTopic(), QByteArray("edge/test-gw/status"));
        QCOMPARE(sink.clientId(), u"edgegate-test-gw-upstream"_s);
        QSignalSpy up(&sink, &Sink::upChanged);
        sink.start();
        QVERIFY(up.wait(10000));
        QTRY_COMPARE_WITH_TIMEOUT(testsupport::retained(broker.port(), status), QByteArray("online"), 10000);

        QSignalSpy stopped(&sink, &UpstreamSink::stopped);
        sink.stop();
        QVERIFY(stopped.count() == 1 || stopped.wait(5000));
        QVERIFY(!sink.isUp());
        QCOMPARE(testsupport::retained(broker.port(), status), QByteArray("offline"));
    }
    {
        auto sink = std::make_unique<UpstreamSink>(plainSettings(broker.port()), metrics);
        QSignalSpy up(sink.get(), &Sink::upChanged);
        sink->start();
        QVERIFY(up.wait(10000));
        QTRY_COMPARE_WITH_TIMEOUT(testsupport::retained(broker.port(), status), QByteArray("online"), 10000);
        // Gone without a DISCONNECT, as in a crash: the broker publishes the will.
        sink.reset();
        QTRY_COMPARE_WITH_TIMEOUT(testsupport::retained(broker.port(), status), QByteArray("offline"), 10000);
    }
}

void TestUpstream::brokerKilledAndRestarted()
{
    Broker broker;
    QVERIFY(broker.start());
    const quint16 port = broker.port();
    Metrics metrics;
    UpstreamSink sink(plainSettings(port), metrics);
    Feeder feeder(sink, entries(1, 10));
    QSignalSpy up(&sink, &Sink::upChanged);
    sink.start();
    QVERIFY(up.wait(10000));
    QTRY_VERIFY_WITH_TIMEOUT(feeder.done(), 10000);

    broker.kill();
    QTRY_VERIFY_WITH_TIMEOUT(!sink.isUp(), 10000);
    QCOMPARE(up.last().at(0).toBool(), false);
    QCOMPARE(sink.room(), 0);
    QCOMPARE(metrics.gauge(u"edgegate_upstream_connected"_s, {}).value(), 0.0);
    QTRY_VERIFY_WITH_TIMEOUT(logged(u"connection to the upstream broker lost"_s), 5000);

    QVERIFY(broker.start(port));
    Subscriber subscriber(port, Prefix + u"/#"_s);
    QVERIFY(subscriber.waitUntilSubscribed(broker));
    QTRY_VERIFY_WITH_TIMEOUT(sink.isUp(), 15000);
    QCOMPARE(metrics.counter(u"edgegate_upstream_reconnects_total"_s, {}).value(), 1u);

    const QList<OutboxEntry> more = entries(11, 5);
    feeder.add(more);
    QTRY_VERIFY_WITH_TIMEOUT(feeder.done(), 10000);
    QCOMPARE(feeder.confirmed.size(), 15);
    QTRY_COMPARE_WITH_TIMEOUT(telemetry(subscriber), payloads(more), 10000);
}

void TestUpstream::noResendByTheLibraryAfterReconnect()
{
    // libmosquitto keeps QoS 1 publishes that were never acknowledged and sends them again, marked
    // DUP, after the next CONNACK. The sink starts each connection afresh, so only the Forwarder's
    // own re-sends reach the broker.
    Broker broker;
    const QString debugLog = u"log_type debug\n"_s;
    QVERIFY(broker.start(0, debugLog));
    const quint16 port = broker.port();
    Metrics metrics;
    UpstreamSink sink(plainSettings(port), metrics);
    const QList<OutboxEntry> all = entries(1, 3);
    Feeder feeder(sink, {});
    QSignalSpy up(&sink, &Sink::upChanged);
    sink.start();
    QVERIFY(up.wait(10000));

    broker.suspend(); // takes the bytes into its socket buffer, answers nothing
    feeder.add(all);
    QCOMPARE(feeder.inflight(), 3);
    QCOMPARE(metrics.gauge(u"edgegate_upstream_inflight"_s, {}).value(), 3.0);
    broker.kill();
    QTRY_VERIFY_WITH_TIMEOUT(!sink.isUp(), 10000);
    QVERIFY(feeder.confirmed.isEmpty());

    QVERIFY(broker.start(port, debugLog));
    QTRY_VERIFY_WITH_TIMEOUT(feeder.done(), 15000);
    for (const OutboxEntry &e : all)
        QCOMPARE(feeder.confirmed.value(e.seq), 1);

    // The restarted broker's log: each entry received once, none as a duplicate. (Its log starts
    // over in the same file, after the first run's lines.)
    const QString log = broker.log();
    const QString secondRun = log.mid(log.lastIndexOf(u"mosquitto version"_s));
    const QString from = u"Received PUBLISH from edgegate-test-gw-upstream"_s;
    QCOMPARE(secondRun.count(from + u" (d0, q1, r0"_s), 3);
    QCOMPARE(secondRun.count(from + u" (d1"_s), 0);
}

void TestUpstream::mqtt311()
{
    Broker broker;
    QVERIFY(broker.start());
    Subscriber subscriber(broker.port(), Prefix + u"/#"_s);
    QVERIFY(subscriber.waitUntilSubscribed(broker));
    Metrics metrics;
    UpstreamSink::Settings settings = plainSettings(broker.port());
    settings.v5 = false;
    UpstreamSink sink(settings, metrics);
    const QList<OutboxEntry> all = entries(1, 5);
    Feeder feeder(sink, all);
    QSignalSpy up(&sink, &Sink::upChanged);
    sink.start();
    QVERIFY(up.wait(10000));
    QTRY_VERIFY_WITH_TIMEOUT(feeder.done(), 10000);
    QCOMPARE(feeder.confirmed.size(), 5);
    QVERIFY(broker.log().contains(u"as edgegate-test-gw-upstream (p2"_s));
    QTRY_COMPARE_WITH_TIMEOUT(telemetry(subscriber), payloads(all), 10000);
    QCOMPARE(testsupport::retained(broker.port(), u"edge/test-gw/status"_s), QByteArray("online"));
}

void TestUpstream::refusalOfAV5BrokerIsFinal()
{
    Broker broker;
    const QString acl = broker.filePath(u"acl"_s);
    {
        QFile file(acl);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("topic readwrite edge/#\ntopic deny edge/test-gw/devices/forbidden/telemetry\n");
        file.close();
        file.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    }
    QVERIFY(broker.start(0, u"acl_file %1\n"_s.arg(acl)));
    Metrics metrics;
    UpstreamSink sink(plainSettings(broker.port()), metrics);
    const QList<OutboxEntry> all{entry(1, u"dev-1"_s), entry(2, u"forbidden"_s), entry(3, u"dev-2"_s)};
    Feeder feeder(sink, all);
    QSignalSpy up(&sink, &Sink::upChanged);
    sink.start();
    QVERIFY(up.wait(10000));
    QTRY_VERIFY_WITH_TIMEOUT(feeder.done(), 10000);
    QCOMPARE(feeder.confirmed.keys(), (QList<quint64>{1, 3}));
    QCOMPARE(feeder.rejected.value(2), u"not_authorized"_s);
    QCOMPARE(sink.room(), 100);
}

void TestUpstream::tlsVerifiesTheBroker()
{
    Broker broker;
    const quint16 tlsPort = testsupport::freePort();
    QVERIFY(broker.start(0, m_pki.listener(tlsPort, u"server"_s, false)));
    QVERIFY(testsupport::waitForListening(tlsPort));
    Subscriber subscriber(broker.port(), Prefix + u"/#"_s);
    QVERIFY(subscriber.waitUntilSubscribed(broker));

    Metrics metrics;
    UpstreamSink::Settings settings = plainSettings(tlsPort);
    settings.tls.enabled = true;
    settings.tls.caFile = m_pki.path(u"ca.crt"_s);
    UpstreamSink sink(settings, metrics);
    QVERIFY(sink.configurationError().isEmpty());
    const QList<OutboxEntry> all = entries(1, 5);
    Feeder feeder(sink, all);
    QSignalSpy up(&sink, &Sink::upChanged);
    sink.start();
    QVERIFY(up.wait(10000));
    QTRY_VERIFY_WITH_TIMEOUT(feeder.done(), 10000);
    QCOMPARE(feeder.confirmed.size(), 5);
    QTRY_COMPARE_WITH_TIMEOUT(telemetry(subscriber), payloads(all), 10000);
}

void TestUpstream::mutualTlsNeedsTheClientCertificate()
{
    Broker broker;
    const quint16 tlsPort = testsupport::freePort();
    QVERIFY(broker.start(0, m_pki.listener(tlsPort, u"server"_s, true)));
    QVERIFY(testsupport::waitForListening(tlsPort));
    Metrics metrics;

    UpstreamSink::Settings settings = plainSettings(tlsPort);
    settings.tls.enabled = true;
    settings.tls.caFile = m_pki.path(u"ca.crt"_s);
    {
        UpstreamSink anonymous(settings, metrics);
        anonymous.start();
        QTRY_VERIFY_WITH_TIMEOUT(logged(u"cannot connect to the upstream broker"_s), 10000);
        QVERIFY(!anonymous.isUp());
        QCOMPARE(anonymous.room(), 0);
    }

    settings.tls.certFile = m_pki.path(u"client.crt"_s);
    settings.tls.keyFile = m_pki.path(u"client.key"_s);
    UpstreamSink sink(settings, metrics);
    Feeder feeder(sink, entries(1, 3));
    QSignalSpy up(&sink, &Sink::upChanged);
    sink.start();
    QVERIFY(up.wait(10000));
    QTRY_VERIFY_WITH_TIMEOUT(feeder.done(), 10000);
    QCOMPARE(feeder.confirmed.size(), 3);
}

void TestUpstream::hostNameMismatchIsRefused()
{
    Broker broker;
    const quint16 tlsPort = testsupport::freePort();
    QVERIFY(broker.start(0, m_pki.listener(tlsPort, u"wrongname"_s, false)));
    QVERIFY(testsupport::waitForListening(tlsPort));
    Metrics metrics;

    // A certificate from the trusted CA, but made for example.invalid, not 127.0.0.1.
    UpstreamSink::Settings settings = plainSettings(tlsPort);
    settings.tls.enabled = true;
    settings.tls.caFile = m_pki.path(u"ca.crt"_s);
    {
        UpstreamSink sink(settings, metrics);
        sink.start();
        QTRY_VERIFY_WITH_TIMEOUT(logged(u"cannot connect to the upstream broker"_s), 10000);
        QVERIFY(logged(u"certificate verify failed"_s));
        QVERIFY(!sink.isUp());
    }

    // The same with the check off connects: the host name was the only thing wrong.
    settings.tls.insecure = true;
    UpstreamSink lax(settings, metrics);
    QSignalSpy up(&lax, &Sink::upChanged);
    lax.start();
    QVERIFY(up.wait(10000));
}

void TestUpstream::badTlsFilesAreAConfigurationError()
{
    Metrics metrics;
    UpstreamSink::Settings settings = plainSettings(testsupport::freePort());
    settings.tls.enabled = true;
    settings.tls.caFile = m_pki.path(u"no-such-ca.crt"_s);
    QVERIFY(!UpstreamSink(settings, metrics).configurationError().isEmpty());

    settings.tls.caFile = m_pki.path(u"ca.crt"_s);
    settings.tls.certFile = m_pki.path(u"client.crt"_s); // without its key
    QVERIFY(!UpstreamSink(settings, metrics).configurationError().isEmpty());

    settings.tls.keyFile = m_pki.path(u"client.key"_s);
    settings.tls.version = u"sslv3"_s;
    QVERIFY(!UpstreamSink(settings, metrics).configurationError().isEmpty());

    settings.tls.version = u"tlsv1.2"_s;
    QVERIFY(UpstreamSink(settings, metrics).configurationError().isEmpty());

    settings.tls.caFile.clear(); // the system's CAs
    QVERIFY(UpstreamSink(settings, metrics).configurationError().isEmpty());

    settings.host.clear();
    QVERIFY(!UpstreamSink(settings, metrics).configurationError().isEmpty());
}

void TestUpstream::republishConfirmsOnPuback()
{
    Broker broker;
    QVERIFY(broker.start());
    Subscriber subscriber(broker.port(), u"devices/+/telemetry"_s);
    QVERIFY(subscriber.waitUntilSubscribed(broker));

    CorePipeline core(RegistryPolicy::Auto);
    MqttLink::Settings mqtt;
    mqtt.port = broker.port();
    mqtt.clientId = u"edgegate-test-republish"_s;
    mqtt.gatewayId = GatewayId;
    mqtt.reconnectMin = 100ms;
    mqtt.reconnectMax = 500ms;
    MqttLink link(mqtt, core.ingest, core.metrics);
    RepublishSink sink(link, 4, core.metrics);
    QCOMPARE(sink.name(), u"republish"_s);
    QVERIFY(!sink.isUp());

    QList<OutboxEntry> all;
    for (quint64 seq = 1; seq <= 10; ++seq) {
        OutboxEntry e = entry(seq, u"sensor-%1"_s.arg(seq % 2));
        e.key = u"devices/%1/telemetry"_s.arg(e.deviceId).toUtf8();
        all.append(e);
    }
    Feeder feeder(sink, all);
    QSignalSpy up(&sink, &Sink::upChanged);
    link.start();
    QVERIFY(up.wait(10000));
    QTRY_VERIFY_WITH_TIMEOUT(feeder.done(), 10000);
    QCOMPARE(feeder.confirmed.size(), 10);
    QTRY_COMPARE_WITH_TIMEOUT(telemetry(subscriber), payloads(all), 10000);
    // The link's own echoes are not ingested (No Local).
    QCOMPARE(core.registry.size(), 0);

    broker.kill();
    QTRY_VERIFY_WITH_TIMEOUT(!sink.isUp(), 10000);
    QCOMPARE(sink.room(), 0);
}

QTEST_GUILESS_MAIN(TestUpstream)
#include "tst_upstream.moc"
