// SPDX-License-Identifier: Apache-2.0
// OTA end to end: edgegated with a real mosquitto, real CoAP and the device simulator (edgegate-sim),
// from an image uploaded with curl to devices reporting their new firmware.

#include "simrun.h"
#include "testsupport.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace testsupport;
using namespace Qt::StringLiterals;

namespace {

constexpr int CampaignTimeoutMs = 60000;

/// Everything one test needs: a broker, a gateway and a firmware image uploaded to it.
struct Site
{
    Broker broker;
    Gateway gateway;
    QTemporaryDir files;
    QString yaml;

    bool start(const QString &extra = {})
    {
        if (!broker.start())
            return false;
        yaml = gateway.config(broker.port(), u"ota:\n  job_timeout: 60s\n"_s + extra);
        return gateway.start(yaml);
    }

    /// Uploads `size` random bytes as sensor-fw `version`; the image's SHA-256 (hex), empty on failure.
    QByteArray upload(const QString &version, qsizetype size = 256 * 1024)
    {
        QByteArray image(size, Qt::Uninitialized);
        QRandomGenerator generator(42);
        for (char &c : image)
            c = static_cast<char>(generator.bounded(256));
        const QString path = files.filePath(u"fw-"_s + version);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(image) != image.size())
            return {};
        file.close();
        const CurlReply reply = curl(
            gateway.httpPort(), u"/api/v1/firmware/sensor-fw/%1?device_type=sensor"_s.arg(version), {u"-T"_s, path});
        if (reply.status != 201) {
            qWarning() << "upload answered" << reply.status << reply.body;
            return {};
        }
        return QCryptographicHash::hash(image, QCryptographicHash::Sha256).toHex();
    }

    [[nodiscard]] qsizetype approvedDevices()
    {
        return curl(gateway.httpPort(), u"/api/v1/devices?type=sensor"_s).json().value(u"devices"_s).toArray().size();
    }

    QJsonObject createCampaign(const QJsonObject &request)
    {
        const CurlReply reply = curl(gateway.httpPort(), u"/api/v1/ota/campaigns"_s,
                                     {u"-X"_s, u"POST"_s, u"-H"_s, u"Content-Type: application/json"_s,
                                      u"--data-binary"_s, QString::fromUtf8(QJsonDocument(request).toJson())});
        if (reply.status != 201)
            qWarning() << "campaign answered" << reply.status << reply.body;
        return reply.json();
    }

    QJsonObject campaign(const QString &id)
    {
        return curl(gateway.httpPort(), u"/api/v1/ota/campaigns/"_s + id).json();
    }
};

int count(const QJsonObject &campaign, const QString &state)
{
    return campaign.value(u"counts"_s).toObject().value(state).toInt();
}

QString jobState(const QJsonObject &campaign, const QString &device)
{
    for (const QJsonValue &job : campaign.value(u"jobs"_s).toArray()) {
        if (job.toObject().value(u"device"_s).toString() == device)
            return job.toObject().value(u"state"_s).toString();
    }
    return {};
}

QJsonObject job(const QJsonObject &campaign, const QString &device)
{
    for (const QJsonValue &job : campaign.value(u"jobs"_s).toArray()) {
        if (job.toObject().value(u"device"_s).toString() == device)
            return job.toObject();
    }
    return {};
}

QStringList simArgs(const Site &site, const QString &protocol, int devices, const QString &prefix)
{
    return {u"--protocol"_s,     protocol,
            u"--devices"_s,      QString::number(devices),
            u"--id-prefix"_s,    prefix,
            u"--type"_s,         u"sensor"_s,
            u"--firmware"_s,     u"1.0.0"_s,
            u"--broker"_s,       u"127.0.0.1:%1"_s.arg(site.broker.port()),
            u"--coap"_s,         u"127.0.0.1:%1"_s.arg(site.gateway.coapPort()),
            u"--http"_s,         u"http://127.0.0.1:%1"_s.arg(site.gateway.httpPort()),
            u"--interval"_s,     u"1s"_s,
            u"--install-time"_s, u"300ms"_s,
            u"--reboot-time"_s,  u"500ms"_s};
}

} // namespace

class tst_OtaEndToEnd : public QObject
{
    Q_OBJECT

private slots:
    void twentyDevicesTwoFailuresAndARestart();
    void thresholdPausesTheCampaign();
    void coapAndWebSocketDevices();
};

// 20 MQTT devices: one gets a corrupt image, one fails to install, one loses its download half-way.
// The gateway is killed (SIGKILL) and restarted mid-campaign; the campaign goes on where it stood.
void tst_OtaEndToEnd::twentyDevicesTwoFailuresAndARestart()
{
    Site site;
    QVERIFY(site.start());
    const QByteArray sha = site.upload(u"2.0.0"_s);
    QVERIFY(!sha.isEmpty());

    SimRun sim(simArgs(site, u"mqtt"_s, 20, u"m-"_s) << u"--fail-corrupt"_s << u"m-4"_s << u"--fail-install"_s
                                                     << u"m-9"_s << u"--cut-download"_s << u"m-2"_s);
    QTRY_COMPARE_WITH_TIMEOUT(site.approvedDevices(), 20, 30000);

    const QJsonObject created = site.createCampaign({{u"name"_s, u"spring"_s},
                                                     {u"firmware"_s, u"sensor-fw"_s},
                                                     {u"version"_s, u"2.0.0"_s},
                                                     {u"target"_s, QJsonObject{{u"type"_s, u"sensor"_s}}},
                                                     {u"batch_size"_s, 5},
                                                     {u"max_concurrent"_s, 5},
                                                     {u"failure_threshold"_s, 3}});
    const QString id = created.value(u"id"_s).toString();
    QVERIFY2(!id.isEmpty(), QJsonDocument(created).toJson().constData());
    QCOMPARE(created.value(u"jobs"_s).toArray().size(), 20);
    QCOMPARE(created.value(u"sha256"_s).toString().toLatin1(), sha);

    // Restart once some jobs are done and others are not.
    QTRY_VERIFY_WITH_TIMEOUT(count(site.campaign(id), u"succeeded"_s) >= 5, CampaignTimeoutMs);
    const QJsonObject before = site.campaign(id);
    QCOMPARE(before.value(u"state"_s).toString(), u"running"_s);
    site.gateway.kill();
    QVERIFY(site.gateway.start(site.yaml));

    QTRY_COMPARE_WITH_TIMEOUT(site.campaign(id).value(u"state"_s).toString(), u"completed"_s, CampaignTimeoutMs);
    const QJsonObject done = site.campaign(id);
    QCOMPARE(count(done, u"succeeded"_s), 18);
    QCOMPARE(count(done, u"failed"_s), 2);
    QCOMPARE(job(done, u"m-4"_s).value(u"error"_s).toString(), u"sha256_mismatch"_s);
    QCOMPARE(job(done, u"m-9"_s).value(u"error"_s).toString(), u"install_error"_s);
    QCOMPARE(jobState(done, u"m-2"_s), u"succeeded"_s);
    for (int i = 0; i < before.value(u"jobs"_s).toArray().size(); ++i) {
        // Jobs final before the restart kept their state.
        const QJsonObject was = before.value(u"jobs"_s).toArray().at(i).toObject();
        if (was.value(u"state"_s).toString() == u"succeeded")
            QCOMPARE(jobState(done, was.value(u"device"_s).toString()), u"succeeded"_s);
    }

    // The cut download resumed from where it stood, and the device runs the new firmware.
    QCOMPARE(sim.events(u"ota"_s, u"m-2"_s).size() > 0, true);
    QVERIFY(sim.otaStates(u"m-2"_s).contains(u"download_cut"_s));
    QVERIFY(sim.otaStates(u"m-2"_s).contains(u"resuming"_s));
    const QJsonObject device = curl(site.gateway.httpPort(), u"/api/v1/devices/m-2"_s).json();
    QCOMPARE(device.value(u"firmware"_s).toString(), u"2.0.0"_s);
    QCOMPARE(curl(site.gateway.httpPort(), u"/api/v1/devices/m-4"_s).json().value(u"firmware"_s).toString(),
             u"1.0.0"_s);
}

// The same two failures in the first batch with a threshold of 2: the campaign pauses there and
// starts no further job until it is resumed.
void tst_OtaEndToEnd::thresholdPausesTheCampaign()
{
    Site site;
    QVERIFY(site.start());
    QVERIFY(!site.upload(u"2.1.0"_s).isEmpty());
    SimRun sim(simArgs(site, u"mqtt"_s, 20, u"t-"_s)
               << u"--fail-corrupt"_s << u"t-1"_s << u"--fail-install"_s << u"t-10"_s);
    QTRY_COMPARE_WITH_TIMEOUT(site.approvedDevices(), 20, 30000);

    const QJsonObject created = site.createCampaign({{u"firmware"_s, u"sensor-fw"_s},
                                                     {u"version"_s, u"2.1.0"_s},
                                                     {u"target"_s, QJsonObject{{u"type"_s, u"sensor"_s}}},
                                                     {u"batch_size"_s, 5},
                                                     {u"failure_threshold"_s, 2}});
    const QString id = created.value(u"id"_s).toString();
    QVERIFY(!id.isEmpty());
    // Devices are taken in id order: t-1 and t-10 are both in the first batch.
    QTRY_COMPARE_WITH_TIMEOUT(site.campaign(id).value(u"state"_s).toString(), u"paused"_s, CampaignTimeoutMs);
    QJsonObject paused = site.campaign(id);
    QCOMPARE(paused.value(u"paused_reason"_s).toString(), u"failure_threshold"_s);
    QCOMPARE(count(paused, u"failed"_s), 2);
    // What was in flight ends; nothing new starts.
    QTRY_COMPARE_WITH_TIMEOUT(count(site.campaign(id), u"succeeded"_s) + count(site.campaign(id), u"failed"_s), 5,
                              CampaignTimeoutMs);
    paused = site.campaign(id);
    QCOMPARE(count(paused, u"pending"_s), 15);
    QCOMPARE(paused.value(u"state"_s).toString(), u"paused"_s);

    const CurlReply resumed
        = curl(site.gateway.httpPort(), u"/api/v1/ota/campaigns/%1/resume"_s.arg(id), {u"-X"_s, u"POST"_s});
    QCOMPARE(resumed.status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(site.campaign(id).value(u"state"_s).toString(), u"completed"_s, CampaignTimeoutMs);
    QCOMPARE(count(site.campaign(id), u"succeeded"_s), 18);
    QCOMPARE(count(site.campaign(id), u"failed"_s), 2);
}

// Devices on CoAP (observe for the notification, Block2 for the image) and on WebSocket (frames,
// HTTP Range download) in one campaign; one CoAP device gets a corrupt image.
void tst_OtaEndToEnd::coapAndWebSocketDevices()
{
    Site site;
    QVERIFY(site.start());
    QVERIFY(!site.upload(u"3.0.0"_s).isEmpty());
    SimRun coap(simArgs(site, u"coap"_s, 3, u"c-"_s) << u"--fail-corrupt"_s << u"c-2"_s);
    SimRun ws(simArgs(site, u"ws"_s, 2, u"w-"_s));
    QTRY_COMPARE_WITH_TIMEOUT(site.approvedDevices(), 5, 30000);

    const QJsonObject created = site.createCampaign({{u"firmware"_s, u"sensor-fw"_s},
                                                     {u"version"_s, u"3.0.0"_s},
                                                     {u"target"_s, QJsonObject{{u"type"_s, u"sensor"_s}}}});
    const QString id = created.value(u"id"_s).toString();
    QVERIFY(!id.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(site.campaign(id).value(u"state"_s).toString(), u"completed"_s, CampaignTimeoutMs);
    const QJsonObject done = site.campaign(id);
    QCOMPARE(count(done, u"succeeded"_s), 4);
    QCOMPARE(job(done, u"c-2"_s).value(u"error"_s).toString(), u"sha256_mismatch"_s);
    for (const QString &device : {u"c-1"_s, u"c-3"_s, u"w-1"_s, u"w-2"_s})
        QCOMPARE(jobState(done, device), u"succeeded"_s);
}

QTEST_GUILESS_MAIN(tst_OtaEndToEnd)
#include "tst_ota_e2e.moc"
