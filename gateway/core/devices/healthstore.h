// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/alert.h"
#include "shared/deviceinfo.h"

#include <QList>
#include <QString>

#include <optional>

namespace edgegate {

/// One change of a device's status, with why it happened.
struct StatusTransition
{
    QString deviceId;
    std::optional<DeviceStatus> from; ///< none when the device was just registered
    DeviceStatus to = DeviceStatus::Offline;
    QString reason;
    qint64 timeMs = 0;

    friend bool operator==(const StatusTransition &, const StatusTransition &) = default;
};

/// Where status history and alerts are kept across restarts (`health.db`). Core code sees only
/// this interface; storage/ implements it (SQLite).
class HealthStore
{
public:
    virtual ~HealthStore() = default;

    /// All of them in one transaction.
    [[nodiscard]] virtual bool appendTransitions(const QList<StatusTransition> &transitions) = 0;
    /// Newest first, times in [sinceMs, untilMs]; `total` gets the count of all matches.
    [[nodiscard]] virtual std::optional<QList<StatusTransition>>
    transitions(const QString &deviceId, qint64 sinceMs, qint64 untilMs, int limit, qsizetype *total) = 0;
    /// Deletes transitions older than `beforeMs`; how many went, or nothing on failure.
    [[nodiscard]] virtual std::optional<qint64> pruneTransitions(qint64 beforeMs) = 0;

    [[nodiscard]] virtual std::optional<QList<Alert>> loadAlerts() = 0;
    /// Upserts and removals in one transaction.
    [[nodiscard]] virtual bool saveAlerts(const QList<Alert> &upserts, const QList<quint64> &removals) = 0;

    [[nodiscard]] virtual QString lastError() const = 0;
};

} // namespace edgegate
