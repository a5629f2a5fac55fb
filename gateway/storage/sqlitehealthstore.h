// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/devices/healthstore.h"
#include "gateway/storage/sqlitestore.h"

#include <QHash>
#include <QString>

namespace edgegate {

/// Status history and alerts in SQLite (`health.db` in data_dir), apart from the registry's
/// database so a long history never slows device writes. WAL journal, one transaction per save.
class SqliteHealthStore final : public SqliteStore<HealthStore>
{
public:
    SqliteHealthStore();

    [[nodiscard]] bool appendTransitions(const QList<StatusTransition> &transitions) override;
    [[nodiscard]] std::optional<QList<StatusTransition>>
    transitions(const QString &deviceId, qint64 sinceMs, qint64 untilMs, int limit, qsizetype *total) override;
    [[nodiscard]] std::optional<qint64> pruneTransitions(qint64 beforeMs) override;
    [[nodiscard]] std::optional<QList<Alert>> loadAlerts() override;
    [[nodiscard]] bool saveAlerts(const QList<Alert> &upserts, const QList<quint64> &removals) override;

    /// When each device last came online (its latest transition to online or error).
    [[nodiscard]] std::optional<QHash<QString, qint64>> lastOnline();
};

} // namespace edgegate
