// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/devices/devicestore.h"
#include "gateway/storage/sqlitedatabase.h"

#include <QString>

namespace edgegate {

/// Devices in SQLite (`registry.db` in data_dir), WAL journal, one transaction per save.
class SqliteDeviceStore final : public DeviceStore
{
public:
    SqliteDeviceStore();
    SqliteDeviceStore(const SqliteDeviceStore &) = delete;
    SqliteDeviceStore &operator=(const SqliteDeviceStore &) = delete;

    /// Opens or creates the database file and its schema.
    [[nodiscard]] bool open(const QString &path);

    [[nodiscard]] std::optional<QList<DeviceInfo>> loadAll() override;
    [[nodiscard]] bool save(const QList<DeviceInfo> &upserts, const QStringList &removals) override;
    [[nodiscard]] std::optional<QHash<QString, DeviceCredentials>> loadCredentials() override;
    [[nodiscard]] bool saveCredentials(const QString &deviceId, const DeviceCredentials &credentials) override;
    [[nodiscard]] QString lastError() const override { return m_db.lastError(); }

private:
    SqliteDatabase m_db;
};

} // namespace edgegate
