// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/downlink/commandqueue.h"

#include "gateway/core/common/metrics.h"
#include "gateway/core/common/ratelimitedlog.h"
#include "gateway/core/devices/deviceregistry.h"
#include "shared/deviceinfo.h"
#include "shared/enumnames.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QUuid>

#include <algorithm>
#include <limits>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcCommands, "edgegate.commands")

namespace {

constexpr auto CommandStateNames = enumNames<CommandState>(u"queued", u"delivered", u"acknowledged", u"expired");

} // namespace

QString commandStateName(CommandState state)
{
    return CommandStateNames.nameOf(state);
}

QJsonObject commandToJson(const Command &c)
{
    return QJsonObject{
        {u"id"_s, c.id},
        {u"device"_s, c.deviceId},
        {u"name"_s, c.name},
        {u"params"_s, c.params},
        {u"state"_s, commandStateName(c.state)},
        {u"created"_s, timeToJson(c.createdMs)},
        {u"expires"_s, timeToJson(c.expiresMs)},
        {u"delivered"_s, timeToJson(c.deliveredMs)},
        {u"acknowledged"_s, timeToJson(c.acknowledgedMs)},
        {u"via"_s, textOrNull(c.via)},
        {u"result"_s, c.result},
    };
}

QByteArray commandWireJson(const Command &c)
{
    return QJsonDocument(QJsonObject{{u"id"_s, c.id},
                                     {u"name"_s, c.name},
                                     {u"params"_s, c.params},
                                     {u"expires"_s, timeToJson(c.expiresMs)}})
        .toJson(QJsonDocument::Compact);
}

CommandRequest parseCommandRequest(const QJsonObject &json)
{
    CommandRequest r;
    r.ttl = CommandQueue::DefaultTtl;
    for (auto it = json.begin(); it != json.end(); ++it) {
        const QString key = it.key();
        const QJsonValue v = it.value();
        if (key == u"name") {
            r.name = v.toString();
        } else if (key == u"params") {
            if (!v.isObject()) {
                r.error = u"params must be an object"_s;
                return r;
            }
            r.params = v.toObject();
        } else if (key == u"ttl") {
            const double seconds = v.toDouble(-1);
            if (!v.isDouble() || seconds <= 0 || seconds > double(std::chrono::seconds(CommandQueue::MaxTtl).count())) {
                r.error = u"ttl must be a number of seconds, more than 0 and at most %1"_s.arg(
                    std::chrono::seconds(CommandQueue::MaxTtl).count());
                return r;
            }
            r.ttl = std::chrono::milliseconds(qint64(seconds * 1000));
        } else if (key == u"id") {
            r.id = v.toString();
            if (r.id.isEmpty() || r.id.size() > 64) {
                r.error = u"id must be a string of 1 to 64 characters"_s;
                return r;
            }
        } else {
            r.error = u"unknown field '%1' (name, params, ttl, id)"_s.arg(key);
            return r;
        }
    }
    if (r.name.isEmpty() || r.name.size() > 128)
        r.error = u"name must be a string of 1 to 128 characters"_s;
    return r;
}

CommandQueue::CommandQueue(DeviceRegistry &registry, Downlinks &downlinks, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_registry(registry)
    , m_downlinks(downlinks)
    , m_metrics(metrics)
{
    for (auto s : {CommandState::Queued, CommandState::Delivered, CommandState::Acknowledged, CommandState::Expired}) {
        metrics.counter(u"edgegate_commands_total"_s, u"Commands that reached each state."_s,
                        {{u"state"_s, commandStateName(s)}});
    }
    m_expiryTimer.setSingleShot(true);
    connect(&m_expiryTimer, &QTimer::timeout, this, &CommandQueue::expire);
    connect(&registry, &DeviceRegistry::deviceChanged, this, [this](const DeviceInfo &device) {
        if (device.status == DeviceStatus::Online)
            retry(device.id);
    });
    connect(&registry, &DeviceRegistry::deviceRemoved, this, [this](const QString &id) { m_commands.remove(id); });
    connect(&downlinks, &Downlinks::reachable, this, &CommandQueue::retry);
    connect(&downlinks, &Downlinks::allReachable, this, &CommandQueue::retryAll);
}

void CommandQueue::setState(Command &command, CommandState state)
{
    command.state = state;
    m_metrics.counter(u"edgegate_commands_total"_s, {}, {{u"state"_s, commandStateName(state)}}).inc();
    emit commandChanged(command);
}

const Command &CommandQueue::submit(const QString &deviceId, const QString &name, const QJsonObject &params,
                                    std::chrono::milliseconds ttl, const QString &id,
                                    std::optional<Protocol> deliveredVia)
{
    auto &queue = m_commands[deviceId];
    if (static_cast<int>(queue.size()) >= MaxKeptPerDevice) {
        // Room is made from finished commands first; a pending one pushed out counts as expired.
        const auto finished = std::find_if(queue.begin(), queue.end(), [](const Command &c) {
            return c.state == CommandState::Acknowledged || c.state == CommandState::Expired;
        });
        if (finished != queue.end()) {
            queue.erase(finished);
        } else {
            setState(queue.front(), CommandState::Expired);
            queue.pop_front();
        }
    }
    Command c;
    c.id = id.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : id;
    c.deviceId = deviceId;
    c.name = name;
    c.params = params;
    c.createdMs = QDateTime::currentMSecsSinceEpoch();
    c.expiresMs = c.createdMs + ttl.count();
    queue.push_back(std::move(c));
    Command &command = queue.back();
    setState(command, CommandState::Queued);
    qCInfo(lcCommands).noquote() << "command" << loggable(command.id) << "(" << loggable(name) << ") for" << deviceId
                                 << "queued";
    if (deliveredVia) {
        command.deliveredMs = command.createdMs;
        command.via = protocolName(*deliveredVia);
        setState(command, CommandState::Delivered);
    } else {
        deliver(command);
    }
    armExpiry();
    return command;
}

bool CommandQueue::deliver(Command &command)
{
    const std::optional<Protocol> protocol
        = m_downlinks.push(command.deviceId, Downlink::Command, commandWireJson(command));
    if (!protocol)
        return false;
    command.deliveredMs = QDateTime::currentMSecsSinceEpoch();
    command.via = protocolName(*protocol);
    setState(command, CommandState::Delivered);
    qCInfo(lcCommands).noquote() << "command" << command.id << "delivered to" << command.deviceId << "over"
                                 << command.via;
    return true;
}

void CommandQueue::retry(const QString &deviceId)
{
    const auto it = m_commands.find(deviceId);
    if (it == m_commands.end())
        return;
    for (Command &c : *it) {
        if (c.state == CommandState::Queued && !deliver(c))
            return; // the link cannot take it now; later ones would fail too, and must not overtake it
    }
}

Command *CommandQueue::findCommand(const QString &deviceId, const QString &id)
{
    const auto it = m_commands.find(deviceId);
    if (it == m_commands.end())
        return nullptr;
    // Newest first: an id reused after the older command finished means the newer one.
    for (auto c = it->rbegin(); c != it->rend(); ++c) {
        if (c->id == id)
            return &*c;
    }
    return nullptr;
}

bool CommandQueue::contains(const QString &deviceId, const QString &id) const
{
    const auto it = m_commands.constFind(deviceId);
    return it != m_commands.cend()
        && std::any_of(it->cbegin(), it->cend(), [&id](const Command &c) { return c.id == id; });
}

void CommandQueue::retryAll()
{
    const QStringList devices = m_commands.keys();
    for (const QString &id : devices)
        retry(id);
}

bool CommandQueue::acknowledge(const QString &deviceId, const QByteArray &payload, Protocol protocol)
{
    const QJsonObject ack = QJsonDocument::fromJson(payload).object();
    Command *c = findCommand(deviceId, ack.value(u"id"_s).toString());
    if (!c || c->state == CommandState::Acknowledged || c->state == CommandState::Expired)
        return false;
    c->acknowledgedMs = QDateTime::currentMSecsSinceEpoch();
    c->result = ack.value(u"result"_s);
    if (c->via.isEmpty())
        c->via = protocolName(protocol);
    setState(*c, CommandState::Acknowledged);
    qCInfo(lcCommands).noquote() << "command" << c->id << "acknowledged by" << deviceId;
    return true;
}

void CommandQueue::ackReceived(const QString &deviceId, const QByteArray &payload, Protocol protocol)
{
    if (!acknowledge(deviceId, payload, protocol))
        qCWarning(lcCommands).noquote() << "ack from" << loggable(deviceId) << "matches no command waiting for one";
}

void CommandQueue::commandPublished(const QString &deviceId, const QByteArray &payload)
{
    const CommandRequest request = parseCommandRequest(QJsonDocument::fromJson(payload).object());
    const DeviceInfo *device = m_registry.find(deviceId);
    if (!request.error.isEmpty() || !device) {
        qCWarning(lcCommands).noquote() << "ignoring command published for" << loggable(deviceId) << ":"
                                        << (device ? loggable(request.error) : u"unknown device"_s);
        return;
    }
    if (!request.id.isEmpty() && contains(deviceId, request.id))
        return;
    const bool mqttDevice = device->protocol == protocolName(Protocol::Mqtt);
    submit(deviceId, request.name, request.params, request.ttl, request.id,
           mqttDevice ? std::optional(Protocol::Mqtt) : std::nullopt);
}

QList<Command> CommandQueue::takeQueued(const QString &deviceId, Protocol protocol)
{
    QList<Command> taken;
    const auto it = m_commands.find(deviceId);
    if (it == m_commands.end())
        return taken;
    for (Command &c : *it) {
        if (c.state != CommandState::Queued)
            continue;
        c.deliveredMs = QDateTime::currentMSecsSinceEpoch();
        c.via = protocolName(protocol);
        setState(c, CommandState::Delivered);
        taken.append(c);
    }
    return taken;
}

QList<Command> CommandQueue::list(const QString &deviceId) const
{
    QList<Command> out;
    const auto it = m_commands.constFind(deviceId);
    if (it == m_commands.cend())
        return out;
    for (auto c = it->crbegin(); c != it->crend(); ++c)
        out.append(*c);
    return out;
}

void CommandQueue::armExpiry()
{
    qint64 earliest = std::numeric_limits<qint64>::max();
    for (const auto &queue : std::as_const(m_commands)) {
        for (const Command &c : queue) {
            if (c.state == CommandState::Queued || c.state == CommandState::Delivered)
                earliest = std::min(earliest, c.expiresMs);
        }
    }
    if (earliest == std::numeric_limits<qint64>::max()) {
        m_expiryTimer.stop();
        return;
    }
    m_expiryTimer.start(
        std::chrono::milliseconds(std::max<qint64>(0, earliest - QDateTime::currentMSecsSinceEpoch() + 1)));
}

void CommandQueue::expire()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (auto &queue : m_commands) {
        for (Command &c : queue) {
            if ((c.state == CommandState::Queued || c.state == CommandState::Delivered) && c.expiresMs <= now) {
                qCInfo(lcCommands).noquote() << "command" << c.id << "for" << c.deviceId << "expired"
                                             << (c.state == CommandState::Queued ? "undelivered" : "unacknowledged");
                setState(c, CommandState::Expired);
            }
        }
    }
    armExpiry();
}

} // namespace edgegate
