// SPDX-License-Identifier: Apache-2.0
// Distinct messages keep distinct times end to end: bursts from one device over MQTT (one
// connection), HTTP (keep-alive) and CoAP (NON) into a real influxd and a cloud broker, with
// nothing folded into another point, also across a kill -9 of the gateway.
#include "coaptestpdu.h"
#include "testsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <coap3/coap.h>

#include <arpa/inet.h>

#include <array>

#include <memory>

using namespace testsupport;
using namespace Qt::StringLiterals;

namespace {

constexpr int MqttMessages = 2000;
constexpr int HttpMessages = 500;
constexpr int CoapMessages = 500;
constexpr int Total = MqttMessages + HttpMessages + CoapMessages;
// Sequence numbers: MQTT 1..2000, HTTP 2001..2500, CoAP 2501..3000.
constexpr int FirstHttp = MqttMessages + 1;
constexpr int FirstCoap = MqttMessages + HttpMessages + 1;

QByteArray reading(int seq)
{
    return "{\"temperature\": " + QByteArray::number(seq) + ".5, \"seq\": " + QByteArray::number(seq) + "}";
}

/// mosquitto_pub -l: every line one QoS 1 message, all on one connection.
std::unique_ptr<QProcess> startMqttPublisher(quint16 brokerPort, const QString &device)
{
    auto p = std::make_unique<QProcess>();
    p->setProcessChannelMode(QProcess::MergedChannels);
    p->start(u"mosquitto_pub"_s,
             {u"-h"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(brokerPort), u"-q"_s, u"1"_s, u"-t"_s,
              u"devices/%1/telemetry"_s.arg(device), u"-l"_s});
    p->waitForStarted(5000);
    return p;
}

QByteArray mqttLines(int from, int to)
{
    QByteArray lines;
    for (int seq = from; seq <= to; ++seq)
        lines += reading(seq) + '\n';
    return lines;
}

/// One curl process posting seq from..to over one kept-alive connection (a config file with a
/// transfer per message); it prints "<status> <new connections>" per transfer. `rate` paces it
/// (curl's --rate, e.g. "200/s"), empty for as fast as it goes.
std::unique_ptr<QProcess> startHttpPoster(const QTemporaryDir &dir, quint16 port, const QString &device, int from,
                                          int to, const QString &rate = {})
{
    QFile config(dir.filePath(u"curl-%1.conf"_s.arg(from)));
    if (!config.open(QIODevice::WriteOnly))
        return {};
    const QByteArray url
        = "http://127.0.0.1:" + QByteArray::number(port) + "/api/v1/devices/" + device.toUtf8() + "/telemetry";
    for (int seq = from; seq <= to; ++seq) {
        if (seq > from)
            config.write("next\n");
        QByteArray data = reading(seq);
        data.replace('"', "\\\"");
        config.write("url = \"" + url + "\"\nheader = \"Content-Type: application/json\"\ndata = \"" + data
                     + "\"\noutput = \"/dev/null\"\nwrite-out = \"%{http_code} %{num_connects}\\n\"\n"
                       "max-time = 5\n");
    }
    config.close();
    auto p = std::make_unique<QProcess>();
    QStringList args{u"-s"_s, u"-K"_s, config.fileName()};
    if (!rate.isEmpty())
        args << u"--rate"_s << rate;
    p->start(u"curl"_s, args);
    p->waitForStarted(5000);
    return p;
}

/// A libcoap client (one session, one UDP port) sending NON POSTs of readings: a real burst from
/// one device, without the process and the new port per message that coap-client would take.
class CoapNonClient
{
public:
    CoapNonClient(quint16 port, const QString &device)
        : m_path(device.toUtf8())
    {
        coap_startup();
        m_context = coap_new_context(nullptr);
        coap_address_t to = coaptest::loopback(port);
        m_session = m_context ? coap_new_client_session(m_context, nullptr, &to, COAP_PROTO_UDP) : nullptr;
        if (m_session) {
            coap_session_set_app_data(m_session, this);
            coap_register_response_handler(m_context, &CoapNonClient::onResponse);
        }
    }
    ~CoapNonClient()
    {
        if (m_session)
            coap_session_release(m_session);
        if (m_context)
            coap_free_context(m_context);
    }
    CoapNonClient(const CoapNonClient &) = delete;
    CoapNonClient &operator=(const CoapNonClient &) = delete;

    [[nodiscard]] bool isValid() const { return m_session != nullptr; }
    /// 2.04 answers so far.
    [[nodiscard]] int answered() const { return m_answered; }

    /// Sends seq from..to, one right after the other.
    void send(int from, int to)
    {
        for (int seq = from; seq <= to; ++seq) {
            coap_pdu_t *pdu = coaptest::telemetryPost(m_session, COAP_MESSAGE_NON, m_path, reading(seq));
            coap_send(m_session, pdu);
        }
    }
    /// Takes the answers that arrived, waiting up to `ms` for the first.
    void poll(int ms) { coap_io_process(m_context, quint32(ms)); }

private:
    static coap_response_t onResponse(coap_session_t *session, const coap_pdu_t * /*sent*/, const coap_pdu_t *received,
                                      const coap_mid_t /*mid*/)
    {
        auto *self = static_cast<CoapNonClient *>(coap_session_get_app_data(session));
        if (coap_pdu_get_code(received) == COAP_RESPONSE_CODE(204))
            ++self->m_answered;
        return COAP_RESPONSE_OK;
    }

    QByteArray m_path;
    coap_context_t *m_context = nullptr;
    coap_session_t *m_session = nullptr;
    int m_answered = 0;
};

/// Per curl transfer: the seq it posted, its status, whether it opened a connection.
struct HttpOutcome
{
    QSet<int> accepted;
    int failed = 0;
    int connections = 0;
};

HttpOutcome httpOutcome(const QByteArray &curlOutput, int from)
{
    HttpOutcome out;
    int seq = from;
    for (const QByteArray &line : curlOutput.split('\n')) {
        const QList<QByteArray> fields = line.split(' ');
        if (fields.size() != 2)
            continue;
        if (fields.at(0) == "202")
            out.accepted.insert(seq);
        else
            ++out.failed;
        out.connections += fields.at(1).toInt();
        ++seq;
    }
    return out;
}

/// The points InfluxDB holds for the device: seq -> how many points carry it, and the times in seq order.
struct Stored
{
    QHash<int, int> pointsPerSeq;
    QList<std::pair<int, qint64>> seqAndTime;
    int points = 0;
    [[nodiscard]] int duplicates() const { return points - int(pointsPerSeq.size()); }
};

Stored stored(Influxd &influx, const QString &db, const QString &device)
{
    Stored s;
    const QJsonArray values = influx.rows(db, u"SELECT \"seq\" FROM \"telemetry\" WHERE \"device\"='%1'"_s.arg(device));
    for (const QJsonValue row : values) {
        const qint64 time = row.toArray().at(0).toInteger();
        const int seq = row.toArray().at(1).toInt();
        ++s.pointsPerSeq[seq];
        s.seqAndTime.append({seq, time});
        ++s.points;
    }
    std::sort(s.seqAndTime.begin(), s.seqAndTime.end());
    return s;
}

double gatewayMetric(const Gateway &gateway, const QString &series)
{
    return metricValue(Http(gateway.httpPort()).get(u"/metrics"_s).body, series);
}

QString influxSection(quint16 port, const QString &db)
{
    // Everything else on its defaults: batches of up to 5,000 points, flushed every second.
    return u"influxdb:\n  url: http://127.0.0.1:%1\n  database: %2\n"_s.arg(port).arg(db);
}

} // namespace

class TestTimestamps : public QObject
{
    Q_OBJECT
private slots:
    void burstsKeepEveryMessage();
    void burstsAcrossAKill();
};

void TestTimestamps::burstsKeepEveryMessage()
{
    Broker local;
    // As the broker configuration edgegated broker-config writes: mosquitto's default queue of 1,000 messages per
    // client would drop part of a burst the gateway takes more slowly than it arrives.
    QVERIFY(local.start(0, u"max_queued_messages 1000000\n"_s));
    Broker cloud;
    QVERIFY(cloud.start());
    Subscriber upstream(cloud.port(), u"edge/#"_s);
    QVERIFY(upstream.waitUntilSubscribed(cloud));
    Influxd influx;
    QVERIFY2(influx.start(), qPrintable(influx.output()));
    QVERIFY(influx.createDatabase(u"burst"_s));

    Gateway gateway;
    const QString upstreamSection = u"upstream:\n  host: 127.0.0.1\n  port: %1\n  tls: false\n"_s.arg(cloud.port());
    QVERIFY(gateway.start(gateway.config(local.port(), upstreamSection + influxSection(influx.port(), u"burst"_s))));
    QTRY_COMPARE_WITH_TIMEOUT(retained(cloud.port(), u"edge/test-gw/status"_s), QByteArray("online"), 10000);
    const QString device = u"fast-1"_s;

    // 2,000 as one burst on one MQTT connection.
    auto mqtt = startMqttPublisher(local.port(), device);
    mqtt->write(mqttLines(1, MqttMessages));
    mqtt->closeWriteChannel();
    QVERIFY(mqtt->waitForFinished(60000));
    QVERIFY2(mqtt->exitCode() == 0, mqtt->readAll().constData());

    // 500 over one kept-alive HTTP connection.
    QTemporaryDir dir;
    auto http = startHttpPoster(dir, gateway.httpPort(), device, FirstHttp, FirstCoap - 1);
    QVERIFY(http);
    QVERIFY(http->waitForFinished(60000));
    const HttpOutcome posted = httpOutcome(http->readAllStandardOutput(), FirstHttp);
    QCOMPARE(posted.accepted.size(), HttpMessages);
    QCOMPARE(posted.connections, 1);

    // 500 CoAP NON from one client, in bursts of 50, each answered before the next so that no
    // socket buffer overflows (a NON lost on the way would be lost for good).
    CoapNonClient coap(gateway.coapPort(), device);
    QVERIFY(coap.isValid());
    for (int from = FirstCoap; from <= Total; from += 50) {
        coap.send(from, from + 49);
        for (QDeadlineTimer d(20000); !d.hasExpired() && coap.answered() < from + 50 - FirstCoap;)
            coap.poll(100);
    }
    QCOMPARE(coap.answered(), CoapMessages);

    // Every message arrives as a point of its own.
    QTRY_COMPARE_WITH_TIMEOUT(stored(influx, u"burst"_s, device).points, Total, 60000);
    QTRY_COMPARE_WITH_TIMEOUT(gatewayMetric(gateway, u"edgegate_outbox_depth_messages{sink=\"influxdb\"}"_s), 0.0,
                              20000);
    const Stored points = stored(influx, u"burst"_s, device);
    QCOMPARE(points.points, Total);
    QCOMPARE(points.pointsPerSeq.size(), Total);
    QCOMPARE(gatewayMetric(gateway, u"edgegate_influx_points_written_total"_s), double(Total));
    QCOMPARE(gatewayMetric(gateway, u"edgegate_influx_points_overwritten_total"_s), 0.0);
    // Received in order on each TCP link, so stamped in order: nanosecond times, strictly increasing.
    int subMillisecond = 0;
    for (qsizetype i = 1; i < points.seqAndTime.size(); ++i) {
        const auto [seq, time] = points.seqAndTime.at(i);
        const qint64 before = points.seqAndTime.at(i - 1).second;
        if (seq <= MqttMessages || (seq > FirstHttp && seq < FirstCoap))
            QVERIFY2(time > before,
                     qPrintable(u"seq %1 at %2, seq %3 at %4"_s.arg(seq).arg(time).arg(seq - 1).arg(before)));
        subMillisecond += time % 1'000'000 != 0 ? 1 : 0;
    }
    QVERIFY(subMillisecond > Total / 2);

    // Upstream: every message once, each with a time of its own.
    static const QRegularExpression tsOf(uR"("ts":([0-9.]+))"_s);
    const auto upstreamTimes = [&] {
        QSet<QString> times;
        for (const auto &[topic, payload] : upstream.messages()) {
            if (topic == u"edge/test-gw/devices/fast-1/telemetry"_s)
                times.insert(tsOf.match(QString::fromUtf8(payload)).captured(1));
        }
        return times;
    };
    QTRY_COMPARE_WITH_TIMEOUT(upstreamTimes().size(), qsizetype(Total), 60000);
    qsizetype upstreamMessages = 0;
    for (const auto &[topic, payload] : upstream.messages())
        upstreamMessages += topic == u"edge/test-gw/devices/fast-1/telemetry"_s ? 1 : 0;
    QCOMPARE(upstreamMessages, qsizetype(Total));
    QCOMPARE(gateway.terminate(), 0);
}

void TestTimestamps::burstsAcrossAKill()
{
    Broker local;
    // As the broker configuration edgegated broker-config writes: the broker queues for the gateway's session while it
    // restarts.
    QVERIFY(local.start(0, u"max_queued_messages 1000000\n"_s));
    Influxd influx;
    QVERIFY2(influx.start(), qPrintable(influx.output()));
    QVERIFY(influx.createDatabase(u"kill"_s));
    Gateway gateway;
    const QString yaml = gateway.config(local.port(), influxSection(influx.port(), u"kill"_s));
    QVERIFY(gateway.start(yaml));
    const QString device = u"fast-1"_s;
    QTemporaryDir dir;

    // All three streams run while the gateway is killed half-way through the MQTT one.
    auto mqtt = startMqttPublisher(local.port(), device);
    auto http = startHttpPoster(dir, gateway.httpPort(), device, FirstHttp, FirstCoap - 1, u"250/s"_s);
    QVERIFY(http);
    CoapNonClient coap(gateway.coapPort(), device);
    QVERIFY(coap.isValid());
    int nextCoap = FirstCoap;
    const auto sendCoap = [&](int count) {
        const int last = std::min(Total, nextCoap + count - 1);
        coap.send(nextCoap, last);
        nextCoap = last + 1;
        coap.poll(0);
    };
    // The MQTT messages go in chunks, but for 500 at once in the middle: the kill comes while the
    // gateway works through those.
    constexpr int Chunk = 100;
    constexpr int Burst = 500;
    for (int from = 1; from <= MqttMessages;) {
        if (from == MqttMessages / 2 + 1) {
            mqtt->write(mqttLines(from, from + Burst - 1));
            from += Burst;
            QTest::qWait(20);
            const double taken
                = gatewayMetric(gateway, u"edgegate_messages_total{protocol=\"mqtt\",kind=\"telemetry\"}"_s);
            gateway.kill();
            qInfo("killed when the gateway had taken about %.0f MQTT messages", taken);
            QVERIFY2(gateway.start(yaml), qPrintable(gateway.output()));
            continue;
        }
        mqtt->write(mqttLines(from, from + Chunk - 1));
        from += Chunk;
        sendCoap(CoapMessages / 20);
        QTest::qWait(50);
    }
    while (nextCoap <= Total) {
        sendCoap(CoapMessages / 20);
        QTest::qWait(50);
    }
    coap.poll(500);
    mqtt->closeWriteChannel();
    QVERIFY(mqtt->waitForFinished(60000));
    QCOMPARE(mqtt->exitCode(), 0);
    QVERIFY(http->waitForFinished(120000));
    const HttpOutcome posted = httpOutcome(http->readAllStandardOutput(), FirstHttp);
    QVERIFY(!posted.accepted.isEmpty());

    // Settled: the broker's queue drained into the gateway, the outbox into InfluxDB.
    QTRY_VERIFY_WITH_TIMEOUT(
        gatewayMetric(gateway, u"edgegate_messages_total{protocol=\"mqtt\",kind=\"telemetry\"}"_s) > 0, 20000);
    int lastPoints = -1;
    for (QDeadlineTimer deadline(60000); !deadline.hasExpired(); QTest::qWait(1000)) {
        const int now = stored(influx, u"kill"_s, device).points;
        if (now == lastPoints && gatewayMetric(gateway, u"edgegate_outbox_depth_messages{sink=\"influxdb\"}"_s) == 0.0)
            break;
        lastPoints = now;
    }
    const Stored points = stored(influx, u"kill"_s, device);

    // No message became two points: not those the outbox sent again after the restart, nor those the
    // broker delivered again.
    QList<int> twice;
    for (auto it = points.pointsPerSeq.cbegin(); it != points.pointsPerSeq.cend(); ++it) {
        if (it.value() > 1)
            twice.append(it.key());
    }
    std::sort(twice.begin(), twice.end());
    if (!twice.isEmpty())
        qWarning() << "seqs stored more than once:" << twice;
    QCOMPARE(points.duplicates(), 0);
    // Every HTTP message the gateway acknowledged is there.
    QSet<int> missingHttp = posted.accepted;
    for (auto it = points.pointsPerSeq.cbegin(); it != points.pointsPerSeq.cend(); ++it)
        missingHttp.remove(it.key());
    QVERIFY2(missingHttp.isEmpty(), qPrintable(u"%1 acknowledged HTTP messages missing"_s.arg(missingHttp.size())));
    // MQTT: the broker acknowledged all 2,000. libmosquitto sends the gateway's PUBACK before it hands
    // the message over (docs/architecture.md, "What survives what"), so a kill in between can lose
    // that one message; none other may be missing.
    int mqttStored = 0;
    int coapStored = 0;
    for (auto it = points.pointsPerSeq.cbegin(); it != points.pointsPerSeq.cend(); ++it) {
        mqttStored += it.key() <= MqttMessages ? 1 : 0;
        coapStored += it.key() >= FirstCoap ? 1 : 0;
    }
    // What the restarted gateway delivered beyond what it stored itself was stored before the kill.
    const double fromBefore = gatewayMetric(gateway, u"edgegate_outbox_delivered_total{sink=\"influxdb\"}"_s)
        - gatewayMetric(gateway, u"edgegate_outbox_appended_total{sink=\"influxdb\"}"_s);
    qInfo("after kill -9: %d points, %d duplicates; MQTT %d of %d stored; HTTP %lld acknowledged of %d (%d failed "
          "while the gateway was away); CoAP NON %d of %d stored; %.0f entries stored before the kill delivered after "
          "it; %.0f MQTT messages the broker sent again recognised",
          points.points, points.duplicates(), mqttStored, MqttMessages, qsizetype(posted.accepted.size()), HttpMessages,
          posted.failed, coapStored, CoapMessages, fromBefore,
          gatewayMetric(gateway, u"edgegate_mqtt_redelivered_skipped_total"_s));
    QVERIFY(mqttStored >= MqttMessages - 1);
    QCOMPARE(gateway.terminate(), 0);
}

QTEST_GUILESS_MAIN(TestTimestamps)
#include "tst_timestamps.moc"
