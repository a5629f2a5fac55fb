// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/devices/devicestore.h"
#include "gateway/storage/secretbox.h"
#include "gateway/storage/sqlitestore.h"

#include <QString>

#include <optional>

namespace edgegate {

/// Devices in SQLite (`registry.db` in data_dir), WAL journal, one transaction per save. PSKs are
/// sealed with the key in `registry.key` beside it (SecretBox); token hashes are stored as they are.
class SqliteDeviceStore final : public SqliteStore<DeviceStore>
{
public:
    SqliteDeviceStore();

    /// Opens the key file (created when missing) and the database; seals any PSK an older version
    /// stored in clear.
    [[nodiscard]] bool open(const QString &path);
    /// `registry.key` for `registry.db`.
    [[nodiscard]] static QString keyFileFor(const QString &databasePath);

    [[nodiscard]] std::optional<QList<DeviceInfo>> loadAll() override;
    [[nodiscard]] bool save(const QList<DeviceInfo> &upserts, const QStringList &removals) override;
    [[nodiscard]] std::optional<QHash<QString, DeviceCredentials>> loadCredentials() override;
    [[nodiscard]] bool saveCredentials(const QString &deviceId, const DeviceCredentials &credentials) override;

private:
    bool sealPlainKeys();

    QString m_path;
    std::optional<SecretBox> m_box;
};

} // namespace edgegate
