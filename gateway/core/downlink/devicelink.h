// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/ingest/envelope.h"

#include <QByteArray>
#include <QString>

#include <functional>

namespace edgegate {

/// What goes down to a device.
enum class Downlink {
    Command, ///< commandWireJson()
    Ota, ///< an OTA notification (update or cancel)
};

/// A device transport as the core sees it: it pushes a downlink to a device that speaks on it and
/// says when a device may be reached again. Upward, every message it hands to Ingest names the
/// device it authenticated and how (InboundMessage::deviceId and ::proof), which the registry shows.
/// Each link in gateway/devicelinks/ is one; Downlinks holds them. (The links' own classes are
/// QObjects already, so this is a plain interface.)
class DeviceLink
{
public:
    virtual ~DeviceLink() = default;

    [[nodiscard]] virtual Protocol linkProtocol() const = 0;
    /// Hands `payload` to the device now; true when the link took it. A link without push (HTTP:
    /// devices ask) takes nothing.
    virtual bool push(const QString &deviceId, Downlink kind, const QByteArray &payload) = 0;

    /// Called with a device id when that device may be reached again (it observes, it connected), and
    /// with an empty id when every device of the link may (the broker came back). Set by Downlinks.
    void setReachableHandler(std::function<void(const QString &deviceId)> handler) { m_reachable = std::move(handler); }

protected:
    void reportReachable(const QString &deviceId) const
    {
        if (m_reachable)
            m_reachable(deviceId);
    }

private:
    std::function<void(const QString &)> m_reachable;
};

} // namespace edgegate
