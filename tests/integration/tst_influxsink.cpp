// SPDX-License-Identifier: Apache-2.0
// InfluxSink against a real influxd 1.6.7 started by the test (batching, outages, refusals), and
// against a scripted stand-in server for what 1.6.7 cannot show (the v2 API, timeouts, auth).
#include "gateway/core/common/metrics.h"
#include "gateway/sinks/influx/influxsink.h"
#include "testsupport.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <algorithm>
#include <deque>
#include <memory>

using namespace edgegate;
using namespace Qt::StringLiterals;

namespace {

using Query = QHash<QString, QString>;

constexpr int timeoutMs = 30000;

/// Plays the Forwarder: hands queued entries to the sink while it has room.
class Feeder : public QObject
{
public:
    explicit Feeder(Sink &sink)
        : m_sink(sink)
    {
        connect(&sink, &Sink::roomAvailable, this, &Feeder::feed);
    }
    void add(const OutboxEntry &entry)
    {
        m_queue.push_back(entry);
        feed();
    }
    [[nodiscard]] qsizetype waiting() const { return qsizetype(m_queue.size()); }

private:
    void feed()
    {
        while (!m_queue.empty() && m_sink.room() > 0) {
            const OutboxEntry entry = m_queue.front();
            m_queue.pop_front();
            m_sink.deliver(entry);
        }
    }
    Sink &m_sink;
    std::deque<OutboxEntry> m_queue;
};

OutboxEntry entry(quint64 seq, const QByteArray &payload)
{
    OutboxEntry e;
    e.seq = seq;
    e.deviceId = u"dev"_s;
    e.payload = payload;
    return e;
}

/// One point of measurement m per number, each at a time of its own.
QByteArray point(quint64 n, const QByteArray &measurement = "m")
{
    return measurement + ",device=dev v=" + QByteArray::number(n) + "i " + QByteArray::number(1700000000000000000LL + n)
        + '\n';
}

QList<quint64> seqs(const QSignalSpy &spy)
{
    QList<quint64> out;
    for (const auto &args : spy)
        out.append(args.at(0).value<quint64>());
    std::sort(out.begin(), out.end());
    return out;
}

QList<quint64> range(quint64 first, quint64 last)
{
    QList<quint64> out;
    for (quint64 i = first; i <= last; ++i)
        out.append(i);
    return out;
}

double metric(Metrics &metrics, const QString &series)
{
    return testsupport::metricValue(metrics.exposition(), series);
}

/// Stands in for an InfluxDB server to record what the sink sends and answer as scripted. It
/// checks the shape of the requests (method, path, query, headers, body), not the behaviour of a
/// real InfluxDB 2.x server: influxd 1.6.7 has no /api/v2/write.
class FakeServer : public QObject
{
public:
    struct Request
    {
        QByteArray method;
        QByteArray path;
        Query query; // decoded as Go's url.ParseQuery does ('+' is a space)
        QHash<QByteArray, QByteArray> headers; // names in lower case
        QByteArray body;
    };
    /// An answer: a status and its body, or status 0 for no answer at all.
    struct Answer
    {
        int status = 204;
        QByteArray body;
    };

    FakeServer()
    {
        connect(&m_server, &QTcpServer::newConnection, this, &FakeServer::accept);
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    [[nodiscard]] QUrl url(const QString &path = {}) const
    {
        return QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_server.serverPort()).arg(path));
    }
    /// Answers for the next requests, in order; 204 once they are used up.
    void script(const QList<Answer> &answers) { m_script.append(answers); }
    QList<Request> requests;

private:
    void accept()
    {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            socket->setParent(this);
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    }

    void read(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        for (;;) {
            const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
            if (headerEnd < 0)
                return;
            const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
            Request request;
            const QList<QByteArray> requestLine = lines.at(0).trimmed().split(' ');
            request.method = requestLine.value(0);
            const QByteArray target = requestLine.value(1);
            const qsizetype question = target.indexOf('?');
            request.path = target.left(question);
            for (const QByteArray &pair : target.mid(question + 1).split('&')) {
                const qsizetype equals = pair.indexOf('=');
                const auto decode = [](QByteArray part) {
                    return QString::fromUtf8(QByteArray::fromPercentEncoding(part.replace('+', ' ')));
                };
                request.query.insert(decode(pair.left(equals)), decode(pair.mid(equals + 1)));
            }
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const qsizetype colon = lines.at(i).indexOf(':');
                request.headers.insert(lines.at(i).left(colon).trimmed().toLower(),
                                       lines.at(i).mid(colon + 1).trimmed());
            }
            const qsizetype length = request.headers.value("content-length").toLongLong();
            if (buffer.size() < headerEnd + 4 + length)
                return;
            request.body = buffer.mid(headerEnd + 4, length);
            buffer.remove(0, headerEnd + 4 + length);
            requests.append(request);

            const Answer answer = m_script.isEmpty() ? Answer{} : m_script.takeFirst();
            if (answer.status == 0)
                continue; // leave the client waiting
            socket->write(QByteArray("HTTP/1.1 " + QByteArray::number(answer.status)
                                     + " Scripted\r\nContent-Type: application/json\r\nContent-Length: "
                                     + QByteArray::number(answer.body.size()) + "\r\n\r\n" + answer.body));
        }
    }

    QTcpServer m_server;
    QList<Answer> m_script;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

} // namespace

class TestInfluxSink : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void batches();
    void flushBySize();
    void flushByInterval();
    void sameDeviceTimeCounted();
    void outage_data();
    void outage();
    void fieldTypeConflict();
    void unparsableLine();
    void databaseMissing();
    void requestShape_data();
    void requestShape();
    void scriptedAnswers();
    void timeout();

private:
    /// Settings for a fresh database on the test's influxd, with short retry delays.
    InfluxSink::Settings settings(const QString &db);

    testsupport::Influxd m_influxd;
};

void TestInfluxSink::initTestCase()
{
    QVERIFY2(m_influxd.start(), qPrintable(m_influxd.output()));
}

void TestInfluxSink::cleanupTestCase()
{
    m_influxd.kill();
}

InfluxSink::Settings TestInfluxSink::settings(const QString &db)
{
    InfluxSink::Settings s;
    s.url = m_influxd.url();
    s.database = db;
    s.retryMin = std::chrono::milliseconds(20);
    s.retryMax = std::chrono::milliseconds(200);
    return s;
}

void TestInfluxSink::batches()
{
    QVERIFY(m_influxd.createDatabase(u"batches"_s));
    InfluxSink::Settings s = settings(u"batches"_s);
    s.batchPoints = 64;
    s.flushInterval = std::chrono::milliseconds(20);
    Metrics metrics;
    InfluxSink sink(s, metrics);
    QVERIFY(!s.problem());
    QCOMPARE(sink.api(), InfluxSink::Api::V1);
    QCOMPARE(sink.name(), u"influxdb"_s);
    QSignalSpy delivered(&sink, &Sink::delivered);
    QSignalSpy rejected(&sink, &Sink::rejected);
    Feeder feeder(sink);

    // Every seventh entry carries two points, as an envelope with two timestamps would.
    const quint64 entries = 1000;
    quint64 points = 0;
    for (quint64 seq = 1; seq <= entries; ++seq) {
        QByteArray payload = point(2 * seq);
        if (seq % 7 == 0)
            payload += point(2 * seq + 1);
        points += seq % 7 == 0 ? 2 : 1;
        feeder.add(entry(seq, payload));
    }
    QTRY_COMPARE_WITH_TIMEOUT(delivered.size(), qsizetype(entries), timeoutMs);
    QCOMPARE(seqs(delivered), range(1, entries));
    QVERIFY(rejected.isEmpty());
    QCOMPARE(sink.held(), 0);
    QCOMPARE(m_influxd.count(u"batches"_s, u"SELECT count(v) FROM m"_s), qint64(points));
    QCOMPARE(metric(metrics, u"edgegate_influx_points_written_total"_s), double(points));
    // Batches, not one request per entry; and nothing but 204s.
    const double requests = metric(metrics, u"edgegate_influx_requests_total{code=\"204\"}"_s);
    QVERIFY2(requests >= double(points) / 64 && requests < double(entries) / 2, qPrintable(QString::number(requests)));
    QVERIFY(!metrics.exposition().contains("code=\"error\""));
    QCOMPARE(metric(metrics, u"edgegate_influx_retries_total"_s), 0.0);
}

void TestInfluxSink::sameDeviceTimeCounted()
{
    // Messages a device stamped with the same time: InfluxDB keeps one value per series, field and
    // time, and the sink counts each point of a batch that replaces another.
    QVERIFY(m_influxd.createDatabase(u"sametime"_s));
    InfluxSink::Settings s = settings(u"sametime"_s);
    s.batchPoints = 1000;
    s.flushInterval = std::chrono::hours(1);
    Metrics metrics;
    InfluxSink sink(s, metrics);
    QSignalSpy delivered(&sink, &Sink::delivered);
    Feeder feeder(sink);
    const QByteArray t = " 1700000000000000000\n";
    feeder.add(entry(1, "m,device=a v=1i" + t));
    feeder.add(entry(2, "m,device=a v=2i" + t)); // replaces v of 1
    feeder.add(entry(3, "m,device=a w=3i" + t)); // another field: merged
    feeder.add(entry(4, "m,device=b v=4i" + t)); // another series
    feeder.add(entry(5, "m,device=a v=5i 1700000000000000001\n")); // a nanosecond later
    feeder.add(entry(6, "m,device=a v=6i,w=6i" + t)); // replaces v and w: one point
    sink.flush();
    QTRY_COMPARE_WITH_TIMEOUT(delivered.size(), 6, timeoutMs);
    QCOMPARE(metric(metrics, u"edgegate_influx_points_overwritten_total"_s), 2.0);
    QCOMPARE(metric(metrics, u"edgegate_influx_points_written_total"_s), 6.0);
    // What the server kept agrees: 6 lines, 2 of them replacing values, leave 3 points with v.
    QCOMPARE(m_influxd.count(u"sametime"_s, u"SELECT count(v) FROM m"_s), 3);
    QCOMPARE(m_influxd.rows(u"sametime"_s, u"SELECT v, w FROM m WHERE device = 'a'"_s),
             (QJsonArray{QJsonArray{qint64(1700000000000000000), 6, 6},
                         QJsonArray{qint64(1700000000000000001), 5, QJsonValue()}}));
}

void TestInfluxSink::flushBySize()
{
    QVERIFY(m_influxd.createDatabase(u"bysize"_s));
    InfluxSink::Settings s = settings(u"bysize"_s);
    s.batchPoints = 10;
    s.flushInterval = std::chrono::hours(1);
    Metrics metrics;
    InfluxSink sink(s, metrics);
    QSignalSpy delivered(&sink, &Sink::delivered);
    Feeder feeder(sink);

    QCOMPARE(sink.room(), 20);
    for (quint64 seq = 1; seq <= 25; ++seq)
        feeder.add(entry(seq, point(seq)));
    // Two full batches go; the five entries after them wait for a full batch or the interval.
    QTRY_COMPARE_WITH_TIMEOUT(delivered.size(), 20, timeoutMs);
    QCOMPARE(metric(metrics, u"edgegate_influx_requests_total{code=\"204\"}"_s), 2.0);
    QCOMPARE(sink.held(), 5);
    QCOMPARE(feeder.waiting(), 0);
    QCOMPARE(sink.room(), 15);
    QCOMPARE(m_influxd.count(u"bysize"_s, u"SELECT count(v) FROM m"_s), 20);

    sink.flush();
    QTRY_COMPARE_WITH_TIMEOUT(delivered.size(), 25, timeoutMs);
    QCOMPARE(seqs(delivered), range(1, 25));
    QCOMPARE(metric(metrics, u"edgegate_influx_requests_total{code=\"204\"}"_s), 3.0);
    QCOMPARE(m_influxd.count(u"bysize"_s, u"SELECT count(v) FROM m"_s), 25);
}

void TestInfluxSink::flushByInterval()
{
    QVERIFY(m_influxd.createDatabase(u"byinterval"_s));
    InfluxSink::Settings s = settings(u"byinterval"_s);
    s.batchPoints = 1000;
    s.flushInterval = std::chrono::milliseconds(200);
    Metrics metrics;
    InfluxSink sink(s, metrics);
    QSignalSpy delivered(&sink, &Sink::delivered);

    for (quint64 seq = 1; seq <= 5; ++seq)
        sink.deliver(entry(seq, point(seq)));
    QCOMPARE(delivered.size(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(delivered.size(), 5, timeoutMs);
    // All five in one request, sent by the interval.
    QCOMPARE(metric(metrics, u"edgegate_influx_requests_total{code=\"204\"}"_s), 1.0);
    QCOMPARE(m_influxd.count(u"byinterval"_s, u"SELECT count(v) FROM m"_s), 5);
}

void TestInfluxSink::outage_data()
{
    QTest::addColumn<bool>("crash");
    QTest::addRow("SIGTERM") << false;
    QTest::addRow("SIGKILL") << true;
}

void TestInfluxSink::outage()
{
    QFETCH(bool, crash);
    const QString db = crash ? u"outage_kill"_s : u"outage_term"_s;
    QVERIFY(m_influxd.createDatabase(db));
    InfluxSink::Settings s = settings(db);
    s.batchPoints = 20;
    s.flushInterval = std::chrono::milliseconds(5);
    Metrics metrics;
    InfluxSink sink(s, metrics);
    QSignalSpy delivered(&sink, &Sink::delivered);
    QSignalSpy rejected(&sink, &Sink::rejected);
    QSignalSpy reachable(&sink, &InfluxSink::reachableChanged);
    Feeder feeder(sink);

    // influxd goes away in the middle of the flow, a request possibly in flight: once the
    // first 100 entries are confirmed, at the next turn of the event loop.
    bool stopped = false;
    connect(&sink, &Sink::delivered, this, [&] {
        if (delivered.size() == 100) {
            QMetaObject::invokeMethod(
                this,
                [&] {
                    if (crash)
                        m_influxd.kill();
                    else
                        QVERIFY(m_influxd.stop());
                    stopped = true;
                },
                Qt::QueuedConnection);
        }
    });
    const quint64 entries = 600;
    for (quint64 seq = 1; seq <= entries; ++seq)
        feeder.add(entry(seq, point(seq)));

    QTRY_VERIFY_WITH_TIMEOUT(stopped, timeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!sink.isReachable(), timeoutMs);
    QVERIFY(sink.isUp());
    QCOMPARE(sink.room(), 0);
    QCOMPARE(metric(metrics, u"edgegate_influx_reachable"_s), 0.0);
    const qsizetype confirmed = delivered.size();
    QVERIFY(confirmed >= 100 && confirmed < qsizetype(entries));
    // Retries go on; nothing is confirmed, nothing given up.
    QTRY_VERIFY_WITH_TIMEOUT(metric(metrics, u"edgegate_influx_retries_total"_s) >= 5, timeoutMs);
    QCOMPARE(delivered.size(), confirmed);
    QVERIFY(rejected.isEmpty());
    QVERIFY(sink.isReachable() == false && sink.held() > 0);
    QVERIFY(metric(metrics, u"edgegate_influx_requests_total{code=\"error\"}"_s) >= 1); // refused connections

    QVERIFY2(m_influxd.start(), qPrintable(m_influxd.output()));
    QTRY_COMPARE_WITH_TIMEOUT(delivered.size(), qsizetype(entries), timeoutMs);
    QCOMPARE(seqs(delivered), range(1, entries)); // each once
    QVERIFY(rejected.isEmpty());
    QVERIFY(sink.isReachable());
    QCOMPARE(metric(metrics, u"edgegate_influx_reachable"_s), 1.0);
    QCOMPARE(reachable.size(), 2);
    QCOMPARE(m_influxd.count(db, u"SELECT count(v) FROM m"_s), qint64(entries));
}

void TestInfluxSink::fieldTypeConflict()
{
    QVERIFY(m_influxd.createDatabase(u"conflict"_s));
    InfluxSink::Settings s = settings(u"conflict"_s);
    s.flushInterval = std::chrono::hours(1);
    Metrics metrics;
    InfluxSink sink(s, metrics);
    QSignalSpy delivered(&sink, &Sink::delivered);
    QSignalSpy rejected(&sink, &Sink::rejected);

    sink.deliver(entry(1, point(1)));
    sink.flush();
    QTRY_COMPARE_WITH_TIMEOUT(delivered.size(), 1, timeoutMs);

    // One batch of five, the third a string where the field is an integer.
    for (quint64 seq = 2; seq <= 6; ++seq)
        sink.deliver(entry(seq, seq == 4 ? "m,device=dev v=\"text\" 1700000000000000004\n"_ba : point(seq)));
    sink.flush();
    QTRY_COMPARE_WITH_TIMEOUT(delivered.size(), 6, timeoutMs);
    QCOMPARE(seqs(delivered), range(1, 6));
    QVERIFY(rejected.isEmpty());
    QCOMPARE(m_influxd.count(u"conflict"_s, u"SELECT count(v) FROM m"_s), 5);
    QCOMPARE(metric(metrics, u"edgegate_influx_points_dropped_total{reason=\"field_type_conflict\"}"_s), 1.0);
    QCOMPARE(metric(metrics, u"edgegate_influx_points_written_total"_s), 5.0);
    // Answered once, not sent again.
    QCOMPARE(metric(metrics, u"edgegate_influx_requests_total{code=\"400\"}"_s), 1.0);
    QCOMPARE(metric(metrics, u"edgegate_influx_requests_total{code=\"204\"}"_s), 1.0);
    QCOMPARE(metric(metrics, u"edgegate_influx_retries_total"_s), 0.0);
    QCOMPARE(sink.held(), 0);
}

void TestInfluxSink::unparsableLine()
{
    QVERIFY(m_influxd.createDatabase(u"unparsable"_s));
    InfluxSink::Settings s = settings(u"unparsable"_s);
    s.flushInterval = std::chrono::hours(1);
    Metrics metrics;
    InfluxSink sink(s, metrics);
    QSignalSpy delivered(&sink, &Sink::delivered);
    QSignalSpy rejected(&sink, &Sink::rejected);

    for (quint64 seq = 1; seq <= 8; ++seq)
        sink.deliver(entry(seq, seq == 5 ? "this is not line protocol\n"_ba : point(seq)));
    sink.flush();
    QTRY_COMPARE_WITH_TIMEOUT(delivered.size() + rejected.size(), 8, timeoutMs);
    QCOMPARE(rejected.size(), 1);
    QCOMPARE(rejected.at(0).at(0).value<quint64>(), quint64(5));
    QCOMPARE(rejected.at(0).at(1).toString(), u"bad_request"_s);
    QCOMPARE(seqs(delivered), (QList<quint64>{1, 2, 3, 4, 6, 7, 8}));
    QCOMPARE(m_influxd.count(u"unparsable"_s, u"SELECT count(v) FROM m"_s), 7);
    QCOMPARE(metric(metrics, u"edgegate_influx_points_dropped_total{reason=\"bad_request\"}"_s), 1.0);
    QCOMPARE(metric(metrics, u"edgegate_influx_points_written_total"_s), 7.0);
    QCOMPARE(metric(metrics, u"edgegate_influx_retries_total"_s), 0.0);
    QVERIFY(sink.isReachable());
    QCOMPARE(sink.held(), 0);
}

void TestInfluxSink::databaseMissing()
{
    InfluxSink::Settings s = settings(u"later"_s);
    s.batchPoints = 10;
    s.flushInterval = std::chrono::milliseconds(5);
    Metrics metrics;
    InfluxSink sink(s, metrics);
    QSignalSpy delivered(&sink, &Sink::delivered);
    QSignalSpy rejected(&sink, &Sink::rejected);
    Feeder feeder(sink);

    for (quint64 seq = 1; seq <= 30; ++seq)
        feeder.add(entry(seq, point(seq)));
    // 404 "database not found" is the operator's to fix: retried, not dropped.
    QTRY_VERIFY_WITH_TIMEOUT(metric(metrics, u"edgegate_influx_retries_total"_s) >= 3, timeoutMs);
    QVERIFY(metric(metrics, u"edgegate_influx_requests_total{code=\"404\"}"_s) >= 3);
    QVERIFY(delivered.isEmpty());
    QVERIFY(rejected.isEmpty());
    QVERIFY(!sink.isReachable());
    QCOMPARE(sink.room(), 0);

    QVERIFY(m_influxd.createDatabase(u"later"_s));
    QTRY_COMPARE_WITH_TIMEOUT(delivered.size(), 30, timeoutMs);
    QCOMPARE(seqs(delivered), range(1, 30));
    QVERIFY(rejected.isEmpty());
    QVERIFY(sink.isReachable());
    QCOMPARE(m_influxd.count(u"later"_s, u"SELECT count(v) FROM m"_s), 30);
}

void TestInfluxSink::requestShape_data()
{
    QTest::addColumn<bool>("v2");
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<QByteArray>("expectedPath");
    QTest::addColumn<Query>("expectedQuery");
    QTest::addColumn<QByteArray>("expectedAuthorization");

    // Names with characters a query string must encode ('+' reads as a space unless encoded).
    QTest::addRow("v1") << false << QString() << "/write"_ba
                        << Query{{u"db"_s, u"my db+1&x=y"_s}, {u"precision"_s, u"ns"_s}} << QByteArray();
    QTest::addRow("v1 with rp and credentials, path prefix")
        << false << u"/influx/"_s << "/influx/write"_ba
        << Query{{u"db"_s, u"db"_s}, {u"rp"_s, u"week long"_s}, {u"precision"_s, u"ns"_s}}
        << QByteArray("Basic " + "user:pa:ss+é"_ba.toBase64());
    QTest::addRow("v2") << true << QString() << "/api/v2/write"_ba
                        << Query{{u"org"_s, u"my org+1&x"_s}, {u"bucket"_s, u"b/1"_s}, {u"precision"_s, u"ns"_s}}
                        << "Token t0k3n=="_ba;
}

void TestInfluxSink::requestShape()
{
    QFETCH(bool, v2);
    QFETCH(QString, prefix);
    QFETCH(QByteArray, expectedPath);
    QFETCH(Query, expectedQuery);
    QFETCH(QByteArray, expectedAuthorization);

    FakeServer server;
    InfluxSink::Settings s;
    s.url = server.url(prefix);
    if (v2) {
        s.org = expectedQuery.value(u"org"_s);
        s.bucket = expectedQuery.value(u"bucket"_s);
        s.token = u"t0k3n=="_s;
    } else {
        s.database = expectedQuery.value(u"db"_s);
        s.retentionPolicy = expectedQuery.value(u"rp"_s);
        if (!expectedAuthorization.isEmpty()) {
            s.username = u"user"_s;
            s.password = u"pa:ss+é"_s;
        }
    }
    s.flushInterval = std::chrono::hours(1);
    QVERIFY(!s.problem());
    Metrics metrics;
    InfluxSink sink(s, metrics);
    QCOMPARE(sink.api(), v2 ? InfluxSink::Api::V2 : InfluxSink::Api::V1);
    QSignalSpy delivered(&sink, &Sink::delivered);

    // The second entry lacks its final newline: the sink adds it.
    sink.deliver(entry(1, point(1) + point(2)));
    sink.deliver(entry(2, "m,device=dev v=3i 3"_ba));
    sink.flush();
    QTRY_COMPARE_WITH_TIMEOUT(delivered.size(), 2, timeoutMs);
    QCOMPARE(server.requests.size(), 1);
    const FakeServer::Request &request = server.requests.at(0);
    QCOMPARE(request.method, "POST"_ba);
    QCOMPARE(request.path, expectedPath);
    QCOMPARE(request.query, expectedQuery);
    QCOMPARE(request.headers.value("authorization"), expectedAuthorization);
    QCOMPARE(request.headers.value("content-type"), "text/plain; charset=utf-8"_ba);
    QCOMPARE(request.body, point(1) + point(2) + "m,device=dev v=3i 3\n");
    QCOMPARE(metric(metrics, u"edgegate_influx_points_written_total"_s), 3.0);
}

void TestInfluxSink::scriptedAnswers()
{
    // InfluxDB 2.x words its errors as {"code": ..., "message": ...}.
    FakeServer server;
    server.script(
        {{500, R"({"code":"internal error","message":"boom"})"_ba},
         {429, R"({"code":"too many requests","message":"slow down"})"_ba},
         {503, {}},
         {204, {}},
         {400, R"({"code":"invalid","message":"unable to parse 'x': missing fields"})"_ba},
         {422,
          R"({"code":"unprocessable entity","message":"failure writing points to database: partial write: field type conflict: input field \"v\" on measurement \"m\" is type string, already exists as type float dropped=2"})"_ba}});
    InfluxSink::Settings s;
    s.url = server.url();
    s.org = u"org"_s;
    s.bucket = u"bucket"_s;
    s.token = u"token"_s;
    s.flushInterval = std::chrono::hours(1);
    s.retryMin = std::chrono::milliseconds(10);
    s.retryMax = std::chrono::milliseconds(40);
    Metrics metrics;
    InfluxSink sink(s, metrics);
    QSignalSpy delivered(&sink, &Sink::delivered);
    QSignalSpy rejected(&sink, &Sink::rejected);

    // 500, 429 and 503 are retried with the same body, then 204 confirms.
    sink.deliver(entry(1, point(1)));
    sink.deliver(entry(2, point(2)));
    sink.flush();
    QTRY_COMPARE_WITH_TIMEOUT(delivered.size(), 2, timeoutMs);
    QCOMPARE(server.requests.size(), 4);
    for (const auto &request : std::as_const(server.requests))
        QCOMPARE(request.body, point(1) + point(2));
    QCOMPARE(metric(metrics, u"edgegate_influx_retries_total"_s), 3.0);
    QVERIFY(sink.isReachable());

    // 400 for a single entry: rejected, never sent again.
    sink.deliver(entry(3, "x\n"_ba));
    sink.flush();
    QTRY_COMPARE_WITH_TIMEOUT(rejected.size(), 1, timeoutMs);
    QCOMPARE(rejected.at(0).at(0).value<quint64>(), quint64(3));
    QCOMPARE(rejected.at(0).at(1).toString(), u"bad_request"_s);

    // A 2.x partial write: every entry done, the dropped points counted.
    sink.deliver(entry(4, point(4)));
    sink.deliver(entry(5, point(5) + point(6)));
    sink.flush();
    QTRY_COMPARE_WITH_TIMEOUT(delivered.size(), 4, timeoutMs);
    QCOMPARE(seqs(delivered), (QList<quint64>{1, 2, 4, 5}));
    QCOMPARE(server.requests.size(), 6);
    QCOMPARE(metric(metrics, u"edgegate_influx_points_dropped_total{reason=\"field_type_conflict\"}"_s), 2.0);
    QCOMPARE(metric(metrics, u"edgegate_influx_points_written_total"_s), 3.0);
    QCOMPARE(metric(metrics, u"edgegate_influx_retries_total"_s), 3.0);
    for (const char *code : {"500", "429", "503", "204", "400", "422"})
        QCOMPARE(metric(metrics, u"edgegate_influx_requests_total{code=\"%1\"}"_s.arg(QLatin1StringView(code))), 1.0);
}

void TestInfluxSink::timeout()
{
    FakeServer server;
    server.script({{0, {}}});
    InfluxSink::Settings s;
    s.url = server.url();
    s.database = u"db"_s;
    s.flushInterval = std::chrono::milliseconds(0);
    s.requestTimeout = std::chrono::milliseconds(300);
    s.retryMin = std::chrono::milliseconds(10);
    s.retryMax = std::chrono::milliseconds(40);
    Metrics metrics;
    InfluxSink sink(s, metrics);
    QSignalSpy delivered(&sink, &Sink::delivered);
    QSignalSpy reachable(&sink, &InfluxSink::reachableChanged);

    // No answer to the first request: it times out and the batch is sent again.
    sink.deliver(entry(1, point(1)));
    QTRY_COMPARE_WITH_TIMEOUT(delivered.size(), 1, timeoutMs);
    QCOMPARE(server.requests.size(), 2);
    QCOMPARE(server.requests.at(1).body, point(1));
    QCOMPARE(metric(metrics, u"edgegate_influx_requests_total{code=\"error\"}"_s), 1.0);
    QCOMPARE(metric(metrics, u"edgegate_influx_retries_total"_s), 1.0);
    QCOMPARE(reachable.size(), 2);
}

QTEST_GUILESS_MAIN(TestInfluxSink)
#include "tst_influxsink.moc"
