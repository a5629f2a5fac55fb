// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/otainfo.h"

#include <QJsonObject>
#include <QString>

#include <chrono>
#include <variant>

namespace edgegate {

/// A campaign as an operator asked for it (`POST /api/v1/ota/campaigns`, `ota.create`), checked field
/// by field: the name, firmware and version, the target, batches, concurrency, failure threshold, job
/// timeout and whether it starts at once. Image data, devices, id and times come later.
struct CampaignRequest
{
    static constexpr int MaxNameLength = 128;
    static constexpr int MaxTargetDevices = 10000;
    static constexpr std::chrono::milliseconds MaxJobTimeout{std::chrono::hours(24 * 7)};

    OtaCampaign campaign;
    bool start = true;
};

/// The request, or why it is refused (a message for the operator). `maxConcurrent` and `jobTimeout`
/// are used when the request gives none.
[[nodiscard]] std::variant<CampaignRequest, QString> parseCampaignRequest(const QJsonObject &request, int maxConcurrent,
                                                                          std::chrono::milliseconds jobTimeout);

} // namespace edgegate
