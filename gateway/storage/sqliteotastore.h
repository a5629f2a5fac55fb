// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/ota/otastore.h"
#include "gateway/storage/sqlitedatabase.h"

#include <QString>

namespace edgegate {

/// OTA campaigns and jobs in SQLite (`ota.db` in data_dir), each row holding the record's JSON
/// as the API shows it, WAL journal, one transaction per save.
class SqliteOtaStore final : public OtaStore
{
public:
    SqliteOtaStore();
    SqliteOtaStore(const SqliteOtaStore &) = delete;
    SqliteOtaStore &operator=(const SqliteOtaStore &) = delete;

    /// Opens or creates the database file and its schema.
    [[nodiscard]] bool open(const QString &path);

    [[nodiscard]] std::optional<Contents> load() override;
    [[nodiscard]] bool save(const QList<OtaCampaign> &campaigns, const QList<OtaJob> &jobs) override;
    [[nodiscard]] QString lastError() const override { return m_db.lastError(); }

private:
    SqliteDatabase m_db;
};

} // namespace edgegate
