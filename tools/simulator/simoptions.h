// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QSet>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <optional>

namespace edgegate::sim {

enum class SimProtocol { Mqtt, Coap, Http, WebSocket };

[[nodiscard]] QString protocolName(SimProtocol protocol);

/// Devices an injected failure applies to: the first `count` devices not already chosen by an
/// earlier failure option, or the devices named in `ids`.
struct DeviceSelection
{
    int count = 0;
    QSet<QString> ids;
    [[nodiscard]] bool empty() const { return count == 0 && ids.isEmpty(); }
};

/// Everything the command line sets; defaults are what `edgegate-sim` runs with.
struct SimOptions
{
    static constexpr int MaxDevices = 10000;

    SimProtocol protocol = SimProtocol::Mqtt;
    int devices = 1;
    QString idPrefix = QStringLiteral("sim-");
    QString type = QStringLiteral("sensor");
    QString model; ///< empty: "sim-{type}"
    QString firmware = QStringLiteral("1.0.0");
    QString brokerHost = QStringLiteral("127.0.0.1");
    quint16 brokerPort = 1883;
    QString coapHost = QStringLiteral("127.0.0.1");
    quint16 coapPort = 5683;
    QUrl http{QStringLiteral("http://127.0.0.1:8080")};
    QString token;
    std::chrono::milliseconds interval{1000};
    std::chrono::milliseconds heartbeat{30000};
    double anomalyRate = 0.01;
    qint64 messages = 0; ///< telemetry messages per device; 0: no limit
    std::chrono::milliseconds duration{0}; ///< 0: no limit
    double commandFailRate = 0.0;
    std::chrono::milliseconds installTime{2000};
    std::chrono::milliseconds rebootTime{3000};
    DeviceSelection failCorrupt;
    DeviceSelection failInstall;
    DeviceSelection failRollback;
    DeviceSelection failNeverReturn;
    DeviceSelection cutDownload;
    quint64 seed = 1;
};

struct ParsedOptions
{
    std::optional<SimOptions> options; ///< empty with an error, or when only help/version was asked
    QString error;
    QString output; ///< the help or version text to print
};

/// Parses the arguments (argv[0] first). Every bad value is an error naming the option.
[[nodiscard]] ParsedOptions parseOptions(const QStringList &arguments);

/// The full help text: every option with its default.
[[nodiscard]] QString helpText();

/// "250ms", "2s", "5m", "1h"; a bare number is seconds.
[[nodiscard]] std::optional<std::chrono::milliseconds> parseDuration(const QString &text);

} // namespace edgegate::sim
