// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/common/ratelimitedlog.h"
#include "support/corepipeline.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

using namespace edgegate;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

/// The core pipeline fed MQTT-shaped messages directly.
struct Pipeline : CorePipeline
{
    explicit Pipeline(RegistryPolicy policy, int pendingBuffer = 100)
        : CorePipeline(policy, 1024, pendingBuffer)
    {
    }

    static constexpr qint64 ReceivedAtNs = 1'700'000'000'000'000'000;

    void send(const QString &device, const QByteArray &payload, MessageKind kind = MessageKind::Telemetry,
              qint64 receivedAtNs = ReceivedAtNs)
    {
        InboundMessage m;
        m.protocol = Protocol::Mqtt;
        m.deviceId = device;
        m.kind = kind;
        m.payload = payload;
        m.receivedAtNs = receivedAtNs;
        m.receivedMono = std::chrono::steady_clock::now();
        ingest.handle(m);
    }

    quint64 bad(const QString &reason)
    {
        return metrics.counter(u"edgegate_bad_messages_total"_s, {}, {{u"reason"_s, reason}}).value();
    }
};

} // namespace

class TestIngest : public QObject
{
    Q_OBJECT
private slots:
    void acceptedTelemetry();
    void receiveTimesNeverRepeat();
    void receiveTimesOutrunAClockSetBack();
    void deviceTimesAreKept();
    void badPayloadsAreCountedByReason_data();
    void badPayloadsAreCountedByReason();
    void linkRejections();
    void refusalsLogOneLineEach();
    void logLimitsHoldAgainstManyKeys();
    void everyBadInputHasOneLabelAndACounter();
    void topicErrorLabel_data();
    void topicErrorLabel();
    void approvePolicyHoldsAndReleases();
    void pendingOverflowIsCounted();
    void removedPendingDeviceDropsHeld();
    void denyPolicy();
    void budgetsAnswerLater();
    void statusMessages_data();
    void statusMessages();
    void statusUptime_data();
    void statusUptime();
    void anyDeviceMessageIsAHeartbeat();
    void metaMessages();
    void metaOfPendingDevice();
    void replayedMetaOfKnownDevice();
    void anomalyRaisesAlert();
};

void TestIngest::acceptedTelemetry()
{
    Pipeline p(RegistryPolicy::Auto);
    QSignalSpy accepted(&p.ingest, &Ingest::telemetryAccepted);
    p.send(u"t-1"_s, R"({"temperature": 21.5, "ok": true, "ts": 1700000000123})");
    QCOMPARE(accepted.size(), 1);
    const auto envelope = accepted.front().front().value<Envelope>();
    QCOMPARE(envelope.deviceId, u"t-1"_s);
    QCOMPARE(envelope.samples.size(), 2);
    QVERIFY(envelope.hasDeviceTime);
    QVERIFY(p.registry.find(u"t-1"_s));
    const MetricState &t = p.analytics.device(u"t-1"_s)->value(u"temperature"_s);
    QCOMPARE(std::get<double>(t.last), 21.5);
    QCOMPARE(t.lastTimeMs, 1700000000123);
    QCOMPARE(p.counter(u"edgegate_messages_total"_s, {{u"protocol"_s, u"mqtt"_s}, {u"kind"_s, u"telemetry"_s}}), 1u);
    QCOMPARE(p.metrics.histogram(u"edgegate_ingest_latency_seconds"_s, {}, {}).count(), 1u);
}

void TestIngest::receiveTimesNeverRepeat()
{
    // 2,000 messages the clock read the same nanosecond for, as a burst within the clock's resolution
    // would be: each gets the time before + 1 ns, whatever its device.
    Pipeline p(RegistryPolicy::Auto);
    QSignalSpy accepted(&p.ingest, &Ingest::telemetryAccepted);
    for (int i = 0; i < 2000; ++i)
        p.send(u"fast-%1"_s.arg(i % 3), R"({"temperature": 21.5})");
    QCOMPARE(accepted.size(), 2000);
    for (int i = 0; i < 2000; ++i) {
        const auto envelope = accepted.at(i).front().value<Envelope>();
        QVERIFY(!envelope.hasDeviceTime);
        QCOMPARE(envelope.receivedAtNs, Pipeline::ReceivedAtNs + i);
        QCOMPARE(envelope.samples.front().timeNs, Pipeline::ReceivedAtNs + i);
    }
    // A later reading of the clock is taken as it is.
    p.send(u"fast-0"_s, R"({"temperature": 21.5})", MessageKind::Telemetry, Pipeline::ReceivedAtNs + 5'000'000);
    QCOMPARE(accepted.last().front().value<Envelope>().receivedAtNs, Pipeline::ReceivedAtNs + 5'000'000);
    // Status and meta take part too: no message shares a receive time with another.
    p.send(u"fast-0"_s, "online", MessageKind::Status, Pipeline::ReceivedAtNs);
    p.send(u"fast-0"_s, R"({"temperature": 22.5})", MessageKind::Telemetry, Pipeline::ReceivedAtNs);
    QCOMPARE(accepted.last().front().value<Envelope>().receivedAtNs, Pipeline::ReceivedAtNs + 5'000'002);
}

void TestIngest::receiveTimesOutrunAClockSetBack()
{
    Pipeline p(RegistryPolicy::Auto);
    QSignalSpy accepted(&p.ingest, &Ingest::telemetryAccepted);
    const qint64 t = Pipeline::ReceivedAtNs;
    p.send(u"d"_s, R"({"v": 1})", MessageKind::Telemetry, t);
    p.send(u"d"_s, R"({"v": 2})", MessageKind::Telemetry, t - 60'000'000'000); // the clock went back a minute
    p.send(u"d"_s, R"({"v": 3})", MessageKind::Telemetry, t - 59'000'000'000);
    p.send(u"d"_s, R"({"v": 4})", MessageKind::Telemetry, t + 1'000);
    QCOMPARE(accepted.size(), 4);
    QList<qint64> times;
    for (const auto &args : std::as_const(accepted))
        times.append(args.front().value<Envelope>().samples.front().timeNs);
    QCOMPARE(times, (QList<qint64>{t, t + 1, t + 2, t + 1'000}));
}

void TestIngest::deviceTimesAreKept()
{
    // Two messages with the same device time are the device's choice: both keep it, to the nanosecond.
    Pipeline p(RegistryPolicy::Auto);
    QSignalSpy accepted(&p.ingest, &Ingest::telemetryAccepted);
    p.send(u"d"_s, R"({"v": 1, "ts": "2026-12-07T01:02:03.123456789Z"})");
    p.send(u"d"_s, R"({"v": 2, "ts": "2026-12-07T01:02:03.123456789Z"})");
    QCOMPARE(accepted.size(), 2);
    const auto first = accepted.at(0).front().value<Envelope>();
    const auto second = accepted.at(1).front().value<Envelope>();
    QVERIFY(first.hasDeviceTime && second.hasDeviceTime);
    const qint64 deviceTime = 1'796'605'323'123'456'789;
    QCOMPARE(first.samples.front().timeNs, deviceTime);
    QCOMPARE(second.samples.front().timeNs, deviceTime);
    // Their receive times still differ.
    QCOMPARE(second.receivedAtNs, first.receivedAtNs + 1);
}

void TestIngest::badPayloadsAreCountedByReason_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("reason");
    QTest::addRow("malformed") << QByteArray("{\"a\": ") << u"malformed_json"_s;
    QTest::addRow("empty") << QByteArray() << u"empty"_s;
    QTest::addRow("not an object") << QByteArray("42") << u"not_an_object"_s;
    QTest::addRow("infinity") << QByteArray("{\"a\": 1e400}") << u"non_finite"_s;
    QTest::addRow("oversized") << QByteArray(2048, ' ') << u"too_large"_s;
    QTest::addRow("nested") << QByteArray("{\"a\": {\"b\": 1}}") << u"bad_value"_s;
}

void TestIngest::badPayloadsAreCountedByReason()
{
    QFETCH(QByteArray, payload);
    QFETCH(QString, reason);
    Pipeline p(RegistryPolicy::Auto);
    p.send(u"known"_s, R"({"v": 1})");
    QSignalSpy accepted(&p.ingest, &Ingest::telemetryAccepted);
    p.send(u"known"_s, payload);
    p.send(u"stranger"_s, payload);
    QCOMPARE(accepted.size(), 0);
    QCOMPARE(p.bad(reason), 2u);
    // Known devices keep the error; bad input does not register anyone.
    QVERIFY(p.registry.find(u"known"_s)->lastError.startsWith(reason));
    QVERIFY(!p.registry.find(u"stranger"_s));
    // And the pipeline still works afterwards.
    p.send(u"known"_s, R"({"v": 2})");
    QCOMPARE(accepted.size(), 1);
}

void TestIngest::linkRejections()
{
    Pipeline p(RegistryPolicy::Auto);
    p.ingest.reject(Protocol::Mqtt, BadInput::BadTopicLevels, {}, u"topic 'devices/a/b/telemetry'"_s);
    p.ingest.reject(Protocol::Mqtt, BadInput::BadTopicLevels, {}, u"again"_s);
    QCOMPARE(p.bad(u"bad_topic_levels"_s), 2u);
    QCOMPARE(p.registry.size(), 0);
}

namespace {

QStringList capturedLog;

void captureLog(QtMsgType, const QMessageLogContext &, const QString &message)
{
    capturedLog.append(message);
}

} // namespace

void TestIngest::refusalsLogOneLineEach()
{
    // Device text that would start a forged log line, or hide in one, comes out escaped.
    const QString breakers = u"\n\r\u0085\u2028\u2029\u202e\u001b"_s;
    QCOMPARE(loggable(breakers), u"\\x0a\\x0d\\x85\\u2028\\u2029\\u202e\\x1b"_s);
    Pipeline p(RegistryPolicy::Auto);
    capturedLog.clear();
    const QtMessageHandler previous = qInstallMessageHandler(captureLog);
    const QByteArray forged = R"(x\nedgegated: device admin approved\u2028\u0085)";
    p.send(u"log-1"_s, R"([{"n": ")" + forged + R"(", "v": 1}])");
    p.send(u"log-1"_s, R"([{"bn": ")" + forged + R"(", "n": "t", "v": 1}])");
    p.send(u"log-1"_s, R"({")" + forged + R"(": {"nested": true}})");
    p.ingest.reject(Protocol::Http, BadInput::InvalidDeviceId, {}, u"id 'a\nb'"_s);
    qInstallMessageHandler(previous);
    QVERIFY(!capturedLog.isEmpty());
    for (const QString &line : std::as_const(capturedLog)) {
        for (const QChar c : line)
            QVERIFY2(c.category() != QChar::Other_Control && c.category() != QChar::Separator_Line
                         && c.category() != QChar::Separator_Paragraph,
                     qPrintable(loggable(line)));
    }
}

void TestIngest::everyBadInputHasOneLabelAndACounter()
{
    Pipeline p(RegistryPolicy::Auto);
    const QByteArray exposition = p.metrics.exposition();
    QSet<QString> labels;
    for (BadInput reason : AllBadInputs) {
        const QString label = badInputLabel(reason);
        QVERIFY2(QRegularExpression(u"^[a-z]+(_[a-z0-9]+)*$"_s).match(label).hasMatch(), qPrintable(label));
        QVERIFY2(!labels.contains(label), qPrintable(label));
        labels.insert(label);
        // Present from the start, at zero, so that rates work before the first refusal.
        const QByteArray line = "edgegate_bad_messages_total{reason=\"" + label.toUtf8() + "\"} 0";
        QVERIFY2(exposition.contains(line), line.constData());
    }
}

void TestIngest::topicErrorLabel_data()
{
    QTest::addColumn<TopicError>("error");
    QTest::addColumn<QString>("reason");

    QTest::addRow("NotDeviceTopic") << TopicError::NotDeviceTopic << u"not_device_topic"_s;
    QTest::addRow("BadLevels") << TopicError::BadLevels << u"bad_topic_levels"_s;
    QTest::addRow("InvalidDeviceId") << TopicError::InvalidDeviceId << u"invalid_device_id"_s;
    QTest::addRow("UnknownKind") << TopicError::UnknownKind << u"unknown_topic_kind"_s;
}

void TestIngest::topicErrorLabel()
{
    QFETCH(TopicError, error);
    QFETCH(QString, reason);
    // The label an MQTT message on such a topic is counted under.
    QCOMPARE(badInputLabel(badInput(error)), reason);
}

void TestIngest::approvePolicyHoldsAndReleases()
{
    Pipeline p(RegistryPolicy::Approve);
    QSignalSpy accepted(&p.ingest, &Ingest::telemetryAccepted);
    p.send(u"new"_s, R"({"v": 1})");
    p.send(u"new"_s, R"({"v": 2})");
    QCOMPARE(accepted.size(), 0);
    QCOMPARE(p.ingest.heldCount(), 2);
    QCOMPARE(p.counter(u"edgegate_messages_held_total"_s), 2u);
    QVERIFY(!p.analytics.device(u"new"_s));
    QCOMPARE(p.registry.approve(u"new"_s), DeviceRegistry::ChangeResult::Done);
    QCOMPARE(accepted.size(), 2); // held data flows once approved, in order
    QCOMPARE(std::get<qint64>(p.analytics.device(u"new"_s)->value(u"v"_s).last), 2);
    QCOMPARE(p.ingest.heldCount(), 0);
    p.send(u"new"_s, R"({"v": 3})");
    QCOMPARE(accepted.size(), 3);
}

void TestIngest::pendingOverflowIsCounted()
{
    Pipeline p(RegistryPolicy::Approve, 3);
    for (int i = 0; i < 5; ++i)
        p.send(u"new"_s, u"{\"v\": %1}"_s.arg(i).toUtf8());
    QCOMPARE(p.ingest.heldCount(), 3);
    QCOMPARE(p.counter(u"edgegate_messages_dropped_total"_s, {{u"reason"_s, u"pending_overflow"_s}}), 2u);
    QSignalSpy accepted(&p.ingest, &Ingest::telemetryAccepted);
    QCOMPARE(p.registry.approve(u"new"_s), DeviceRegistry::ChangeResult::Done);
    QCOMPARE(accepted.size(), 3);
    // The newest are kept.
    QCOMPARE(std::get<qint64>(accepted.front().front().value<Envelope>().samples.front().value), 2);
}

void TestIngest::removedPendingDeviceDropsHeld()
{
    Pipeline p(RegistryPolicy::Approve);
    p.send(u"new"_s, R"({"v": 1})");
    QCOMPARE(p.registry.remove(u"new"_s), DeviceRegistry::ChangeResult::Done);
    QCOMPARE(p.ingest.heldCount(), 0);
    QCOMPARE(p.counter(u"edgegate_messages_dropped_total"_s, {{u"reason"_s, u"device_removed"_s}}), 1u);
}

void TestIngest::budgetsAnswerLater()
{
    CorePipeline p(RegistryPolicy::Auto, 1024, 100, 2);
    const auto send = [&](const QString &device, const QString &source) {
        InboundMessage message = receivedNow(Protocol::Http, device, MessageKind::Telemetry, R"({"a": 1})");
        message.source = source;
        return p.ingest.handle(message);
    };
    QVERIFY(send(u"d-1"_s, u"10.0.0.1"_s).taken());
    QVERIFY(send(u"d-2"_s, u"10.0.0.1"_s).taken());
    const IngestResult full = send(u"d-3"_s, u"10.0.0.2"_s);
    QCOMPARE(full.outcome, IngestResult::Outcome::Overloaded);
    QCOMPARE(full.code(), u"too_many_devices"_s);
    QCOMPARE(full.retryAfter, std::chrono::seconds(300));
    QVERIFY(!p.registry.find(u"d-3"_s));
    QVERIFY(!p.analytics.device(u"d-3"_s));
    QCOMPARE(p.counter(u"edgegate_messages_rejected_total"_s, {{u"reason"_s, u"too_many_devices"_s}}), 1u);
    // A status or meta message of an unknown device is refused the same way.
    InboundMessage status = receivedNow(Protocol::Http, u"d-4"_s, MessageKind::Status, "online");
    QCOMPARE(p.ingest.handle(status).code(), u"too_many_devices"_s);
    // Known devices go on.
    QVERIFY(send(u"d-1"_s, u"10.0.0.2"_s).taken());
}

void TestIngest::logLimitsHoldAgainstManyKeys()
{
    RateLimitedLog log(std::chrono::hours(1));
    QVERIFY(log.allow(u"a"_s));
    QVERIFY(!log.allow(u"a"_s));
    // Peer addresses as keys: past the cap, new ones share one limit instead of each getting a line.
    int allowed = 0;
    for (int i = 0; i < 3 * RateLimitedLog::MaxKeys; ++i)
        allowed += log.allow(u"10.0.%1.%2"_s.arg(i / 256).arg(i % 256)) ? 1 : 0;
    QCOMPARE(allowed, int(RateLimitedLog::MaxKeys));
    QVERIFY(!log.allow(u"a"_s));
    QCOMPARE(moreSince(0), QString());
    QCOMPARE(moreSince(3), u"(3 more since)"_s);
}

void TestIngest::denyPolicy()
{
    Pipeline p(RegistryPolicy::Deny);
    QSignalSpy accepted(&p.ingest, &Ingest::telemetryAccepted);
    p.send(u"x"_s, R"({"v": 1})");
    p.send(u"x"_s, R"({"type": "t"})", MessageKind::Meta);
    p.send(u"x"_s, "online", MessageKind::Status);
    QCOMPARE(accepted.size(), 0);
    QCOMPARE(p.registry.size(), 0);
    QCOMPARE(p.counter(u"edgegate_messages_rejected_total"_s, {{u"reason"_s, u"unknown_device"_s}}), 3u);
}

void TestIngest::statusMessages_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<int>("expected"); // DeviceStatus, or -1 for refused as bad_status
    QTest::addRow("plain offline") << QByteArray("offline") << int(DeviceStatus::Offline);
    QTest::addRow("upper case") << QByteArray("OFFLINE") << int(DeviceStatus::Offline);
    QTest::addRow("json object") << QByteArray(R"({"status": "error"})") << int(DeviceStatus::Error);
    QTest::addRow("json string") << QByteArray(R"("offline")") << int(DeviceStatus::Offline);
    QTest::addRow("whitespace") << QByteArray(" error\n") << int(DeviceStatus::Error);
    QTest::addRow("unknown word") << QByteArray("sleeping") << -1;
    QTest::addRow("maintenance is for operators") << QByteArray("maintenance") << -1;
    QTest::addRow("empty") << QByteArray() << -1;
    QTest::addRow("broken json") << QByteArray(R"({"status": )") << -1;
}

void TestIngest::statusMessages()
{
    QFETCH(QByteArray, payload);
    QFETCH(int, expected);
    Pipeline p(RegistryPolicy::Auto);
    p.send(u"s"_s, R"({"v": 1})");
    p.send(u"s"_s, payload, MessageKind::Status);
    if (expected < 0) {
        QCOMPARE(p.bad(u"bad_status"_s), 1u);
        QCOMPARE(p.registry.find(u"s"_s)->status, DeviceStatus::Online);
    } else {
        QCOMPARE(int(p.registry.find(u"s"_s)->status), expected);
    }
}

void TestIngest::statusUptime_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<qint64>("uptime"); // as the device shows it right after
    QTest::addRow("with uptime") << QByteArray(R"({"status": "online", "uptime": 3600})") << qint64(3600);
    QTest::addRow("fractional uptime") << QByteArray(R"({"status": "online", "uptime": 12.7})") << qint64(12);
    QTest::addRow("plain heartbeat") << QByteArray("online") << qint64(0);
    QTest::addRow("negative uptime left out") << QByteArray(R"({"status": "online", "uptime": -5})") << qint64(0);
    QTest::addRow("text uptime left out") << QByteArray(R"({"status": "online", "uptime": "long"})") << qint64(0);
    QTest::addRow("huge uptime left out") << QByteArray(R"({"status": "online", "uptime": 1e300})") << qint64(0);
}

void TestIngest::statusUptime()
{
    QFETCH(QByteArray, payload);
    QFETCH(qint64, uptime);
    Pipeline p(RegistryPolicy::Auto);
    p.send(u"s"_s, R"({"v": 1})");
    p.send(u"s"_s, payload, MessageKind::Status);
    QCOMPARE(p.bad(u"bad_status"_s), 0u);
    // Pipeline::send stamps every message with the same time, so time since online_since is 0.
    const auto device = p.registry.snapshot(u"s"_s, 1'700'000'000'000);
    QVERIFY(device);
    QCOMPARE(device->status, DeviceStatus::Online);
    QCOMPARE(device->uptimeS, uptime);
}

void TestIngest::anyDeviceMessageIsAHeartbeat()
{
    Pipeline p(RegistryPolicy::Auto);
    p.send(u"d"_s, R"({"v": 1})");
    p.registry.setReportedStatus(u"d"_s, DeviceStatus::Offline, 1'700'000'000'000);
    p.send(u"d"_s, R"({"id": "c1", "result": "ok"})", MessageKind::CommandAck);
    QCOMPARE(p.registry.find(u"d"_s)->status, DeviceStatus::Online);
    // An event from a device nobody knows does not register it.
    p.send(u"stranger"_s, R"({"e": 1})", MessageKind::Event);
    QVERIFY(!p.registry.find(u"stranger"_s));
}

void TestIngest::metaMessages()
{
    Pipeline p(RegistryPolicy::Auto);
    p.send(u"m"_s, R"({"type": "thermostat", "firmware": "3.2.1", "name": "Boiler", "model": "TX", "caps": ["a","b"],
                      "slots": 4})",
           MessageKind::Meta);
    const DeviceInfo *d = p.registry.find(u"m"_s);
    QVERIFY(d); // auto policy registers on any first message
    QCOMPARE(d->type, u"thermostat"_s);
    QCOMPARE(d->firmware, u"3.2.1"_s);
    QCOMPARE(d->name, u"Boiler"_s);
    QCOMPARE(d->model, u"TX"_s);
    QCOMPARE(d->metadata.value(u"caps"_s), uR"(["a","b"])"_s);
    QCOMPARE(d->metadata.value(u"slots"_s), u"4"_s);
    p.send(u"m"_s, "[1,2]", MessageKind::Meta);
    QCOMPARE(p.bad(u"not_an_object"_s), 1u);
    p.send(u"m"_s, "{", MessageKind::Meta);
    QCOMPARE(p.bad(u"malformed_json"_s), 1u);

    p.send(u"m"_s, R"({"capabilities": ["ota", "reboot"], "metrics": ["t", {"name": "rh", "unit": "%"}]})",
           MessageKind::Meta);
    QCOMPARE(d->capabilities, QStringList({u"ota"_s, u"reboot"_s}));
    QCOMPARE(d->metrics, QList<MetricInfo>({{u"t"_s, {}}, {u"rh"_s, u"%"_s}}));
    QCOMPARE(d->name, u"Boiler"_s); // what a meta leaves out stays
    // A bad announcement changes nothing and is counted, kept as the device's last error.
    p.send(u"m"_s, R"({"model": "TX2", "capabilities": "ota"})", MessageKind::Meta);
    QCOMPARE(p.bad(u"bad_meta"_s), 1u);
    QCOMPARE(d->model, u"TX"_s);
    QVERIFY(d->lastError.startsWith(u"bad_meta: 'capabilities'"_s));
    // Metadata merges across announcements, within one bound for the device.
    for (int i = 0; i < 2; ++i) {
        QJsonObject many;
        for (int k = 0; k < 40; ++k)
            many.insert(u"k%1_%2"_s.arg(i).arg(k), k);
        p.send(u"m"_s, QJsonDocument(many).toJson(QJsonDocument::Compact), MessageKind::Meta);
    }
    QCOMPARE(p.bad(u"bad_meta"_s), 2u);
    QCOMPARE(d->metadata.size(), 2 + 40);
}

void TestIngest::replayedMetaOfKnownDevice()
{
    // The broker replays retained announcements when the gateway subscribes again: for a device the
    // gateway knows, that is old news, not a sign of life.
    Pipeline p(RegistryPolicy::Auto);
    p.send(u"r"_s, R"({"type": "sensor", "firmware": "1.0.0"})", MessageKind::Meta);
    p.registry.setReportedStatus(u"r"_s, DeviceStatus::Offline, 1'700'000'000'500);
    QCOMPARE(p.registry.find(u"r"_s)->status, DeviceStatus::Offline);
    InboundMessage replayed = receivedNow(Protocol::Mqtt, u"r"_s, MessageKind::Meta, R"({"model": "R2"})");
    replayed.replayed = true;
    QVERIFY(p.ingest.handle(replayed).taken());
    const DeviceInfo *d = p.registry.find(u"r"_s);
    QCOMPARE(d->model, u"R2"_s); // the registry still learns what it says
    QCOMPARE(d->status, DeviceStatus::Offline);
    // An unknown device is registered from a replay: there is no other way to learn of it.
    InboundMessage unknown = receivedNow(Protocol::Mqtt, u"u"_s, MessageKind::Meta, R"({"type": "sensor"})");
    unknown.replayed = true;
    QVERIFY(p.ingest.handle(unknown).taken());
    QVERIFY(p.registry.find(u"u"_s));
}

void TestIngest::metaOfPendingDevice()
{
    // Under approve a device's announcement is kept while it waits, so an operator sees what it is.
    Pipeline p(RegistryPolicy::Approve);
    p.send(u"new"_s, R"({"type": "sensor", "model": "S1", "metrics": ["t"]})", MessageKind::Meta);
    const DeviceInfo *d = p.registry.find(u"new"_s);
    QVERIFY(d);
    QCOMPARE(d->approval, Approval::Pending);
    QCOMPARE(d->model, u"S1"_s);
    QCOMPARE(d->metrics.size(), 1);
}

void TestIngest::anomalyRaisesAlert()
{
    Pipeline p(RegistryPolicy::Auto);
    QSignalSpy detected(&p.ingest, &Ingest::anomalyDetected);
    for (int v : {10, 12, 14, 16, 10, 12, 14, 16})
        p.send(u"a"_s, u"{\"t\": %1}"_s.arg(v).toUtf8());
    QCOMPARE(detected.size(), 0);
    p.send(u"a"_s, R"({"t": 100})");
    QCOMPARE(detected.size(), 1);
    const auto anomaly = detected.front().front().value<Anomaly>();
    QCOMPARE(anomaly.deviceId, u"a"_s);
    QCOMPARE(anomaly.metric, u"t"_s);
    QCOMPARE(anomaly.value, 100.0);
    QCOMPARE(anomaly.mean, 13.0);
    QCOMPARE(p.counter(u"edgegate_anomalies_total"_s), 1u);
}

QTEST_GUILESS_MAIN(TestIngest)
#include "tst_ingest.moc"
