// SPDX-License-Identifier: Apache-2.0
#include "simoptions.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QRegularExpression>

#include <limits>

namespace edgegate::sim {

using namespace Qt::StringLiterals;

namespace {

const QString Epilogue = uR"(
Each device sends telemetry every --interval, a heartbeat every --heartbeat, answers commands and
takes firmware updates (docs/ota.md) over its link. Events go to stdout as one JSON object per
line ("connected", "disconnected", "command", "ota", "reboot", "summary"); logs go to stderr.

Failure options take a count N (the first N devices not already picked by an earlier failure
option, in the order corrupt, install, rollback, never-return; --cut-download picks on its own)
or a comma-separated list of device ids.

A run ends after --messages per device, after --duration, or on SIGINT/SIGTERM; devices then say
offline. Exit code 0 on a normal end, 1 on bad options, 2 when no device could connect.
See docs/simulator.md.)"_s;

struct Definitions
{
    QCommandLineOption protocol{u"protocol"_s, u"Link the devices speak: mqtt, coap, http or ws (default mqtt)."_s,
                                u"name"_s, u"mqtt"_s};
    QCommandLineOption devices{u"devices"_s, u"Number of devices, 1 to 10000 (default 1)."_s, u"N"_s, u"1"_s};
    QCommandLineOption idPrefix{u"id-prefix"_s, u"Device ids are this prefix and a number from 1 (default sim-)."_s,
                                u"text"_s, u"sim-"_s};
    QCommandLineOption type{u"type"_s, u"Device type: sensor, meter or tracker (default sensor)."_s, u"type"_s,
                            u"sensor"_s};
    QCommandLineOption model{u"model"_s, u"Model announced in meta (default sim-{type})."_s, u"text"_s};
    QCommandLineOption firmware{u"firmware"_s, u"Firmware version the devices start with (default 1.0.0)."_s,
                                u"version"_s, u"1.0.0"_s};
    QCommandLineOption broker{u"broker"_s, u"MQTT broker (default 127.0.0.1:1883)."_s, u"host:port"_s,
                              u"127.0.0.1:1883"_s};
    QCommandLineOption coap{u"coap"_s, u"Gateway's CoAP endpoint (default 127.0.0.1:5683)."_s, u"host:port"_s,
                            u"127.0.0.1:5683"_s};
    QCommandLineOption http{u"http"_s,
                            u"Gateway's HTTP base URL, also for ws://host:port/ws/device/{id} "
                            "(default http://127.0.0.1:8080)."_s,
                            u"url"_s, u"http://127.0.0.1:8080"_s};
    QCommandLineOption token{u"token"_s, u"Bearer token the devices send over HTTP and WebSocket (default none)."_s,
                             u"token"_s};
    QCommandLineOption interval{u"interval"_s, u"Time between telemetry messages (default 1s)."_s, u"duration"_s,
                                u"1s"_s};
    QCommandLineOption heartbeat{u"heartbeat"_s,
                                 u"Time between heartbeats; 0 for none (default 30s). MQTT: `online` on the "
                                 "status topic; other links: an `uptime_s` telemetry message."_s,
                                 u"duration"_s, u"30s"_s};
    QCommandLineOption anomalyRate{u"anomaly-rate"_s,
                                   u"Share of telemetry messages with a spike in one metric, 0 to 1 (default 0.01)."_s,
                                   u"rate"_s, u"0.01"_s};
    QCommandLineOption messages{u"messages"_s, u"Stop after N telemetry messages per device (default: no limit)."_s,
                                u"N"_s};
    QCommandLineOption duration{u"duration"_s, u"Stop after this time (default: no limit)."_s, u"duration"_s};
    QCommandLineOption commandFailRate{
        u"command-fail-rate"_s, u"Share of commands acknowledged as failed, 0 to 1 (default 0)."_s, u"rate"_s, u"0"_s};
    QCommandLineOption installTime{u"install-time"_s, u"Time an update takes to install (default 2s)."_s, u"duration"_s,
                                   u"2s"_s};
    QCommandLineOption rebootTime{u"reboot-time"_s, u"Time a device is away while it reboots (default 3s)."_s,
                                  u"duration"_s, u"3s"_s};
    QCommandLineOption failCorrupt{
        u"fail-corrupt"_s, u"These devices receive a corrupted image: failed with sha256_mismatch."_s, u"N|ids"_s};
    QCommandLineOption failInstall{u"fail-install"_s, u"These devices fail to install: failed with install_error."_s,
                                   u"N|ids"_s};
    QCommandLineOption failRollback{u"fail-rollback"_s,
                                    u"These devices come back from the reboot with their old firmware."_s, u"N|ids"_s};
    QCommandLineOption failNeverReturn{
        u"fail-never-return"_s, u"These devices never come back after installing (the job times out)."_s, u"N|ids"_s};
    QCommandLineOption cutDownload{u"cut-download"_s,
                                   u"These devices lose their download connection half-way, once, and resume it "
                                   "with a Range request."_s,
                                   u"N|ids"_s};
    QCommandLineOption seed{u"seed"_s, u"Seed of the random values, for repeatable runs (default 1)."_s, u"number"_s,
                            u"1"_s};
    QCommandLineOption help{{u"h"_s, u"help"_s}, u"Shows this help."_s};
    QCommandLineOption version{u"version"_s, u"Shows the version."_s};

    void addTo(QCommandLineParser &parser) const
    {
        parser.addOptions({protocol,        devices,         idPrefix,    type,        model,
                           firmware,        broker,          coap,        http,        token,
                           interval,        heartbeat,       anomalyRate, messages,    duration,
                           commandFailRate, installTime,     rebootTime,  failCorrupt, failInstall,
                           failRollback,    failNeverReturn, cutDownload, seed,        help,
                           version});
    }
};

void setupParser(QCommandLineParser &parser, const Definitions &defs)
{
    parser.setApplicationDescription(u"EdgeGate device simulator: many devices speaking MQTT, CoAP, HTTP or WebSocket "
                                     "to an EdgeGate gateway."_s);
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    defs.addTo(parser);
}

bool parseHostPort(const QString &text, QString *host, quint16 *port)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return false;
    bool ok = false;
    const uint value = text.mid(colon + 1).toUInt(&ok);
    if (!ok || value == 0 || value > 65535)
        return false;
    *host = text.left(colon);
    if (host->startsWith(u'[') && host->endsWith(u']'))
        *host = host->mid(1, host->size() - 2);
    *port = quint16(value);
    return true;
}

bool parseRate(const QString &text, double *out)
{
    bool ok = false;
    const double value = text.toDouble(&ok);
    if (!ok || value < 0.0 || value > 1.0)
        return false;
    *out = value;
    return true;
}

bool parseSelection(const QString &text, DeviceSelection *out)
{
    bool ok = false;
    const int count = text.toInt(&ok);
    if (ok) {
        if (count < 0)
            return false;
        out->count = count;
        return true;
    }
    static const QRegularExpression idPattern(u"^[A-Za-z0-9._:-]{1,128}$"_s);
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
        const QString id = part.trimmed();
        if (!idPattern.match(id).hasMatch())
            return false;
        out->ids.insert(id);
    }
    return !out->ids.isEmpty();
}

} // namespace

QString protocolName(SimProtocol protocol)
{
    switch (protocol) {
    case SimProtocol::Mqtt:
        return u"mqtt"_s;
    case SimProtocol::Coap:
        return u"coap"_s;
    case SimProtocol::Http:
        return u"http"_s;
    case SimProtocol::WebSocket:
        return u"ws"_s;
    }
    return {};
}

std::optional<std::chrono::milliseconds> parseDuration(const QString &text)
{
    static const QRegularExpression pattern(u"^(\\d+(?:\\.\\d+)?)(ms|s|m|h)?$"_s);
    const QRegularExpressionMatch match = pattern.match(text.trimmed());
    if (!match.hasMatch())
        return std::nullopt;
    const double value = match.captured(1).toDouble();
    const QString unit = match.captured(2);
    double ms = value * 1000.0;
    if (unit == u"ms")
        ms = value;
    else if (unit == u"m")
        ms = value * 60'000.0;
    else if (unit == u"h")
        ms = value * 3'600'000.0;
    if (ms > double(std::numeric_limits<qint32>::max()))
        return std::nullopt;
    return std::chrono::milliseconds(qint64(ms));
}

QString helpText()
{
    QCommandLineParser parser;
    const Definitions defs;
    setupParser(parser, defs);
    return parser.helpText() + Epilogue + u'\n';
}

ParsedOptions parseOptions(const QStringList &arguments)
{
    QCommandLineParser parser;
    const Definitions d;
    setupParser(parser, d);
    ParsedOptions result;
    if (!parser.parse(arguments)) {
        result.error = parser.errorText();
        return result;
    }
    if (parser.isSet(d.help)) {
        result.output = helpText();
        return result;
    }
    if (parser.isSet(d.version)) {
        result.output = u"edgegate-sim " EDGEGATE_VERSION "\n"_s;
        return result;
    }
    if (!parser.positionalArguments().isEmpty()) {
        result.error = u"unexpected argument '%1'"_s.arg(parser.positionalArguments().constFirst());
        return result;
    }
    const auto fail = [&result](const QString &option, const QString &value, const QString &expected) {
        result.error = u"--%1 '%2': %3"_s.arg(option, value, expected);
        return result;
    };

    SimOptions o;
    const QString protocol = parser.value(d.protocol);
    if (protocol == u"mqtt")
        o.protocol = SimProtocol::Mqtt;
    else if (protocol == u"coap")
        o.protocol = SimProtocol::Coap;
    else if (protocol == u"http")
        o.protocol = SimProtocol::Http;
    else if (protocol == u"ws" || protocol == u"websocket")
        o.protocol = SimProtocol::WebSocket;
    else
        return fail(u"protocol"_s, protocol, u"expected mqtt, coap, http or ws"_s);

    bool ok = false;
    o.devices = parser.value(d.devices).toInt(&ok);
    if (!ok || o.devices < 1 || o.devices > SimOptions::MaxDevices)
        return fail(u"devices"_s, parser.value(d.devices), u"expected 1 to %1"_s.arg(SimOptions::MaxDevices));

    static const QRegularExpression prefixPattern(u"^[A-Za-z0-9._:-]{0,100}$"_s);
    o.idPrefix = parser.value(d.idPrefix);
    if (!prefixPattern.match(o.idPrefix).hasMatch())
        return fail(u"id-prefix"_s, o.idPrefix, u"letters, digits and . _ : - only, at most 100"_s);
    o.type = parser.value(d.type);
    if (o.type != u"sensor" && o.type != u"meter" && o.type != u"tracker")
        return fail(u"type"_s, o.type, u"expected sensor, meter or tracker"_s);
    o.model = parser.isSet(d.model) ? parser.value(d.model) : u"sim-"_s + o.type;
    o.firmware = parser.value(d.firmware);
    if (o.firmware.isEmpty())
        return fail(u"firmware"_s, o.firmware, u"a version is required"_s);

    if (!parseHostPort(parser.value(d.broker), &o.brokerHost, &o.brokerPort))
        return fail(u"broker"_s, parser.value(d.broker), u"expected host:port"_s);
    if (!parseHostPort(parser.value(d.coap), &o.coapHost, &o.coapPort))
        return fail(u"coap"_s, parser.value(d.coap), u"expected host:port"_s);
    o.http = QUrl(parser.value(d.http), QUrl::StrictMode);
    if (!o.http.isValid() || o.http.scheme() != u"http" || o.http.host().isEmpty())
        return fail(u"http"_s, parser.value(d.http), u"expected http://host:port"_s);
    o.token = parser.value(d.token);

    const auto duration = [&parser](const QCommandLineOption &option, std::chrono::milliseconds *out) {
        const auto value = parseDuration(parser.value(option));
        if (!value)
            return false;
        *out = *value;
        return true;
    };
    if (!duration(d.interval, &o.interval) || o.interval.count() < 10)
        return fail(u"interval"_s, parser.value(d.interval), u"expected a duration of at least 10ms (250ms, 1s)"_s);
    if (!duration(d.heartbeat, &o.heartbeat))
        return fail(u"heartbeat"_s, parser.value(d.heartbeat), u"expected a duration (30s, 0 for none)"_s);
    if (!duration(d.installTime, &o.installTime))
        return fail(u"install-time"_s, parser.value(d.installTime), u"expected a duration"_s);
    if (!duration(d.rebootTime, &o.rebootTime))
        return fail(u"reboot-time"_s, parser.value(d.rebootTime), u"expected a duration"_s);
    if (parser.isSet(d.duration) && (!duration(d.duration, &o.duration) || o.duration.count() == 0))
        return fail(u"duration"_s, parser.value(d.duration), u"expected a duration above 0"_s);
    if (parser.isSet(d.messages)) {
        o.messages = parser.value(d.messages).toLongLong(&ok);
        if (!ok || o.messages < 1)
            return fail(u"messages"_s, parser.value(d.messages), u"expected a number above 0"_s);
    }
    if (!parseRate(parser.value(d.anomalyRate), &o.anomalyRate))
        return fail(u"anomaly-rate"_s, parser.value(d.anomalyRate), u"expected a number from 0 to 1"_s);
    if (!parseRate(parser.value(d.commandFailRate), &o.commandFailRate))
        return fail(u"command-fail-rate"_s, parser.value(d.commandFailRate), u"expected a number from 0 to 1"_s);

    const std::pair<const QCommandLineOption *, DeviceSelection *> selections[] = {
        {&d.failCorrupt, &o.failCorrupt},         {&d.failInstall, &o.failInstall}, {&d.failRollback, &o.failRollback},
        {&d.failNeverReturn, &o.failNeverReturn}, {&d.cutDownload, &o.cutDownload},
    };
    for (const auto &[option, selection] : selections) {
        if (parser.isSet(*option) && !parseSelection(parser.value(*option), selection))
            return fail(option->names().constFirst(), parser.value(*option),
                        u"expected a count or a comma-separated list of device ids"_s);
    }
    o.seed = parser.value(d.seed).toULongLong(&ok);
    if (!ok)
        return fail(u"seed"_s, parser.value(d.seed), u"expected a non-negative number"_s);
    result.options = o;
    return result;
}

} // namespace edgegate::sim
