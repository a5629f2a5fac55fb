// SPDX-License-Identifier: Apache-2.0
// edgegate-sim against real peers: its devices show up in a real edgegated over MQTT, HTTP, WebSocket
// and CoAP and acknowledge commands; its device side of OTA runs against this test playing the
// gateway (notifications on the broker, the image from a small HTTP server here that honours Range).
#include "simrun.h"
#include "testsupport.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include <csignal>
#include <functional>

using namespace testsupport;
using namespace Qt::StringLiterals;

namespace {

/// A firmware image over HTTP/1.1, one request per connection, as the gateway serves it: Range
/// requests get 206. `/cut.bin` cuts its first connection half-way; `/stall.bin` sends half and
/// then nothing more.
class ImageServer : public QObject
{
public:
    struct Request
    {
        QString path;
        qint64 rangeStart = -1; ///< -1: no Range header
    };

    explicit ImageServer(QByteArray image)
        : m_image(std::move(image))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                QObject::connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readRequest(socket); });
                QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    [[nodiscard]] QString url(const QString &path) const
    {
        return u"http://127.0.0.1:%1%2"_s.arg(m_server.serverPort()).arg(path);
    }
    [[nodiscard]] QList<Request> requests(const QString &path) const
    {
        QList<Request> out;
        for (const Request &r : m_requests) {
            if (r.path == path)
                out.append(r);
        }
        return out;
    }

private:
    void readRequest(QTcpSocket *socket)
    {
        QByteArray &buffer = m_pending[socket];
        buffer += socket->readAll();
        if (!buffer.contains("\r\n\r\n"))
            return;
        const QList<QByteArray> lines = buffer.split('\n');
        m_pending.remove(socket);
        const QList<QByteArray> requestLine = lines.constFirst().trimmed().split(' ');
        Request request;
        request.path = QString::fromLatin1(requestLine.value(1));
        static const QRegularExpression range(u"^range:\\s*bytes=(\\d+)-\\s*$"_s,
                                              QRegularExpression::CaseInsensitiveOption);
        for (const QByteArray &line : lines) {
            const auto match = range.match(QString::fromLatin1(line.trimmed()));
            if (match.hasMatch())
                request.rangeStart = match.captured(1).toLongLong();
        }
        const bool firstOfPath = requests(request.path).isEmpty();
        m_requests.append(request);
        const qint64 size = m_image.size();
        if (request.rangeStart >= size) {
            socket->write("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            socket->disconnectFromHost();
            return;
        }
        const qint64 start = std::max<qint64>(request.rangeStart, 0);
        QByteArray head = request.rangeStart >= 0 ? "HTTP/1.1 206 Partial Content\r\n" : "HTTP/1.1 200 OK\r\n";
        head += "Content-Type: application/octet-stream\r\nAccept-Ranges: bytes\r\nConnection: close\r\n";
        head += "Content-Length: " + QByteArray::number(size - start) + "\r\n";
        if (request.rangeStart >= 0) {
            head += "Content-Range: bytes " + QByteArray::number(start) + '-' + QByteArray::number(size - 1) + '/'
                + QByteArray::number(size) + "\r\n";
        }
        socket->write(head + "\r\n");
        const bool cut = request.path == u"/cut.bin" && firstOfPath;
        const bool stall = request.path == u"/stall.bin";
        if (cut || stall) {
            socket->write(m_image.mid(start, size / 2 - start));
            if (cut)
                socket->disconnectFromHost(); // after what was written is sent
            return;
        }
        socket->write(m_image.mid(start));
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
    QByteArray m_image;
    QHash<QTcpSocket *, QByteArray> m_pending;
    QList<Request> m_requests;
};

QByteArray randomImage(qsizetype size)
{
    QByteArray image(size, Qt::Uninitialized);
    QRandomGenerator generator(42);
    for (char &c : image)
        c = char(generator.bounded(256));
    return image;
}

/// coap-client-openssl; true when it exited 0.
bool coapClient(const QStringList &args)
{
    QProcess process;
    process.start(u"coap-client-openssl"_s, args);
    return process.waitForFinished(10000) && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
}

QList<QJsonObject> jsonMessages(Subscriber &subscriber, const QString &topic)
{
    QList<QJsonObject> out;
    for (const auto &[t, payload] : subscriber.messages()) {
        if (t == topic)
            out.append(QJsonDocument::fromJson(payload).object());
    }
    return out;
}

QStringList progressStates(Subscriber &subscriber, const QString &device)
{
    QStringList states;
    for (const QJsonObject &p : jsonMessages(subscriber, u"devices/%1/ota/progress"_s.arg(device)))
        states.append(p.value(u"state"_s).toString());
    return states;
}

} // namespace

class TestSimulator : public QObject
{
    Q_OBJECT
private slots:
    void helpMentionsEveryOption();
    void badOptions_data();
    void badOptions();
    void devicesReachTheGateway_data();
    void devicesReachTheGateway();
    void boundedRunEnds();
    void unreachableGateway();
    void otaDeviceSide();
    void otaOverWebSocket();
    void otaOverCoap();
};

void TestSimulator::helpMentionsEveryOption()
{
    QProcess process;
    process.start(QStringLiteral(EDGEGATE_SIM_PATH), {u"--help"_s});
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 0);
    const QString help = QString::fromUtf8(process.readAllStandardOutput());
    for (const char *option : {"--protocol",      "--devices",
                               "--id-prefix",     "--type",
                               "--model",         "--firmware",
                               "--broker",        "--coap",
                               "--http",          "--token",
                               "--interval",      "--heartbeat",
                               "--anomaly-rate",  "--messages",
                               "--duration",      "--command-fail-rate",
                               "--install-time",  "--reboot-time",
                               "--fail-corrupt",  "--fail-install",
                               "--fail-rollback", "--fail-never-return",
                               "--cut-download",  "--seed"}) {
        QVERIFY2(help.contains(QLatin1StringView(option)), option);
    }
}

void TestSimulator::badOptions_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    QTest::addRow("no devices") << QStringList{u"--devices"_s, u"0"_s} << u"--devices"_s;
    QTest::addRow("too many devices") << QStringList{u"--devices"_s, u"10001"_s} << u"--devices"_s;
    QTest::addRow("unknown protocol") << QStringList{u"--protocol"_s, u"smtp"_s} << u"--protocol"_s;
    QTest::addRow("bad interval") << QStringList{u"--interval"_s, u"soon"_s} << u"--interval"_s;
    QTest::addRow("rate above 1") << QStringList{u"--anomaly-rate"_s, u"2"_s} << u"--anomaly-rate"_s;
    QTest::addRow("broker without port") << QStringList{u"--broker"_s, u"localhost"_s} << u"--broker"_s;
    QTest::addRow("failure for an unknown device")
        << QStringList{u"--devices"_s, u"2"_s, u"--fail-corrupt"_s, u"other-1"_s} << u"--fail-corrupt"_s;
    QTest::addRow("more failures than devices")
        << QStringList{u"--devices"_s, u"2"_s, u"--fail-install"_s, u"3"_s} << u"--fail-install"_s;
    QTest::addRow("unknown option") << QStringList{u"--colour"_s} << u"colour"_s;
}

void TestSimulator::badOptions()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    QProcess process;
    process.start(QStringLiteral(EDGEGATE_SIM_PATH), args);
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 1);
    const QString error = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(error.contains(mentions), qPrintable(error));
}

void TestSimulator::devicesReachTheGateway_data()
{
    QTest::addColumn<QString>("protocol");
    QTest::addRow("mqtt") << u"mqtt"_s;
    QTest::addRow("http") << u"http"_s;
    QTest::addRow("ws") << u"ws"_s;
    QTest::addRow("coap") << u"coap"_s;
}

void TestSimulator::devicesReachTheGateway()
{
    QFETCH(QString, protocol);
    Broker broker;
    QVERIFY(broker.start());
    Gateway gateway;
    QVERIFY(gateway.start(gateway.config(broker.port())));
    Http http(gateway.httpPort());
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/healthz"_s).json().value(u"broker"_s).toString(), u"connected"_s, 10000);

    const QString prefix = protocol + u"-dev-"_s;
    SimRun sim({u"--protocol"_s, protocol, u"--devices"_s, u"3"_s, u"--id-prefix"_s, prefix, u"--interval"_s,
                u"200ms"_s, u"--duration"_s, u"120s"_s, u"--broker"_s, u"127.0.0.1:%1"_s.arg(broker.port()),
                u"--http"_s, u"http://127.0.0.1:%1"_s.arg(gateway.httpPort()), u"--coap"_s,
                u"127.0.0.1:%1"_s.arg(gateway.coapPort()), u"--type"_s, u"meter"_s});

    const auto deviceIds = [&http] {
        QStringList ids;
        for (const auto &d : http.get(u"/api/v1/devices"_s).json().value(u"devices"_s).toArray())
            ids.append(d.toObject().value(u"id"_s).toString());
        ids.sort();
        return ids;
    };
    const QStringList expected{prefix + u'1', prefix + u'2', prefix + u'3'};
    QTRY_COMPARE_WITH_TIMEOUT(deviceIds(), expected, 20000);
    for (const QString &id : expected) {
        QTRY_VERIFY_WITH_TIMEOUT(http.get(u"/api/v1/devices/%1/telemetry/latest"_s.arg(id))
                                     .json()
                                     .value(u"metrics"_s)
                                     .toObject()
                                     .contains(u"power_w"_s),
                                 10000);
        // Its announcement (meta over its own link) is on the device.
        QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/api/v1/devices/"_s + id).json().value(u"firmware"_s).toString(),
                                  u"1.0.0"_s, 10000);
        const QJsonObject device = http.get(u"/api/v1/devices/"_s + id).json();
        QCOMPARE(device.value(u"type"_s).toString(), u"meter"_s);
        QCOMPARE(device.value(u"model"_s).toString(), u"sim-meter"_s);
        QVERIFY(device.value(u"capabilities"_s).toArray().contains(u"telemetry"_s));
        QCOMPARE(device.value(u"protocol"_s).toString(), protocol == u"ws" ? u"websocket"_s : protocol);
    }

    // A command over REST reaches the device over its link and is acknowledged by it.
    const HttpReply created = http.send("POST", u"/api/v1/devices/%1/commands"_s.arg(prefix + u'2'),
                                        R"({"name": "set_interval", "params": {"seconds": 5}, "ttl": 60})");
    QCOMPARE(created.status, 201);
    const QString commandId = created.json().value(u"id"_s).toString();
    const auto commandState = [&] {
        for (const auto &c :
             http.get(u"/api/v1/devices/%1/commands"_s.arg(prefix + u'2')).json().value(u"commands"_s).toArray()) {
            if (c.toObject().value(u"id"_s).toString() == commandId)
                return c.toObject().value(u"state"_s).toString();
        }
        return QString();
    };
    QTRY_COMPARE_WITH_TIMEOUT(commandState(), u"acknowledged"_s, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(sim.events(u"command"_s, prefix + u'2').size(), 1, 10000);
    QCOMPARE(sim.events(u"command"_s, prefix + u'2').constFirst().value(u"id"_s).toString(), commandId);

    QCOMPARE(sim.terminate(), 0);
    const QList<QJsonObject> summary = sim.events(u"summary"_s);
    QCOMPARE(summary.size(), 1);
    QCOMPARE(summary.constFirst().value(u"devices"_s).toInt(), 3);
    QVERIFY(summary.constFirst().value(u"telemetry_sent"_s).toInt() >= 3);
    QCOMPARE(summary.constFirst().value(u"commands_received"_s).toInt(), 1);
    if (protocol == u"mqtt") {
        // Devices that end their run say offline (the retained status the gateway reads).
        QTRY_COMPARE_WITH_TIMEOUT(
            http.get(u"/api/v1/devices/%1"_s.arg(prefix + u'1')).json().value(u"status"_s).toString(), u"offline"_s,
            10000);
    }
}

void TestSimulator::boundedRunEnds()
{
    Broker broker;
    QVERIFY(broker.start());
    Subscriber telemetry(broker.port(), u"devices/+/telemetry"_s);
    QVERIFY(telemetry.waitUntilSubscribed(broker));
    SimRun sim({u"--devices"_s, u"2"_s, u"--messages"_s, u"4"_s, u"--interval"_s, u"50ms"_s, u"--broker"_s,
                u"127.0.0.1:%1"_s.arg(broker.port()), u"--anomaly-rate"_s, u"1"_s});
    QCOMPARE(sim.finish(), 0);
    const QJsonObject summary = sim.events(u"summary"_s).value(0);
    QCOMPARE(summary.value(u"telemetry_sent"_s).toInt(), 8);
    QCOMPARE(summary.value(u"anomalies"_s).toInt(), 8);
    QCOMPARE(summary.value(u"reason"_s).toString(), u"all messages sent"_s);
    QTRY_COMPARE_WITH_TIMEOUT(telemetry.messages().size(), 8, 10000);
    const QJsonObject reading = QJsonDocument::fromJson(telemetry.messages().constFirst().second).object();
    QVERIFY(reading.contains(u"temperature"_s));
    QVERIFY(reading.contains(u"humidity"_s));
    QVERIFY(reading.value(u"ts"_s).toDouble() > 1.7e12); // milliseconds
}

void TestSimulator::unreachableGateway()
{
    // Nothing listens there: the run ends, but not as a success.
    SimRun sim({u"--protocol"_s, u"http"_s, u"--http"_s, u"http://127.0.0.1:%1"_s.arg(freePort()), u"--messages"_s,
                u"2"_s, u"--interval"_s, u"50ms"_s});
    QCOMPARE(sim.finish(), 2);
    QVERIFY2(sim.errors().contains(u"no device reached the gateway"_s), qPrintable(sim.errors()));
    QCOMPARE(sim.events(u"summary"_s).value(0).value(u"exit_code"_s).toInt(), 2);
}

void TestSimulator::otaDeviceSide()
{
    Broker broker;
    QVERIFY(broker.start());
    const QByteArray image = randomImage(qsizetype(1024) * 1024 + 17);
    const QString sha = QString::fromLatin1(QCryptographicHash::hash(image, QCryptographicHash::Sha256).toHex());
    ImageServer server(image);
    QVERIFY(server.listen());

    Subscriber progress(broker.port(), u"devices/+/ota/progress"_s);
    QVERIFY(progress.waitUntilSubscribed(broker));
    Subscriber meta(broker.port(), u"devices/+/meta"_s);
    QVERIFY(meta.waitUntilSubscribed(broker));
    Subscriber status(broker.port(), u"devices/+/status"_s);
    QVERIFY(status.waitUntilSubscribed(broker));

    // ota-1 succeeds, ota-2 gets a corrupted image, ota-3 cuts its own download, ota-4's server cuts
    // it, ota-5 fails to install, ota-6 rolls back, ota-7 never returns, ota-8 is cancelled.
    SimRun sim({u"--devices"_s,
                u"8"_s,
                u"--id-prefix"_s,
                u"ota-"_s,
                u"--broker"_s,
                u"127.0.0.1:%1"_s.arg(broker.port()),
                u"--interval"_s,
                u"500ms"_s,
                u"--install-time"_s,
                u"200ms"_s,
                u"--reboot-time"_s,
                u"300ms"_s,
                u"--fail-corrupt"_s,
                u"ota-2"_s,
                u"--cut-download"_s,
                u"ota-3"_s,
                u"--fail-install"_s,
                u"ota-5"_s,
                u"--fail-rollback"_s,
                u"ota-6"_s,
                u"--fail-never-return"_s,
                u"ota-7"_s,
                u"--duration"_s,
                u"120s"_s});
    QTRY_VERIFY_WITH_TIMEOUT(sim.events(u"connected"_s).size() >= 8, 20000);

    const auto notify = [&](int n, const QString &path) {
        const QJsonObject notification{{u"action"_s, u"update"_s},
                                       {u"job"_s, u"c1-ota-%1"_s.arg(n)},
                                       {u"campaign"_s, u"c1"_s},
                                       {u"firmware"_s, u"sensor-fw"_s},
                                       {u"version"_s, u"2.0.0"_s},
                                       {u"size"_s, double(image.size())},
                                       {u"sha256"_s, sha},
                                       {u"url"_s, server.url(path)},
                                       {u"coap_path"_s, u"/firmware/sensor-fw/2.0.0"_s}};
        // Retained, as a broker would keep it for a device that subscribes a moment later.
        return publish(broker.port(), u"devices/ota-%1/ota"_s.arg(n),
                       QJsonDocument(notification).toJson(QJsonDocument::Compact), 1, true);
    };
    for (int n : {1, 2, 3, 5, 6, 7})
        QVERIFY(notify(n, u"/fw.bin"_s));
    QVERIFY(notify(4, u"/cut.bin"_s));
    QVERIFY(notify(8, u"/stall.bin"_s));

    // ota-1: progress in steps, then the new firmware announced after the reboot.
    QTRY_VERIFY_WITH_TIMEOUT(sim.otaStates(u"ota-1"_s).contains(u"installed"_s), 30000);
    const QStringList states1 = progressStates(progress, u"ota-1"_s);
    QCOMPARE(states1.first(), u"downloading"_s);
    QCOMPARE(states1.mid(states1.size() - 2), (QStringList{u"downloaded"_s, u"installing"_s}));
    // Percentages start at 0 and grow; how many come depends on how the bytes arrive.
    int lastPercent = -1;
    for (const QJsonObject &p : jsonMessages(progress, u"devices/ota-1/ota/progress"_s)) {
        QCOMPARE(p.value(u"job"_s).toString(), u"c1-ota-1"_s);
        if (p.value(u"state"_s).toString() != u"downloading")
            continue;
        const int percent = p.value(u"progress"_s).toInt(-1);
        QVERIFY(percent > lastPercent && percent < 100);
        lastPercent = percent;
    }
    QTRY_COMPARE_WITH_TIMEOUT(jsonMessages(meta, u"devices/ota-1/meta"_s)
                                  .value(-1 + jsonMessages(meta, u"devices/ota-1/meta"_s).size())
                                  .value(u"firmware"_s)
                                  .toString(),
                              u"2.0.0"_s, 10000);
    QCOMPARE(jsonMessages(meta, u"devices/ota-1/meta"_s).constFirst().value(u"firmware"_s).toString(), u"1.0.0"_s);
    QCOMPARE(sim.events(u"reboot"_s, u"ota-1"_s).size(), 1);

    // ota-2: the SHA-256 check fails.
    QTRY_VERIFY_WITH_TIMEOUT(progressStates(progress, u"ota-2"_s).contains(u"failed"_s), 30000);
    QCOMPARE(jsonMessages(progress, u"devices/ota-2/ota/progress"_s).constLast().value(u"error"_s).toString(),
             u"sha256_mismatch"_s);
    QVERIFY(sim.events(u"reboot"_s, u"ota-2"_s).isEmpty());

    // ota-3: cut by the device half-way, resumed with a Range request from where it stood.
    QTRY_VERIFY_WITH_TIMEOUT(sim.otaStates(u"ota-3"_s).contains(u"installed"_s), 30000);
    const QList<QJsonObject> cuts = sim.events(u"ota"_s, u"ota-3"_s);
    qint64 cutAt = -1;
    for (const QJsonObject &e : cuts) {
        if (e.value(u"state"_s).toString() == u"download_cut")
            cutAt = qint64(e.value(u"offset"_s).toDouble());
    }
    QCOMPARE(cutAt, image.size() / 2);
    bool resumedThere = false;
    for (const ImageServer::Request &r : server.requests(u"/fw.bin"_s))
        resumedThere = resumedThere || r.rangeStart == cutAt;
    QVERIFY(resumedThere);

    // ota-4: the server cut the connection half-way; the device resumed at exactly that byte.
    QTRY_VERIFY_WITH_TIMEOUT(sim.otaStates(u"ota-4"_s).contains(u"installed"_s), 30000);
    const QList<ImageServer::Request> cutRequests = server.requests(u"/cut.bin"_s);
    QCOMPARE(cutRequests.size(), 2);
    QCOMPARE(cutRequests.at(0).rangeStart, -1);
    QCOMPARE(cutRequests.at(1).rangeStart, image.size() / 2);

    // ota-5: the install fails.
    QTRY_VERIFY_WITH_TIMEOUT(progressStates(progress, u"ota-5"_s).contains(u"failed"_s), 30000);
    QCOMPARE(jsonMessages(progress, u"devices/ota-5/ota/progress"_s).constLast().value(u"error"_s).toString(),
             u"install_error"_s);

    // ota-6: back from the reboot with the old firmware.
    QTRY_VERIFY_WITH_TIMEOUT(progressStates(progress, u"ota-6"_s).contains(u"rolled_back"_s), 30000);
    QCOMPARE(jsonMessages(meta, u"devices/ota-6/meta"_s).constLast().value(u"firmware"_s).toString(), u"1.0.0"_s);
    QCOMPARE(jsonMessages(meta, u"devices/ota-6/meta"_s).size(), 2);

    // ota-7: goes offline for the reboot and stays away.
    QTRY_VERIFY_WITH_TIMEOUT(sim.otaStates(u"ota-7"_s).contains(u"never_returned"_s), 30000);
    QCOMPARE(retained(broker.port(), u"devices/ota-7/status"_s), QByteArray("offline"));
    QCOMPARE(jsonMessages(meta, u"devices/ota-7/meta"_s).size(), 1);

    // ota-8: its download stalls half-way; a cancel stops the job.
    QTRY_VERIFY_WITH_TIMEOUT(progressStates(progress, u"ota-8"_s).count(u"downloading"_s) >= 2, 30000);
    QVERIFY(publish(broker.port(), u"devices/ota-8/ota"_s, R"({"action": "cancel", "job": "c1-ota-8"})", 1, true));
    QTRY_VERIFY_WITH_TIMEOUT(sim.otaStates(u"ota-8"_s).contains(u"cancelled"_s), 10000);

    QCOMPARE(sim.terminate(), 0);
    const QJsonObject summary = sim.events(u"summary"_s).value(0);
    QCOMPARE(summary.value(u"ota_installed"_s).toInt(), 3);
    QCOMPARE(summary.value(u"ota_failed"_s).toInt(), 2);
    QCOMPARE(summary.value(u"ota_rolled_back"_s).toInt(), 1);
    QCOMPARE(summary.value(u"never_returned"_s).toInt(), 1);
    QCOMPARE(summary.value(u"ota_cancelled"_s).toInt(), 1);
    QVERIFY2(summary.value(u"download_resumes"_s).toInt() >= 2, qPrintable(sim.errors()));
}

void TestSimulator::otaOverWebSocket()
{
    const QByteArray image = randomImage(qsizetype(300) * 1024);
    const QString sha = QString::fromLatin1(QCryptographicHash::hash(image, QCryptographicHash::Sha256).toHex());
    ImageServer images(image);
    QVERIFY(images.listen());

    // The test plays the gateway's WebSocket device endpoint: it records every frame and each path.
    QWebSocketServer server(u"test-gateway"_s, QWebSocketServer::NonSecureMode);
    QVERIFY(server.listen(QHostAddress::LocalHost));
    QList<QJsonObject> frames;
    QStringList paths;
    QList<QWebSocket *> sockets;
    connect(&server, &QWebSocketServer::newConnection, this, [&] {
        while (QWebSocket *socket = server.nextPendingConnection()) {
            socket->setParent(&server);
            paths.append(socket->requestUrl().path());
            sockets.append(socket);
            connect(socket, &QWebSocket::textMessageReceived, this,
                    [&frames](const QString &text) { frames.append(QJsonDocument::fromJson(text.toUtf8()).object()); });
        }
    });
    const auto framesOf = [&frames](const QString &type) {
        QList<QJsonObject> out;
        for (const QJsonObject &f : frames) {
            if (f.value(u"type"_s).toString() == type)
                out.append(f);
        }
        return out;
    };

    SimRun sim({u"--protocol"_s, u"ws"_s, u"--id-prefix"_s, u"wsota-"_s, u"--http"_s,
                u"http://127.0.0.1:%1"_s.arg(server.serverPort()), u"--interval"_s, u"500ms"_s, u"--install-time"_s,
                u"100ms"_s, u"--reboot-time"_s, u"200ms"_s, u"--cut-download"_s, u"1"_s, u"--duration"_s, u"120s"_s});
    QTRY_COMPARE_WITH_TIMEOUT(framesOf(u"meta"_s).size(), 1, 20000);
    QCOMPARE(paths, QStringList{u"/ws/device/wsota-1"_s});
    QCOMPARE(framesOf(u"meta"_s).constFirst().value(u"meta"_s).toObject().value(u"firmware"_s).toString(), u"1.0.0"_s);

    const QJsonObject notification{{u"type"_s, u"ota"_s},
                                   {u"action"_s, u"update"_s},
                                   {u"job"_s, u"c2-wsota-1"_s},
                                   {u"version"_s, u"1.1.0"_s},
                                   {u"size"_s, double(image.size())},
                                   {u"sha256"_s, sha},
                                   {u"url"_s, images.url(u"/fw.bin"_s)}};
    sockets.constLast()->sendTextMessage(QString::fromUtf8(QJsonDocument(notification).toJson(QJsonDocument::Compact)));

    // After the reboot the device connects again and announces the new version.
    QTRY_COMPARE_WITH_TIMEOUT(framesOf(u"meta"_s).size(), 2, 30000);
    QCOMPARE(framesOf(u"meta"_s).constLast().value(u"meta"_s).toObject().value(u"firmware"_s).toString(), u"1.1.0"_s);
    QCOMPARE(sockets.size(), 2);
    QStringList states;
    for (const QJsonObject &p : framesOf(u"ota_progress"_s)) {
        QCOMPARE(p.value(u"job"_s).toString(), u"c2-wsota-1"_s);
        states.append(p.value(u"state"_s).toString());
    }
    QCOMPARE(states.first(), u"downloading"_s);
    QCOMPARE(states.mid(states.size() - 2), (QStringList{u"downloaded"_s, u"installing"_s}));
    // The cut download went on from the middle.
    const QList<ImageServer::Request> requests = images.requests(u"/fw.bin"_s);
    QCOMPARE(requests.size(), 2);
    QCOMPARE(requests.at(1).rangeStart, image.size() / 2);
    QCOMPARE(sim.terminate(), 0);
}

void TestSimulator::otaOverCoap()
{
    // libcoap's example server plays the gateway: resources PUT to it become observable, and it
    // serves them block-wise.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QByteArray image = randomImage(qsizetype(150) * 1024 + 3);
    const QString sha = QString::fromLatin1(QCryptographicHash::hash(image, QCryptographicHash::Sha256).toHex());
    QFile file(dir.filePath(u"fw.bin"_s));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(image);
    file.close();

    const quint16 port = freeUdpPort();
    QProcess server;
    server.start(u"coap-server-openssl"_s,
                 {u"-A"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(port), u"-d"_s, u"20"_s, u"-L"_s, u"1"_s});
    QVERIFY(server.waitForStarted(5000));
    const QString base = u"coap://127.0.0.1:%1"_s.arg(port);
    QTRY_VERIFY_WITH_TIMEOUT(coapClient({u"-m"_s, u"put"_s, u"-b"_s, u"1024"_s, u"-f"_s, file.fileName(),
                                         base + u"/firmware/sensor-fw/3.0.0"_s}),
                             10000);
    QVERIFY(coapClient({u"-m"_s, u"put"_s, u"-e"_s, u"{}"_s, base + u"/devices/coapota-1/ota"_s}));

    SimRun sim({u"--protocol"_s, u"coap"_s, u"--id-prefix"_s, u"coapota-"_s, u"--coap"_s, u"127.0.0.1:%1"_s.arg(port),
                u"--interval"_s, u"500ms"_s, u"--install-time"_s, u"100ms"_s, u"--reboot-time"_s, u"200ms"_s,
                u"--duration"_s, u"120s"_s});
    QTRY_COMPARE_WITH_TIMEOUT(sim.events(u"connected"_s).size(), 1, 20000);
    // Whether the device's observation is in place yet or not, it learns of the update: as a
    // notification, or in the answer to its observe request.
    const QJsonObject notification{{u"action"_s, u"update"_s}, {u"job"_s, u"c3-coapota-1"_s},
                                   {u"version"_s, u"3.0.0"_s}, {u"size"_s, double(image.size())},
                                   {u"sha256"_s, sha},         {u"coap_path"_s, u"/firmware/sensor-fw/3.0.0"_s}};
    QVERIFY(coapClient({u"-m"_s, u"put"_s, u"-e"_s,
                        QString::fromUtf8(QJsonDocument(notification).toJson(QJsonDocument::Compact)),
                        base + u"/devices/coapota-1/ota"_s}));
    QTRY_VERIFY_WITH_TIMEOUT(sim.otaStates(u"coapota-1"_s).contains(u"installed"_s), 30000);
    const QStringList states = sim.otaStates(u"coapota-1"_s);
    QCOMPARE(states.first(), u"notified"_s);
    // Block by block: several percentages on the way.
    QVERIFY2(states.count(u"downloading"_s) >= 3, qPrintable(states.join(u',')));
    QVERIFY(states.indexOf(u"downloaded"_s) < states.indexOf(u"installed"_s));
    QCOMPARE(sim.events(u"connected"_s).constLast().value(u"firmware"_s).toString(), u"3.0.0"_s);
    QCOMPARE(sim.terminate(), 0);
    server.kill();
    server.waitForFinished(5000);
}

QTEST_GUILESS_MAIN(TestSimulator)
#include "tst_simulator.moc"
