// SPDX-License-Identifier: Apache-2.0
#include "ui/devicemodel.h"

#include <QDateTime>

#include <algorithm>

using namespace edgegate;

namespace {

QVariant timeOrNull(qint64 ms)
{
    return ms > 0 ? QVariant(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC)) : QVariant();
}

} // namespace

DeviceModel::DeviceModel(QObject *parent)
    : KeyedListModel([](const DeviceInfo &d) { return d.id; }, nullptr, parent)
{
}

QVariant DeviceModel::rowData(const DeviceInfo &device, int role) const
{
    switch (role) {
    case DeviceIdRole:
        return device.id;
    case NameRole:
        return device.name;
    case Qt::DisplayRole:
    case DisplayNameRole:
        return device.name.isEmpty() ? device.id : device.name;
    case TypeRole:
        return device.type;
    case StatusRole:
        return deviceStatusName(device.status);
    case ApprovalRole:
        return approvalName(device.approval);
    case ProtocolRole:
        return device.protocol;
    case FirmwareRole:
        return device.firmware;
    case ModelRole:
        return device.model;
    case LastSeenRole:
        return timeOrNull(device.lastSeenMs);
    case LastErrorRole:
        return device.lastError;
    case MetadataRole: {
        QVariantMap map;
        for (auto it = device.metadata.cbegin(); it != device.metadata.cend(); ++it)
            map.insert(it.key(), it.value());
        return map;
    }
    case CapabilitiesRole:
        return device.capabilities;
    case MetricsRole: {
        QStringList names;
        names.reserve(device.metrics.size());
        for (const MetricInfo &metric : device.metrics)
            names.append(metric.name);
        return names;
    }
    case MessagesPerMinuteRole:
        return device.messagesPerMinute;
    case UptimeRole:
        return int(std::clamp<qint64>(device.uptimeS, -1, std::numeric_limits<int>::max()));
    case OnlineSinceRole:
        return timeOrNull(device.onlineSinceMs);
    default:
        return {};
    }
}

QHash<int, QByteArray> DeviceModel::roleNames() const
{
    return {
        {DeviceIdRole, "deviceId"},
        {NameRole, "name"},
        {DisplayNameRole, "displayName"},
        {TypeRole, "type"},
        {StatusRole, "status"},
        {ApprovalRole, "approval"},
        {ProtocolRole, "protocol"},
        {FirmwareRole, "firmware"},
        {ModelRole, "model"},
        {LastSeenRole, "lastSeen"},
        {LastErrorRole, "lastError"},
        {MetadataRole, "metadata"},
        {CapabilitiesRole, "capabilities"},
        {MetricsRole, "metrics"},
        {MessagesPerMinuteRole, "messagesPerMinute"},
        {UptimeRole, "uptime"},
        {OnlineSinceRole, "onlineSince"},
    };
}

int DeviceModel::onlineCount() const
{
    return int(std::count_if(rows().cbegin(), rows().cend(),
                             [](const DeviceInfo &d) { return d.status == DeviceStatus::Online; }));
}

int DeviceModel::offlineCount() const
{
    return int(std::count_if(rows().cbegin(), rows().cend(),
                             [](const DeviceInfo &d) { return d.status == DeviceStatus::Offline; }));
}

int DeviceModel::pendingCount() const
{
    return int(std::count_if(rows().cbegin(), rows().cend(),
                             [](const DeviceInfo &d) { return d.approval == Approval::Pending; }));
}

QVariantMap DeviceModel::get(const QString &deviceId) const
{
    return mapOf(deviceId);
}

void DeviceModel::changed(bool)
{
    emit countChanged();
    QStringList types;
    for (const DeviceInfo &device : rows()) {
        if (!device.type.isEmpty() && !types.contains(device.type))
            types.append(device.type);
    }
    types.sort(Qt::CaseInsensitive);
    if (types != m_types) {
        m_types = types;
        emit typesChanged();
    }
}
