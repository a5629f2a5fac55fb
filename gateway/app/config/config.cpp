// SPDX-License-Identifier: Apache-2.0
#include "gateway/app/config/config.h"

#include "gateway/app/config/loader.h"

#include <QFile>
#include <QHostInfo>

#include <algorithm>
#include <exception>

namespace edgegate {

using namespace Qt::StringLiterals;

QString Config::effectiveClientId() const
{
    return mqtt.clientId.isEmpty() ? u"edgegate-"_s + gateway.id : mqtt.clientId;
}

QString Config::effectiveMdnsName() const
{
    if (!discovery.mdns.name.isEmpty())
        return discovery.mdns.name;
    QString name = u"EdgeGate "_s + gateway.id;
    while (name.toUtf8().size() > 63)
        name.chop(name.back().isLowSurrogate() ? 2 : 1);
    return name;
}

QString Config::effectiveUpstreamClientId() const
{
    return upstream.clientId.isEmpty() ? u"edgegate-"_s + gateway.id + u"-upstream"_s : upstream.clientId;
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
    std::stable_sort(loader.result.errors.begin(), loader.result.errors.end(),
                     [](const ConfigError &a, const ConfigError &b) { return a.line < b.line; });
    return std::move(loader.result);
}

ConfigLoad loadConfigFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        ConfigLoad load;
        load.errors.append(ConfigError{0, u"cannot read file: "_s + file.errorString()});
        return load;
    }
    const QByteArray text = file.read(configload::MaxConfigFileBytes + 1);
    if (file.error() != QFileDevice::NoError) {
        ConfigLoad load;
        load.errors.append(ConfigError{0, u"cannot read file: "_s + file.errorString()});
        return load;
    }
    if (text.size() > configload::MaxConfigFileBytes) {
        ConfigLoad load;
        load.errors.append(ConfigError{0,
                                       u"cannot read file: larger than "_s
                                           + QString::number(configload::MaxConfigFileBytes / (1024 * 1024))
                                           + u" MiB"_s});
        return load;
    }
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
