// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/ota/otastore.h"
#include "gateway/storage/sqlitestore.h"

#include <QString>

namespace edgegate {

/// OTA campaigns and jobs in SQLite (`ota.db` in data_dir), each row holding the record's JSON
/// as the API shows it, WAL journal, one transaction per save.
class SqliteOtaStore final : public SqliteStore<OtaStore>
{
public:
    SqliteOtaStore();

    [[nodiscard]] std::optional<Contents> load() override;
    [[nodiscard]] bool save(const QList<OtaCampaign> &campaigns, const QList<OtaJob> &jobs) override;
};

} // namespace edgegate
