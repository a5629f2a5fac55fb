// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/operations/operations.h"

#include "gateway/core/alerts/alertstore.h"
#include "gateway/core/devices/deviceregistry.h"
#include "gateway/core/downlink/commandqueue.h"
#include "gateway/core/ingest/ingest.h"
#include "shared/alert.h"
#include "shared/deviceinfo.h"

#include <QDateTime>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

using Failure = OperationFailure;

/// The failure of a registry change; nullopt when it was done.
std::optional<OperationResult> refusal(DeviceRegistry::ChangeResult result, const QString &id, const QString &conflict)
{
    switch (result) {
    case DeviceRegistry::ChangeResult::Done:
        return std::nullopt;
    case DeviceRegistry::ChangeResult::NotFound:
        return OperationResult::fail(Failure::NotFound, u"no device '%1'"_s.arg(id));
    case DeviceRegistry::ChangeResult::Conflict:
        return OperationResult::fail(Failure::Conflict, conflict);
    case DeviceRegistry::ChangeResult::StorageFailed:
        break;
    }
    return OperationResult::fail(Failure::StorageFailed, u"the registry cannot be written"_s);
}

} // namespace

Operations::Operations(DeviceRegistry &registry, AlertStore &alerts, CommandQueue &commands, Ingest &ingest)
    : m_registry(registry)
    , m_alerts(alerts)
    , m_commands(commands)
    , m_ingest(ingest)
{
}

OperationResult Operations::acknowledgeAlert(quint64 id, const QString &by, const QString &note)
{
    switch (m_alerts.acknowledge(id, by, note, QDateTime::currentMSecsSinceEpoch())) {
    case AlertStore::ChangeResult::NotFound:
        return OperationResult::fail(Failure::NotFound, u"no alert %1"_s.arg(id));
    case AlertStore::ChangeResult::Conflict:
        return OperationResult::fail(
            Failure::Conflict,
            u"alert %1 is %2, only an active alert can be acknowledged"_s.arg(id).arg(m_alerts.find(id)->state));
    case AlertStore::ChangeResult::Done:
        break;
    }
    return OperationResult::ok(alertToJson(*m_alerts.find(id)));
}

OperationResult Operations::clearAlert(quint64 id, const QString &by)
{
    switch (m_alerts.clear(id, by, QDateTime::currentMSecsSinceEpoch())) {
    case AlertStore::ChangeResult::NotFound:
        return OperationResult::fail(Failure::NotFound, u"no alert %1"_s.arg(id));
    case AlertStore::ChangeResult::Conflict:
        return OperationResult::fail(Failure::Conflict, u"alert %1 is already cleared"_s.arg(id));
    case AlertStore::ChangeResult::Done:
        break;
    }
    return OperationResult::ok(alertToJson(*m_alerts.find(id)));
}

OperationResult Operations::approveDevice(const QString &id)
{
    if (auto refused = refusal(m_registry.approve(id), id, u"device '%1' is already approved"_s.arg(id)))
        return *refused;
    return OperationResult::ok(deviceToJson(*m_registry.snapshot(id, QDateTime::currentMSecsSinceEpoch())));
}

OperationResult Operations::rejectDevice(const QString &id)
{
    const qsizetype heldBefore = m_ingest.heldCount();
    if (auto refused
        = refusal(m_registry.reject(id), id, u"device '%1' is approved: remove it instead of rejecting it"_s.arg(id)))
        return *refused;
    return OperationResult::ok(QJsonObject{
        {u"id"_s, id}, {u"rejected"_s, true}, {u"dropped_messages"_s, double(heldBefore - m_ingest.heldCount())}});
}

OperationResult Operations::patchDevice(const QString &id, const DevicePatch &patch)
{
    if (auto refused = refusal(m_registry.patch(id, patch), id, u"device '%1' cannot change"_s.arg(id)))
        return *refused;
    return OperationResult::ok(deviceToJson(*m_registry.snapshot(id, QDateTime::currentMSecsSinceEpoch())));
}

OperationResult Operations::submitCommand(const QString &deviceId, const QJsonObject &body)
{
    if (!m_registry.find(deviceId))
        return OperationResult::fail(Failure::NotFound, u"no device '%1'"_s.arg(deviceId));
    const CommandRequest command = parseCommandRequest(body);
    if (!command.error.isEmpty())
        return OperationResult::fail(Failure::BadRequest, command.error);
    if (m_commands.contains(deviceId, command.id))
        return OperationResult::fail(Failure::Conflict, u"command '%1' exists"_s.arg(command.id));
    return OperationResult::ok(
        commandToJson(m_commands.submit(deviceId, command.name, command.params, command.ttl, command.id)));
}

} // namespace edgegate
