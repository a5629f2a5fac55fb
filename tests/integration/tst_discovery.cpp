// SPDX-License-Identifier: Apache-2.0
// Auto-discovery against real peers: meta over MQTT (mosquitto), CoAP (coap-client-openssl), HTTP (curl)
// and WebSocket; the CoAP resource directory; pending devices approved and rejected; and the mDNS
// announcement through a private D-Bus bus and a private avahi-daemon in a network namespace of its own.
#include "testsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QWebSocket>

#include <unistd.h>

using namespace testsupport;
using namespace Qt::StringLiterals;

namespace {

struct CoapRun
{
    int exitCode = -1;
    QString output;
};

/// coap-client-openssl with `-v 6`, so the response header (code, Location-Path) is in the output.
CoapRun coap(const QStringList &args)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(u"coap-client-openssl"_s, QStringList{u"-B"_s, u"10"_s, u"-v"_s, u"6"_s} + args);
    CoapRun run;
    if (!process.waitForStarted(5000) || !finished.wait(30000)) {
        process.kill();
        run.output = u"coap-client-openssl did not run: "_s + process.errorString();
        return run;
    }
    run.output = QString::fromUtf8(process.readAll());
    run.exitCode = process.exitCode();
    return run;
}

/// The response code of a verbose coap-client run (e.g. "2.01"), from the ACK or response line.
QString coapCode(const CoapRun &run)
{
    static const QRegularExpression ack(uR"(t:(?:ACK|CON|NON) c:(\d\.\d\d))"_s);
    QString code;
    for (auto it = ack.globalMatch(run.output); it.hasNext();)
        code = it.next().captured(1);
    return code;
}

QString location(const CoapRun &run)
{
    static const QRegularExpression re(uR"(Location-Path:rd, Location-Path:([0-9a-z]+))"_s);
    return re.match(run.output).captured(1);
}

/// A /ws (dashboard API) client collecting every frame.
struct FeedClient
{
    QWebSocket socket;
    QList<QJsonObject> frames;
    explicit FeedClient(quint16 port)
    {
        QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket, [this](const QString &text) {
            frames.append(QJsonDocument::fromJson(text.toUtf8()).object());
        });
        socket.open(QUrl(u"ws://127.0.0.1:%1/ws"_s.arg(port)));
    }
    /// The last device frame about `id`, empty when none came.
    [[nodiscard]] QJsonObject lastDevice(const QString &id) const
    {
        for (auto it = frames.crbegin(); it != frames.crend(); ++it) {
            if (it->value(u"type"_s).toString() == u"device" && it->value(u"device"_s)[u"id"_s].toString() == id)
                return it->value(u"device"_s).toObject();
        }
        return {};
    }
    [[nodiscard]] bool removed(const QString &id) const
    {
        return std::any_of(frames.cbegin(), frames.cend(), [&id](const QJsonObject &f) {
            return f.value(u"type"_s).toString() == u"device_removed" && f.value(u"device"_s).toString() == id;
        });
    }
};

QString writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

bool stopProcess(QProcess &process)
{
    if (process.state() == QProcess::NotRunning)
        return true;
    process.terminate();
    if (process.waitForFinished(10000))
        return true;
    process.kill();
    return process.waitForFinished(5000);
}

} // namespace

class TestDiscovery : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void metaOverEveryLink();
    void badMeta();
    void resourceDirectory();
    void resourceDirectoryErrors();
    void pendingApproveAndReject();
    void mdnsWithoutDaemonThenWithOne();

private:
    QJsonObject device(quint16 port, const QString &id) { return Http(port).get(u"/api/v1/devices/"_s + id).json(); }
    Broker m_broker;
};

void TestDiscovery::initTestCase()
{
    QVERIFY(m_broker.start());
}

void TestDiscovery::metaOverEveryLink()
{
    Gateway gw;
    QVERIFY(gw.start(gw.config(m_broker.port())));
    const quint16 port = gw.httpPort();

    QVERIFY(publish(m_broker.port(), u"devices/m1/meta"_s,
                    R"({"model": "M-1", "capabilities": ["ota"], "metrics": [{"name": "t", "unit": "Cel"}]})"));
    QTRY_COMPARE_WITH_TIMEOUT(device(port, u"m1"_s).value(u"model"_s).toString(), u"M-1"_s, 10000);
    QJsonObject d = device(port, u"m1"_s);
    QCOMPARE(d.value(u"capabilities"_s).toArray(), QJsonArray({u"ota"_s}));
    QCOMPARE(d.value(u"metrics"_s).toArray(), QJsonArray({QJsonObject{{u"name"_s, u"t"_s}, {u"unit"_s, u"Cel"_s}}}));
    QCOMPARE(d.value(u"protocol"_s).toString(), u"mqtt"_s);

    const CoapRun c = coap({u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, u"-e"_s, uR"({"model": "C-1", "type": "lamp"})"_s,
                            u"coap://127.0.0.1:%1/devices/c1/meta"_s.arg(gw.coapPort())});
    QCOMPARE(coapCode(c), u"2.04"_s);
    d = device(port, u"c1"_s);
    QCOMPARE(d.value(u"model"_s).toString(), u"C-1"_s);
    QCOMPARE(d.value(u"type"_s).toString(), u"lamp"_s);
    QCOMPARE(d.value(u"protocol"_s).toString(), u"coap"_s);
    // SenML is for telemetry, not announcements.
    QCOMPARE(coapCode(coap({u"-m"_s, u"post"_s, u"-t"_s, u"110"_s, u"-e"_s, u"[]"_s,
                            u"coap://127.0.0.1:%1/devices/c1/meta"_s.arg(gw.coapPort())})),
             u"4.15"_s);

    const CurlReply h = curl(port, u"/api/v1/devices/h1/meta"_s,
                             {u"-X"_s, u"POST"_s, u"-H"_s, u"Content-Type: application/json"_s, u"--data-binary"_s,
                              uR"({"model": "H-1", "metrics": ["kwh"], "site": "Hall 3"})"_s});
    QCOMPARE(h.status, 202);
    d = device(port, u"h1"_s);
    QCOMPARE(d.value(u"model"_s).toString(), u"H-1"_s);
    QCOMPARE(d.value(u"metrics"_s).toArray(), QJsonArray({QJsonObject{{u"name"_s, u"kwh"_s}}}));
    QCOMPARE(d.value(u"metadata"_s)[u"site"_s].toString(), u"Hall 3"_s);
    QCOMPARE(curl(port, u"/api/v1/devices/h1/meta"_s,
                  {u"-X"_s, u"POST"_s, u"-H"_s, u"Content-Type: application/senml+json"_s, u"--data-binary"_s, u"[]"_s})
                 .status,
             415);

    QWebSocket ws;
    QSignalSpy connected(&ws, &QWebSocket::connected);
    QSignalSpy answered(&ws, &QWebSocket::textMessageReceived);
    ws.open(QUrl(u"ws://127.0.0.1:%1/ws/device/w1"_s.arg(port)));
    QVERIFY(connected.wait(10000));
    ws.sendTextMessage(
        uR"({"type": "meta", "meta": {"type": "camera", "model": "W-1", "capabilities": ["stream"]}})"_s);
    QVERIFY(answered.wait(10000));
    QCOMPARE(QJsonDocument::fromJson(answered.front().front().toString().toUtf8())[u"type"_s].toString(), u"ack"_s);
    d = device(port, u"w1"_s);
    QCOMPARE(d.value(u"model"_s).toString(), u"W-1"_s);
    QCOMPARE(d.value(u"capabilities"_s).toArray(), QJsonArray({u"stream"_s}));
    QCOMPARE(d.value(u"type"_s).toString(), u"camera"_s); // the device's type, not the frame's

    // Kept across a restart (schema v3).
    QCOMPARE(gw.terminate(), 0);
    QVERIFY(gw.start(gw.config(m_broker.port())));
    d = device(gw.httpPort(), u"m1"_s);
    QCOMPARE(d.value(u"model"_s).toString(), u"M-1"_s);
    QCOMPARE(d.value(u"metrics"_s).toArray().size(), 1);
    QCOMPARE(device(gw.httpPort(), u"w1"_s).value(u"capabilities"_s).toArray(), QJsonArray({u"stream"_s}));
}

void TestDiscovery::badMeta()
{
    Gateway gw;
    QVERIFY(gw.start(gw.config(m_broker.port())));
    const quint16 port = gw.httpPort();
    const CurlReply r = curl(port, u"/api/v1/devices/b1/meta"_s,
                             {u"-X"_s, u"POST"_s, u"-H"_s, u"Content-Type: application/json"_s, u"--data-binary"_s,
                              uR"({"capabilities": "ota"})"_s});
    QCOMPARE(r.status, 400);
    QCOMPARE(r.json().value(u"code"_s).toString(), u"bad_meta"_s);
    QVERIFY(r.json().value(u"error"_s).toString().contains(u"capabilities"_s));
    QCOMPARE(coapCode(coap({u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, u"-e"_s, uR"({"metrics": [1]})"_s,
                            u"coap://127.0.0.1:%1/devices/b1/meta"_s.arg(gw.coapPort())})),
             u"4.00"_s);
    QVERIFY(publish(m_broker.port(), u"devices/b1/meta"_s, R"({"model": 7})"));
    QTRY_COMPARE_WITH_TIMEOUT(
        metricValue(Http(port).get(u"/metrics"_s).body, uR"(edgegate_bad_messages_total{reason="bad_meta"})"_s), 3.0,
        10000);
}

void TestDiscovery::resourceDirectory()
{
    Gateway gw;
    QVERIFY(gw.start(gw.config(m_broker.port())));
    const quint16 port = gw.httpPort();
    const QString rd = u"coap://127.0.0.1:%1/rd"_s.arg(gw.coapPort());

    const CoapRun core = coap({u"-m"_s, u"get"_s, u"coap://127.0.0.1:%1/.well-known/core"_s.arg(gw.coapPort())});
    QVERIFY2(QRegularExpression(uR"(</rd>;(ct=40;rt="core.rd"|rt="core.rd";ct=40))"_s).match(core.output).hasMatch(),
             qPrintable(core.output));

    // A registration with a short lifetime: the device appears with its resources, then they expire.
    CoapRun reg = coap({u"-m"_s, u"post"_s, u"-t"_s, u"40"_s, rd + u"?ep=dev1&lt=2&et=sensor"_s, u"-e"_s,
                        uR"(</temp>;rt="temperature";obs)"_s});
    QCOMPARE(coapCode(reg), u"2.01"_s);
    QVERIFY2(!location(reg).isEmpty(), qPrintable(reg.output));
    QJsonObject d = device(port, u"dev1"_s);
    QCOMPARE(d.value(u"type"_s).toString(), u"sensor"_s);
    QCOMPARE(d.value(u"status"_s).toString(), u"online"_s);
    QCOMPARE(d.value(u"resources"_s).toArray(),
             QJsonArray({QJsonObject{{u"href"_s, u"/temp"_s}, {u"rt"_s, u"temperature"_s}, {u"obs"_s, true}}}));
    QTRY_COMPARE_WITH_TIMEOUT(device(port, u"dev1"_s).value(u"resources"_s).toArray().size(), 0, 15000);
    QCOMPARE(device(port, u"dev1"_s).value(u"status"_s).toString(), u"offline"_s);
    QVERIFY(gw.output().contains(u"registration of dev1 expired"_s));

    // Update (new lifetime and links) and removal.
    reg = coap({u"-m"_s, u"post"_s, u"-t"_s, u"40"_s, rd + u"?ep=dev2&lt=600&base=coap://10.0.0.9:5683"_s, u"-e"_s,
                uR"(</a>;rt="x")"_s});
    QCOMPARE(coapCode(reg), u"2.01"_s);
    const QString id = location(reg);
    QCOMPARE(device(port, u"dev2"_s).value(u"resources"_s)[0][u"href"_s].toString(), u"coap://10.0.0.9:5683/a"_s);
    const CoapRun update = coap({u"-m"_s, u"post"_s, u"-t"_s, u"40"_s, rd + u"/"_s + id + u"?lt=1200"_s, u"-e"_s,
                                 uR"(</rh>;rt="humidity";if="core.s";ct=50)"_s});
    QCOMPARE(coapCode(update), u"2.04"_s);
    QCOMPARE(device(port, u"dev2"_s).value(u"resources"_s).toArray(),
             QJsonArray({QJsonObject{{u"href"_s, u"coap://10.0.0.9:5683/rh"_s},
                                     {u"rt"_s, u"humidity"_s},
                                     {u"if"_s, u"core.s"_s},
                                     {u"ct"_s, u"50"_s},
                                     {u"obs"_s, false}}}));
    // An update with no payload keeps the links.
    QCOMPARE(coapCode(coap({u"-m"_s, u"post"_s, rd + u"/"_s + id})), u"2.04"_s);
    QCOMPARE(device(port, u"dev2"_s).value(u"resources"_s).toArray().size(), 1);
    QCOMPARE(coapCode(coap({u"-m"_s, u"delete"_s, rd + u"/"_s + id})), u"2.02"_s);
    d = device(port, u"dev2"_s);
    QCOMPARE(d.value(u"resources"_s).toArray().size(), 0);
    QCOMPARE(d.value(u"status"_s).toString(), u"offline"_s);
    QCOMPARE(coapCode(coap({u"-m"_s, u"delete"_s, rd + u"/"_s + id})), u"4.04"_s);
    QCOMPARE(coapCode(coap({u"-m"_s, u"post"_s, rd + u"/"_s + id})), u"4.04"_s);
}

void TestDiscovery::resourceDirectoryErrors()
{
    Gateway gw;
    QVERIFY(gw.start(gw.config(m_broker.port())));
    const QString rd = u"coap://127.0.0.1:%1/rd"_s.arg(gw.coapPort());
    const auto code = [&](const QStringList &args) { return coapCode(coap(args)); };
    QCOMPARE(code({u"-m"_s, u"post"_s, u"-t"_s, u"40"_s, rd + u"?lt=60"_s, u"-e"_s, u"</a>"_s}), u"4.00"_s);
    QCOMPARE(code({u"-m"_s, u"post"_s, u"-t"_s, u"40"_s, rd + u"?ep=bad/id"_s, u"-e"_s, u"</a>"_s}), u"4.00"_s);
    QCOMPARE(code({u"-m"_s, u"post"_s, u"-t"_s, u"40"_s, rd + u"?ep=d&lt=0"_s, u"-e"_s, u"</a>"_s}), u"4.00"_s);
    QCOMPARE(code({u"-m"_s, u"post"_s, u"-t"_s, u"40"_s, rd + u"?ep=d"_s, u"-e"_s, u"</a;rt=x"_s}), u"4.00"_s);
    QCOMPARE(code({u"-m"_s, u"post"_s, u"-t"_s, u"40"_s, rd + u"?ep=d"_s, u"-e"_s, u"<javascript:x()>"_s}), u"4.00"_s);
    QCOMPARE(code({u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, rd + u"?ep=d"_s, u"-e"_s, u"{}"_s}), u"4.15"_s);
    QCOMPARE(code({u"-m"_s, u"post"_s, u"-t"_s, u"40"_s, rd + u"?ep=d"_s, u"-e"_s, QString(5000, u'x')}), u"4.13"_s);
    QCOMPARE(code({u"-m"_s, u"get"_s, rd}), u"4.05"_s);
    QCOMPARE(code({u"-m"_s, u"post"_s, rd + u"/nosuchreg"_s}), u"4.04"_s);
    QVERIFY(Http(gw.httpPort()).get(u"/api/v1/devices/d"_s).status == 404); // nothing registered
    const QByteArray metrics = Http(gw.httpPort()).get(u"/metrics"_s).body;
    QCOMPARE(metricValue(metrics, uR"(edgegate_bad_messages_total{reason="bad_rd_request"})"_s), 2.0);
    QCOMPARE(metricValue(metrics, uR"(edgegate_bad_messages_total{reason="bad_link_format"})"_s), 2.0);

    // Under policy deny an unknown endpoint is refused.
    Gateway deny;
    QVERIFY(deny.start(deny.config(m_broker.port(), u"registry:\n  policy: deny\n"_s)));
    QCOMPARE(coapCode(coap({u"-m"_s, u"post"_s, u"-t"_s, u"40"_s,
                            u"coap://127.0.0.1:%1/rd?ep=stranger"_s.arg(deny.coapPort()), u"-e"_s, u"</a>"_s})),
             u"4.03"_s);
}

void TestDiscovery::pendingApproveAndReject()
{
    Gateway gw;
    QVERIFY(gw.start(gw.config(m_broker.port(), u"registry:\n  policy: approve\n"_s)));
    const quint16 port = gw.httpPort();
    FeedClient feed(port);
    QTRY_VERIFY_WITH_TIMEOUT(!feed.frames.isEmpty(), 10000);

    // Announced over HTTP and CoAP RD: both wait, with what they said about themselves.
    QCOMPARE(curl(port, u"/api/v1/devices/p1/meta"_s,
                  {u"-X"_s, u"POST"_s, u"-H"_s, u"Content-Type: application/json"_s, u"--data-binary"_s,
                   uR"({"model": "P-1"})"_s})
                 .status,
             202);
    QCOMPARE(coapCode(coap({u"-m"_s, u"post"_s, u"-t"_s, u"40"_s,
                            u"coap://127.0.0.1:%1/rd?ep=p2&et=meter"_s.arg(gw.coapPort()), u"-e"_s, u"</kwh>"_s})),
             u"2.01"_s);
    for (int i = 0; i < 2; ++i) {
        const CurlReply held = curl(port, u"/api/v1/devices/p2/telemetry"_s,
                                    {u"-X"_s, u"POST"_s, u"-H"_s, u"Content-Type: application/json"_s,
                                     u"--data-binary"_s, u"{\"kwh\": %1}"_s.arg(i)});
        QCOMPARE(held.json().value(u"status"_s).toString(), u"held_for_approval"_s);
    }
    const QJsonArray pending
        = Http(port).get(u"/api/v1/devices?approval=pending"_s).json().value(u"devices"_s).toArray();
    QCOMPARE(pending.size(), 2);
    QCOMPARE(pending[0][u"id"_s].toString(), u"p1"_s);
    QCOMPARE(pending[0][u"model"_s].toString(), u"P-1"_s);
    QCOMPARE(pending[1][u"type"_s].toString(), u"meter"_s);
    QCOMPARE(pending[1][u"resources"_s][0][u"href"_s].toString(), u"/kwh"_s);
    QTRY_COMPARE_WITH_TIMEOUT(feed.lastDevice(u"p1"_s).value(u"approval"_s).toString(), u"pending"_s, 10000);
    QCOMPARE(feed.lastDevice(u"p1"_s).value(u"model"_s).toString(), u"P-1"_s);
    QTRY_COMPARE_WITH_TIMEOUT(feed.lastDevice(u"p2"_s).value(u"approval"_s).toString(), u"pending"_s, 10000);

    // Approve one.
    const HttpReply approved = Http(port).send("POST", u"/api/v1/devices/p1/approve"_s);
    QCOMPARE(approved.status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(feed.lastDevice(u"p1"_s).value(u"approval"_s).toString(), u"approved"_s, 10000);

    // Reject the other: its held messages go, it is removed, the feed is told.
    const HttpReply rejected = Http(port).send("POST", u"/api/v1/devices/p2/reject"_s);
    QCOMPARE(rejected.status, 200);
    QCOMPARE(rejected.json(), (QJsonObject{{u"id"_s, u"p2"_s}, {u"rejected"_s, true}, {u"dropped_messages"_s, 2}}));
    QCOMPARE(Http(port).get(u"/api/v1/devices/p2"_s).status, 404);
    QTRY_VERIFY_WITH_TIMEOUT(feed.removed(u"p2"_s), 10000);
    QCOMPARE(metricValue(Http(port).get(u"/metrics"_s).body,
                         uR"(edgegate_messages_dropped_total{reason="device_removed"})"_s),
             2.0);
    // Its registration went with it.
    QCOMPARE(coapCode(coap({u"-m"_s, u"delete"_s, u"coap://127.0.0.1:%1/rd/x"_s.arg(gw.coapPort())})), u"4.04"_s);

    QCOMPARE(Http(port).send("POST", u"/api/v1/devices/p1/reject"_s).status, 409);
    QCOMPARE(Http(port).send("POST", u"/api/v1/devices/nobody/reject"_s).status, 404);
    QCOMPARE(Http(port).get(u"/api/v1/devices/p1/reject"_s).status, 405);
    // A rejected device that comes back waits again.
    QVERIFY(publish(m_broker.port(), u"devices/p2/telemetry"_s, R"({"kwh": 9})"));
    QTRY_COMPARE_WITH_TIMEOUT(device(port, u"p2"_s).value(u"approval"_s).toString(), u"pending"_s, 10000);
}

void TestDiscovery::mdnsWithoutDaemonThenWithOne()
{
    for (const char *tool : {"dbus-daemon", "avahi-daemon", "avahi-browse", "unshare", "ip"}) {
        if (QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty()
            && QStandardPaths::findExecutable(QString::fromLatin1(tool), {u"/usr/sbin"_s, u"/sbin"_s}).isEmpty())
            QSKIP(qPrintable(u"%1 is not installed (tools/install-deps.sh)"_s.arg(QString::fromLatin1(tool))));
    }
    if (geteuid() != 0)
        QSKIP("a private avahi-daemon needs root for its network namespace (unshare --net)");

    // A private system bus: avahi-daemon owns org.freedesktop.Avahi on it, the gateway and avahi-browse use it.
    QTemporaryDir dir;
    const QString socket = dir.filePath(u"system_bus_socket"_s);
    const QString busConfig = writeFile(dir.filePath(u"bus.conf"_s),
                                        uR"(<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=%1</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
)"_s.arg(socket)
                                            .toUtf8());
    QProcess bus;
    bus.setProcessChannelMode(QProcess::MergedChannels);
    bus.start(u"dbus-daemon"_s, {u"--config-file="_s + busConfig, u"--nofork"_s, u"--nopidfile"_s});
    QVERIFY(bus.waitForStarted(5000));
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(socket), 10000);
    const QByteArray address = "unix:path=" + socket.toUtf8();
    qputenv("DBUS_SYSTEM_BUS_ADDRESS", address);
    const auto restoreEnv = qScopeGuard([] { qunsetenv("DBUS_SYSTEM_BUS_ADDRESS"); });

    // The bus but no daemon yet: the gateway says once that mDNS is off, and serves.
    Gateway gw;
    QVERIFY(gw.start(gw.config(m_broker.port())));
    QTRY_VERIFY_WITH_TIMEOUT(gw.output().contains(u"mDNS is off"_s), 10000);
    QCOMPARE(Http(gw.httpPort()).get(u"/healthz"_s).status == 0, false);

    // avahi-daemon in a network namespace of its own (only lo, multicast on), with /run private to it
    // for its pid file and socket: nothing of the test reaches the host's network or its avahi.
    const QString avahiConfig = writeFile(dir.filePath(u"avahi-daemon.conf"_s), R"([server]
host-name=edgegate-test
use-ipv4=yes
use-ipv6=no
allow-interfaces=lo
enable-dbus=yes
[wide-area]
enable-wide-area=no
[publish]
publish-hinfo=no
publish-workstation=no
)");
    QProcess avahi;
    avahi.setProcessChannelMode(QProcess::MergedChannels);
    avahi.start(u"unshare"_s,
                {u"--mount"_s, u"--net"_s, u"sh"_s, u"-c"_s,
                 u"mount -t tmpfs tmpfs /run && ip link set lo up && ip link set lo multicast on && "
                 "exec avahi-daemon --no-drop-root --no-chroot --no-rlimits -f '%1'"_s.arg(avahiConfig)});
    QVERIFY(avahi.waitForStarted(5000));
    const auto stopAvahi = qScopeGuard([&] {
        stopProcess(avahi);
        stopProcess(bus);
    });

    // The gateway notices the daemon and announces itself.
    QTRY_VERIFY2_WITH_TIMEOUT(gw.output().contains(u"announced as 'EdgeGate test-gw'"_s),
                              qPrintable(gw.output() + QString::fromUtf8(avahi.readAll())), 20000);
    QCOMPARE(gw.output().count(u"mDNS is off"_s), 1);

    // A second gateway with the same name gets avahi's alternative name.
    Gateway twin;
    QVERIFY(twin.start(twin.config(m_broker.port())));
    QTRY_VERIFY_WITH_TIMEOUT(twin.output().contains(u"announced as 'EdgeGate test-gw #2'"_s), 20000);

    const auto browse = [](const QString &type) {
        QProcess p;
        p.start(u"avahi-browse"_s, {u"-rpt"_s, type});
        if (!p.waitForFinished(15000))
            p.kill();
        // Parsable output escapes names as \DDD (decimal): "EdgeGate\032test-gw\032\0352".
        static const QRegularExpression escaped(uR"(\\(\d{3}))"_s);
        QStringList resolved;
        for (QString line : QString::fromUtf8(p.readAllStandardOutput()).split(u'\n')) {
            if (!line.startsWith(u"=;"))
                continue;
            for (QRegularExpressionMatch m = escaped.match(line); m.hasMatch(); m = escaped.match(line))
                line.replace(m.capturedStart(), m.capturedLength(), QChar(m.captured(1).toInt()));
            resolved.append(line);
        }
        return resolved;
    };
    const QString txt = uR"("version=%1" "ws=/ws" "api=/api/v1" "gw=test-gw")"_s.arg(QStringLiteral(EDGEGATE_VERSION));
    const auto expect = [&](const QString &type, const QString &name, quint16 port) {
        const QString line
            = u"=;lo;IPv4;%1;%2;local;edgegate-test.local;127.0.0.1;%3;%4"_s.arg(name, type).arg(port).arg(txt);
        QStringList seen;
        QTRY_VERIFY2_WITH_TIMEOUT((seen = browse(type)).contains(line),
                                  qPrintable(u"expected %1 in:\n%2"_s.arg(line, seen.join(u'\n'))), 20000);
    };
    expect(u"_edgegate._tcp"_s, u"EdgeGate test-gw"_s, gw.httpPort());
    expect(u"_coap._udp"_s, u"EdgeGate test-gw"_s, gw.coapPort());
    expect(u"_edgegate._tcp"_s, u"EdgeGate test-gw #2"_s, twin.httpPort());

    // Withdrawn when the gateway stops.
    QCOMPARE(twin.terminate(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(browse(u"_edgegate._tcp"_s).size() == 1, 20000);
}

QTEST_GUILESS_MAIN(TestDiscovery)
#include "tst_discovery.moc"
