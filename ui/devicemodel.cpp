// SPDX-License-Identifier: Apache-2.0
#include "ui/devicemodel.h"

#include <algorithm>

using namespace edgegate;

namespace {

QVariant metadataMap(const DeviceInfo &device)
{
    QVariantMap map;
    for (auto it = device.metadata.cbegin(); it != device.metadata.cend(); ++it)
        map.insert(it.key(), it.value());
    return map;
}

QVariant metricNames(const DeviceInfo &device)
{
    QStringList names;
    names.reserve(device.metrics.size());
    for (const MetricInfo &metric : device.metrics)
        names.append(metric.name);
    return names;
}

const ListRole<DeviceInfo> DeviceRoles[] = {
    {DeviceModel::DeviceIdRole, "deviceId", roleField<&DeviceInfo::id>},
    {DeviceModel::NameRole, "name", roleField<&DeviceInfo::name>},
    {DeviceModel::DisplayNameRole, "displayName",
     [](const DeviceInfo &d) -> QVariant { return d.name.isEmpty() ? d.id : d.name; }},
    {DeviceModel::TypeRole, "type", roleField<&DeviceInfo::type>},
    {DeviceModel::StatusRole, "status", [](const DeviceInfo &d) -> QVariant { return deviceStatusName(d.status); }},
    {DeviceModel::ApprovalRole, "approval", [](const DeviceInfo &d) -> QVariant { return approvalName(d.approval); }},
    {DeviceModel::ProtocolRole, "protocol", roleField<&DeviceInfo::protocol>},
    {DeviceModel::FirmwareRole, "firmware", roleField<&DeviceInfo::firmware>},
    {DeviceModel::ModelRole, "model", roleField<&DeviceInfo::model>},
    {DeviceModel::LastSeenRole, "lastSeen", roleTime<&DeviceInfo::lastSeenMs>},
    {DeviceModel::LastErrorRole, "lastError", roleField<&DeviceInfo::lastError>},
    {DeviceModel::MetadataRole, "metadata", metadataMap},
    {DeviceModel::CapabilitiesRole, "capabilities", roleField<&DeviceInfo::capabilities>},
    {DeviceModel::MetricsRole, "metrics", metricNames},
    {DeviceModel::MessagesPerMinuteRole, "messagesPerMinute", roleField<&DeviceInfo::messagesPerMinute>},
    {DeviceModel::UptimeRole, "uptime",
     [](const DeviceInfo &d) -> QVariant {
         return int(std::clamp<qint64>(d.uptimeS, -1, std::numeric_limits<int>::max()));
     }},
    {DeviceModel::OnlineSinceRole, "onlineSince", roleTime<&DeviceInfo::onlineSinceMs>},
    {DeviceModel::ProofRole, "proof", roleField<&DeviceInfo::proof>},
};

} // namespace

DeviceModel::DeviceModel(QObject *parent)
    : KeyedListModel([](const DeviceInfo &d) { return d.id; }, nullptr, DeviceRoles, DisplayNameRole, parent)
{
}

int DeviceModel::onlineCount() const
{
    return countIf([](const DeviceInfo &d) { return d.status == DeviceStatus::Online; });
}

int DeviceModel::offlineCount() const
{
    return countIf([](const DeviceInfo &d) { return d.status == DeviceStatus::Offline; });
}

int DeviceModel::pendingCount() const
{
    return countIf([](const DeviceInfo &d) { return d.approval == Approval::Pending; });
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
