// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/downlink/downlinks.h"

#include "gateway/core/devices/deviceregistry.h"

namespace edgegate {

Downlinks::Downlinks(const DeviceRegistry &registry, QObject *parent)
    : QObject(parent)
    , m_registry(registry)
{
}

void Downlinks::add(std::initializer_list<DeviceLink *> links)
{
    for (DeviceLink *link : links) {
        m_links.insert(protocolName(link->linkProtocol()), link);
        link->setReachableHandler([this](const QString &deviceId) {
            if (deviceId.isEmpty())
                emit allReachable();
            else
                emit reachable(deviceId);
        });
    }
}

std::optional<Protocol> Downlinks::push(const QString &deviceId, Downlink kind, const QByteArray &payload)
{
    const DeviceInfo *device = m_registry.find(deviceId);
    if (!device || device->status == DeviceStatus::Offline || device->status == DeviceStatus::Maintenance)
        return std::nullopt;
    DeviceLink *link = m_links.value(device->protocol);
    if (!link || !link->push(deviceId, kind, payload))
        return std::nullopt;
    return link->linkProtocol();
}

} // namespace edgegate
