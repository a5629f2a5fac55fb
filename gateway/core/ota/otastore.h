// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/otainfo.h"

#include <QList>
#include <QString>

#include <optional>

namespace edgegate {

/// Where the OtaManager keeps campaigns and jobs across restarts. storage/ implements it in SQLite.
class OtaStore
{
public:
    struct Contents
    {
        QList<OtaCampaign> campaigns;
        QList<OtaJob> jobs;
    };

    virtual ~OtaStore() = default;
    [[nodiscard]] virtual std::optional<Contents> load() = 0;
    /// Inserts or replaces what is given, all in one transaction.
    [[nodiscard]] virtual bool save(const QList<OtaCampaign> &campaigns, const QList<OtaJob> &jobs) = 0;
    [[nodiscard]] virtual QString lastError() const = 0;
};

} // namespace edgegate
