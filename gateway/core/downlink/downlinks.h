// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/downlink/devicelink.h"

#include <QHash>
#include <QObject>

#include <initializer_list>
#include <optional>

namespace edgegate {

class DeviceRegistry;

/// The device links, and for each device the one it last spoke on: commands and OTA notifications go
/// through push(), and what waits for a device learns here when it may be reached again.
class Downlinks : public QObject
{
    Q_OBJECT
public:
    explicit Downlinks(const DeviceRegistry &registry, QObject *parent = nullptr);

    /// The links outlive this.
    void add(std::initializer_list<DeviceLink *> links);

    /// Pushes to `deviceId` over the link it last spoke on: the protocol it went over, or nullopt when
    /// the device is unknown, offline or in maintenance, or its link has no push or did not take it.
    std::optional<Protocol> push(const QString &deviceId, Downlink kind, const QByteArray &payload);

signals:
    /// The device may be reached again: what waits for it may go now.
    void reachable(const QString &deviceId);
    /// Every device of a link may be reached again.
    void allReachable();

private:
    const DeviceRegistry &m_registry;
    QHash<QString, DeviceLink *> m_links; ///< by protocol name, as the registry keeps it
};

} // namespace edgegate
