// SPDX-License-Identifier: Apache-2.0
#include "shared/alert.h"
#include "shared/deviceinfo.h"
#include "shared/value.h"
#include "shared/wsprotocol.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTest>

#include <limits>
#include <optional>

using edgegate::Alert;
using edgegate::Approval;
using edgegate::DeviceInfo;
using edgegate::DeviceStatus;
using edgegate::Value;
namespace wsapi = edgegate::wsapi;

using namespace Qt::StringLiterals;
using edgegate::OtaCampaign;
using edgegate::OtaCampaignState;
using edgegate::OtaJob;
using edgegate::OtaJobState;

Q_DECLARE_METATYPE(edgegate::Value)

namespace {

// 2024-03-01T12:34:56.789Z
constexpr qint64 SomeTimeMs = 1709296496789;

QString describe(const std::optional<Value> &value)
{
    if (!value)
        return u"none"_s;
    if (const auto *d = std::get_if<double>(&*value))
        return u"double "_s + QString::number(*d, 'g', 17);
    if (const auto *i = std::get_if<qint64>(&*value))
        return u"int "_s + QString::number(*i);
    if (const auto *b = std::get_if<bool>(&*value))
        return *b ? u"bool true"_s : u"bool false"_s;
    return u"string \""_s + std::get<QString>(*value) + u'"';
}

QString describe(const wsapi::FrameDecode &decoded)
{
    if (decoded.frame)
        return u"frame of type "_s + decoded.frame->type;
    return u"error "_s + decoded.error.code + u": "_s + decoded.error.message;
}

/// The frame as plain JSON, read without the codec under test.
QJsonObject wireObject(const QByteArray &bytes)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return {};
    return doc.object();
}

/// A valid hello frame of exactly `size` bytes.
QByteArray paddedFrame(qsizetype size)
{
    const QByteArray head = R"({"v":1,"type":"hello","gateway":"g","pad":")"_ba;
    const QByteArray tail = R"("})"_ba;
    return head + QByteArray(size - head.size() - tail.size(), 'p') + tail;
}

void compareDevice(const DeviceInfo &actual, const DeviceInfo &expected)
{
    QCOMPARE(actual.id, expected.id);
    QCOMPARE(actual.name, expected.name);
    QCOMPARE(actual.type, expected.type);
    QCOMPARE(actual.firmware, expected.firmware);
    QCOMPARE(actual.protocol, expected.protocol);
    QCOMPARE(edgegate::deviceStatusName(actual.status), edgegate::deviceStatusName(expected.status));
    QCOMPARE(edgegate::approvalName(actual.approval), edgegate::approvalName(expected.approval));
    QCOMPARE(actual.firstSeenMs, expected.firstSeenMs);
    QCOMPARE(actual.lastSeenMs, expected.lastSeenMs);
    QCOMPARE(actual.metadata, expected.metadata);
    QCOMPARE(actual.lastError, expected.lastError);
    QCOMPARE(actual.lastErrorMs, expected.lastErrorMs);
    QVERIFY(actual == expected);
}

QList<DeviceInfo> sampleDevices()
{
    DeviceInfo full;
    full.id = u"sensor-01"_s;
    full.name = u"Boiler room \"A\" \u2013 caf\u00e9"_s;
    full.type = u"thermometer"_s;
    full.firmware = u"1.4.2"_s;
    full.protocol = u"mqtt"_s;
    full.proof = u"broker"_s;
    full.status = DeviceStatus::Online;
    full.approval = Approval::Approved;
    full.firstSeenMs = SomeTimeMs;
    full.lastSeenMs = SomeTimeMs + 3211;
    full.metadata = {{u"location"_s, u"basement"_s}, {u"floor"_s, u"-1"_s}, {u"note"_s, u"line1\nline2"_s}};
    full.lastError = u"malformed_json: unexpected end of input"_s;
    full.lastErrorMs = SomeTimeMs + 1;

    DeviceInfo pending;
    pending.id = u"new.device:7"_s;
    pending.status = DeviceStatus::Offline;
    pending.approval = Approval::Pending;

    DeviceInfo failing;
    failing.id = u"pump_2"_s;
    failing.name = u"Pump 2"_s;
    failing.protocol = u"coap"_s;
    failing.status = DeviceStatus::Error;
    failing.firstSeenMs = 1;
    failing.lastSeenMs = 1000;
    failing.lastError = u"bad_value: temperature"_s;
    failing.lastErrorMs = 1000;

    DeviceInfo serviced;
    serviced.id = u"valve-9"_s;
    serviced.protocol = u"http"_s;
    serviced.status = DeviceStatus::Maintenance;
    serviced.firstSeenMs = -1;
    serviced.metadata = {{u"owner"_s, u"ops"_s}};

    return {full, pending, failing, serviced};
}

Alert sampleAlert()
{
    Alert alert;
    alert.id = 4294967296123;
    alert.kind = u"anomaly"_s;
    alert.severity = u"critical"_s;
    alert.deviceId = u"sensor-01"_s;
    alert.metric = u"temperature"_s;
    alert.value = 87.25;
    alert.zScore = 6.5;
    alert.mean = 20.0;
    alert.stddev = 10.0625;
    alert.timeMs = SomeTimeMs;
    alert.message = u"temperature of sensor-01 is 87.25, 6.5 standard deviations from the window mean 20"_s;
    return alert;
}

edgegate::OtaJob sampleJob()
{
    OtaJob job;
    job.id = u"c3-sensor-7"_s;
    job.campaignId = u"c3"_s;
    job.deviceId = u"sensor-7"_s;
    job.batch = 2;
    job.state = OtaJobState::RolledBack;
    job.progress = 100;
    job.error = u"the device came back with firmware 1.0.0"_s;
    job.reportedFirmware = u"1.0.0"_s;
    job.deadlineMs = SomeTimeMs + 1800000;
    job.history = {{OtaJobState::Pending, SomeTimeMs},
                   {OtaJobState::Notified, SomeTimeMs + 1},
                   {OtaJobState::Installing, SomeTimeMs + 2},
                   {OtaJobState::RolledBack, SomeTimeMs + 3}};
    return job;
}

edgegate::OtaCampaign sampleCampaign()
{
    OtaCampaign c;
    c.id = u"c3"_s;
    c.name = u"spring rollout"_s;
    c.firmware = u"sensor-fw"_s;
    c.version = u"1.2.0-rc.1+b7"_s;
    c.size = 262144;
    c.sha256 = QString(64, u'f');
    c.target = {u"sensor"_s, {{u"site"_s, u"north"_s}}, {u"a"_s, u"b"_s}};
    c.batchSize = 5;
    c.batchPercent = 25;
    c.batchCount = 4;
    c.currentBatch = 1;
    c.maxConcurrent = 3;
    c.failureThreshold = 2;
    c.jobTimeoutMs = 1800000;
    c.state = OtaCampaignState::Paused;
    c.pausedReason = u"failure_threshold"_s;
    c.createdMs = SomeTimeMs;
    c.updatedMs = SomeTimeMs + 5;
    c.jobCounts = {{u"failed"_s, 2}, {u"pending"_s, 18}};
    return c;
}

wsapi::GatewayStatus sampleStatus()
{
    wsapi::GatewayStatus status;
    status.timeMs = SomeTimeMs;
    status.uptimeS = 86401;
    status.messagesPerSecond = 12.3;
    status.total = 10;
    status.online = 6;
    status.offline = 2;
    status.error = 1;
    status.maintenance = 1;
    status.pending = 3;
    status.alertsOpen = 4;
    status.broker = u"connected"_s;
    status.upstream = u"disabled"_s;
    status.outbox = {{u"upstream"_s, 17, 4096, 67108864}, {u"influx"_s, 0, 0, 1048576}};
    return status;
}

/// A status frame's JSON with one member of `status` (or of `status.devices`) replaced.
QByteArray statusWith(const QString &key, const QJsonValue &value, bool inDevices = false)
{
    QJsonObject frame = wireObject(wsapi::encodeStatus(sampleStatus()));
    QJsonObject status = frame.value(u"status"_s).toObject();
    if (inDevices) {
        QJsonObject devices = status.value(u"devices"_s).toObject();
        if (value.isUndefined())
            devices.remove(key);
        else
            devices.insert(key, value);
        status.insert(u"devices"_s, devices);
    } else if (value.isUndefined()) {
        status.remove(key);
    } else {
        status.insert(key, value);
    }
    frame.insert(u"status"_s, status);
    return QJsonDocument(frame).toJson(QJsonDocument::Compact);
}

/// Runs the named *FromFrame decoder and says whether it accepted the frame.
bool fromFrameAccepts(const QString &decoder, const wsapi::Frame &frame)
{
    if (decoder == u"hello")
        return wsapi::helloFromFrame(frame).has_value();
    if (decoder == u"devices")
        return wsapi::devicesFromFrame(frame).has_value();
    if (decoder == u"device")
        return wsapi::deviceFromFrame(frame).has_value();
    if (decoder == u"device_removed")
        return wsapi::deviceRemovedFromFrame(frame).has_value();
    if (decoder == u"telemetry")
        return wsapi::telemetryFromFrame(frame).has_value();
    if (decoder == u"alert")
        return wsapi::alertFromFrame(frame).has_value();
    if (decoder == u"error")
        return wsapi::errorFromFrame(frame).has_value();
    if (decoder == u"subscription")
        return wsapi::subscriptionFromFrame(frame).has_value();
    if (decoder == u"ota_job")
        return wsapi::otaJobFromFrame(frame).has_value();
    if (decoder == u"ota_campaign")
        return wsapi::otaCampaignFromFrame(frame).has_value();
    if (decoder == u"session")
        return wsapi::sessionFromFrame(frame).has_value();
    if (decoder == u"alerts")
        return wsapi::alertsFromFrame(frame).has_value();
    if (decoder == u"ota_campaigns")
        return wsapi::otaCampaignsFromFrame(frame).has_value();
    if (decoder == u"status")
        return wsapi::statusFromFrame(frame).has_value();
    if (decoder == u"reply")
        return wsapi::replyFromFrame(frame).has_value();
    if (decoder == u"auth")
        return wsapi::authFromFrame(frame).has_value();
    if (decoder == u"request")
        return wsapi::requestFromFrame(frame).has_value();
    qFatal("unknown decoder");
}

} // namespace

class TestWsProtocol : public QObject
{
    Q_OBJECT

private slots:
    void encodedFrameHasVersionAndType_data();
    void encodedFrameHasVersionAndType();
    void helloRoundTrip();
    void devicesRoundTrip();
    void devicesEmpty();
    void deviceRoundTrip_data();
    void deviceRoundTrip();
    void deviceRemovedRoundTrip();
    void telemetryRoundTrip();
    void telemetryWithoutTimes();
    void alertRoundTrip();
    void alertLifecycleRoundTrip();
    void alertWithoutTime();
    void errorRoundTrip();
    void otaJobRoundTrip();
    void otaCampaignRoundTrip();
    void subscriptionRoundTrip_data();
    void subscriptionRoundTrip();
    void sessionRoundTrip_data();
    void sessionRoundTrip();
    void alertsRoundTrip();
    void otaCampaignsRoundTrip();
    void statusRoundTrip();
    void replyRoundTrip_data();
    void replyRoundTrip();
    void authRoundTrip();
    void requestRoundTrip_data();
    void requestRoundTrip();
    void requestIdOfBadRequest_data();
    void requestIdOfBadRequest();
    void actionNames();
    void decodeFrameFailures_data();
    void decodeFrameFailures();
    void decodeFrameAtSizeLimit();
    void decodeFrameWithOwnSizeLimit();
    void decodeFrameKeepsUnknownTypeAndBody();
    void fromFrame_data();
    void fromFrame();
    void valueFromJson_data();
    void valueFromJson();
    void valueFromJsonNonFinite_data();
    void valueFromJsonNonFinite();
    void valueToJson_data();
    void valueToJson();
    void timeToJson_data();
    void timeToJson();
    void timeZeroIsNull();
    void timeFromJsonInvalid_data();
    void timeFromJsonInvalid();
};

void TestWsProtocol::encodedFrameHasVersionAndType_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("type");

    wsapi::Subscription list;
    list.devices = {u"a"_s, u"b"_s};
    wsapi::Subscription all;
    all.all = true;
    wsapi::TelemetryUpdate update;
    update.deviceId = u"a"_s;

    QTest::addRow("hello") << wsapi::encodeHello({u"g"_s, u"1"_s}) << u"hello"_s;
    QTest::addRow("devices") << wsapi::encodeDevices(sampleDevices()) << u"devices"_s;
    QTest::addRow("device") << wsapi::encodeDevice(sampleDevices().first()) << u"device"_s;
    QTest::addRow("device_removed") << wsapi::encodeDeviceRemoved(u"a"_s) << u"device_removed"_s;
    QTest::addRow("telemetry") << wsapi::encodeTelemetry(update) << u"telemetry"_s;
    QTest::addRow("ota_job") << wsapi::encodeOtaJob(sampleJob()) << u"ota_job"_s;
    QTest::addRow("ota_campaign") << wsapi::encodeOtaCampaign(sampleCampaign()) << u"ota_campaign"_s;
    QTest::addRow("alert") << wsapi::encodeAlert(sampleAlert()) << u"alert"_s;
    QTest::addRow("error") << wsapi::encodeError({u"bad_frame"_s, u"x"_s}) << u"error"_s;
    QTest::addRow("subscribed") << wsapi::encodeSubscribed(all) << u"subscribed"_s;
    QTest::addRow("subscribe") << wsapi::encodeSubscription(wsapi::type::Subscribe, list) << u"subscribe"_s;
    QTest::addRow("unsubscribe") << wsapi::encodeSubscription(wsapi::type::Unsubscribe, list) << u"unsubscribe"_s;
    QTest::addRow("session") << wsapi::encodeSession({u"admin"_s, u"ops"_s}) << u"session"_s;
    QTest::addRow("alerts") << wsapi::encodeAlerts({sampleAlert()}) << u"alerts"_s;
    QTest::addRow("ota_campaigns") << wsapi::encodeOtaCampaigns({sampleCampaign()}) << u"ota_campaigns"_s;
    QTest::addRow("status") << wsapi::encodeStatus(sampleStatus()) << u"status"_s;
    QTest::addRow("reply ok") << wsapi::encodeSuccess(1, QJsonObject()) << u"reply"_s;
    QTest::addRow("reply failed") << wsapi::encodeFailure(2, {u"not_found"_s, u"x"_s}) << u"reply"_s;
    QTest::addRow("auth") << wsapi::encodeAuth(u"0123456789abcdef"_s) << u"auth"_s;
    QTest::addRow("request") << wsapi::encodeRequest({3, u"firmware.list"_s, {}}) << u"request"_s;
}

void TestWsProtocol::encodedFrameHasVersionAndType()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, type);

    const QJsonObject wire = wireObject(bytes);
    QVERIFY2(!wire.isEmpty(), bytes.constData());
    QVERIFY(wire.value(u"v"_s).isDouble());
    QCOMPARE(wire.value(u"v"_s).toDouble(), 1.0);
    QCOMPARE(wire.value(u"type"_s).toString(), type);
    QVERIFY(bytes.size() <= wsapi::MaxFrameBytes);

    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    QCOMPARE(decoded.frame->type, type);
    QCOMPARE(decoded.frame->body, wire);
}

void TestWsProtocol::helloRoundTrip()
{
    const wsapi::Hello hello{u"plant-3"_s, u"0.1.0"_s};
    const QByteArray bytes = wsapi::encodeHello(hello);

    const QJsonObject wire = wireObject(bytes);
    QCOMPARE(wire.value(u"gateway"_s).toString(), u"plant-3"_s);
    QCOMPARE(wire.value(u"version"_s).toString(), u"0.1.0"_s);

    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    const auto back = wsapi::helloFromFrame(*decoded.frame);
    QVERIFY(back);
    QCOMPARE(back->gatewayId, hello.gatewayId);
    QCOMPARE(back->version, hello.version);
    QCOMPARE(wire.value(u"auth_required"_s), QJsonValue(false));
    QCOMPARE(back->authRequired, false);

    const QByteArray locked = wsapi::encodeHello({u"plant-3"_s, u"0.1.0"_s, true});
    QCOMPARE(wireObject(locked).value(u"auth_required"_s), QJsonValue(true));
    const auto lockedBack = wsapi::helloFromFrame(*wsapi::decodeFrame(locked).frame);
    QVERIFY(lockedBack);
    QCOMPARE(lockedBack->authRequired, true);
}

void TestWsProtocol::devicesRoundTrip()
{
    const QList<DeviceInfo> devices = sampleDevices();
    const QByteArray bytes = wsapi::encodeDevices(devices);

    const QJsonArray wire = wireObject(bytes).value(u"devices"_s).toArray();
    QCOMPARE(wire.size(), 4);

    const QJsonObject full = wire.at(0).toObject();
    QCOMPARE(full.value(u"id"_s).toString(), u"sensor-01"_s);
    QCOMPARE(full.value(u"status"_s).toString(), u"online"_s);
    QCOMPARE(full.value(u"approval"_s).toString(), u"approved"_s);
    QCOMPARE(full.value(u"first_seen"_s).toString(), u"2024-03-01T12:34:56.789Z"_s);
    QCOMPARE(full.value(u"last_seen"_s).toString(), u"2024-03-01T12:35:00.000Z"_s);
    QCOMPARE(full.value(u"last_error"_s).toString(), u"malformed_json: unexpected end of input"_s);
    QCOMPARE(full.value(u"last_error_at"_s).toString(), u"2024-03-01T12:34:56.790Z"_s);
    const QJsonObject metadata = full.value(u"metadata"_s).toObject();
    QCOMPARE(metadata.size(), 3);
    QCOMPARE(metadata.value(u"floor"_s), QJsonValue(u"-1"_s));
    QCOMPARE(metadata.value(u"note"_s), QJsonValue(u"line1\nline2"_s));

    const QJsonObject pending = wire.at(1).toObject();
    QCOMPARE(pending.value(u"status"_s).toString(), u"offline"_s);
    QCOMPARE(pending.value(u"approval"_s).toString(), u"pending"_s);
    for (const QString &key : {u"first_seen"_s, u"last_seen"_s, u"last_error"_s, u"last_error_at"_s}) {
        QVERIFY2(pending.contains(key), qPrintable(key));
        QVERIFY2(pending.value(key).isNull(), qPrintable(key));
    }
    QCOMPARE(pending.value(u"metadata"_s), QJsonValue(QJsonObject()));

    QCOMPARE(wire.at(2).toObject().value(u"status"_s).toString(), u"error"_s);
    QCOMPARE(wire.at(3).toObject().value(u"status"_s).toString(), u"maintenance"_s);
    QCOMPARE(wire.at(3).toObject().value(u"first_seen"_s).toString(), u"1969-12-31T23:59:59.999Z"_s);

    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    const auto back = wsapi::devicesFromFrame(*decoded.frame);
    QVERIFY(back);
    QCOMPARE(back->size(), devices.size());
    for (qsizetype i = 0; i < devices.size(); ++i) {
        compareDevice(back->at(i), devices.at(i));
        if (QTest::currentTestFailed())
            QFAIL(qPrintable(u"device at index %1 differs"_s.arg(i)));
    }
}

void TestWsProtocol::devicesEmpty()
{
    const QByteArray bytes = wsapi::encodeDevices({});
    QCOMPARE(wireObject(bytes).value(u"devices"_s), QJsonValue(QJsonArray()));
    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    const auto back = wsapi::devicesFromFrame(*decoded.frame);
    QVERIFY(back);
    QVERIFY(back->isEmpty());
}

void TestWsProtocol::deviceRoundTrip_data()
{
    QTest::addColumn<int>("index");
    const QList<DeviceInfo> devices = sampleDevices();
    for (int i = 0; i < devices.size(); ++i)
        QTest::addRow("%s", qPrintable(devices.at(i).id)) << i;
}

void TestWsProtocol::deviceRoundTrip()
{
    QFETCH(int, index);
    const DeviceInfo device = sampleDevices().at(index);
    const QByteArray bytes = wsapi::encodeDevice(device);
    QCOMPARE(wireObject(bytes).value(u"device"_s).toObject(), edgegate::deviceToJson(device));

    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    const auto back = wsapi::deviceFromFrame(*decoded.frame);
    QVERIFY(back);
    compareDevice(*back, device);
}

void TestWsProtocol::deviceRemovedRoundTrip()
{
    const QByteArray bytes = wsapi::encodeDeviceRemoved(u"Plant-3:line_2.s01"_s);
    QCOMPARE(wireObject(bytes).value(u"device"_s).toString(), u"Plant-3:line_2.s01"_s);
    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    const auto back = wsapi::deviceRemovedFromFrame(*decoded.frame);
    QVERIFY(back);
    QCOMPARE(*back, u"Plant-3:line_2.s01"_s);
}

void TestWsProtocol::telemetryRoundTrip()
{
    wsapi::TelemetryUpdate update;
    update.deviceId = u"sensor-01"_s;
    update.receivedAtMs = SomeTimeMs;
    update.samples = {
        {u"temperature"_s, Value(21.5), SomeTimeMs - 789},
        {u"ratio"_s, Value(-0.125), 1},
        {u"pressure_pa"_s, Value(qint64(101325)), 0},
        {u"offset"_s, Value(qint64(-42)), SomeTimeMs},
        {u"counter"_s, Value(qint64(9007199254740993)), SomeTimeMs},
        {u"big"_s, Value(std::numeric_limits<qint64>::max()), SomeTimeMs},
        {u"door_open"_s, Value(true), SomeTimeMs},
        {u"alarm"_s, Value(false), SomeTimeMs},
        {u"state"_s, Value(u"running"_s), SomeTimeMs},
        {u"label"_s, Value(u"na\u00efve \"quoted\" \u2713"_s), SomeTimeMs},
        {u"empty"_s, Value(QString()), SomeTimeMs},
    };
    const QByteArray bytes = wsapi::encodeTelemetry(update);

    const QJsonObject wire = wireObject(bytes);
    QCOMPARE(wire.value(u"device"_s).toString(), u"sensor-01"_s);
    QCOMPARE(wire.value(u"received"_s).toString(), u"2024-03-01T12:34:56.789Z"_s);
    const QJsonArray samples = wire.value(u"samples"_s).toArray();
    QCOMPARE(samples.size(), update.samples.size());
    QCOMPARE(samples.at(0).toObject().value(u"name"_s).toString(), u"temperature"_s);
    QCOMPARE(samples.at(0).toObject().value(u"value"_s), QJsonValue(21.5));
    QCOMPARE(samples.at(0).toObject().value(u"time"_s).toString(), u"2024-03-01T12:34:56.000Z"_s);
    QVERIFY(samples.at(2).toObject().value(u"time"_s).isNull());
    QVERIFY(samples.at(6).toObject().value(u"value"_s).isBool());
    QVERIFY(samples.at(8).toObject().value(u"value"_s).isString());
    QVERIFY2(bytes.contains(R"("value":9007199254740993)"_ba), bytes.constData());

    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    const auto back = wsapi::telemetryFromFrame(*decoded.frame);
    QVERIFY(back);
    QCOMPARE(back->deviceId, update.deviceId);
    QCOMPARE(back->receivedAtMs, update.receivedAtMs);
    QCOMPARE(back->samples.size(), update.samples.size());
    for (qsizetype i = 0; i < update.samples.size(); ++i) {
        const wsapi::TelemetrySample &expected = update.samples.at(i);
        const wsapi::TelemetrySample &actual = back->samples.at(i);
        QCOMPARE(actual.name, expected.name);
        QCOMPARE(describe(actual.value), describe(expected.value));
        QCOMPARE(actual.timeMs, expected.timeMs);
    }
}

void TestWsProtocol::telemetryWithoutTimes()
{
    wsapi::TelemetryUpdate update;
    update.deviceId = u"a"_s;
    const QByteArray bytes = wsapi::encodeTelemetry(update);

    const QJsonObject wire = wireObject(bytes);
    QVERIFY(wire.contains(u"received"_s));
    QVERIFY(wire.value(u"received"_s).isNull());
    QCOMPARE(wire.value(u"samples"_s), QJsonValue(QJsonArray()));

    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    const auto back = wsapi::telemetryFromFrame(*decoded.frame);
    QVERIFY(back);
    QCOMPARE(back->deviceId, u"a"_s);
    QCOMPARE(back->receivedAtMs, qint64(0));
    QVERIFY(back->samples.isEmpty());
}

void TestWsProtocol::otaJobRoundTrip()
{
    const OtaJob job = sampleJob();
    const QByteArray bytes = wsapi::encodeOtaJob(job);
    const QJsonObject wire = wireObject(bytes).value(u"job"_s).toObject();
    QCOMPARE(wire.value(u"state"_s).toString(), u"rolled_back"_s);
    QCOMPARE(wire.value(u"deadline"_s).toString(), u"2024-03-01T13:04:56.789Z"_s);
    QCOMPARE(wire.value(u"history"_s).toArray().at(1).toObject(),
             (QJsonObject{{u"state"_s, u"notified"_s}, {u"time"_s, u"2024-03-01T12:34:56.790Z"_s}}));
    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    QCOMPARE(wsapi::otaJobFromFrame(*decoded.frame), std::optional<OtaJob>(job));
    // A job without a known state is refused, not guessed.
    wsapi::Frame bad = *decoded.frame;
    QJsonObject body = bad.body.value(u"job"_s).toObject();
    body.insert(u"state"_s, u"done"_s);
    bad.body.insert(u"job"_s, body);
    QVERIFY(!wsapi::otaJobFromFrame(bad));
}

void TestWsProtocol::otaCampaignRoundTrip()
{
    const OtaCampaign campaign = sampleCampaign();
    const QByteArray bytes = wsapi::encodeOtaCampaign(campaign);
    const QJsonObject wire = wireObject(bytes).value(u"campaign"_s).toObject();
    QCOMPARE(wire.value(u"paused_reason"_s).toString(), u"failure_threshold"_s);
    QCOMPARE(wire.value(u"job_timeout"_s).toDouble(), 1800.0);
    QCOMPARE(wire.value(u"finished"_s), QJsonValue(QJsonValue::Null));
    QCOMPARE(wire.value(u"counts"_s).toObject().value(u"pending"_s).toInt(), 18);
    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    QCOMPARE(wsapi::otaCampaignFromFrame(*decoded.frame), std::optional<OtaCampaign>(campaign));
    QVERIFY(!wsapi::otaJobFromFrame(*decoded.frame));
}

void TestWsProtocol::alertRoundTrip()
{
    const Alert alert = sampleAlert();
    const QByteArray bytes = wsapi::encodeAlert(alert);

    const QJsonObject wire = wireObject(bytes).value(u"alert"_s).toObject();
    QCOMPARE(wire.value(u"id"_s).toInteger(), Q_INT64_C(4294967296123));
    QCOMPARE(wire.value(u"device"_s).toString(), u"sensor-01"_s);
    QCOMPARE(wire.value(u"z_score"_s).toDouble(), 6.5);
    QCOMPARE(wire.value(u"time"_s).toString(), u"2024-03-01T12:34:56.789Z"_s);

    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    const auto back = wsapi::alertFromFrame(*decoded.frame);
    QVERIFY(back);
    QCOMPARE(back->id, alert.id);
    QCOMPARE(back->kind, alert.kind);
    QCOMPARE(back->severity, alert.severity);
    QCOMPARE(back->deviceId, alert.deviceId);
    QCOMPARE(back->metric, alert.metric);
    QCOMPARE(back->value, alert.value);
    QCOMPARE(back->zScore, alert.zScore);
    QCOMPARE(back->mean, alert.mean);
    QCOMPARE(back->stddev, alert.stddev);
    QCOMPARE(back->timeMs, alert.timeMs);
    QCOMPARE(back->message, alert.message);
    QVERIFY(*back == alert);
}

void TestWsProtocol::alertLifecycleRoundTrip()
{
    Alert alert = sampleAlert();
    alert.rule = u"boiler-hot"_s;
    alert.kind = u"threshold"_s;
    alert.state = u"acknowledged"_s;
    alert.lastAtMs = SomeTimeMs + 5000;
    alert.count = 7;
    alert.acknowledgedBy = u"ana"_s;
    alert.acknowledgedAtMs = SomeTimeMs + 6000;
    alert.note = u"on my way"_s;
    const QJsonObject wire = alertToJson(alert);
    QCOMPARE(wire.value(u"state"_s).toString(), u"acknowledged"_s);
    QCOMPARE(wire.value(u"count"_s).toInteger(), 7);
    QVERIFY(wire.value(u"cleared_at"_s).isNull());
    QVERIFY(wire.value(u"cleared_by"_s).isNull());
    const auto decoded = wsapi::decodeFrame(wsapi::encodeAlert(alert));
    QVERIFY(decoded.frame);
    const auto back = wsapi::alertFromFrame(*decoded.frame);
    QVERIFY(back);
    QVERIFY(*back == alert);

    alert.state = u"cleared"_s;
    alert.clearedAtMs = SomeTimeMs + 9000;
    alert.clearedBy = u"bob"_s;
    QVERIFY(*edgegate::alertFromJson(alertToJson(alert)) == alert);
    // A state nobody knows is refused; an alert from before states existed is active.
    QJsonObject bad = alertToJson(alert);
    bad.insert(u"state"_s, u"snoozed"_s);
    QVERIFY(!edgegate::alertFromJson(bad));
    bad.remove(u"state"_s);
    QCOMPARE(edgegate::alertFromJson(bad)->state, u"active"_s);
}

void TestWsProtocol::alertWithoutTime()
{
    Alert alert = sampleAlert();
    alert.id = 0;
    alert.timeMs = 0;
    const QByteArray bytes = wsapi::encodeAlert(alert);
    const QJsonObject wire = wireObject(bytes).value(u"alert"_s).toObject();
    QVERIFY(wire.contains(u"time"_s));
    QVERIFY(wire.value(u"time"_s).isNull());

    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    const auto back = wsapi::alertFromFrame(*decoded.frame);
    QVERIFY(back);
    QCOMPARE(back->id, quint64(0));
    QCOMPARE(back->timeMs, qint64(0));
    QVERIFY(*back == alert);
}

void TestWsProtocol::errorRoundTrip()
{
    const wsapi::ErrorInfo error{wsapi::code::UnknownType.toString(), u"frame type 'foo' is not known"_s};
    const QByteArray bytes = wsapi::encodeError(error);

    const QJsonObject wire = wireObject(bytes);
    QCOMPARE(wire.value(u"code"_s).toString(), u"unknown_type"_s);
    QCOMPARE(wire.value(u"error"_s).toString(), u"frame type 'foo' is not known"_s);

    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    const auto back = wsapi::errorFromFrame(*decoded.frame);
    QVERIFY(back);
    QCOMPARE(back->code, error.code);
    QCOMPARE(back->message, error.message);
}

void TestWsProtocol::subscriptionRoundTrip_data()
{
    QTest::addColumn<QString>("frameType");
    QTest::addColumn<bool>("all");
    QTest::addColumn<QStringList>("devices");
    QTest::addColumn<QStringList>("decodedDevices");

    const QStringList list{u"a"_s, u"sensor-01"_s, u"x:y.z_w-1"_s, QString(64, u'q')};
    for (const QString &frameType : {u"subscribe"_s, u"unsubscribe"_s, u"subscribed"_s}) {
        QTest::addRow("%s all", qPrintable(frameType)) << frameType << true << QStringList() << QStringList();
        QTest::addRow("%s list", qPrintable(frameType)) << frameType << false << list << list;
        QTest::addRow("%s one", qPrintable(frameType))
            << frameType << false << QStringList{u"a"_s} << QStringList{u"a"_s};
        QTest::addRow("%s none", qPrintable(frameType)) << frameType << false << QStringList() << QStringList();
        // "*" means every device; a list next to it is not sent.
        QTest::addRow("%s all with list", qPrintable(frameType)) << frameType << true << list << QStringList();
    }
}

void TestWsProtocol::subscriptionRoundTrip()
{
    QFETCH(QString, frameType);
    QFETCH(bool, all);
    QFETCH(QStringList, devices);
    QFETCH(QStringList, decodedDevices);

    const wsapi::Subscription subscription{all, devices};
    const QByteArray bytes = frameType == wsapi::type::Subscribed ? wsapi::encodeSubscribed(subscription)
                                                                  : wsapi::encodeSubscription(frameType, subscription);

    const QJsonObject wire = wireObject(bytes);
    QCOMPARE(wire.value(u"type"_s).toString(), frameType);
    if (all) {
        QCOMPARE(wire.value(u"devices"_s), QJsonValue(u"*"_s));
    } else {
        QCOMPARE(wire.value(u"devices"_s), QJsonValue(QJsonArray::fromStringList(devices)));
    }

    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    QCOMPARE(decoded.frame->type, frameType);
    const auto back = wsapi::subscriptionFromFrame(*decoded.frame);
    QVERIFY(back);
    QCOMPARE(back->all, all);
    QCOMPARE(back->devices, decodedDevices);
}

void TestWsProtocol::sessionRoundTrip_data()
{
    QTest::addColumn<QString>("role");
    QTest::addColumn<QString>("user");
    QTest::addRow("admin") << u"admin"_s << u"ops"_s;
    QTest::addRow("viewer") << u"viewer"_s << u"wall display é"_s;
    QTest::addRow("no tokens") << u"admin"_s << QString();
}

void TestWsProtocol::sessionRoundTrip()
{
    QFETCH(QString, role);
    QFETCH(QString, user);

    const QByteArray bytes = wsapi::encodeSession({role, user});
    const QJsonObject wire = wireObject(bytes).value(u"session"_s).toObject();
    QCOMPARE(wire.value(u"role"_s), QJsonValue(role));
    QCOMPARE(wire.value(u"user"_s), QJsonValue(user)); // "" and never null

    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    const auto back = wsapi::sessionFromFrame(*decoded.frame);
    QVERIFY(back);
    QCOMPARE(back->role, role);
    QCOMPARE(back->user, user);
}

void TestWsProtocol::alertsRoundTrip()
{
    Alert acknowledged = sampleAlert();
    acknowledged.id = 7;
    acknowledged.state = u"acknowledged"_s;
    acknowledged.acknowledgedBy = u"ops"_s;
    acknowledged.acknowledgedAtMs = SomeTimeMs + 10;
    acknowledged.note = u"on it"_s;
    const QList<Alert> alerts{acknowledged, sampleAlert()};

    const QByteArray bytes = wsapi::encodeAlerts(alerts);
    const QJsonArray wire = wireObject(bytes).value(u"alerts"_s).toArray();
    QCOMPARE(wire.size(), 2);
    QCOMPARE(wire.at(0).toObject().value(u"id"_s).toInteger(), 7);

    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    const auto back = wsapi::alertsFromFrame(*decoded.frame);
    QVERIFY(back);
    QCOMPARE(back->size(), 2);
    QVERIFY(back->at(0) == alerts.at(0));
    QVERIFY(back->at(1) == alerts.at(1));

    const auto empty = wsapi::alertsFromFrame(*wsapi::decodeFrame(wsapi::encodeAlerts({})).frame);
    QVERIFY(empty);
    QVERIFY(empty->isEmpty());
}

void TestWsProtocol::otaCampaignsRoundTrip()
{
    OtaCampaign second = sampleCampaign();
    second.id = u"c4"_s;
    second.state = OtaCampaignState::Running;
    second.pausedReason.clear();
    const QList<OtaCampaign> campaigns{second, sampleCampaign()};

    const QByteArray bytes = wsapi::encodeOtaCampaigns(campaigns);
    const QJsonArray wire = wireObject(bytes).value(u"campaigns"_s).toArray();
    QCOMPARE(wire.size(), 2);
    QCOMPARE(wire.at(0).toObject().value(u"id"_s).toString(), u"c4"_s);

    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    const auto back = wsapi::otaCampaignsFromFrame(*decoded.frame);
    QVERIFY(back);
    QCOMPARE(back->size(), 2);
    QVERIFY(back->at(0) == campaigns.at(0));
    QVERIFY(back->at(1) == campaigns.at(1));
}

void TestWsProtocol::statusRoundTrip()
{
    const wsapi::GatewayStatus status = sampleStatus();
    const QByteArray bytes = wsapi::encodeStatus(status);

    const QJsonObject wire = wireObject(bytes).value(u"status"_s).toObject();
    QCOMPARE(wire.value(u"time"_s).toString(), u"2024-03-01T12:34:56.789Z"_s);
    QCOMPARE(wire.value(u"uptime_s"_s).toInteger(), 86401);
    QCOMPARE(wire.value(u"messages_per_second"_s).toDouble(), 12.3);
    const QJsonObject devices = wire.value(u"devices"_s).toObject();
    QCOMPARE(devices.value(u"total"_s).toInteger(), 10);
    QCOMPARE(devices.value(u"online"_s).toInteger(), 6);
    QCOMPARE(devices.value(u"offline"_s).toInteger(), 2);
    QCOMPARE(devices.value(u"error"_s).toInteger(), 1);
    QCOMPARE(devices.value(u"maintenance"_s).toInteger(), 1);
    QCOMPARE(devices.value(u"pending"_s).toInteger(), 3);
    QCOMPARE(wire.value(u"alerts_open"_s).toInteger(), 4);
    QCOMPARE(wire.value(u"broker"_s).toString(), u"connected"_s);
    QCOMPARE(wire.value(u"upstream"_s).toString(), u"disabled"_s);
    const QJsonObject outbox = wire.value(u"outbox"_s).toArray().at(0).toObject();
    QCOMPARE(outbox.value(u"sink"_s).toString(), u"upstream"_s);
    QCOMPARE(outbox.value(u"messages"_s).toInteger(), 17);
    QCOMPARE(outbox.value(u"bytes"_s).toInteger(), 4096);
    QCOMPARE(outbox.value(u"limit_bytes"_s).toInteger(), 67108864);

    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    const auto back = wsapi::statusFromFrame(*decoded.frame);
    QVERIFY(back);
    QCOMPARE(back->timeMs, status.timeMs);
    QCOMPARE(back->uptimeS, status.uptimeS);
    QCOMPARE(back->messagesPerSecond, status.messagesPerSecond);
    QCOMPARE(back->total, status.total);
    QCOMPARE(back->online, status.online);
    QCOMPARE(back->offline, status.offline);
    QCOMPARE(back->error, status.error);
    QCOMPARE(back->maintenance, status.maintenance);
    QCOMPARE(back->pending, status.pending);
    QCOMPARE(back->alertsOpen, status.alertsOpen);
    QCOMPARE(back->broker, status.broker);
    QCOMPARE(back->upstream, status.upstream);
    QCOMPARE(back->outbox.size(), 2);
    QCOMPARE(back->outbox.at(1).sink, u"influx"_s);
    QCOMPARE(back->outbox.at(1).limitBytes, 1048576);
}

void TestWsProtocol::replyRoundTrip_data()
{
    QTest::addColumn<qint64>("id");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QJsonValue>("result");
    QTest::addColumn<QString>("code");

    QTest::addRow("object") << qint64(1) << true << QJsonValue(QJsonObject{{u"id"_s, 5}}) << QString();
    QTest::addRow("array") << qint64(2) << true << QJsonValue(QJsonArray{1, u"a"_s}) << QString();
    QTest::addRow("empty object") << qint64(0) << true << QJsonValue(QJsonObject()) << QString();
    QTest::addRow("null") << qint64(3) << true << QJsonValue() << QString();
    QTest::addRow("large id") << qint64(9007199254740992) << true << QJsonValue(1) << QString();
    QTest::addRow("negative id") << qint64(-4) << true << QJsonValue(true) << QString();
    for (const QStringView c :
         {wsapi::code::BadRequest, wsapi::code::NotFound, wsapi::code::Conflict, wsapi::code::Forbidden,
          wsapi::code::UnknownAction, wsapi::code::Unavailable, wsapi::code::Internal, wsapi::code::Unauthorized}) {
        QTest::addRow("failure %s", qPrintable(c.toString())) << qint64(9) << false << QJsonValue() << c.toString();
    }
}

void TestWsProtocol::replyRoundTrip()
{
    QFETCH(qint64, id);
    QFETCH(bool, ok);
    QFETCH(QJsonValue, result);
    QFETCH(QString, code);

    wsapi::Reply reply;
    reply.id = id;
    reply.ok = ok;
    reply.result = result;
    reply.error = {code, ok ? QString() : u"because"_s};
    const QByteArray bytes = wsapi::encodeReply(reply);

    const QJsonObject wire = wireObject(bytes);
    QCOMPARE(wire.value(u"id"_s).toInteger(), id);
    QCOMPARE(wire.value(u"ok"_s), QJsonValue(ok));
    if (ok) {
        QCOMPARE(wire.value(u"result"_s), result);
        QVERIFY(!wire.contains(u"code"_s));
    } else {
        QCOMPARE(wire.value(u"code"_s).toString(), code);
        QCOMPARE(wire.value(u"error"_s).toString(), u"because"_s);
        QVERIFY(!wire.contains(u"result"_s));
    }

    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    const auto back = wsapi::replyFromFrame(*decoded.frame);
    QVERIFY(back);
    QCOMPARE(back->id, id);
    QCOMPARE(back->ok, ok);
    QCOMPARE(back->result, ok ? result : QJsonValue());
    QCOMPARE(back->error.code, code);
}

void TestWsProtocol::authRoundTrip()
{
    const QString token = u"s3cret-admin-\"-é"_s;
    const QByteArray bytes = wsapi::encodeAuth(token);
    QCOMPARE(wireObject(bytes).value(u"token"_s).toString(), token);
    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    QCOMPARE(wsapi::authFromFrame(*decoded.frame), std::optional<QString>(token));
}

void TestWsProtocol::requestRoundTrip_data()
{
    QTest::addColumn<qint64>("id");
    QTest::addColumn<QString>("action");
    QTest::addColumn<QJsonObject>("params");

    QTest::addRow("no params") << qint64(1) << u"firmware.list"_s << QJsonObject();
    QTest::addRow("params") << qint64(42) << u"alert.acknowledge"_s
                            << QJsonObject{{u"id"_s, 7}, {u"note"_s, u"checked"_s}};
    QTest::addRow("nested params") << qint64(0) << u"ota.create"_s
                                   << QJsonObject{{u"target"_s, QJsonObject{{u"devices"_s, QJsonArray{u"a"_s}}}}};
    QTest::addRow("unknown action is still a request") << qint64(-1) << u"x.y"_s << QJsonObject();
}

void TestWsProtocol::requestRoundTrip()
{
    QFETCH(qint64, id);
    QFETCH(QString, action);
    QFETCH(QJsonObject, params);

    const QByteArray bytes = wsapi::encodeRequest({id, action, params});
    const QJsonObject wire = wireObject(bytes);
    QCOMPARE(wire.value(u"id"_s).toInteger(), id);
    QCOMPARE(wire.value(u"action"_s).toString(), action);
    QCOMPARE(wire.value(u"params"_s).toObject(), params);

    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    const auto back = wsapi::requestFromFrame(*decoded.frame);
    QVERIFY(back);
    QCOMPARE(back->id, id);
    QCOMPARE(back->action, action);
    QCOMPARE(back->params, params);
}

void TestWsProtocol::requestIdOfBadRequest_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<qint64>("id");
    QTest::addColumn<bool>("hasId");

    QTest::addRow("no action") << R"({"v":1,"type":"request","id":5})"_ba << qint64(5) << true;
    QTest::addRow("params array") << R"({"v":1,"type":"request","id":6,"action":"a","params":[]})"_ba << qint64(6)
                                  << true;
    QTest::addRow("no id") << R"({"v":1,"type":"request","action":"a"})"_ba << qint64(0) << false;
    QTest::addRow("string id") << R"({"v":1,"type":"request","id":"5","action":"a"})"_ba << qint64(0) << false;
    QTest::addRow("fractional id") << R"({"v":1,"type":"request","id":5.5,"action":"a"})"_ba << qint64(0) << false;
    QTest::addRow("huge id") << R"({"v":1,"type":"request","id":1e300,"action":"a"})"_ba << qint64(0) << false;
}

void TestWsProtocol::requestIdOfBadRequest()
{
    QFETCH(QByteArray, bytes);
    QFETCH(qint64, id);
    QFETCH(bool, hasId);

    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    QVERIFY(!wsapi::requestFromFrame(*decoded.frame));
    const auto back = wsapi::requestIdFromFrame(*decoded.frame);
    QCOMPARE(back.has_value(), hasId);
    if (hasId)
        QCOMPARE(*back, id);
}

void TestWsProtocol::actionNames()
{
    const QList<QStringView> names = wsapi::actionNames();
    QCOMPARE(names.size(), 15);
    QCOMPARE(wsapi::action::AlertAcknowledge.toString(), u"alert.acknowledge"_s);
    QCOMPARE(wsapi::action::TelemetryHistory.toString(), u"telemetry.history"_s);
    QCOMPARE(wsapi::action::FirmwareDelete.toString(), u"firmware.delete"_s);
    QStringList reads;
    for (const QStringView name : names) {
        QVERIFY(wsapi::isKnownAction(name));
        if (wsapi::isReadAction(name))
            reads.append(name.toString());
    }
    reads.sort();
    QCOMPARE(reads, (QStringList{u"device.history"_s, u"firmware.list"_s, u"ota.jobs"_s, u"telemetry.history"_s}));
    QVERIFY(!wsapi::isKnownAction(u"alert"));
    QVERIFY(!wsapi::isKnownAction(u""));
    QVERIFY(!wsapi::isReadAction(u"firmware.listx"));
}

void TestWsProtocol::decodeFrameFailures_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("code");

    const QString badFrame = wsapi::code::BadFrame.toString();
    const QString unsupported = wsapi::code::UnsupportedVersion.toString();
    const QString tooLarge = wsapi::code::FrameTooLarge.toString();
    QCOMPARE(badFrame, u"bad_frame"_s);
    QCOMPARE(unsupported, u"unsupported_version"_s);
    QCOMPARE(tooLarge, u"frame_too_large"_s);

    QTest::addRow("not JSON") << "hello"_ba << badFrame;
    QTest::addRow("empty input") << QByteArray() << badFrame;
    QTest::addRow("truncated object") << R"({"v":1,"type":"hello")"_ba << badFrame;
    QTest::addRow("trailing garbage") << R"({"v":1,"type":"hello"} x)"_ba << badFrame;
    QTest::addRow("JSON array") << R"([{"v":1,"type":"hello"}])"_ba << badFrame;
    QTest::addRow("empty JSON array") << "[]"_ba << badFrame;
    QTest::addRow("JSON string") << R"("hello")"_ba << badFrame;
    QTest::addRow("JSON number") << "1"_ba << badFrame;

    QTest::addRow("missing v") << R"({"type":"hello"})"_ba << unsupported;
    QTest::addRow("v 2") << R"({"v":2,"type":"hello"})"_ba << unsupported;
    QTest::addRow("v 0") << R"({"v":0,"type":"hello"})"_ba << unsupported;
    QTest::addRow("v -1") << R"({"v":-1,"type":"hello"})"_ba << unsupported;
    QTest::addRow("v 1.5") << R"({"v":1.5,"type":"hello"})"_ba << unsupported;
    QTest::addRow("v as string") << R"({"v":"1","type":"hello"})"_ba << unsupported;
    QTest::addRow("v true") << R"({"v":true,"type":"hello"})"_ba << unsupported;
    QTest::addRow("v null") << R"({"v":null,"type":"hello"})"_ba << unsupported;
    QTest::addRow("v 2 without type") << R"({"v":2})"_ba << unsupported;

    QTest::addRow("missing type") << R"({"v":1})"_ba << badFrame;
    QTest::addRow("empty type") << R"({"v":1,"type":""})"_ba << badFrame;
    QTest::addRow("numeric type") << R"({"v":1,"type":5})"_ba << badFrame;
    QTest::addRow("null type") << R"({"v":1,"type":null})"_ba << badFrame;
    QTest::addRow("array type") << R"({"v":1,"type":["hello"]})"_ba << badFrame;
    QTest::addRow("object type") << R"({"v":1,"type":{"name":"hello"}})"_ba << badFrame;

    QTest::addRow("one byte over the limit") << paddedFrame(wsapi::MaxFrameBytes + 1) << tooLarge;
    QTest::addRow("far over the limit") << paddedFrame(4 * wsapi::MaxFrameBytes) << tooLarge;
    QTest::addRow("garbage over the limit") << QByteArray(wsapi::MaxFrameBytes + 1, 'x') << tooLarge;
}

void TestWsProtocol::decodeFrameFailures()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, code);

    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(!decoded.frame, qPrintable(describe(decoded)));
    QCOMPARE(decoded.error.code, code);
    QVERIFY(!decoded.error.message.isEmpty());
}

void TestWsProtocol::decodeFrameAtSizeLimit()
{
    const QByteArray bytes = paddedFrame(wsapi::MaxFrameBytes);
    QCOMPARE(bytes.size(), wsapi::MaxFrameBytes);
    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    QCOMPARE(decoded.frame->type, u"hello"_s);
    const auto hello = wsapi::helloFromFrame(*decoded.frame);
    QVERIFY(hello);
    QCOMPARE(hello->gatewayId, u"g"_s);
}

void TestWsProtocol::decodeFrameWithOwnSizeLimit()
{
    // A client reading server frames passes a larger limit; the default stays MaxFrameBytes.
    const qsizetype limit = 4 * wsapi::MaxFrameBytes;
    const QByteArray big = paddedFrame(wsapi::MaxFrameBytes + 1);
    QCOMPARE(wsapi::decodeFrame(big).error.code, u"frame_too_large"_s);
    const wsapi::FrameDecode decoded = wsapi::decodeFrame(big, limit);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    QCOMPARE(decoded.frame->type, u"hello"_s);
    QVERIFY(wsapi::decodeFrame(paddedFrame(limit), limit).frame);

    const wsapi::FrameDecode over = wsapi::decodeFrame(paddedFrame(limit + 1), limit);
    QVERIFY(!over.frame);
    QCOMPARE(over.error.code, u"frame_too_large"_s);
    QVERIFY2(over.error.message.contains(QString::number(limit)), qPrintable(over.error.message));
    // A smaller limit is honoured too.
    QCOMPARE(wsapi::decodeFrame(paddedFrame(1024), 1023).error.code, u"frame_too_large"_s);
}

void TestWsProtocol::decodeFrameKeepsUnknownTypeAndBody()
{
    const wsapi::FrameDecode decoded = wsapi::decodeFrame(R"({"v":1,"type":"future_thing","x":[1,2],"y":"z"})"_ba);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    QCOMPARE(decoded.frame->type, u"future_thing"_s);
    QCOMPARE(decoded.frame->body.value(u"x"_s), QJsonValue(QJsonArray{1, 2}));
    QCOMPARE(decoded.frame->body.value(u"y"_s), QJsonValue(u"z"_s));
    QCOMPARE(decoded.frame->body.value(u"v"_s).toInteger(), 1);
    QCOMPARE(decoded.frame->body.value(u"type"_s), QJsonValue(u"future_thing"_s));
}

void TestWsProtocol::fromFrame_data()
{
    QTest::addColumn<QString>("decoder");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("accepted");

    const auto row = [](const char *name, const char *decoder, const QByteArray &bytes, bool accepted) {
        QTest::addRow("%s", name) << QString::fromLatin1(decoder) << bytes << accepted;
    };

    row("hello", "hello", R"({"v":1,"type":"hello","gateway":"g","version":"1"})"_ba, true);
    row("hello without version", "hello", R"({"v":1,"type":"hello","gateway":"g"})"_ba, true);
    row("hello of wrong type", "hello", R"({"v":1,"type":"device","gateway":"g","version":"1"})"_ba, false);
    row("hello without gateway", "hello", R"({"v":1,"type":"hello","version":"1"})"_ba, false);
    row("hello with empty gateway", "hello", R"({"v":1,"type":"hello","gateway":"","version":"1"})"_ba, false);
    row("hello with numeric gateway", "hello", R"({"v":1,"type":"hello","gateway":3,"version":"1"})"_ba, false);

    row("devices", "devices", R"({"v":1,"type":"devices","devices":[{"id":"a","status":"online"}]})"_ba, true);
    row("devices empty", "devices", R"({"v":1,"type":"devices","devices":[]})"_ba, true);
    row("devices of wrong type", "devices", R"({"v":1,"type":"device","devices":[{"id":"a","status":"online"}]})"_ba,
        false);
    row("devices missing", "devices", R"({"v":1,"type":"devices"})"_ba, false);
    row("devices not an array", "devices", R"({"v":1,"type":"devices","devices":{"id":"a","status":"online"}})"_ba,
        false);
    row("devices with a device without id", "devices",
        R"({"v":1,"type":"devices","devices":[{"id":"a","status":"online"},{"status":"online"}]})"_ba, false);
    row("devices with an empty id", "devices", R"({"v":1,"type":"devices","devices":[{"id":"","status":"online"}]})"_ba,
        false);
    row("devices with an unknown status", "devices",
        R"({"v":1,"type":"devices","devices":[{"id":"a","status":"sleeping"}]})"_ba, false);
    row("devices with a non-object", "devices", R"({"v":1,"type":"devices","devices":[5]})"_ba, false);

    row("ota_job", "ota_job",
        R"({"v":1,"type":"ota_job","job":{"id":"c1-a","campaign":"c1","device":"a","state":"pending"}})"_ba, true);
    row("ota_job without device", "ota_job",
        R"({"v":1,"type":"ota_job","job":{"id":"c1-a","campaign":"c1","state":"pending"}})"_ba, false);
    row("ota_job with a bad history", "ota_job",
        R"({"v":1,"type":"ota_job","job":{"id":"c1-a","campaign":"c1","device":"a","state":"pending","history":[{"state":"x"}]}})"_ba,
        false);
    row("ota_job missing", "ota_job", R"({"v":1,"type":"ota_job"})"_ba, false);
    row("ota_campaign", "ota_campaign", R"({"v":1,"type":"ota_campaign","campaign":{"id":"c1","state":"running"}})"_ba,
        true);
    row("ota_campaign with an unknown state", "ota_campaign",
        R"({"v":1,"type":"ota_campaign","campaign":{"id":"c1","state":"sleeping"}})"_ba, false);
    row("ota_campaign of wrong type", "ota_campaign",
        R"({"v":1,"type":"ota_job","campaign":{"id":"c1","state":"running"}})"_ba, false);

    row("device", "device", R"({"v":1,"type":"device","device":{"id":"a","status":"offline"}})"_ba, true);
    row("device of wrong type", "device", R"({"v":1,"type":"devices","device":{"id":"a","status":"offline"}})"_ba,
        false);
    row("device missing", "device", R"({"v":1,"type":"device"})"_ba, false);
    row("device without id", "device", R"({"v":1,"type":"device","device":{"status":"offline"}})"_ba, false);
    row("device without status", "device", R"({"v":1,"type":"device","device":{"id":"a"}})"_ba, false);

    row("device_removed", "device_removed", R"({"v":1,"type":"device_removed","device":"a"})"_ba, true);
    row("device_removed of wrong type", "device_removed", R"({"v":1,"type":"device","device":"a"})"_ba, false);
    row("device_removed without device", "device_removed", R"({"v":1,"type":"device_removed"})"_ba, false);
    row("device_removed with invalid id", "device_removed", R"({"v":1,"type":"device_removed","device":"a/b"})"_ba,
        false);

    row("telemetry", "telemetry", R"({"v":1,"type":"telemetry","device":"a","samples":[{"name":"t","value":1}]})"_ba,
        true);
    row("telemetry with no samples", "telemetry", R"({"v":1,"type":"telemetry","device":"a","samples":[]})"_ba, true);
    row("telemetry of wrong type", "telemetry",
        R"({"v":1,"type":"alert","device":"a","samples":[{"name":"t","value":1}]})"_ba, false);
    row("telemetry without device", "telemetry", R"({"v":1,"type":"telemetry","samples":[]})"_ba, false);
    row("telemetry with slash in id", "telemetry", R"({"v":1,"type":"telemetry","device":"a/b","samples":[]})"_ba,
        false);
    row("telemetry with space in id", "telemetry", R"({"v":1,"type":"telemetry","device":"a b","samples":[]})"_ba,
        false);
    row("telemetry with numeric id", "telemetry", R"({"v":1,"type":"telemetry","device":7,"samples":[]})"_ba, false);
    row("telemetry with 65-char id", "telemetry",
        R"({"v":1,"type":"telemetry","device":")"_ba + QByteArray(65, 'a') + R"(","samples":[]})"_ba, false);
    row("telemetry sample without name", "telemetry",
        R"({"v":1,"type":"telemetry","device":"a","samples":[{"value":1}]})"_ba, false);
    row("telemetry sample with empty name", "telemetry",
        R"({"v":1,"type":"telemetry","device":"a","samples":[{"name":"","value":1}]})"_ba, false);
    row("telemetry sample without value", "telemetry",
        R"({"v":1,"type":"telemetry","device":"a","samples":[{"name":"t"}]})"_ba, false);
    row("telemetry sample with null value", "telemetry",
        R"({"v":1,"type":"telemetry","device":"a","samples":[{"name":"t","value":null}]})"_ba, false);
    row("telemetry sample with object value", "telemetry",
        R"({"v":1,"type":"telemetry","device":"a","samples":[{"name":"t","value":{"x":1}}]})"_ba, false);
    row("telemetry sample with array value", "telemetry",
        R"({"v":1,"type":"telemetry","device":"a","samples":[{"name":"t","value":[1]}]})"_ba, false);
    row("telemetry with one bad sample of two", "telemetry",
        R"({"v":1,"type":"telemetry","device":"a","samples":[{"name":"t","value":1},{"name":"u"}]})"_ba, false);

    row("alert", "alert", R"({"v":1,"type":"alert","alert":{"id":1,"kind":"anomaly"}})"_ba, true);
    row("alert of wrong type", "alert", R"({"v":1,"type":"error","alert":{"id":1,"kind":"anomaly"}})"_ba, false);
    row("alert missing", "alert", R"({"v":1,"type":"alert"})"_ba, false);
    row("alert without id", "alert", R"({"v":1,"type":"alert","alert":{"kind":"anomaly"}})"_ba, false);
    row("alert with negative id", "alert", R"({"v":1,"type":"alert","alert":{"id":-1,"kind":"anomaly"}})"_ba, false);

    row("error", "error", R"({"v":1,"type":"error","code":"bad_frame","error":"x"})"_ba, true);
    row("error of wrong type", "error", R"({"v":1,"type":"alert","code":"bad_frame","error":"x"})"_ba, false);

    row("subscribe all", "subscription", R"({"v":1,"type":"subscribe","devices":"*"})"_ba, true);
    row("unsubscribe list", "subscription", R"({"v":1,"type":"unsubscribe","devices":["a","b"]})"_ba, true);
    row("subscribed list", "subscription", R"({"v":1,"type":"subscribed","devices":["a"]})"_ba, true);
    row("subscription of wrong type", "subscription", R"({"v":1,"type":"hello","devices":"*"})"_ba, false);
    row("subscription of unknown type", "subscription", R"({"v":1,"type":"subscription","devices":"*"})"_ba, false);
    row("subscription with slash in id", "subscription", R"({"v":1,"type":"subscribe","devices":["a","a/b"]})"_ba,
        false);
    row("subscription with wildcard id", "subscription", R"({"v":1,"type":"subscribe","devices":["+"]})"_ba, false);
    row("subscription with empty id", "subscription", R"({"v":1,"type":"subscribe","devices":[""]})"_ba, false);
    row("subscription with numeric id", "subscription", R"({"v":1,"type":"subscribe","devices":[5]})"_ba, false);
    row("subscription with star in list", "subscription", R"({"v":1,"type":"subscribe","devices":["*"]})"_ba, false);
    row("subscription with other string", "subscription", R"({"v":1,"type":"subscribe","devices":"all"})"_ba, false);
    row("subscription with single id string", "subscription", R"({"v":1,"type":"subscribe","devices":"a"})"_ba, false);
    row("subscription without devices", "subscription", R"({"v":1,"type":"subscribe"})"_ba, false);
    row("subscription with object", "subscription", R"({"v":1,"type":"subscribe","devices":{"a":1}})"_ba, false);

    row("hello with auth_required", "hello", R"({"v":1,"type":"hello","gateway":"g","auth_required":true})"_ba, true);
    row("hello with string auth_required", "hello", R"({"v":1,"type":"hello","gateway":"g","auth_required":"true"})"_ba,
        false);

    row("session", "session", R"({"v":1,"type":"session","session":{"role":"viewer","user":"wall"}})"_ba, true);
    row("session of wrong type", "session", R"({"v":1,"type":"hello","session":{"role":"viewer","user":""}})"_ba,
        false);
    row("session missing", "session", R"({"v":1,"type":"session"})"_ba, false);
    row("session with unknown role", "session", R"({"v":1,"type":"session","session":{"role":"root","user":""}})"_ba,
        false);
    row("session without user", "session", R"({"v":1,"type":"session","session":{"role":"admin"}})"_ba, false);
    row("session with numeric user", "session", R"({"v":1,"type":"session","session":{"role":"admin","user":1}})"_ba,
        false);

    row("alerts", "alerts", R"({"v":1,"type":"alerts","alerts":[{"id":1,"kind":"offline"}]})"_ba, true);
    row("alerts empty", "alerts", R"({"v":1,"type":"alerts","alerts":[]})"_ba, true);
    row("alerts missing", "alerts", R"({"v":1,"type":"alerts"})"_ba, false);
    row("alerts not an array", "alerts", R"({"v":1,"type":"alerts","alerts":{"id":1}})"_ba, false);
    row("alerts with one bad alert", "alerts", R"({"v":1,"type":"alerts","alerts":[{"id":1},{"kind":"x"}]})"_ba, false);
    row("alerts of wrong type", "alerts", R"({"v":1,"type":"alert","alerts":[]})"_ba, false);

    row("ota_campaigns", "ota_campaigns",
        R"({"v":1,"type":"ota_campaigns","campaigns":[{"id":"c1","state":"running"}]})"_ba, true);
    row("ota_campaigns missing", "ota_campaigns", R"({"v":1,"type":"ota_campaigns"})"_ba, false);
    row("ota_campaigns with a bad state", "ota_campaigns",
        R"({"v":1,"type":"ota_campaigns","campaigns":[{"id":"c1","state":"x"}]})"_ba, false);

    row("status", "status", statusWith(u"alerts_open"_s, 0), true);
    row("status without outbox entries", "status", statusWith(u"outbox"_s, QJsonArray()), true);
    row("status missing", "status", R"({"v":1,"type":"status"})"_ba, false);
    row("status as array", "status", R"({"v":1,"type":"status","status":[]})"_ba, false);
    row("status without devices", "status", statusWith(u"devices"_s, QJsonValue::Undefined), false);
    row("status without online", "status", statusWith(u"online"_s, QJsonValue::Undefined, true), false);
    row("status with negative pending", "status", statusWith(u"pending"_s, -1, true), false);
    row("status with string total", "status", statusWith(u"total"_s, u"10"_s, true), false);
    row("status with fractional alerts_open", "status", statusWith(u"alerts_open"_s, 1.5), false);
    row("status with string rate", "status", statusWith(u"messages_per_second"_s, u"1"_s), false);
    row("status with unknown broker state", "status", statusWith(u"broker"_s, u"disabled"_s), false);
    row("status with unknown upstream state", "status", statusWith(u"upstream"_s, u"up"_s), false);
    row("status without outbox", "status", statusWith(u"outbox"_s, QJsonValue::Undefined), false);
    row("status with outbox without sink", "status",
        statusWith(u"outbox"_s, QJsonArray{QJsonObject{{u"messages"_s, 1}, {u"bytes"_s, 1}, {u"limit_bytes"_s, 1}}}),
        false);

    row("reply ok", "reply", R"({"v":1,"type":"reply","id":1,"ok":true,"result":{}})"_ba, true);
    row("reply ok without result", "reply", R"({"v":1,"type":"reply","id":1,"ok":true})"_ba, true);
    row("reply failed", "reply", R"({"v":1,"type":"reply","id":1,"ok":false,"code":"not_found","error":"x"})"_ba, true);
    row("reply without id", "reply", R"({"v":1,"type":"reply","ok":true,"result":{}})"_ba, false);
    row("reply with string id", "reply", R"({"v":1,"type":"reply","id":"1","ok":true})"_ba, false);
    row("reply without ok", "reply", R"({"v":1,"type":"reply","id":1,"result":{}})"_ba, false);
    row("reply with numeric ok", "reply", R"({"v":1,"type":"reply","id":1,"ok":1})"_ba, false);
    row("reply failed without code", "reply", R"({"v":1,"type":"reply","id":1,"ok":false,"error":"x"})"_ba, false);
    row("reply of wrong type", "reply", R"({"v":1,"type":"request","id":1,"ok":true})"_ba, false);

    row("auth", "auth", R"({"v":1,"type":"auth","token":"abc"})"_ba, true);
    row("auth without token", "auth", R"({"v":1,"type":"auth"})"_ba, false);
    row("auth with empty token", "auth", R"({"v":1,"type":"auth","token":""})"_ba, false);
    row("auth with numeric token", "auth", R"({"v":1,"type":"auth","token":123})"_ba, false);
    row("auth of wrong type", "auth", R"({"v":1,"type":"request","token":"abc"})"_ba, false);

    row("request", "request", R"({"v":1,"type":"request","id":1,"action":"firmware.list"})"_ba, true);
    row("request with params", "request", R"({"v":1,"type":"request","id":1,"action":"a","params":{"x":1}})"_ba, true);
    row("request without id", "request", R"({"v":1,"type":"request","action":"a"})"_ba, false);
    row("request with string id", "request", R"({"v":1,"type":"request","id":"1","action":"a"})"_ba, false);
    row("request with null id", "request", R"({"v":1,"type":"request","id":null,"action":"a"})"_ba, false);
    row("request without action", "request", R"({"v":1,"type":"request","id":1})"_ba, false);
    row("request with empty action", "request", R"({"v":1,"type":"request","id":1,"action":""})"_ba, false);
    row("request with numeric action", "request", R"({"v":1,"type":"request","id":1,"action":3})"_ba, false);
    row("request with params array", "request", R"({"v":1,"type":"request","id":1,"action":"a","params":[1]})"_ba,
        false);
    row("request with params string", "request", R"({"v":1,"type":"request","id":1,"action":"a","params":"x"})"_ba,
        false);
    row("request of wrong type", "request", R"({"v":1,"type":"reply","id":1,"action":"a"})"_ba, false);
}

void TestWsProtocol::fromFrame()
{
    QFETCH(QString, decoder);
    QFETCH(QByteArray, bytes);
    QFETCH(bool, accepted);

    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    QVERIFY2(decoded.frame, qPrintable(describe(decoded)));
    QCOMPARE(fromFrameAccepts(decoder, *decoded.frame), accepted);
}

void TestWsProtocol::valueFromJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");

    QTest::addRow("integer") << "42"_ba << u"int 42"_s;
    QTest::addRow("negative integer") << "-7"_ba << u"int -7"_s;
    QTest::addRow("zero") << "0"_ba << u"int 0"_s;
    QTest::addRow("integral with fraction") << "1.0"_ba << u"int 1"_s;
    QTest::addRow("integral with exponent") << "1e3"_ba << u"int 1000"_s;
    QTest::addRow("above 2^53") << "9007199254740993"_ba << u"int 9007199254740993"_s;
    QTest::addRow("qint64 max") << "9223372036854775807"_ba << u"int 9223372036854775807"_s;
    QTest::addRow("qint64 min") << "-9223372036854775808"_ba << u"int -9223372036854775808"_s;
    QTest::addRow("integral beyond qint64") << "1e20"_ba << u"double 1e+20"_s;
    QTest::addRow("fraction") << "2.5"_ba << u"double 2.5"_s;
    QTest::addRow("negative fraction") << "-0.125"_ba << u"double -0.125"_s;
    QTest::addRow("small exponent") << "1e-3"_ba << u"double 0.001"_s;
    QTest::addRow("true") << "true"_ba << u"bool true"_s;
    QTest::addRow("false") << "false"_ba << u"bool false"_s;
    QTest::addRow("string") << R"("text")"_ba << u"string \"text\""_s;
    QTest::addRow("empty string") << R"("")"_ba << u"string \"\""_s;
    QTest::addRow("numeric string") << R"("42")"_ba << u"string \"42\""_s;
    QTest::addRow("null") << "null"_ba << u"none"_s;
    QTest::addRow("array") << "[1]"_ba << u"none"_s;
    QTest::addRow("empty array") << "[]"_ba << u"none"_s;
    QTest::addRow("object") << R"({"a":1})"_ba << u"none"_s;
    QTest::addRow("empty object") << "{}"_ba << u"none"_s;
}

void TestWsProtocol::valueFromJson()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);

    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson('[' + json + ']', &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(doc.array().size(), 1);
    QCOMPARE(describe(edgegate::valueFromJson(doc.array().at(0))), expected);
}

void TestWsProtocol::valueFromJsonNonFinite_data()
{
    QTest::addColumn<QJsonValue>("json");
    QTest::addRow("undefined") << QJsonValue(QJsonValue::Undefined);
    QTest::addRow("NaN") << QJsonValue(std::numeric_limits<double>::quiet_NaN());
    QTest::addRow("+inf") << QJsonValue(std::numeric_limits<double>::infinity());
    QTest::addRow("-inf") << QJsonValue(-std::numeric_limits<double>::infinity());
}

void TestWsProtocol::valueFromJsonNonFinite()
{
    QFETCH(QJsonValue, json);
    QCOMPARE(describe(edgegate::valueFromJson(json)), u"none"_s);
}

void TestWsProtocol::valueToJson_data()
{
    QTest::addColumn<Value>("value");
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QString>("afterWire");

    QTest::addRow("double") << Value(21.5) << "[21.5]"_ba << u"double 21.5"_s;
    QTest::addRow("negative double") << Value(-0.125) << "[-0.125]"_ba << u"double -0.125"_s;
    // JSON has one number type: an integral double reads back as an integer.
    QTest::addRow("integral double") << Value(5.0) << "[5]"_ba << u"int 5"_s;
    QTest::addRow("integer") << Value(qint64(42)) << "[42]"_ba << u"int 42"_s;
    QTest::addRow("negative integer") << Value(qint64(-42)) << "[-42]"_ba << u"int -42"_s;
    QTest::addRow("integer above 2^53") << Value(qint64(9007199254740993)) << "[9007199254740993]"_ba
                                        << u"int 9007199254740993"_s;
    QTest::addRow("qint64 min") << Value(std::numeric_limits<qint64>::min()) << "[-9223372036854775808]"_ba
                                << u"int -9223372036854775808"_s;
    QTest::addRow("true") << Value(true) << "[true]"_ba << u"bool true"_s;
    QTest::addRow("false") << Value(false) << "[false]"_ba << u"bool false"_s;
    QTest::addRow("string") << Value(u"on"_s) << R"(["on"])"_ba << u"string \"on\""_s;
    QTest::addRow("string needing escapes") << Value(u"a\"b\\c"_s) << R"(["a\"b\\c"])"_ba << u"string \"a\"b\\c\""_s;
    QTest::addRow("unicode string") << Value(u"caf\u00e9"_s) << "[\"caf\xc3\xa9\"]"_ba << u"string \"caf\u00e9\""_s;
}

void TestWsProtocol::valueToJson()
{
    QFETCH(Value, value);
    QFETCH(QByteArray, wire);
    QFETCH(QString, afterWire);

    const QJsonValue json = edgegate::valueToJson(value);
    QCOMPARE(describe(edgegate::valueFromJson(json)), afterWire);

    const QByteArray text = QJsonDocument(QJsonArray{json}).toJson(QJsonDocument::Compact);
    QCOMPARE(text, wire);
    const QJsonValue parsed = QJsonDocument::fromJson(text).array().at(0);
    QCOMPARE(describe(edgegate::valueFromJson(parsed)), afterWire);
}

void TestWsProtocol::timeToJson_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("text");

    QTest::addRow("1 ms") << qint64(1) << u"1970-01-01T00:00:00.001Z"_s;
    QTest::addRow("1 s") << qint64(1000) << u"1970-01-01T00:00:01.000Z"_s;
    QTest::addRow("2024") << SomeTimeMs << u"2024-03-01T12:34:56.789Z"_s;
    QTest::addRow("2024 whole second") << SomeTimeMs - 789 << u"2024-03-01T12:34:56.000Z"_s;
    QTest::addRow("leap day") << qint64(1709164800000) << u"2024-02-29T00:00:00.000Z"_s;
    QTest::addRow("before the epoch") << qint64(-1) << u"1969-12-31T23:59:59.999Z"_s;
    QTest::addRow("end of year 9999") << qint64(253402300799999) << u"9999-12-31T23:59:59.999Z"_s;
}

void TestWsProtocol::timeToJson()
{
    QFETCH(qint64, ms);
    QFETCH(QString, text);

    const QJsonValue json = edgegate::timeToJson(ms);
    QVERIFY(json.isString());
    QCOMPARE(json.toString(), text);
    QCOMPARE(edgegate::timeFromJson(json), ms);
}

void TestWsProtocol::timeZeroIsNull()
{
    const QJsonValue json = edgegate::timeToJson(0);
    QVERIFY(json.isNull());
    QCOMPARE(edgegate::timeFromJson(json), qint64(0));
}

void TestWsProtocol::timeFromJsonInvalid_data()
{
    QTest::addColumn<QJsonValue>("json");

    QTest::addRow("null") << QJsonValue(QJsonValue::Null);
    QTest::addRow("undefined") << QJsonValue(QJsonValue::Undefined);
    QTest::addRow("empty string") << QJsonValue(u""_s);
    QTest::addRow("not a time") << QJsonValue(u"yesterday"_s);
    QTest::addRow("number of ms") << QJsonValue(SomeTimeMs);
    QTest::addRow("bool") << QJsonValue(true);
    QTest::addRow("array") << QJsonValue(QJsonArray{u"2024-03-01T12:34:56.789Z"_s});
}

void TestWsProtocol::timeFromJsonInvalid()
{
    QFETCH(QJsonValue, json);
    QCOMPARE(edgegate::timeFromJson(json), qint64(0));
}

QTEST_APPLESS_MAIN(TestWsProtocol)

#include "tst_wsprotocol.moc"
