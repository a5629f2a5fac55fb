// SPDX-License-Identifier: Apache-2.0
// edgegate-sim: simulated devices for tests, benchmarks and demos (docs/simulator.md).
#include "simoptions.h"
#include "simulator.h"

#include "gateway/app/signalwatcher.h"

#include <QCoreApplication>
#include <QLoggingCategory>

#include <csignal>
#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("edgegate-sim"));
    qSetMessagePattern(QStringLiteral("%{time hh:mm:ss.zzz} %{type} %{category}: %{message}"));
    // A line per device connection is noise with thousands of devices (stdout has the events);
    // QT_LOGGING_RULES brings them back.
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("edgegate.sim.mqtt.info=false"));

    const edgegate::sim::ParsedOptions parsed = edgegate::sim::parseOptions(QCoreApplication::arguments());
    if (!parsed.error.isEmpty()) {
        std::fprintf(stderr, "edgegate-sim: %s\nSee edgegate-sim --help.\n", qUtf8Printable(parsed.error));
        return edgegate::sim::Simulator::ExitBadOptions;
    }
    if (!parsed.options) {
        std::fputs(qUtf8Printable(parsed.output), stdout);
        return 0;
    }

    edgegate::sim::EventLog events;
    edgegate::sim::Simulator simulator(*parsed.options, events);
    edgegate::SignalWatcher watcher;
    QObject::connect(
        &watcher, &edgegate::SignalWatcher::terminationRequested, &simulator, [&simulator](int signalNumber) {
            simulator.stop(signalNumber == SIGINT ? QStringLiteral("interrupted") : QStringLiteral("terminated"));
        });
    QObject::connect(&simulator, &edgegate::sim::Simulator::finished, &app, &QCoreApplication::exit);
    QString error;
    if (!simulator.start(&error)) {
        std::fprintf(stderr, "edgegate-sim: %s\n", qUtf8Printable(error));
        return edgegate::sim::Simulator::ExitBadOptions;
    }
    return QCoreApplication::exec();
}
