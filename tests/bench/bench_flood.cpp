// SPDX-License-Identifier: Apache-2.0
// Memory under a flood of invented device ids, in process: each new id sends telemetry with
// `metrics` names, as a hostile device on the HTTP telemetry route could, while one known device
// keeps reporting. Prints RSS and the analytics state estimate as the flood goes on.
// Usage: bench_flood [devices] [metrics] [budget MiB, 0 for no budget]
#include "gateway/core/common/metrics.h"
#include "gateway/core/core.h"
#include "gateway/storage/chartfile.h"
#include "gateway/storage/sqlitedevicestore.h"

#include <QCoreApplication>
#include <QFile>
#include <QLoggingCategory>
#include <QTemporaryDir>

#include <cstdio>

using namespace edgegate;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

double rssMiB()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return 0;
}

QByteArray payload(int metrics, int seed)
{
    QByteArray json = "{";
    for (int i = 0; i < metrics; ++i)
        json += (i ? ", " : "") + u"\"metric_%1\": %2"_s.arg(i).arg(seed % 97 + i * 0.5).toUtf8();
    return json + "}";
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(u"edgegate.*.info=false\nedgegate.*.warning=false"_s);
    const int devices = argc > 1 ? QByteArray(argv[1]).toInt() : 2000;
    const int metrics = argc > 2 ? QByteArray(argv[2]).toInt() : 256;
    const qint64 budgetMiB = argc > 3 ? QByteArray(argv[3]).toLongLong() : 128;
    const qsizetype budget = budgetMiB > 0 ? budgetMiB * 1024 * 1024 : (qsizetype(1) << 50);

    QTemporaryDir dir;
    Metrics counters;
    SqliteDeviceStore store;
    ChartFile charts(Analytics::Settings{}.chartSeries, counters);
    QString error;
    if (!store.open(dir.filePath(u"r.db"_s)) || !charts.open(dir.filePath(u"charts"_s), &error))
        qFatal("cannot open the stores: %s", qPrintable(error));
    // The service's defaults, except the budget and no cap on new devices per source.
    Core core({{RegistryPolicy::Auto, 90s, 1h, {}, 20000, 1000000}, {60, 3.0, 10, 256, budget}, {65536, 100}, 1000},
              store, charts, counters);
    if (!core.registry.load(nullptr))
        qFatal("cannot load the registry");
    core.telemetryHistory.load();
    Gauge &stateBytes = counters.gauge(u"edgegate_analytics_state_bytes"_s, {});
    Counter &evicted = counters.counter(u"edgegate_analytics_evicted_total"_s, {});

    const QByteArray knownPayload = payload(3, 1);
    const auto send = [&](const QString &id, const QByteArray &body) {
        InboundMessage m = receivedNow(Protocol::Http, id, MessageKind::Telemetry, body);
        m.source = u"192.0.2.7"_s;
        return core.ingest.handle(m).outcome == IngestResult::Outcome::Accepted;
    };
    for (int i = 0; i < 20; ++i)
        send(u"known-1"_s, knownPayload);
    const double idle = rssMiB();
    std::printf("budget %s, %d new ids x %d metrics; RSS before %.1f MiB\n",
                budgetMiB > 0 ? qPrintable(u"%1 MiB"_s.arg(budgetMiB)) : "none", devices, metrics, idle);
    std::printf("%8s %10s %14s %10s %10s %12s\n", "ids", "RSS MiB", "state MiB", "evicted", "tracked", "known ok");
    int knownAccepted = 0;
    const int step = std::max(1, devices / 10);
    for (int d = 0; d < devices; ++d) {
        const QByteArray body = payload(metrics, d);
        send(u"flood-%1"_s.arg(d), body);
        if (d % 10 == 0 && send(u"known-1"_s, knownPayload))
            ++knownAccepted;
        if ((d + 1) % step == 0) {
            std::printf("%8d %10.1f %14.1f %10llu %10lld %12d\n", d + 1, rssMiB(), stateBytes.value() / 1024.0 / 1024.0,
                        static_cast<unsigned long long>(evicted.value()),
                        static_cast<long long>(core.analytics.deviceCount()), knownAccepted);
        }
    }
    const auto *known = core.analytics.device(u"known-1"_s);
    std::printf("RSS grew by %.1f MiB; known-1 kept %lld samples in its window count (of %d sent)\n", rssMiB() - idle,
                known ? static_cast<long long>(known->value(u"metric_0"_s).window->count()) : 0LL, 20 + knownAccepted);
    return 0;
}
