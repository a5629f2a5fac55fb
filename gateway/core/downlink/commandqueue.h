// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/downlink/downlinks.h"
#include "gateway/core/ingest/envelope.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <chrono>
#include <deque>
#include <functional>
#include <optional>

namespace edgegate {

class Counter;
class DeviceRegistry;
class Metrics;

enum class CommandState { Queued, Delivered, Acknowledged, Expired };

[[nodiscard]] QString commandStateName(CommandState state);

/// An instruction for one device, from the REST API or an MQTT client.
struct Command
{
    QString id;
    QString deviceId;
    QString name;
    QJsonObject params;
    CommandState state = CommandState::Queued;
    qint64 createdMs = 0;
    qint64 expiresMs = 0;
    qint64 deliveredMs = 0;
    qint64 acknowledgedMs = 0;
    QString via; ///< the protocol it was delivered over
    QJsonValue result; ///< what the device's ack carried, if anything
};

[[nodiscard]] QJsonObject commandToJson(const Command &command);
/// What the device receives: id, name, params and the expiry time.
[[nodiscard]] QByteArray commandWireJson(const Command &command);

/// A command as a client asks for it: `{"name": ..., "params": {...}, "ttl": seconds, "id": ...}`.
struct CommandRequest
{
    QString id;
    QString name;
    QJsonObject params;
    std::chrono::milliseconds ttl{0};
    QString error; ///< why the request is refused; empty when it is valid
};

[[nodiscard]] CommandRequest parseCommandRequest(const QJsonObject &json);

/// Commands on their way to devices. A command waits (queued) until the device's link takes it
/// (delivered), the device acknowledges it, or its TTL runs out (expired). Delivery goes through
/// the transport registered for the protocol the device last spoke; a device that is offline or
/// speaks a protocol without push gets its commands when it comes back or asks. One timer, armed
/// for the earliest expiry, expires commands. Kept in memory, the newest per device.
class CommandQueue : public QObject
{
    Q_OBJECT
public:
    static constexpr int MaxKeptPerDevice = 100;
    static constexpr std::chrono::seconds DefaultTtl{60};
    static constexpr std::chrono::hours MaxTtl{24};

    CommandQueue(DeviceRegistry &registry, Downlinks &downlinks, Metrics &metrics, QObject *parent = nullptr);

    /// Queues a command and tries to deliver it at once. `id` empty: one is made up.
    /// `deliveredVia`: the device already has it (an MQTT client published it on the device's topic).
    const Command &submit(const QString &deviceId, const QString &name, const QJsonObject &params,
                          std::chrono::milliseconds ttl, const QString &id = {},
                          std::optional<Protocol> deliveredVia = std::nullopt);

    /// A device's ack: `{"id": "...", "result": ...}`. False when no such command of that device waits for one.
    bool acknowledge(const QString &deviceId, const QByteArray &payload, Protocol protocol);
    /// An ack as a link received it: one that matches no waiting command is logged.
    void ackReceived(const QString &deviceId, const QByteArray &payload, Protocol protocol);
    /// A command another MQTT client published on a device's command topic. An MQTT device has it
    /// from the broker already; a device on another link gets it through that link. The same
    /// command id again (a client retrying) is known already and ignored.
    void commandPublished(const QString &deviceId, const QByteArray &payload);

    /// Marks queued commands of the device delivered and returns them: for devices that poll.
    QList<Command> takeQueued(const QString &deviceId, Protocol protocol);

    /// Tries again to deliver the device's queued commands (it came online, or a link can now reach it).
    void retry(const QString &deviceId);
    /// Same for every device (a link that serves many devices came back).
    void retryAll();

    [[nodiscard]] bool contains(const QString &deviceId, const QString &id) const;

    /// Newest first.
    [[nodiscard]] QList<Command> list(const QString &deviceId) const;

signals:
    void commandChanged(const edgegate::Command &command);

private:
    bool deliver(Command &command);
    void setState(Command &command, CommandState state);
    void armExpiry();
    void expire();
    Command *findCommand(const QString &deviceId, const QString &id);

    DeviceRegistry &m_registry;
    Downlinks &m_downlinks;
    Metrics &m_metrics;
    QHash<QString, std::deque<Command>> m_commands; // per device, oldest first
    QTimer m_expiryTimer;
};

} // namespace edgegate
