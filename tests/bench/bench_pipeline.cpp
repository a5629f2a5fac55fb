// SPDX-License-Identifier: Apache-2.0
// Messages per second through the core pipeline (decode, registry, analytics, alerts) on one
// thread, without I/O: what a link would hand to Ingest, fed in a tight loop.
// Usage: bench_pipeline [messages] [devices] [json|senml|cbor]
#include "gateway/core/common/metrics.h"
#include "gateway/core/core.h"
#include "gateway/core/ingest/receiveclock.h"
#include "gateway/storage/chartfile.h"
#include "gateway/storage/sqlitedevicestore.h"

#include <QCborMap>
#include <QCborValue>
#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTemporaryDir>

#include <chrono>
#include <cstdio>

using namespace edgegate;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

QByteArray flatJson(int i)
{
    return u"{\"temperature\": %1, \"humidity\": %2, \"door\": %3, \"ts\": %4}"_s.arg(20.0 + (i % 100) * 0.01)
        .arg(40 + i % 7)
        .arg(i % 2 ? u"true"_s : u"false"_s)
        .arg(1'700'000'000'000LL + i)
        .toUtf8();
}

QByteArray senml(int i)
{
    return u"[{\"bn\": \"dev:\", \"bt\": %1, \"n\": \"temperature\", \"v\": %2}, {\"n\": \"humidity\", \"v\": %3}]"_s
        .arg(1'700'000'000.0 + i)
        .arg(20.0 + (i % 100) * 0.01)
        .arg(40 + i % 7)
        .toUtf8();
}

QByteArray cbor(int i)
{
    QCborMap map;
    map.insert(u"temperature"_s, 20.0 + (i % 100) * 0.01);
    map.insert(u"humidity"_s, 40 + i % 7);
    map.insert(u"door"_s, i % 2 == 1);
    return map.toCborValue().toCbor();
}

void run(const char *label, QByteArray (*payload)(int), int messages, int devices)
{
    QTemporaryDir dir;
    Metrics metrics;
    SqliteDeviceStore store;
    ChartFile charts(Analytics::Settings{}.chartSeries, metrics);
    QString error;
    if (!store.open(dir.filePath(u"r.db"_s)) || !charts.open(dir.filePath(u"charts"_s), &error))
        qFatal("cannot open the stores: %s", qPrintable(error));
    // The core as the service builds it, with the default alert rules; no sinks.
    Core core({{RegistryPolicy::Auto, 90s, 1h}, {60, 3.0, 10}, {65536, 100}, 1000}, store, charts, metrics);
    if (!core.registry.load(nullptr))
        qFatal("cannot load the registry");
    core.telemetryHistory.load();
    core.alertEngine.setRules(defaultAlertRules());
    Ingest &ingest = core.ingest;

    // Payloads and ids are prepared up front: the loop measures the pipeline, not the generator.
    constexpr int Distinct = 1000;
    QList<QByteArray> payloads;
    for (int i = 0; i < Distinct; ++i)
        payloads.append(payload(i));
    QStringList ids;
    for (int d = 0; d < devices; ++d)
        ids.append(u"sensor-%1"_s.arg(d));

    InboundMessage m;
    m.protocol = Protocol::Mqtt;
    m.kind = MessageKind::Telemetry;
    m.qos = 1;
    // A first pass registers every device, so the timed loop sees the steady state.
    for (int d = 0; d < devices; ++d) {
        m.deviceId = ids.at(d);
        m.payload = payloads.at(d % Distinct);
        ingest.handle(m);
    }
    const auto start = std::chrono::steady_clock::now();
    const qint64 nowNs = wallClockNs();
    for (int i = 0; i < messages; ++i) {
        m.deviceId = ids.at(i % devices);
        m.payload = payloads.at(i % Distinct);
        m.receivedAtNs = nowNs;
        m.receivedMono = std::chrono::steady_clock::now();
        ingest.handle(m);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%-10s %9d messages %6d devices %8.3f s %10.0f msg/s %7.2f us/msg\n", label, messages, devices, seconds,
                messages / seconds, seconds * 1e6 / messages);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // Registration lines for thousands of devices would measure the terminal, not the pipeline.
    QLoggingCategory::setFilterRules(u"edgegate.*.info=false"_s);
    const int messages = argc > 1 ? QByteArray(argv[1]).toInt() : 1'000'000;
    const int devices = argc > 2 ? QByteArray(argv[2]).toInt() : 1000;
    const QByteArray only = argc > 3 ? QByteArray(argv[3]) : QByteArray();
    if (only.isEmpty() || only == "json")
        run("json", flatJson, messages, devices);
    if (only.isEmpty() || only == "senml")
        run("senml", senml, messages, devices);
    if (only.isEmpty() || only == "cbor")
        run("cbor", cbor, messages, devices);
    return 0;
}
