// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace edgegate {

class AlertStore;
class CommandQueue;
class DeviceRegistry;
struct DevicePatch;
class Ingest;

/// Why an operator action did not happen. The REST API and the WebSocket API each turn it into
/// their wire code in one switch (restAnswer(), UiActions).
enum class OperationFailure {
    BadRequest, ///< the request's values are not acceptable
    NotFound, ///< no such device, alert, command ...
    Conflict, ///< the thing is not in a state that allows the action
    StorageFailed, ///< the change could not be written: nothing changed
    Unavailable, ///< the feature is not set up on this gateway (OTA, the firmware store)
    Internal, ///< a fault of the gateway
};

/// What an operator action gave: its result, or why it failed and a message for the operator.
struct OperationResult
{
    QJsonValue result;
    std::optional<OperationFailure> failure;
    QString message;

    static OperationResult ok(QJsonValue value) { return {std::move(value), std::nullopt, {}}; }
    static OperationResult fail(OperationFailure failure, QString message) { return {{}, failure, std::move(message)}; }
};

/// Each operator action, written once. REST resources and the dashboard's WebSocket API parse their
/// own requests (paths, bodies, params; who acts), call these, and map the result to their wire.
class Operations
{
public:
    Operations(DeviceRegistry &registry, AlertStore &alerts, CommandQueue &commands, Ingest &ingest);

    /// An active alert taken in hand by `by` (checked with alertActorFrom), with a note.
    OperationResult acknowledgeAlert(quint64 id, const QString &by, const QString &note);
    /// An open alert cleared by hand.
    OperationResult clearAlert(quint64 id, const QString &by);
    /// A pending device approved; the result is the device.
    OperationResult approveDevice(const QString &id);
    /// A pending device turned away with what was held for it; the result tells how many messages went.
    OperationResult rejectDevice(const QString &id);
    /// A device's name, metadata or maintenance changed; the result is the device.
    OperationResult patchDevice(const QString &id, const DevicePatch &patch);
    /// A command for a known device (`body` as the REST API takes it); the result is the command.
    OperationResult submitCommand(const QString &deviceId, const QJsonObject &body);

private:
    DeviceRegistry &m_registry;
    AlertStore &m_alerts;
    CommandQueue &m_commands;
    Ingest &m_ingest;
};

} // namespace edgegate
