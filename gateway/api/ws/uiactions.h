// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/api/operations/operations.h"
#include "gateway/core/common/apiaccess.h"
#include "gateway/core/devices/deviceregistry.h"
#include "gateway/core/devices/healthhistory.h"
#include "shared/wsprotocol.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>
#include <utility>

namespace edgegate {

class FirmwareStore;
class HealthHistory;
class OtaManager;
class TelemetryHistory;

/// Runs the `request` frames of the WebSocket API (wsapi::action) against the same core calls
/// the REST handlers make, and shapes every outcome into a reply. Viewers may only read.
class UiActions
{
public:
    /// `ota` and `firmware` may be null: their actions then answer `unavailable`.
    UiActions(Operations &operations, DeviceRegistry &registry, HealthHistory &history,
              const TelemetryHistory &telemetry, OtaManager *ota, FirmwareStore *firmware);

    /// The reply to `request` made by `identity`.
    [[nodiscard]] wsapi::Reply run(const wsapi::Request &request, const ApiIdentity &identity);

    /// Who acknowledged or cleared, as alerts show it: the token's name, or "dashboard" without tokens.
    [[nodiscard]] static QString actorName(const ApiIdentity &identity);

    static constexpr int DefaultHistoryLimit = 50;
    static constexpr int MaxHistoryLimit = DeviceHistoryPage::MaxLimit;
    static constexpr int DefaultTelemetryRangeS = 900;
    static constexpr int MinTelemetryRangeS = 60;
    static constexpr int MaxTelemetryRangeS = 3600;

private:
    using Outcome = OperationResult;
    /// The reply code of a failure: the one switch from operation failures to the wire.
    [[nodiscard]] static QStringView codeOf(OperationFailure failure);

    /// Who asks for what: what a handler needs besides the params.
    struct Call
    {
        const QString &action;
        const ApiIdentity &identity;
    };
    using Handler = Outcome (UiActions::*)(const QJsonObject &params, const Call &call);
    /// The handler of each action, in wsapi::action's order.
    static const QList<std::pair<QStringView, Handler>> &handlers();

    Outcome acknowledgeAlert(const QJsonObject &params, const Call &call);
    Outcome clearAlert(const QJsonObject &params, const Call &call);
    Outcome approveDevice(const QJsonObject &params, const Call &call);
    Outcome rejectDevice(const QJsonObject &params, const Call &call);
    Outcome setMaintenance(const QJsonObject &params, const Call &call);
    Outcome sendCommand(const QJsonObject &params, const Call &call);
    Outcome deviceHistory(const QJsonObject &params, const Call &call);
    Outcome telemetryHistory(const QJsonObject &params, const Call &call);
    Outcome createCampaign(const QJsonObject &params, const Call &call);
    Outcome changeCampaign(const QJsonObject &params, const Call &call);
    Outcome campaignJobs(const QJsonObject &params, const Call &call);
    Outcome listFirmware(const QJsonObject &params, const Call &call);
    Outcome deleteFirmware(const QJsonObject &params, const Call &call);

    /// The `device` param when it is a valid id of a known device; else the failure.
    Outcome knownDevice(const QJsonObject &params, QString *id) const;

    Operations &m_operations;
    DeviceRegistry &m_registry;
    HealthHistory &m_history;
    const TelemetryHistory &m_telemetry;
    OtaManager *m_ota;
    FirmwareStore *m_firmware;
};

} // namespace edgegate
