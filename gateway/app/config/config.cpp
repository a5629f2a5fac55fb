// SPDX-License-Identifier: Apache-2.0
#include "gateway/app/config/config.h"

#include "gateway/app/config/loader.h"

#include <QDir>
#include <QFile>
#include <QHostInfo>

#include <algorithm>
#include <exception>

namespace edgegate {

using namespace Qt::StringLiterals;

QString Config::dataFile(const QString &name) const
{
    return QDir(gateway.dataDir).absoluteFilePath(name);
}

void deriveSettings(Config &c)
{
    if (c.mqtt.clientId.isEmpty())
        c.mqtt.clientId = u"edgegate-"_s + c.gateway.id;
    c.mqtt.gatewayId = c.gateway.id;
    c.mqtt.sessionFile = c.dataFile(u"mqtt-session"_s);
    if (c.upstream.clientId.isEmpty())
        c.upstream.clientId = u"edgegate-"_s + c.gateway.id + u"-upstream"_s;
    c.upstream.gatewayId = c.gateway.id;
    for (const auto &[sink, policy] : c.outboxes())
        policy->store.directory = c.dataFile(u"outbox/"_s + sink);
    c.firmware.directory = c.dataFile(u"firmware"_s);
    c.coap.maxPayloadBytes = c.ingest.maxPayloadBytes;
    if (c.discovery.mdns.name.isEmpty()) {
        // One DNS label: at most 63 bytes.
        QString name = u"EdgeGate "_s + c.gateway.id;
        while (name.toUtf8().size() > 63)
            name.chop(name.back().isLowSurrogate() ? 2 : 1);
        c.discovery.mdns.name = name;
    }
}

QList<QHostAddress> resolveListenHost(const QString &host)
{
    QHostAddress literal;
    if (literal.setAddress(host))
        return {literal};
    QList<QHostAddress> out;
    for (const QHostAddress &a : QHostInfo::fromName(host.toLower()).addresses()) {
        if (!out.contains(a))
            out.append(a);
    }
    return out;
}

QList<std::pair<QString, OutboxPolicy *>> Config::outboxes()
{
    return {{u"upstream"_s, &upstream.outbox}, {u"influxdb"_s, &influxdb.outbox}, {u"republish"_s, &translate.outbox}};
}

QString Config::otaBaseUrl(quint16 httpPort) const
{
    if (!ota.baseUrl.isEmpty())
        return ota.baseUrl;
    QString host = http.host;
    const QHostAddress address(host);
    if (address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6 || address == QHostAddress::Any)
        host = QHostInfo::localHostName();
    else if (address.protocol() == QAbstractSocket::IPv6Protocol)
        host = u'[' + host + u']';
    return u"%1://%2:%3"_s.arg(http.tls.enabled() ? u"https"_s : u"http"_s, host).arg(httpPort);
}

QStringList Config::sinkNames() const
{
    QStringList names;
    if (upstream.enabled())
        names.append(u"upstream"_s);
    if (influxdb.enabled())
        names.append(u"influxdb"_s);
    if (translate.republish)
        names.append(u"republish"_s);
    return names;
}

ConfigLoad loadConfigText(const QByteArray &yaml)
{
    configload::Loader loader;
    try {
        loader.run(yaml);
    } catch (const YAML::Exception &e) {
        // Only parsing should throw; anything else from yaml-cpp still must not reach the caller.
        loader.error(e.mark.is_null() || e.mark.line < 0 ? 0 : e.mark.line + 1,
                     u"YAML error: "_s + QString::fromStdString(e.msg));
    } catch (const std::exception &e) {
        loader.error(0, u"cannot load configuration: "_s + QString::fromLocal8Bit(e.what()));
    }
    deriveSettings(loader.result.config);
    std::stable_sort(loader.result.errors.begin(), loader.result.errors.end(),
                     [](const ConfigError &a, const ConfigError &b) { return a.line < b.line; });
    return std::move(loader.result);
}

ConfigLoad loadConfigFile(const QString &path)
{
    const auto unreadable = [](const QString &why) {
        ConfigLoad load = loadConfigText({});
        load.errors.append(ConfigError{0, u"cannot read file: "_s + why});
        return load;
    };
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return unreadable(file.errorString());
    const QByteArray text = file.read(configload::MaxConfigFileBytes + 1);
    if (file.error() != QFileDevice::NoError)
        return unreadable(file.errorString());
    if (text.size() > configload::MaxConfigFileBytes)
        return unreadable(u"larger than "_s + QString::number(configload::MaxConfigFileBytes / (1024 * 1024))
                          + u" MiB"_s);
    return loadConfigText(text);
}

QString formatConfigErrors(const QString &path, const QList<ConfigError> &errors)
{
    QString out;
    for (const ConfigError &e : errors) {
        out += path;
        if (e.line > 0)
            out += u':' + QString::number(e.line);
        out += u": "_s + e.message + u'\n';
    }
    return out;
}

} // namespace edgegate
