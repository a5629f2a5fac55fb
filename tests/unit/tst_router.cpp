// SPDX-License-Identifier: Apache-2.0
// Routes: their JSON form, matching, transforms and the all-or-nothing store across sinks.
#include "gateway/core/common/metrics.h"
#include "gateway/core/ingest/receiveclock.h"
#include "gateway/core/routing/router.h"

#include <QJsonDocument>
#include <QTest>

using namespace edgegate;
using namespace Qt::StringLiterals;

namespace {

/// Keeps what it is given; "full" refuses like an outbox under reject_new.
class MemoryTarget : public RouteTarget
{
public:
    [[nodiscard]] std::optional<Record> encode(const Envelope &e) const override
    {
        if (skipStatus && e.kind != MessageKind::Telemetry)
            return std::nullopt;
        QStringList parts{messageKindName(e.kind)};
        for (const Sample &s : e.samples) {
            parts.append(s.name + u'=' + valueToJson(s.value).toVariant().toString()
                         + (withTimes ? u'@' + QString::number(s.timeNs) : QString()));
        }
        return Record{e.deviceId.toUtf8(), parts.join(u' ').toUtf8()};
    }
    [[nodiscard]] bool canHold(const QString & /*deviceId*/, const Record &record) const override
    {
        return record.payload.size() <= maxRecord;
    }
    [[nodiscard]] bool hasRoomFor(const QString & /*deviceId*/, const QList<Record> &records) const override
    {
        return !full && records.size() <= room;
    }
    bool store(const QString & /*deviceId*/, const Record &record) override
    {
        stored.append(QString::fromUtf8(record.key + ' ' + record.payload));
        return true;
    }
    bool full = false;
    bool skipStatus = false;
    bool withTimes = false; ///< each sample's time in what is stored, as `name=value@ns`
    qsizetype maxRecord = 1000;
    qsizetype room = 100; // records that fit at once

    QStringList stored;
};

Envelope telemetry(const QString &device, const QList<std::pair<QString, Value>> &values,
                   MessageKind kind = MessageKind::Telemetry)
{
    Envelope e;
    e.deviceId = device;
    e.kind = kind;
    for (const auto &[name, value] : values)
        e.samples.append(Sample{name, value, 1'000'000'000});
    return e;
}

Route routeFrom(const QByteArray &json)
{
    QString error;
    auto route = routeFromJson(QJsonDocument::fromJson(json).object(), &error);
    if (!route)
        qFatal("bad route in test: %s", qPrintable(error));
    return *route;
}

} // namespace

class TestRouter : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void topicFilter_data();
    void topicFilter();
    void badRoute_data();
    void badRoute();
    void jsonRoundTrip();
    void noRoutesSendsTelemetryEverywhere();
    void unknownSinkRefused();
    void matching_data();
    void matching();
    void renameAndKeep();
    void deadband();
    void busyStoresNothingAndKeepsNoState();
    void aggregate();
    void aggregateCutShortKeepsItsOwnTime();
    void statusPassesThrough();
    void tooLargeForAnOutbox();
    void roomCheckedPerSinkForAllRoutes();

private:
    std::unique_ptr<Metrics> m_metrics;
    std::unique_ptr<Router> m_router;
    QHash<QString, QString> m_types;
    MemoryTarget m_upstream;
    MemoryTarget m_influx;
};

void TestRouter::init()
{
    m_metrics = std::make_unique<Metrics>();
    m_router = std::make_unique<Router>([this](const QString &id) { return m_types.value(id); }, *m_metrics);
    m_upstream = MemoryTarget{};
    m_influx = MemoryTarget{};
    m_influx.skipStatus = true;
    m_router->addTarget(u"upstream"_s, m_upstream);
    m_router->addTarget(u"influxdb"_s, m_influx);
    m_types = {{u"t1"_s, u"thermo"_s}, {u"p1"_s, u"pump"_s}};
}

void TestRouter::topicFilter_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QString>("topic");
    QTest::addColumn<bool>("matches");
    QTest::addRow("exact") << u"devices/a/telemetry"_s << u"devices/a/telemetry"_s << true;
    QTest::addRow("exact other") << u"devices/a/telemetry"_s << u"devices/b/telemetry"_s << false;
    QTest::addRow("plus") << u"devices/+/telemetry"_s << u"devices/x/telemetry"_s << true;
    QTest::addRow("plus wrong kind") << u"devices/+/telemetry"_s << u"devices/x/status"_s << false;
    QTest::addRow("plus last") << u"devices/a/+"_s << u"devices/a/meta"_s << true;
    QTest::addRow("plus not two levels") << u"devices/+"_s << u"devices/a/meta"_s << false;
    QTest::addRow("hash") << u"devices/#"_s << u"devices/a/meta"_s << true;
    QTest::addRow("hash alone") << u"#"_s << u"devices/a/telemetry"_s << true;
    QTest::addRow("hash parent") << u"devices/a/telemetry/#"_s << u"devices/a/telemetry"_s << true;
    QTest::addRow("hash other root") << u"gateway/#"_s << u"devices/a/telemetry"_s << false;
    QTest::addRow("shorter filter") << u"devices/a"_s << u"devices/a/telemetry"_s << false;
    QTest::addRow("longer filter") << u"devices/a/telemetry/x"_s << u"devices/a/telemetry"_s << false;
    QTest::addRow("plus then hash") << u"+/+/#"_s << u"devices/a/telemetry"_s << true;
}

void TestRouter::topicFilter()
{
    QFETCH(QString, filter);
    QFETCH(QString, topic);
    QFETCH(bool, matches);
    QVERIFY(topicFilterError(filter).isEmpty());
    QCOMPARE(topicFilterMatches(filter, topic), matches);
}

void TestRouter::badRoute_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field");
    QTest::addRow("no name") << QByteArray(R"({"sinks":["upstream"]})") << u"name"_s;
    QTest::addRow("no sinks") << QByteArray(R"({"name":"a"})") << u"sinks"_s;
    QTest::addRow("sinks not list") << QByteArray(R"({"name":"a","sinks":"upstream"})") << u"sinks"_s;
    QTest::addRow("unknown field") << QByteArray(R"({"name":"a","sinks":["x"],"filter":1})") << u"filter"_s;
    QTest::addRow("hash mid") << QByteArray(R"({"name":"a","sinks":["x"],"match":{"topic":"devices/#/t"}})")
                              << u"match.topic"_s;
    QTest::addRow("plus partial") << QByteArray(R"({"name":"a","sinks":["x"],"match":{"topic":"dev+"}})")
                                  << u"match.topic"_s;
    QTest::addRow("bad device id") << QByteArray(R"({"name":"a","sinks":["x"],"match":{"devices":["a/b"]}})")
                                   << u"match.devices"_s;
    QTest::addRow("bad kind") << QByteArray(R"({"name":"a","sinks":["x"],"match":{"kinds":["command"]}})")
                              << u"match.kinds"_s;
    QTest::addRow("negative deadband") << QByteArray(R"({"name":"a","sinks":["x"],"transform":{"deadband":-1}})")
                                       << u"transform.deadband"_s;
    QTest::addRow("deadband string") << QByteArray(R"({"name":"a","sinks":["x"],"transform":{"deadband":"1"}})")
                                     << u"transform.deadband"_s;
    QTest::addRow("rename not map") << QByteArray(R"({"name":"a","sinks":["x"],"transform":{"rename":["a"]}})")
                                    << u"transform.rename"_s;
    QTest::addRow("aggregate no functions")
        << QByteArray(R"({"name":"a","sinks":["x"],"transform":{"aggregate":{"every":"10s"}}})")
        << u"transform.aggregate.functions"_s;
    QTest::addRow("aggregate bad function")
        << QByteArray(R"({"name":"a","sinks":["x"],"transform":{"aggregate":{"every":"10s","functions":["p99"]}}})")
        << u"transform.aggregate.functions"_s;
    QTest::addRow("aggregate sub-second")
        << QByteArray(R"({"name":"a","sinks":["x"],"transform":{"aggregate":{"every":"500ms","functions":["min"]}}})")
        << u"transform.aggregate.every"_s;
    QTest::addRow("aggregate too long") << QByteArray(
        R"({"name":"a","sinks":["x"],"transform":{"aggregate":{"every":"2d","functions":["min"]}}})")
                                        << u"transform.aggregate.every"_s;
}

void TestRouter::badRoute()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, field);
    QString error;
    QVERIFY(!routeFromJson(QJsonDocument::fromJson(json).object(), &error));
    QVERIFY2(error.startsWith(field), qPrintable(error));
}

void TestRouter::jsonRoundTrip()
{
    const QByteArray json = R"([{"name":"r1","match":{"topic":"devices/+/telemetry","devices":["a","b"],
        "types":["thermo"],"kinds":["telemetry","status"]},"transform":{"rename":{"t":"temperature"},
        "keep":["temperature"],"deadband":0.5,"aggregate":{"every":"90s","functions":["min","max","mean","count","last"]}},
        "sinks":["upstream","influxdb"]},{"name":"r2","sinks":["upstream"]}])";
    QString error;
    const auto routes = routesFromJson(QJsonDocument::fromJson(json).array(), &error);
    QVERIFY2(routes, qPrintable(error));
    QCOMPARE(routes->size(), 2);
    QCOMPARE(routesToJson(*routes), QJsonDocument::fromJson(json).array());

    const QByteArray twice = R"([{"name":"r","sinks":["a"]},{"name":"r","sinks":["b"]}])";
    QVERIFY(!routesFromJson(QJsonDocument::fromJson(twice).array(), &error));
    QVERIFY2(error.startsWith(u"routes[1].name"), qPrintable(error));
}

void TestRouter::noRoutesSendsTelemetryEverywhere()
{
    QCOMPARE(m_router->route(telemetry(u"t1"_s, {{u"x"_s, 1.5}})), Router::Result::Stored);
    QCOMPARE(m_upstream.stored, QStringList{u"t1 telemetry x=1.5"_s});
    QCOMPARE(m_influx.stored, QStringList{u"t1 telemetry x=1.5"_s});
    // Without routes only telemetry is forwarded.
    QCOMPARE(m_router->route(telemetry(u"t1"_s, {}, MessageKind::Status)), Router::Result::Stored);
    QCOMPARE(m_upstream.stored.size(), 1);
}

void TestRouter::unknownSinkRefused()
{
    QString error;
    QVERIFY(!m_router->setRoutes({routeFrom(R"({"name":"r","sinks":["republish"]})")}, &error));
    QVERIFY2(error.contains(u"republish"_s) && error.contains(u"upstream, influxdb"_s), qPrintable(error));
    QVERIFY(m_router->routes().isEmpty());
}

void TestRouter::matching_data()
{
    QTest::addColumn<QByteArray>("match");
    QTest::addColumn<QStringList>("routed"); // of t1/telemetry, p1/telemetry, t1/status, q9/telemetry
    QTest::addRow("everything") << QByteArray("{}") << QStringList{u"t1"_s, u"p1"_s, u"q9"_s};
    QTest::addRow("topic one device") << QByteArray(R"({"topic":"devices/p1/#"})") << QStringList{u"p1"_s};
    QTest::addRow("topic status") << QByteArray(R"({"topic":"devices/+/status","kinds":["status"]})")
                                  << QStringList{u"t1 status"_s};
    QTest::addRow("devices") << QByteArray(R"({"devices":["t1","q9"]})") << QStringList{u"t1"_s, u"q9"_s};
    QTest::addRow("types") << QByteArray(R"({"types":["thermo"]})") << QStringList{u"t1"_s};
    QTest::addRow("unknown type") << QByteArray(R"({"types":["none"]})") << QStringList{};
    QTest::addRow("kinds both") << QByteArray(R"({"kinds":["telemetry","status"],"devices":["t1"]})")
                                << QStringList{u"t1"_s, u"t1 status"_s};
    QTest::addRow("all conditions") << QByteArray(R"({"topic":"devices/+/telemetry","devices":["t1","p1"],
        "types":["pump"]})") << QStringList{u"p1"_s};
}

void TestRouter::matching()
{
    QFETCH(QByteArray, match);
    QFETCH(QStringList, routed);
    QString error;
    QVERIFY(m_router->setRoutes({routeFrom(R"({"name":"r","sinks":["upstream"],"match":)" + match + "}")}, &error));
    m_router->route(telemetry(u"t1"_s, {{u"x"_s, 1.0}}));
    m_router->route(telemetry(u"p1"_s, {{u"x"_s, 1.0}}));
    m_router->route(telemetry(u"t1"_s, {}, MessageKind::Status));
    m_router->route(telemetry(u"q9"_s, {{u"x"_s, 1.0}}));
    QStringList got;
    for (const QString &s : std::as_const(m_upstream.stored))
        got.append(s.contains(u"status"_s) ? s.section(u' ', 0, 0) + u" status"_s : s.section(u' ', 0, 0));
    QCOMPARE(got, routed);
    QVERIFY(m_influx.stored.isEmpty());
}

void TestRouter::renameAndKeep()
{
    QString error;
    QVERIFY(m_router->setRoutes({routeFrom(R"({"name":"r","sinks":["upstream"],
        "transform":{"rename":{"t":"temperature","h":"humidity"},"keep":["temperature","pressure"]}})"),
                                 routeFrom(R"({"name":"all","sinks":["influxdb"]})")},
                                &error));
    m_router->route(telemetry(u"t1"_s, {{u"t"_s, 21.5}, {u"h"_s, qint64(40)}, {u"pressure"_s, true}}));
    QCOMPARE(m_upstream.stored, QStringList{u"t1 telemetry temperature=21.5 pressure=true"_s});
    QCOMPARE(m_influx.stored, QStringList{u"t1 telemetry t=21.5 h=40 pressure=true"_s});
    // Nothing left after keep: nothing sent on that route.
    m_router->route(telemetry(u"t1"_s, {{u"h"_s, 1.0}}));
    QCOMPARE(m_upstream.stored.size(), 1);
    QCOMPARE(m_influx.stored.size(), 2);
}

void TestRouter::deadband()
{
    QString error;
    QVERIFY(
        m_router->setRoutes({routeFrom(R"({"name":"r","sinks":["upstream"],"transform":{"deadband":0.5}})")}, &error));
    for (double v : {20.0, 20.3, 20.5, 20.6, 20.2, 19.0})
        m_router->route(telemetry(u"t1"_s, {{u"x"_s, v}}));
    // Each is compared with the last value forwarded: only a change of more than 0.5 goes.
    QCOMPARE(m_upstream.stored,
             (QStringList{u"t1 telemetry x=20"_s, u"t1 telemetry x=20.6"_s, u"t1 telemetry x=19"_s}));
    // Per device, and strings and booleans go on every change.
    m_router->route(telemetry(u"p1"_s, {{u"x"_s, 20.1}, {u"mode"_s, u"auto"_s}}));
    m_router->route(telemetry(u"p1"_s, {{u"x"_s, 20.2}, {u"mode"_s, u"auto"_s}}));
    m_router->route(telemetry(u"p1"_s, {{u"x"_s, 20.2}, {u"mode"_s, u"manual"_s}}));
    QCOMPARE(m_upstream.stored.mid(3),
             (QStringList{u"p1 telemetry x=20.1 mode=auto"_s, u"p1 telemetry mode=manual"_s}));
}

void TestRouter::busyStoresNothingAndKeepsNoState()
{
    QString error;
    QVERIFY(m_router->setRoutes({routeFrom(R"({"name":"r","sinks":["upstream","influxdb"],
        "transform":{"deadband":1}})")},
                                &error));
    m_influx.full = true;
    QCOMPARE(m_router->route(telemetry(u"t1"_s, {{u"x"_s, 5.0}})), Router::Result::Busy);
    QVERIFY(m_upstream.stored.isEmpty());
    QVERIFY(m_influx.stored.isEmpty());
    // The refused value was not remembered by the deadband: the retry is forwarded.
    m_influx.full = false;
    QCOMPARE(m_router->route(telemetry(u"t1"_s, {{u"x"_s, 5.0}})), Router::Result::Stored);
    QCOMPARE(m_upstream.stored, QStringList{u"t1 telemetry x=5"_s});
    QCOMPARE(m_influx.stored, QStringList{u"t1 telemetry x=5"_s});
    QVERIFY(m_metrics->exposition().contains("edgegate_messages_refused_busy_total 1"));
}

void TestRouter::aggregate()
{
    QString error;
    QVERIFY(m_router->setRoutes({routeFrom(R"({"name":"r","sinks":["upstream"],
        "transform":{"aggregate":{"every":"10s","functions":["min","max","mean","count","last"]}}})")},
                                &error));
    for (double v : {3.0, 1.0, 2.0, 6.0})
        m_router->route(telemetry(u"t1"_s, {{u"x"_s, v}, {u"state"_s, u"on"_s}}));
    m_router->route(telemetry(u"p1"_s, {{u"y"_s, qint64(7)}}));
    QVERIFY(m_upstream.stored.isEmpty());
    m_router->flushAggregates(wallClockNs() - 1'000'000);
    QVERIFY(m_upstream.stored.isEmpty()); // the window has not ended
    m_router->flushAggregates(wallClockNs() + 10'001'000'000);
    m_upstream.stored.sort();
    QCOMPARE(m_upstream.stored,
             (QStringList{u"p1 telemetry y_min=7 y_max=7 y_mean=7 y_count=1 y_last=7"_s,
                          u"t1 telemetry x_min=1 x_max=6 x_mean=3 x_count=4 x_last=6"_s}));
    // Emitted windows are gone.
    m_router->flushAggregates(wallClockNs() + 100'000'000'000);
    QCOMPARE(m_upstream.stored.size(), 2);
}

void TestRouter::aggregateCutShortKeepsItsOwnTime()
{
    // A window cut short by new routes is stamped when it was cut: the window that follows ends at the
    // same aligned moment, and the two must not share a time (InfluxDB would keep only one).
    m_upstream.withTimes = true;
    const Route route = routeFrom(R"({"name":"r","sinks":["upstream"],
        "transform":{"aggregate":{"every":"1h","functions":["count"]}}})");
    QString error;
    QVERIFY(m_router->setRoutes({route}, &error));
    m_router->route(telemetry(u"t1"_s, {{u"x"_s, 1.0}}));
    const qint64 beforeCut = wallClockNs();
    QVERIFY(m_router->setRoutes({route}, &error));
    const qint64 afterCut = wallClockNs();
    QCOMPARE(m_upstream.stored.size(), 1);
    m_router->route(telemetry(u"t1"_s, {{u"x"_s, 2.0}}));
    m_router->flushAggregates(afterCut + 3'600'000'000'000);
    QCOMPARE(m_upstream.stored.size(), 2);

    const auto timeOf = [](const QString &record) { return record.section(u'@', 1).toLongLong(); };
    const qint64 cut = timeOf(m_upstream.stored.at(0));
    const qint64 ended = timeOf(m_upstream.stored.at(1));
    QVERIFY2(cut >= beforeCut && cut <= afterCut, qPrintable(m_upstream.stored.at(0)));
    QCOMPARE(ended % 3'600'000'000'000, 0); // the full window: its aligned end
    QVERIFY(ended > cut);
    QCOMPARE(m_upstream.stored.at(1).section(u'@', 0, 0), u"t1 telemetry x_count=1"_s);
}

void TestRouter::statusPassesThrough()
{
    QString error;
    QVERIFY(m_router->setRoutes({routeFrom(R"({"name":"r","sinks":["upstream","influxdb"],
        "match":{"kinds":["status","meta"]},"transform":{"keep":["nothing"]}})")},
                                &error));
    m_router->route(telemetry(u"t1"_s, {}, MessageKind::Status));
    m_router->route(telemetry(u"t1"_s, {}, MessageKind::Meta));
    m_router->route(telemetry(u"t1"_s, {{u"x"_s, 1.0}}));
    QCOMPARE(m_upstream.stored, (QStringList{u"t1 status"_s, u"t1 meta"_s}));
    QVERIFY(m_influx.stored.isEmpty()); // that sink takes telemetry only
}

void TestRouter::tooLargeForAnOutbox()
{
    m_influx.maxRecord = 16; // "telemetry x=1" fits, "telemetry temperature=21.5" never will
    QCOMPARE(m_router->route(telemetry(u"t1"_s, {{u"temperature"_s, 21.5}})), Router::Result::TooLarge);
    QVERIFY(m_upstream.stored.isEmpty());
    QVERIFY(m_influx.stored.isEmpty());
    QCOMPARE(m_router->route(telemetry(u"t1"_s, {{u"x"_s, 1.0}})), Router::Result::Stored);
}

void TestRouter::roomCheckedPerSinkForAllRoutes()
{
    QString error;
    QVERIFY(m_router->setRoutes({routeFrom(R"({"name":"a","sinks":["upstream"]})"),
                                 routeFrom(R"({"name":"b","sinks":["upstream"],"transform":{"rename":{"x":"y"}}})")},
                                &error));
    // Room for one record but two to store: refused before either is written.
    m_upstream.room = 1;
    QCOMPARE(m_router->route(telemetry(u"t1"_s, {{u"x"_s, 1.0}})), Router::Result::Busy);
    QVERIFY(m_upstream.stored.isEmpty());
    m_upstream.room = 2;
    QCOMPARE(m_router->route(telemetry(u"t1"_s, {{u"x"_s, 1.0}})), Router::Result::Stored);
    QCOMPARE(m_upstream.stored, (QStringList{u"t1 telemetry x=1"_s, u"t1 telemetry y=1"_s}));
}

QTEST_GUILESS_MAIN(TestRouter)
#include "tst_router.moc"
