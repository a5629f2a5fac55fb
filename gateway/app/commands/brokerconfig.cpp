// SPDX-License-Identifier: Apache-2.0
#include "gateway/app/commands/brokerconfig.h"

#include "gateway/app/config/config.h"
#include "gateway/storage/certauthority.h"
#include "shared/deviceid.h"

#include <QDir>
#include <QHostAddress>
#include <QHostInfo>
#include <QSaveFile>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

constexpr int ExitFailed = 1;
constexpr int ExitUsage = 2;
constexpr int PasswordIterations = 101; // what mosquitto_passwd 2.0 uses
constexpr int SaltBytes = 12;
constexpr int HashBytes = 64;

/// Secrets go to the broker's own user when there is one and we may give them away, else stay ours.
void handToBroker(const QString &path)
{
    if (::geteuid() != 0)
        return;
    if (const passwd *user = ::getpwnam("mosquitto"))
        (void)::chown(QFile::encodeName(path).constData(), user->pw_uid, user->pw_gid);
}

bool write(const QString &path, const QByteArray &bytes, mode_t mode, QTextStream &err)
{
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly) && ::fchmod(file.handle(), mode) == 0 && file.write(bytes) == bytes.size()
        && file.commit()) {
        if (mode == 0600)
            handToBroker(path);
        return true;
    }
    err << "edgegated broker-config: cannot write " << path << ": " << file.errorString() << '\n';
    return false;
}

bool isLoopback(const QString &host)
{
    if (host == u"localhost")
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

/// Every device topic a device publishes on, then the ones it receives, as the wire conventions name them.
QByteArray aclFile(const QString &gatewayUser)
{
    QByteArray acl = "# Written by edgegated broker-config: run it again rather than editing this file.\n"
                     "# Every device (its user name is its certificate's CN, its device id) on its own topics only.\n"
                     "pattern write devices/%u/telemetry\n"
                     "pattern write devices/%u/status\n"
                     "pattern write devices/%u/meta\n"
                     "pattern write devices/%u/events\n"
                     "pattern write devices/%u/commands/ack\n"
                     "pattern write devices/%u/ota/progress\n"
                     "pattern read devices/%u/commands\n"
                     "pattern read devices/%u/ota\n\n"
                     "# The gateway's own client.\n"
                     "user "
        + gatewayUser.toUtf8() + "\ntopic readwrite #\n";
    return acl;
}

QByteArray brokerConfFile(const QString &dir, quint16 loopbackPort, const QString &deviceHost, quint16 devicePort)
{
    const QByteArray d = dir.toUtf8();
    return "# Written by edgegated broker-config: run it again rather than editing this file.\n"
           "# Nobody is anonymous: the gateway logs in with its password, devices with their certificate.\n"
           "per_listener_settings false\n"
           "allow_anonymous false\n"
           "# The gateway keeps a persistent session: while it restarts, the broker queues the devices' QoS 1\n"
           "# messages for it, up to these limits (the default, 1000, is minutes of a busy site).\n"
           "max_queued_messages 1000000\n"
           "max_queued_bytes 536870912\n"
           "password_file "
        + d + "/passwd\nacl_file " + d
        + "/acl\n\n"
          "# Plain MQTT for the gateway's own client and development, on loopback only.\n"
          "listener "
        + QByteArray::number(loopbackPort)
        + " 127.0.0.1\n\n"
          "# Devices: TLS, with a client certificate from the gateway CA; its CN is the device's user name.\n"
          "listener "
        + QByteArray::number(devicePort) + ' ' + deviceHost.toUtf8() + "\ncafile " + d + "/ca.crt\ncertfile " + d
        + "/broker.crt\nkeyfile " + d + "/broker.key\ncrlfile " + d
        + "/crl.pem\n"
          "require_certificate true\n"
          "use_identity_as_username true\n"
          "tls_version tlsv1.2\n";
}

} // namespace

QByteArray mosquittoPasswordLine(const QString &user, const QString &password)
{
    unsigned char salt[SaltBytes];
    unsigned char hash[HashBytes];
    const QByteArray secret = password.toUtf8();
    if (RAND_bytes(salt, sizeof salt) != 1
        || PKCS5_PBKDF2_HMAC(secret.constData(), int(secret.size()), salt, sizeof salt, PasswordIterations,
                             EVP_sha512(), sizeof hash, hash)
            != 1)
        return {};
    return user.toUtf8() + ":$7$" + QByteArray::number(PasswordIterations) + '$'
        + QByteArray(reinterpret_cast<const char *>(salt), sizeof salt).toBase64() + '$'
        + QByteArray(reinterpret_cast<const char *>(hash), sizeof hash).toBase64() + '\n';
}

int runBrokerConfig(const BrokerConfigCommand &command, const Config &config, QTextStream &out, QTextStream &err)
{
    if (command.outDir.isEmpty()) {
        err << "usage: edgegated broker-config --config FILE --out DIR [--device-listen HOST:PORT] "
               "[--broker-host NAME]...\n";
        return ExitUsage;
    }
    const QString user = config.mqtt.username;
    if (user.isEmpty() || config.mqtt.password.isEmpty()) {
        err << "edgegated broker-config: set mqtt.username and mqtt.password in the config: the gateway's own "
               "client logs in to the broker with them\n";
        return ExitUsage;
    }
    // A device's user name is its certificate's CN, a device id: a name no device id can be is one no
    // device can take.
    if (user.contains(u':') || user.contains(u'\n') || isValidDeviceId(user)) {
        err << "edgegated broker-config: mqtt.username '" << user
            << "' could be a device's name; use one no device id can be, with e.g. '@' (gateway@edgegate)\n";
        return ExitUsage;
    }
    if (!isLoopback(config.mqtt.host)) {
        err << "edgegated broker-config: mqtt.host is " << config.mqtt.host
            << "; this writes the local broker's configuration, which the gateway reaches on loopback\n";
        return ExitUsage;
    }
    const QString listen
        = command.deviceListen.isEmpty() ? QString::fromLatin1(DefaultDeviceListen) : command.deviceListen;
    const qsizetype colon = listen.lastIndexOf(u':');
    bool portOk = false;
    const uint port = colon > 0 ? listen.mid(colon + 1).toUInt(&portOk) : 0;
    QString host = colon > 0 ? listen.left(colon) : QString();
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    if (!portOk || port == 0 || port > 65535 || QHostAddress(host).isNull() || port == config.mqtt.port) {
        err << "edgegated broker-config: --device-listen '" << listen
            << "' is not an address:port of its own (e.g. 0.0.0.0:8883)\n";
        return ExitUsage;
    }

    CertificateAuthority ca(config.dataFile(u"ca"_s), config.gateway.id);
    CaError error;
    if (!ca.exists()) {
        if (!ca.init(&error)) {
            err << "edgegated broker-config: " << error.message << '\n';
            return ExitFailed;
        }
        out << "created the device CA in " << ca.dir() << '\n';
    }
    QStringList hosts = command.hosts;
    if (hosts.isEmpty()) {
        hosts = {u"localhost"_s, u"127.0.0.1"_s, u"::1"_s};
        // This host's name too, when it is one a certificate can carry.
        const QString name = QHostInfo::localHostName();
        if (!name.isEmpty() && name.size() <= 253 && name.front().isLetterOrNumber()
            && std::all_of(name.cbegin(), name.cend(), [](QChar c) {
                   return (c.isLetterOrNumber() && c.unicode() < 0x80) || c == u'.' || c == u'-';
               }))
            hosts.prepend(name);
    }
    if (QHostAddress(host) != QHostAddress::AnyIPv4 && QHostAddress(host) != QHostAddress::AnyIPv6
        && !hosts.contains(host))
        hosts.append(host);
    const auto server
        = ca.issueServer(u"EdgeGate broker"_s, hosts, BrokerCertificateDays, QDateTime::currentDateTimeUtc(), &error);
    if (!server) {
        err << "edgegated broker-config: " << error.message << '\n';
        return error.kind == CaError::Kind::BadRequest ? ExitUsage : ExitFailed;
    }
    const QString dir = QDir(command.outDir).absolutePath();
    // The broker runs as a user of its own: it must be able to enter the folder and read all but its secrets.
    if (!QDir().mkpath(dir) || ::chmod(QFile::encodeName(dir).constData(), 0755) != 0) {
        err << "edgegated broker-config: cannot create " << dir << '\n';
        return ExitFailed;
    }
    const QByteArray passwordLine = mosquittoPasswordLine(user, config.mqtt.password);
    QString message;
    if (passwordLine.isEmpty() || !write(dir + u"/broker.crt"_s, server->certificatePem, 0644, err)
        || !write(dir + u"/broker.key"_s, server->keyPem, 0600, err)
        || !write(dir + u"/passwd"_s, passwordLine, 0600, err) || !write(dir + u"/acl"_s, aclFile(user), 0644, err)
        || !write(dir + u"/mosquitto.conf"_s, brokerConfFile(dir, config.mqtt.port, host, quint16(port)), 0644, err))
        return ExitFailed;
    if (!ca.addExport(dir, &message)) {
        err << "edgegated broker-config: " << message << '\n';
        return ExitFailed;
    }
    out << "wrote " << dir << "/mosquitto.conf: devices on " << host << ':' << port
        << " (TLS, certificate required), the gateway as '" << user << "' on 127.0.0.1:" << config.mqtt.port
        << "\nrun mosquitto -c " << dir
        << "/mosquitto.conf, or include the file; after each `edgegated ca revoke`, reload the broker (SIGHUP) so "
           "it reads the new CRL\n";
    return 0;
}

} // namespace edgegate
