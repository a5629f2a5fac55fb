// SPDX-License-Identifier: Apache-2.0
#include "gateway/app/commands/brokerconfig.h"
#include "gateway/app/commands/cacommand.h"
#include "gateway/app/config/config.h"
#include "gateway/app/gateway.h"
#include "gateway/app/logging.h"
#include "gateway/app/signalwatcher.h"
#include "shared/commandline.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>
#include <sys/stat.h>

using namespace edgegate;
using namespace Qt::StringLiterals;

namespace {

constexpr int ExitConfigInvalid = 2;

} // namespace

int main(int argc, char *argv[])
{
    // Every file the service makes (registry, keys, outboxes, firmware) is its user's alone.
    ::umask(0077);
    QCoreApplication app(argc, argv);
    nameApplication(u"edgegated"_s, QStringLiteral(EDGEGATE_VERSION));

    QCommandLineParser parser;
    addStandardOptions(parser, u"EdgeGate edge IoT gateway service"_s);
    const QCommandLineOption configOption(u"config"_s, u"Run with the YAML configuration in <file>."_s, u"file"_s);
    const QCommandLineOption checkOption(
        u"check-config"_s, u"Validate <file> and exit: 0 when valid, 2 with one line per problem."_s, u"file"_s);
    const QCommandLineOption logOption(u"log-level"_s, u"debug, info, warning or error (overrides log.level)."_s,
                                       u"level"_s);
    const QCommandLineOption csrOption(u"csr"_s, u"ca issue: certify the key of the request in <file>."_s, u"file"_s);
    const QCommandLineOption outOption(u"out"_s, u"ca issue, broker-config: write the files to <dir>."_s, u"dir"_s);
    const QCommandLineOption deviceListenOption(
        u"device-listen"_s, u"broker-config: the devices' TLS listener (default 0.0.0.0:8883)."_s, u"host:port"_s);
    const QCommandLineOption brokerHostOption(
        u"broker-host"_s, u"broker-config: a name or address devices reach the broker by (repeatable)."_s, u"name"_s);
    const QCommandLineOption daysOption(u"days"_s, u"ca issue: valid for <n> days (default 365)."_s, u"n"_s);
    parser.addOptions(
        {configOption, checkOption, logOption, csrOption, outOption, daysOption, deviceListenOption, brokerHostOption});
    parser.addPositionalArgument(u"command"_s,
                                 u"Run a command and exit instead of the service: ca init, ca issue DEVICE_ID, "
                                 u"ca revoke DEVICE_ID, ca list, broker-config."_s,
                                 u"[command]"_s);
    parser.process(app);

    QTextStream err(stderr);
    const QStringList command = parser.positionalArguments();
    if (parser.isSet(checkOption)) {
        const QString path = parser.value(checkOption);
        const ConfigLoad load = loadConfigFile(path);
        if (!load.errors.isEmpty()) {
            err << formatConfigErrors(path, load.errors);
            return ExitConfigInvalid;
        }
        QTextStream(stdout) << path << ": valid\n";
        return 0;
    }

    ConfigLoad load = loadConfigText({}); // the embedded defaults
    if (parser.isSet(configOption)) {
        const QString path = parser.value(configOption);
        load = loadConfigFile(path);
        if (!load.errors.isEmpty()) {
            err << formatConfigErrors(path, load.errors);
            return ExitConfigInvalid;
        }
    }
    if (!command.isEmpty()) {
        QTextStream out(stdout);
        if (command.constFirst() == u"ca")
            return runCaCommand(
                CaCommand{command.mid(1), parser.value(csrOption), parser.value(outOption), parser.value(daysOption)},
                load.config, out, err);
        if (command == QStringList{u"broker-config"_s})
            return runBrokerConfig(BrokerConfigCommand{parser.value(outOption), parser.value(deviceListenOption),
                                                       parser.values(brokerHostOption)},
                                   load.config, out, err);
        err << "edgegated: unknown command '" << command.join(u' ') << "' (ca, broker-config)\n";
        return ExitConfigInvalid;
    }
    const QString level = parser.isSet(logOption) ? parser.value(logOption) : load.config.log.level;
    if (!setupLogging(level)) {
        err << "unknown log level '" << level << "' (debug, info, warning, error)\n";
        return ExitConfigInvalid;
    }

    Gateway gateway(load.config);
    SignalWatcher signals_;
    QObject::connect(&signals_, &SignalWatcher::terminationRequested, &gateway, &Gateway::stop);
    QObject::connect(&signals_, &SignalWatcher::reloadRequested, &gateway, &Gateway::reload);
    QObject::connect(
        &gateway, &Gateway::stopped, &app, [] { QCoreApplication::exit(0); }, Qt::QueuedConnection);

    QString error;
    if (!gateway.start(&error)) {
        err << "edgegated: " << error << '\n';
        return 1;
    }
    return QCoreApplication::exec();
}
