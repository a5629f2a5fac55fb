// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/deviceinfo.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace edgegate {

/// Where the registry keeps devices across restarts. Core code sees only this interface;
/// storage/ implements it (SQLite).
class DeviceStore
{
public:
    virtual ~DeviceStore() = default;

    [[nodiscard]] virtual std::optional<QList<DeviceInfo>> loadAll() = 0;
    /// Upserts and removals in one transaction: all of it lands or none.
    [[nodiscard]] virtual bool save(const QList<DeviceInfo> &upserts, const QStringList &removals) = 0;
    [[nodiscard]] virtual QString lastError() const = 0;
};

} // namespace edgegate
