// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/devices/devicestore.h"
#include "gateway/storage/sqlitestore.h"

#include <QString>

namespace edgegate {

/// Devices in SQLite (`registry.db` in data_dir), WAL journal, one transaction per save.
class SqliteDeviceStore final : public SqliteStore<DeviceStore>
{
public:
    SqliteDeviceStore();

    [[nodiscard]] std::optional<QList<DeviceInfo>> loadAll() override;
    [[nodiscard]] bool save(const QList<DeviceInfo> &upserts, const QStringList &removals) override;
    [[nodiscard]] std::optional<QHash<QString, DeviceCredentials>> loadCredentials() override;
    [[nodiscard]] bool saveCredentials(const QString &deviceId, const DeviceCredentials &credentials) override;
};

} // namespace edgegate
