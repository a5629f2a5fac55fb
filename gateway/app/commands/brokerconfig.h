// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QStringList>
#include <QTextStream>

namespace edgegate {

struct Config;

/// What `edgegated broker-config` was asked for, from the command line.
struct BrokerConfigCommand
{
    QString outDir; ///< --out
    QString deviceListen; ///< --device-listen, host:port of the devices' TLS listener
    QStringList hosts; ///< --broker-host: names and addresses devices reach the broker by
};

inline constexpr auto DefaultDeviceListen = "0.0.0.0:8883";
inline constexpr int BrokerCertificateDays = 825;

/// Writes a mosquitto configuration for the gateway's local broker into the folder: a TLS listener
/// where devices log in with a certificate of the gateway CA (its CN is their user name), an ACL that
/// keeps each device to its own topics, the gateway's own user, and plain MQTT on loopback only.
/// The exit code: 0 done, 1 failed, 2 a usage or configuration error.
[[nodiscard]] int runBrokerConfig(const BrokerConfigCommand &command, const Config &config, QTextStream &out,
                                  QTextStream &err);

/// A mosquitto password file line for `user` (PBKDF2-SHA512, as mosquitto_passwd writes it).
[[nodiscard]] QByteArray mosquittoPasswordLine(const QString &user, const QString &password);

} // namespace edgegate
