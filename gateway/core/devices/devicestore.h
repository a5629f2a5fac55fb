// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/deviceinfo.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace edgegate {

/// A device's DTLS pre-shared key and the device it authenticates.
struct DevicePsk
{
    QString deviceId;
    QByteArray key;
};

/// What a device proves itself with. Kept apart from DeviceInfo: the API never shows it.
struct DeviceCredentials
{
    QByteArray pskIdentity; ///< DTLS pre-shared key identity
    QByteArray pskKey;
    QByteArray tokenSha256; ///< SHA-256 of the bearer token for HTTP and WebSocket devices

    [[nodiscard]] bool isEmpty() const { return pskIdentity.isEmpty() && pskKey.isEmpty() && tokenSha256.isEmpty(); }
    friend bool operator==(const DeviceCredentials &, const DeviceCredentials &) = default;
};

/// Where the registry keeps devices across restarts. Core code sees only this interface;
/// storage/ implements it (SQLite).
class DeviceStore
{
public:
    virtual ~DeviceStore() = default;

    [[nodiscard]] virtual std::optional<QList<DeviceInfo>> loadAll() = 0;
    /// Upserts and removals in one transaction: all of it lands or none.
    /// Removing a device removes its credentials too.
    [[nodiscard]] virtual bool save(const QList<DeviceInfo> &upserts, const QStringList &removals) = 0;
    [[nodiscard]] virtual std::optional<QHash<QString, DeviceCredentials>> loadCredentials() = 0;
    /// Written at once, not batched: credentials change rarely and must not be lost.
    [[nodiscard]] virtual bool saveCredentials(const QString &deviceId, const DeviceCredentials &credentials) = 0;
    [[nodiscard]] virtual QString lastError() const = 0;
};

} // namespace edgegate
