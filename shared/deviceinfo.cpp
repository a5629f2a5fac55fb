// SPDX-License-Identifier: Apache-2.0
#include "shared/deviceinfo.h"

#include "shared/enumnames.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonValue>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

constexpr auto DeviceStatusNames = enumNames<DeviceStatus>(u"online", u"offline", u"error", u"maintenance");

} // namespace

QString deviceStatusName(DeviceStatus status)
{
    return DeviceStatusNames.nameOf(status);
}

std::optional<DeviceStatus> deviceStatusFromName(QStringView name)
{
    return DeviceStatusNames.valueOf(name);
}

QString approvalName(Approval approval)
{
    return approval == Approval::Approved ? u"approved"_s : u"pending"_s;
}

QJsonValue timeToJson(qint64 msSinceEpoch)
{
    if (msSinceEpoch == 0)
        return QJsonValue::Null;
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, Qt::UTC).toString(Qt::ISODateWithMs);
}

qint64 timeFromJson(const QJsonValue &json)
{
    if (!json.isString())
        return 0;
    const QDateTime t = QDateTime::fromString(json.toString(), Qt::ISODateWithMs);
    return t.isValid() ? t.toMSecsSinceEpoch() : 0;
}

QJsonValue textOrNull(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

QJsonArray metricsToJson(const QList<MetricInfo> &metrics)
{
    QJsonArray out;
    for (const MetricInfo &m : metrics) {
        QJsonObject o{{u"name"_s, m.name}};
        if (!m.unit.isEmpty())
            o.insert(u"unit"_s, m.unit);
        out.append(o);
    }
    return out;
}

QList<MetricInfo> metricsFromJson(const QJsonArray &json)
{
    QList<MetricInfo> out;
    for (const QJsonValue v : json) {
        const QJsonObject o = v.toObject();
        if (const QString name = o.value(u"name"_s).toString(); !name.isEmpty())
            out.append({name, o.value(u"unit"_s).toString()});
    }
    return out;
}

QJsonObject resourceToJson(const DeviceResource &resource)
{
    QJsonObject o{{u"href"_s, resource.href}};
    if (!resource.rt.isEmpty())
        o.insert(u"rt"_s, resource.rt);
    if (!resource.interfaces.isEmpty())
        o.insert(u"if"_s, resource.interfaces);
    if (!resource.contentFormats.isEmpty())
        o.insert(u"ct"_s, resource.contentFormats);
    o.insert(u"obs"_s, resource.observable);
    return o;
}

QJsonObject deviceToJson(const DeviceInfo &device)
{
    QJsonObject metadata;
    for (auto it = device.metadata.cbegin(); it != device.metadata.cend(); ++it)
        metadata.insert(it.key(), it.value());
    QJsonArray resources;
    for (const DeviceResource &r : device.resources)
        resources.append(resourceToJson(r));
    return QJsonObject{
        {u"id"_s, device.id},
        {u"name"_s, device.name},
        {u"type"_s, device.type},
        {u"firmware"_s, device.firmware},
        {u"model"_s, device.model},
        {u"capabilities"_s, QJsonArray::fromStringList(device.capabilities)},
        {u"metrics"_s, metricsToJson(device.metrics)},
        {u"resources"_s, resources},
        {u"protocol"_s, device.protocol},
        {u"proof"_s, device.proof.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(device.proof)},
        {u"status"_s, deviceStatusName(device.status)},
        {u"approval"_s, approvalName(device.approval)},
        {u"first_seen"_s, timeToJson(device.firstSeenMs)},
        {u"last_seen"_s, timeToJson(device.lastSeenMs)},
        {u"metadata"_s, metadata},
        {u"last_error"_s, device.lastError.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(device.lastError)},
        {u"last_error_at"_s, timeToJson(device.lastErrorMs)},
        {u"online_since"_s, timeToJson(device.onlineSinceMs)},
        {u"uptime"_s, device.uptimeS < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(device.uptimeS)},
        {u"messages_per_minute"_s, device.messagesPerMinute},
    };
}

std::optional<DeviceInfo> deviceFromJson(const QJsonObject &json)
{
    DeviceInfo d;
    d.id = json.value(u"id"_s).toString();
    if (d.id.isEmpty())
        return std::nullopt;
    d.name = json.value(u"name"_s).toString();
    d.type = json.value(u"type"_s).toString();
    d.firmware = json.value(u"firmware"_s).toString();
    d.model = json.value(u"model"_s).toString();
    for (const QJsonValue v : json.value(u"capabilities"_s).toArray()) {
        if (v.isString())
            d.capabilities.append(v.toString());
    }
    d.metrics = metricsFromJson(json.value(u"metrics"_s).toArray());
    for (const QJsonValue v : json.value(u"resources"_s).toArray()) {
        const QJsonObject o = v.toObject();
        DeviceResource r{o.value(u"href"_s).toString(), o.value(u"rt"_s).toString(), o.value(u"if"_s).toString(),
                         o.value(u"ct"_s).toString(), o.value(u"obs"_s).toBool()};
        if (!r.href.isEmpty())
            d.resources.append(std::move(r));
    }
    d.protocol = json.value(u"protocol"_s).toString();
    d.proof = json.value(u"proof"_s).toString();
    const auto status = deviceStatusFromName(json.value(u"status"_s).toString());
    if (!status)
        return std::nullopt;
    d.status = *status;
    d.approval = json.value(u"approval"_s).toString() == u"pending" ? Approval::Pending : Approval::Approved;
    d.firstSeenMs = timeFromJson(json.value(u"first_seen"_s));
    d.lastSeenMs = timeFromJson(json.value(u"last_seen"_s));
    const QJsonObject metadata = json.value(u"metadata"_s).toObject();
    for (auto it = metadata.begin(); it != metadata.end(); ++it)
        d.metadata.insert(it.key(), it.value().toString());
    d.lastError = json.value(u"last_error"_s).toString();
    d.lastErrorMs = timeFromJson(json.value(u"last_error_at"_s));
    d.onlineSinceMs = timeFromJson(json.value(u"online_since"_s));
    d.uptimeS = json.value(u"uptime"_s).toInteger(-1);
    d.messagesPerMinute = json.value(u"messages_per_minute"_s).toInt();
    return d;
}

} // namespace edgegate
