// SPDX-License-Identifier: Apache-2.0
#include "shared/deviceinfo.h"

#include <QDateTime>
#include <QJsonValue>

namespace edgegate {

using namespace Qt::StringLiterals;

QString deviceStatusName(DeviceStatus status)
{
    switch (status) {
    case DeviceStatus::Online:
        return u"online"_s;
    case DeviceStatus::Offline:
        return u"offline"_s;
    case DeviceStatus::Error:
        return u"error"_s;
    case DeviceStatus::Maintenance:
        return u"maintenance"_s;
    }
    return {};
}

std::optional<DeviceStatus> deviceStatusFromName(QStringView name)
{
    for (auto s : {DeviceStatus::Online, DeviceStatus::Offline, DeviceStatus::Error, DeviceStatus::Maintenance}) {
        if (name == deviceStatusName(s))
            return s;
    }
    return std::nullopt;
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

QJsonObject deviceToJson(const DeviceInfo &device)
{
    QJsonObject metadata;
    for (auto it = device.metadata.cbegin(); it != device.metadata.cend(); ++it)
        metadata.insert(it.key(), it.value());
    return QJsonObject{
        {u"id"_s, device.id},
        {u"name"_s, device.name},
        {u"type"_s, device.type},
        {u"firmware"_s, device.firmware},
        {u"protocol"_s, device.protocol},
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
    d.protocol = json.value(u"protocol"_s).toString();
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
