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
    : QAbstractListModel(parent)
{
}

int DeviceModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant DeviceModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    return roleData(m_rows.at(index.row()), role);
}

QVariant DeviceModel::roleData(const DeviceInfo &device, int role) const
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
    return int(std::count_if(m_rows.cbegin(), m_rows.cend(),
                             [](const DeviceInfo &d) { return d.status == DeviceStatus::Online; }));
}

int DeviceModel::offlineCount() const
{
    return int(std::count_if(m_rows.cbegin(), m_rows.cend(),
                             [](const DeviceInfo &d) { return d.status == DeviceStatus::Offline; }));
}

int DeviceModel::pendingCount() const
{
    return int(std::count_if(m_rows.cbegin(), m_rows.cend(),
                             [](const DeviceInfo &d) { return d.approval == Approval::Pending; }));
}

QVariantMap DeviceModel::get(const QString &deviceId) const
{
    const DeviceInfo *device = find(deviceId);
    if (!device)
        return {};
    QVariantMap map;
    const QHash<int, QByteArray> names = roleNames();
    for (auto it = names.cbegin(); it != names.cend(); ++it)
        map.insert(QString::fromLatin1(it.value()), roleData(*device, it.key()));
    return map;
}

const DeviceInfo *DeviceModel::find(const QString &deviceId) const
{
    const int row = indexOf(deviceId);
    return row < 0 ? nullptr : &m_rows.at(row);
}

int DeviceModel::indexOf(const QString &deviceId) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).id == deviceId)
            return i;
    }
    return -1;
}

void DeviceModel::setDevices(const QList<DeviceInfo> &devices)
{
    beginResetModel();
    m_rows = devices;
    endResetModel();
    updateDerived();
}

void DeviceModel::upsert(const DeviceInfo &device)
{
    const int row = indexOf(device.id);
    if (row >= 0) {
        m_rows[row] = device;
        const QModelIndex at = index(row);
        emit dataChanged(at, at);
    } else {
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size()));
        m_rows.append(device);
        endInsertRows();
    }
    updateDerived();
}

void DeviceModel::remove(const QString &deviceId)
{
    const int row = indexOf(deviceId);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
    updateDerived();
}

void DeviceModel::clear()
{
    setDevices({});
}

void DeviceModel::updateDerived()
{
    emit countsChanged();
    QStringList types;
    for (const DeviceInfo &device : std::as_const(m_rows)) {
        if (!device.type.isEmpty() && !types.contains(device.type))
            types.append(device.type);
    }
    types.sort(Qt::CaseInsensitive);
    if (types != m_types) {
        m_types = types;
        emit typesChanged();
    }
}
