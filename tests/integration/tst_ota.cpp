// SPDX-License-Identifier: Apache-2.0
// OTA against a real mosquitto: the service as shipped (a campaign for an image it does not have is
// refused), and the service's object graph in this process with an image in its firmware store,
// rolling a campaign created over REST out to an MQTT device (mosquitto_sub/pub), a WebSocket
// device, a CoAP device (coap-client) and an HTTP device, with the dashboard feed watching.
#include "testsupport.h"

#include "gateway/app/config/config.h"
#include "gateway/app/gateway.h"
#include "gateway/core/ota/firmware.h"
#include "gateway/storage/firmwarestore.h"

#include <QJsonArray>
#include <QNetworkRequest>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

using namespace testsupport;
using namespace Qt::StringLiterals;

namespace {

/// A WebSocket client (a device on /ws/device/{id}, or the dashboard on /ws) keeping every frame.
struct WsClient
{
    QWebSocket socket;
    QList<QJsonObject> frames;

    WsClient(quint16 port, const QString &path)
    {
        QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket, [this](const QString &text) {
            frames.append(QJsonDocument::fromJson(text.toUtf8()).object());
        });
        socket.open(QUrl(u"ws://127.0.0.1:%1%2"_s.arg(port).arg(path)));
    }

    [[nodiscard]] QList<QJsonObject> ofType(const QString &type) const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &f : frames) {
            if (f.value(u"type"_s).toString() == type)
                out.append(f);
        }
        return out;
    }
};

/// coap-client-openssl, run without blocking the loop the gateway lives in; its exit code.
int coapClient(const QStringList &args, QByteArray *output = nullptr)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(u"coap-client-openssl"_s, QStringList{u"-B"_s, u"10"_s} + args);
    if (!process.waitForStarted(5000) || !finished.wait(15000))
        return -1;
    if (output)
        *output = process.readAll();
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

QString jobState(Http &http, const QString &device)
{
    const QJsonArray jobs = http.get(u"/api/v1/devices/%1/ota"_s.arg(device)).json().value(u"jobs"_s).toArray();
    return jobs.isEmpty() ? QString() : jobs.first().toObject().value(u"state"_s).toString();
}

} // namespace

class TestOta : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void campaignForAnUnknownImage();
    void campaignReachesDevicesOnEveryLink();

private:
    std::unique_ptr<Broker> m_broker;
};

void TestOta::init()
{
    m_broker = std::make_unique<Broker>();
    QVERIFY(m_broker->start());
}

void TestOta::cleanup()
{
    m_broker.reset();
}

void TestOta::campaignForAnUnknownImage()
{
    Gateway gateway;
    QVERIFY(gateway.start(gateway.config(m_broker->port(), u"ota:\n  job_timeout: 10m\n  max_concurrent: 2\n"_s)));
    Http http(gateway.httpPort());
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/healthz"_s).json().value(u"broker"_s).toString(), u"connected"_s, 10000);
    QVERIFY(publish(m_broker->port(), u"devices/m1/meta"_s, R"({"type": "sensor", "firmware": "1.0.0"})"));
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/api/v1/devices/m1"_s).status, 200, 10000);

    const CurlReply created = curl(gateway.httpPort(), u"/api/v1/ota/campaigns"_s,
                                   {u"-X"_s, u"POST"_s, u"-H"_s, u"Content-Type: application/json"_s, u"--data"_s,
                                    uR"({"firmware": "fw", "version": "2.0.0", "target": {"type": "sensor"}})"_s});
    QCOMPARE(created.status, 400);
    QCOMPARE(created.json().value(u"code"_s).toString(), u"unknown_firmware"_s);
    QCOMPARE(http.get(u"/api/v1/ota/campaigns"_s).json(), (QJsonObject{{u"campaigns"_s, QJsonArray()}}));
    QCOMPARE(http.get(u"/api/v1/ota/campaigns/c1"_s).status, 404);
    QCOMPARE(http.send("POST", u"/api/v1/ota/campaigns/c1/pause"_s).status, 404);
    QCOMPARE(http.get(u"/api/v1/devices/m1/ota"_s).json(), (QJsonObject{{u"jobs"_s, QJsonArray()}}));
    QCOMPARE(http.get(u"/api/v1/devices/nobody/ota"_s).status, 404);
    const CurlReply pending = curl(gateway.httpPort(), u"/api/v1/devices/m1/ota/pending"_s);
    QCOMPARE(pending.status, 200);
    QCOMPARE(pending.json(), QJsonObject());
    const QByteArray metrics = http.get(u"/metrics"_s).body;
    QCOMPARE(metricValue(metrics, u"edgegate_ota_campaigns{state=\"running\"}"_s), 0.0);
    QCOMPARE(metricValue(metrics, u"edgegate_ota_progress_refused_total{reason=\"wrong_job\"}"_s), 0.0);
    QVERIFY(QFile::exists(gateway.dataDir() + u"/ota.db"_s));
    QCOMPARE(gateway.terminate(), 0);
}

void TestOta::campaignReachesDevicesOnEveryLink()
{
    QTemporaryDir data;
    const quint16 httpPort = freePort();
    const quint16 coapPort = freeUdpPort();
    const QString yaml = u"gateway:\n  id: ota-gw\n  data_dir: %1\nmqtt:\n  host: 127.0.0.1\n  port: %2\n"
                         "http:\n  listen: 127.0.0.1:%3\ncoap:\n  listen: 127.0.0.1:%4\n"_s.arg(data.path())
                             .arg(m_broker->port())
                             .arg(httpPort)
                             .arg(coapPort);
    const edgegate::ConfigLoad config = edgegate::loadConfigText(yaml.toUtf8());
    QVERIFY(config.errors.isEmpty());
    edgegate::Gateway gateway(config.config);
    QString error;
    QVERIFY2(gateway.start(&error), qPrintable(error));
    // The image, put straight into the gateway's firmware store.
    const QByteArray image(4096, 'c');
    edgegate::FirmwareStore::Failure failure{};
    auto upload = gateway.firmware().begin({u"fw"_s, u"2.0.0"_s, {}, image.size(), {}}, &failure);
    QVERIFY(upload);
    QVERIFY(!upload->write(image));
    QVERIFY(upload->commit(&failure));
    const QString imageSha = QString::fromLatin1(QCryptographicHash::hash(image, QCryptographicHash::Sha256).toHex());
    Http http(httpPort);
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/healthz"_s).json().value(u"broker"_s).toString(), u"connected"_s, 10000);

    // An MQTT device, a WebSocket device, a CoAP device observing its OTA resource, and the dashboard.
    Subscriber notifications(m_broker->port(), u"devices/m1/ota"_s);
    QVERIFY(notifications.waitUntilSubscribed(*m_broker));
    QVERIFY(publish(m_broker->port(), u"devices/m1/meta"_s, R"({"type": "sensor", "firmware": "1.0.0"})"));
    WsClient wsDevice(httpPort, u"/ws/device/w1"_s);
    QTRY_VERIFY_WITH_TIMEOUT(wsDevice.socket.state() == QAbstractSocket::ConnectedState, 10000);
    wsDevice.socket.sendTextMessage(u"{\"temperature\": 20}"_s);
    WsClient dashboard(httpPort, u"/ws"_s);
    QTRY_VERIFY_WITH_TIMEOUT(dashboard.socket.state() == QAbstractSocket::ConnectedState, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/api/v1/devices/m1"_s).status, 200, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/api/v1/devices/w1"_s).status, 200, 10000);
    const QString coap = u"coap://127.0.0.1:%1"_s.arg(coapPort);
    QCOMPARE(
        coapClient({u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, u"-e"_s, u"{\"t\": 1}"_s, coap + u"/devices/k1/telemetry"_s}),
        0);
    QProcess observer;
    observer.setProcessChannelMode(QProcess::MergedChannels);
    QByteArray observed;
    connect(&observer, &QProcess::readyRead, this, [&] { observed += observer.readAll(); });
    observer.start(u"coap-client-openssl"_s,
                   {u"-s"_s, u"30"_s, u"-B"_s, u"35"_s, u"-w"_s, u"-m"_s, u"get"_s, coap + u"/devices/k1/ota"_s});
    QVERIFY(observer.waitForStarted(5000));
    QTRY_VERIFY2_WITH_TIMEOUT(observed.contains("{}"), observed.constData(), 10000); // nothing to do yet
    QCOMPARE(http.send("POST", u"/api/v1/devices/h1/telemetry"_s, R"({"t": 1})").status, 202);

    const HttpReply created = http.send("POST", u"/api/v1/ota/campaigns"_s,
                                        R"({"name": "both", "firmware": "fw", "version": "2.0.0",
                                            "target": {"devices": ["m1", "w1", "k1", "h1"]}, "job_timeout": "5m"})");
    QCOMPARE(created.status, 201);
    const QString campaign = created.json().value(u"id"_s).toString();
    QCOMPARE(created.json().value(u"jobs"_s).toArray().size(), 4);

    // MQTT: the notification on devices/m1/ota, with the URL built from the HTTP listener.
    QTRY_COMPARE_WITH_TIMEOUT(notifications.messages().size(), 1, 10000);
    const QJsonObject note = QJsonDocument::fromJson(notifications.messages().front().second).object();
    QCOMPARE(note.value(u"action"_s).toString(), u"update"_s);
    QCOMPARE(note.value(u"job"_s).toString(), campaign + u"-m1"_s);
    QCOMPARE(note.value(u"url"_s).toString(), u"http://127.0.0.1:%1/api/v1/firmware/fw/2.0.0/image"_s.arg(httpPort));
    QCOMPARE(note.value(u"sha256"_s).toString(), imageSha);
    const QString job = note.value(u"job"_s).toString();
    for (const char *step : {"downloading", "downloaded", "installing"}) {
        QVERIFY(publish(
            m_broker->port(), u"devices/m1/ota/progress"_s,
            u"{\"job\": \"%1\", \"state\": \"%2\", \"progress\": 100}"_s.arg(job, QLatin1String(step)).toUtf8()));
        QTRY_COMPARE_WITH_TIMEOUT(jobState(http, u"m1"_s), QString::fromLatin1(step), 10000);
    }
    QVERIFY(publish(m_broker->port(), u"devices/m1/meta"_s, R"({"firmware": "2.0.0"})"));
    QTRY_COMPARE_WITH_TIMEOUT(jobState(http, u"m1"_s), u"succeeded"_s, 10000);

    // WebSocket: an `ota` frame, progress back as `ota_progress` frames, the new firmware in a `meta` frame.
    QTRY_COMPARE_WITH_TIMEOUT(wsDevice.ofType(u"ota"_s).size(), 1, 10000);
    const QJsonObject wsNote = wsDevice.ofType(u"ota"_s).front();
    QCOMPARE(wsNote.value(u"job"_s).toString(), campaign + u"-w1"_s);
    QCOMPARE(wsNote.value(u"action"_s).toString(), u"update"_s);
    wsDevice.socket.sendTextMessage(
        u"{\"type\": \"ota_progress\", \"job\": \"%1\", \"state\": \"installing\"}"_s.arg(campaign + u"-w1"_s));
    QTRY_COMPARE_WITH_TIMEOUT(jobState(http, u"w1"_s), u"installing"_s, 10000);
    wsDevice.socket.sendTextMessage(u"{\"type\": \"meta\", \"meta\": {\"firmware\": \"2.0.0\"}}"_s);
    QTRY_COMPARE_WITH_TIMEOUT(jobState(http, u"w1"_s), u"succeeded"_s, 10000);
    QCOMPARE(http.get(u"/api/v1/devices/w1"_s).json().value(u"firmware"_s).toString(), u"2.0.0"_s);

    // HTTP: no push; the device asks, reports, and fails its check.
    QCOMPARE(jobState(http, u"h1"_s), u"pending"_s);
    const HttpReply asked = http.get(u"/api/v1/devices/h1/ota/pending"_s);
    QCOMPARE(asked.status, 200);
    QCOMPARE(asked.json().value(u"job"_s).toString(), campaign + u"-h1"_s);
    QCOMPARE(jobState(http, u"h1"_s), u"notified"_s);
    QCOMPARE(
        http.send(
                "POST", u"/api/v1/devices/h1/ota/progress"_s,
                u"{\"job\": \"%1-h1\", \"state\": \"failed\", \"error\": \"sha256_mismatch\"}"_s.arg(campaign).toUtf8())
            .status,
        202);
    QCOMPARE(jobState(http, u"h1"_s), u"failed"_s);
    QCOMPARE(
        http.get(u"/api/v1/devices/h1/ota"_s).json().value(u"jobs"_s).toArray().first().toObject().value(u"error"_s),
        QJsonValue(u"sha256_mismatch"_s));

    // CoAP: the observer is notified; progress is posted back; the device comes back with its old firmware.
    QTRY_VERIFY2_WITH_TIMEOUT(observed.contains(QString(campaign + u"-k1"_s).toUtf8()), observed.constData(), 10000);
    QCOMPARE(coapClient({u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, u"-e"_s,
                         u"{\"job\": \"%1-k1\", \"state\": \"installing\"}"_s.arg(campaign),
                         coap + u"/devices/k1/ota/progress"_s}),
             0);
    QTRY_COMPARE_WITH_TIMEOUT(jobState(http, u"k1"_s), u"installing"_s, 10000);
    QCOMPARE(coapClient({u"-m"_s, u"post"_s, u"-t"_s, u"50"_s, u"-e"_s, u"{\"firmware\": \"1.0.0\"}"_s,
                         coap + u"/devices/k1/meta"_s}),
             0);
    QTRY_COMPARE_WITH_TIMEOUT(jobState(http, u"k1"_s), u"rolled_back"_s, 10000);
    QSignalSpy observerDone(&observer, &QProcess::finished);
    observer.kill();
    QVERIFY(observerDone.wait(5000));

    const QJsonObject done = http.get(u"/api/v1/ota/campaigns/"_s + campaign).json();
    QCOMPARE(done.value(u"state"_s).toString(), u"completed"_s);
    QCOMPARE(done.value(u"counts"_s).toObject(),
             (QJsonObject{{u"succeeded"_s, 2}, {u"failed"_s, 1}, {u"rolled_back"_s, 1}}));
    QCOMPARE(http.send("POST", u"/api/v1/ota/campaigns/%1/resume"_s.arg(campaign)).status, 409);

    // The dashboard saw the jobs and the campaign change.
    QTRY_VERIFY_WITH_TIMEOUT(!dashboard.ofType(u"ota_campaign"_s).isEmpty(), 10000);
    QCOMPARE(dashboard.ofType(u"ota_campaign"_s).back().value(u"campaign"_s).toObject().value(u"state"_s).toString(),
             u"completed"_s);
    QStringList m1States;
    for (const QJsonObject &f : dashboard.ofType(u"ota_job"_s)) {
        const QJsonObject j = f.value(u"job"_s).toObject();
        if (j.value(u"device"_s).toString() == u"m1")
            m1States.append(j.value(u"state"_s).toString());
    }
    QCOMPARE(
        m1States,
        (QStringList{u"pending"_s, u"notified"_s, u"downloading"_s, u"downloaded"_s, u"installing"_s, u"succeeded"_s}));
    const QByteArray metrics = http.get(u"/metrics"_s).body;
    QCOMPARE(metricValue(metrics, u"edgegate_ota_notifications_total{action=\"update\"}"_s), 4.0);
    QCOMPARE(metricValue(metrics, u"edgegate_ota_jobs{state=\"succeeded\"}"_s), 2.0);
    gateway.stop();
}

QTEST_MAIN(TestOta)
#include "tst_ota.moc"
