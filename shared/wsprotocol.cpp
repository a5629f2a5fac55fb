// SPDX-License-Identifier: Apache-2.0
#include "shared/wsprotocol.h"

#include "shared/deviceid.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLatin1StringView>

#include <algorithm>
#include <array>
#include <limits>

namespace edgegate::wsapi {

using namespace Qt::StringLiterals;

namespace {

QByteArray encode(QStringView frameType, QJsonObject body)
{
    body.insert(u"v"_s, Version);
    body.insert(u"type"_s, frameType.toString());
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

bool isType(const Frame &frame, QStringView expected)
{
    return frame.type == expected;
}

// A snapshot frame: `key` holds every record as toJson writes it.
template<typename T>
QByteArray encodeList(QStringView frameType, const QString &key, const QList<T> &items,
                      QJsonObject (*toJson)(const T &))
{
    QJsonArray array;
    for (const T &item : items)
        array.append(toJson(item));
    return encode(frameType, {{key, array}});
}

// The records of a snapshot frame; nullopt when the frame is of another type or a record is unreadable.
template<typename T>
std::optional<QList<T>> listFromFrame(const Frame &frame, QStringView frameType, const QString &key,
                                      std::optional<T> (*fromJson)(const QJsonObject &))
{
    if (!isType(frame, frameType) || !frame.body.value(key).isArray())
        return std::nullopt;
    QList<T> items;
    const QJsonArray array = frame.body.value(key).toArray();
    items.reserve(array.size());
    for (const QJsonValue &v : array) {
        auto item = fromJson(v.toObject());
        if (!item)
            return std::nullopt;
        items.append(std::move(*item));
    }
    return items;
}

QJsonArray toJsonArray(const QStringList &list)
{
    QJsonArray array;
    for (const QString &s : list)
        array.append(s);
    return array;
}

// JSON numbers are doubles: integers beyond 2^53 are not exact.
constexpr double MaxExactInteger = 9007199254740992.0;

} // namespace

std::optional<qint64> integerFromJson(const QJsonValue &value)
{
    if (!value.isDouble())
        return std::nullopt;
    const double d = value.toDouble();
    if (!(d >= -MaxExactInteger && d <= MaxExactInteger) || d != static_cast<double>(static_cast<qint64>(d)))
        return std::nullopt;
    return static_cast<qint64>(d);
}

namespace {

/// A non-negative integer member that fits an int.
std::optional<int> countOf(const QJsonObject &object, QLatin1StringView key)
{
    const auto n = integerFromJson(object.value(key));
    if (!n || *n < 0 || *n > std::numeric_limits<int>::max())
        return std::nullopt;
    return static_cast<int>(*n);
}

bool isRole(const QString &role)
{
    return role == role::Admin || role == role::Viewer;
}

bool isLinkState(const QString &state, bool mayBeDisabled)
{
    return state == linkstate::Connected || state == linkstate::Disconnected
        || (mayBeDisabled && state == linkstate::Disabled);
}

constexpr std::array<QStringView, 15> AllActions{
    action::AlertAcknowledge,  action::AlertClear,    action::DeviceApprove,  action::DeviceReject,
    action::DeviceMaintenance, action::DeviceCommand, action::DeviceHistory,  action::TelemetryHistory,
    action::OtaCreate,         action::OtaPause,      action::OtaResume,      action::OtaCancel,
    action::OtaJobs,           action::FirmwareList,  action::FirmwareDelete,
};

} // namespace

QList<QStringView> actionNames()
{
    return {AllActions.begin(), AllActions.end()};
}

bool isKnownAction(QStringView name)
{
    return std::find(AllActions.begin(), AllActions.end(), name) != AllActions.end();
}

bool isReadAction(QStringView name)
{
    return name == action::DeviceHistory || name == action::TelemetryHistory || name == action::OtaJobs
        || name == action::FirmwareList;
}

FrameDecode decodeFrame(const QByteArray &bytes, qsizetype maxBytes)
{
    FrameDecode result;
    if (bytes.size() > maxBytes) {
        result.error = {code::FrameTooLarge.toString(), u"frame larger than %1 bytes"_s.arg(maxBytes)};
        return result;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        result.error = {code::BadFrame.toString(),
                        parseError.error != QJsonParseError::NoError ? u"not JSON: "_s + parseError.errorString()
                                                                     : u"frame is not a JSON object"_s};
        return result;
    }
    QJsonObject body = doc.object();
    const QJsonValue version = body.value(u"v"_s);
    if (version.toInteger(-1) != Version) {
        result.error = {code::UnsupportedVersion.toString(), u"protocol version %1 is required"_s.arg(Version)};
        return result;
    }
    const QJsonValue frameType = body.value(u"type"_s);
    if (!frameType.isString() || frameType.toString().isEmpty()) {
        result.error = {code::BadFrame.toString(), u"frame has no type"_s};
        return result;
    }
    result.frame = Frame{frameType.toString(), std::move(body)};
    return result;
}

QByteArray encodeHello(const Hello &hello)
{
    return encode(
        type::Hello,
        {{u"gateway"_s, hello.gatewayId}, {u"version"_s, hello.version}, {u"auth_required"_s, hello.authRequired}});
}

QByteArray encodeDevices(const QList<DeviceInfo> &devices)
{
    return encodeList(type::Devices, u"devices"_s, devices, &deviceToJson);
}

QByteArray encodeDevice(const DeviceInfo &device)
{
    return encode(type::Device, {{u"device"_s, deviceToJson(device)}});
}

QByteArray encodeDeviceRemoved(const QString &deviceId)
{
    return encode(type::DeviceRemoved, {{u"device"_s, deviceId}});
}

QByteArray encodeTelemetry(const TelemetryUpdate &update)
{
    QJsonArray samples;
    for (const TelemetrySample &s : update.samples) {
        samples.append(
            QJsonObject{{u"name"_s, s.name}, {u"value"_s, valueToJson(s.value)}, {u"time"_s, timeToJson(s.timeMs)}});
    }
    return encode(
        type::Telemetry,
        {{u"device"_s, update.deviceId}, {u"received"_s, timeToJson(update.receivedAtMs)}, {u"samples"_s, samples}});
}

QByteArray encodeAlert(const Alert &alert)
{
    return encode(type::Alert, {{u"alert"_s, alertToJson(alert)}});
}

QByteArray encodeOtaJob(const edgegate::OtaJob &job)
{
    return encode(type::OtaJob, {{u"job"_s, otaJobToJson(job)}});
}

QByteArray encodeOtaCampaign(const edgegate::OtaCampaign &campaign)
{
    return encode(type::OtaCampaign, {{u"campaign"_s, otaCampaignToJson(campaign)}});
}

QByteArray encodeError(const ErrorInfo &error)
{
    return encode(type::Error, {{u"code"_s, error.code}, {u"error"_s, error.message}});
}

QByteArray encodeSubscribed(const Subscription &subscription)
{
    return encodeSubscription(type::Subscribed, subscription);
}

QByteArray encodeSubscription(QStringView frameType, const Subscription &subscription)
{
    const QJsonValue devices = subscription.all ? QJsonValue(u"*"_s) : QJsonValue(toJsonArray(subscription.devices));
    return encode(frameType, {{u"devices"_s, devices}});
}

QByteArray encodeSession(const Session &session)
{
    return encode(type::Session, {{u"session"_s, QJsonObject{{u"role"_s, session.role}, {u"user"_s, session.user}}}});
}

QByteArray encodeAlerts(const QList<Alert> &alerts)
{
    return encodeList(type::Alerts, u"alerts"_s, alerts, &alertToJson);
}

QByteArray encodeOtaCampaigns(const QList<edgegate::OtaCampaign> &campaigns)
{
    return encodeList(type::OtaCampaigns, u"campaigns"_s, campaigns, &otaCampaignToJson);
}

QByteArray encodeStatus(const GatewayStatus &status)
{
    QJsonArray outbox;
    for (const OutboxStatus &o : status.outbox) {
        outbox.append(QJsonObject{
            {u"sink"_s, o.sink}, {u"messages"_s, o.messages}, {u"bytes"_s, o.bytes}, {u"limit_bytes"_s, o.limitBytes}});
    }
    const QJsonObject devices{
        {u"total"_s, status.total}, {u"online"_s, status.online},           {u"offline"_s, status.offline},
        {u"error"_s, status.error}, {u"maintenance"_s, status.maintenance}, {u"pending"_s, status.pending}};
    const QJsonObject body{{u"time"_s, timeToJson(status.timeMs)},
                           {u"uptime_s"_s, status.uptimeS},
                           {u"messages_per_second"_s, status.messagesPerSecond},
                           {u"devices"_s, devices},
                           {u"alerts_open"_s, status.alertsOpen},
                           {u"broker"_s, status.broker},
                           {u"upstream"_s, status.upstream},
                           {u"outbox"_s, outbox}};
    return encode(type::Status, {{u"status"_s, body}});
}

QByteArray encodeReply(const Reply &reply)
{
    if (reply.ok)
        return encodeSuccess(reply.id, reply.result);
    return encodeFailure(reply.id, reply.error);
}

QByteArray encodeSuccess(qint64 id, const QJsonValue &result)
{
    return encode(type::Reply,
                  {{u"id"_s, id}, {u"ok"_s, true}, {u"result"_s, result.isUndefined() ? QJsonValue() : result}});
}

QByteArray encodeFailure(qint64 id, const ErrorInfo &error)
{
    return encode(type::Reply, {{u"id"_s, id}, {u"ok"_s, false}, {u"code"_s, error.code}, {u"error"_s, error.message}});
}

QByteArray encodeAuth(const QString &token)
{
    return encode(type::Auth, {{u"token"_s, token}});
}

QByteArray encodeRequest(const Request &request)
{
    return encode(type::Request, {{u"id"_s, request.id}, {u"action"_s, request.action}, {u"params"_s, request.params}});
}

std::optional<Hello> helloFromFrame(const Frame &frame)
{
    if (!isType(frame, type::Hello))
        return std::nullopt;
    // auth_required came with the token support; an older gateway leaves it out.
    const QJsonValue authRequired = frame.body.value(u"auth_required"_s);
    if (!authRequired.isUndefined() && !authRequired.isBool())
        return std::nullopt;
    Hello hello{frame.body.value(u"gateway"_s).toString(), frame.body.value(u"version"_s).toString(),
                authRequired.toBool(false)};
    if (hello.gatewayId.isEmpty())
        return std::nullopt;
    return hello;
}

std::optional<QList<DeviceInfo>> devicesFromFrame(const Frame &frame)
{
    return listFromFrame(frame, type::Devices, u"devices"_s, &deviceFromJson);
}

std::optional<DeviceInfo> deviceFromFrame(const Frame &frame)
{
    if (!isType(frame, type::Device))
        return std::nullopt;
    return deviceFromJson(frame.body.value(u"device"_s).toObject());
}

std::optional<QString> deviceRemovedFromFrame(const Frame &frame)
{
    const QString id = frame.body.value(u"device"_s).toString();
    if (!isType(frame, type::DeviceRemoved) || !isValidDeviceId(id))
        return std::nullopt;
    return id;
}

std::optional<TelemetryUpdate> telemetryFromFrame(const Frame &frame)
{
    if (!isType(frame, type::Telemetry))
        return std::nullopt;
    TelemetryUpdate update;
    update.deviceId = frame.body.value(u"device"_s).toString();
    if (!isValidDeviceId(update.deviceId))
        return std::nullopt;
    update.receivedAtMs = timeFromJson(frame.body.value(u"received"_s));
    const QJsonArray samples = frame.body.value(u"samples"_s).toArray();
    for (const QJsonValue &v : samples) {
        const QJsonObject o = v.toObject();
        auto value = valueFromJson(o.value(u"value"_s));
        const QString name = o.value(u"name"_s).toString();
        if (!value || name.isEmpty())
            return std::nullopt;
        update.samples.append({name, std::move(*value), timeFromJson(o.value(u"time"_s))});
    }
    return update;
}

std::optional<Alert> alertFromFrame(const Frame &frame)
{
    if (!isType(frame, type::Alert))
        return std::nullopt;
    return alertFromJson(frame.body.value(u"alert"_s).toObject());
}

std::optional<edgegate::OtaJob> otaJobFromFrame(const Frame &frame)
{
    if (!isType(frame, type::OtaJob))
        return std::nullopt;
    return otaJobFromJson(frame.body.value(u"job"_s).toObject());
}

std::optional<edgegate::OtaCampaign> otaCampaignFromFrame(const Frame &frame)
{
    if (!isType(frame, type::OtaCampaign))
        return std::nullopt;
    return otaCampaignFromJson(frame.body.value(u"campaign"_s).toObject());
}

std::optional<ErrorInfo> errorFromFrame(const Frame &frame)
{
    if (!isType(frame, type::Error))
        return std::nullopt;
    return ErrorInfo{frame.body.value(u"code"_s).toString(), frame.body.value(u"error"_s).toString()};
}

std::optional<Subscription> subscriptionFromFrame(const Frame &frame)
{
    if (!isType(frame, type::Subscribe) && !isType(frame, type::Unsubscribe) && !isType(frame, type::Subscribed))
        return std::nullopt;
    const QJsonValue devices = frame.body.value(u"devices"_s);
    Subscription subscription;
    if (devices.isString() && devices.toString() == u"*") {
        subscription.all = true;
        return subscription;
    }
    if (!devices.isArray())
        return std::nullopt;
    for (const QJsonValue &v : devices.toArray()) {
        const QString id = v.toString();
        if (!isValidDeviceId(id))
            return std::nullopt;
        subscription.devices.append(id);
    }
    return subscription;
}

std::optional<Session> sessionFromFrame(const Frame &frame)
{
    if (!isType(frame, type::Session))
        return std::nullopt;
    const QJsonObject o = frame.body.value(u"session"_s).toObject();
    const QJsonValue user = o.value(u"user"_s);
    Session session{o.value(u"role"_s).toString(), user.toString()};
    if (!isRole(session.role) || !user.isString())
        return std::nullopt;
    return session;
}

std::optional<QList<Alert>> alertsFromFrame(const Frame &frame)
{
    return listFromFrame(frame, type::Alerts, u"alerts"_s, &alertFromJson);
}

std::optional<QList<edgegate::OtaCampaign>> otaCampaignsFromFrame(const Frame &frame)
{
    return listFromFrame(frame, type::OtaCampaigns, u"campaigns"_s, &otaCampaignFromJson);
}

std::optional<GatewayStatus> statusFromFrame(const Frame &frame)
{
    if (!isType(frame, type::Status) || !frame.body.value(u"status"_s).isObject())
        return std::nullopt;
    const QJsonObject o = frame.body.value(u"status"_s).toObject();
    const QJsonObject d = o.value(u"devices"_s).toObject();
    GatewayStatus status;
    status.timeMs = timeFromJson(o.value(u"time"_s));
    const auto uptime = integerFromJson(o.value(u"uptime_s"_s));
    const QJsonValue rate = o.value(u"messages_per_second"_s);
    const auto total = countOf(d, "total"_L1);
    const auto online = countOf(d, "online"_L1);
    const auto offline = countOf(d, "offline"_L1);
    const auto error = countOf(d, "error"_L1);
    const auto maintenance = countOf(d, "maintenance"_L1);
    const auto pending = countOf(d, "pending"_L1);
    const auto alertsOpen = countOf(o, "alerts_open"_L1);
    status.broker = o.value(u"broker"_s).toString();
    status.upstream = o.value(u"upstream"_s).toString();
    if (!uptime || *uptime < 0 || !rate.isDouble() || rate.toDouble() < 0 || !total || !online || !offline || !error
        || !maintenance || !pending || !alertsOpen || !isLinkState(status.broker, false)
        || !isLinkState(status.upstream, true) || !o.value(u"outbox"_s).isArray())
        return std::nullopt;
    status.uptimeS = *uptime;
    status.messagesPerSecond = rate.toDouble();
    status.total = *total;
    status.online = *online;
    status.offline = *offline;
    status.error = *error;
    status.maintenance = *maintenance;
    status.pending = *pending;
    status.alertsOpen = *alertsOpen;
    for (const auto &v : o.value(u"outbox"_s).toArray()) {
        const QJsonObject b = v.toObject();
        const QString sink = b.value(u"sink"_s).toString();
        const auto messages = integerFromJson(b.value(u"messages"_s));
        const auto bytes = integerFromJson(b.value(u"bytes"_s));
        const auto limit = integerFromJson(b.value(u"limit_bytes"_s));
        if (sink.isEmpty() || !messages || *messages < 0 || !bytes || *bytes < 0 || !limit || *limit < 0)
            return std::nullopt;
        status.outbox.append({sink, *messages, *bytes, *limit});
    }
    return status;
}

std::optional<Reply> replyFromFrame(const Frame &frame)
{
    if (!isType(frame, type::Reply))
        return std::nullopt;
    const auto id = integerFromJson(frame.body.value(u"id"_s));
    const QJsonValue ok = frame.body.value(u"ok"_s);
    if (!id || !ok.isBool())
        return std::nullopt;
    Reply reply;
    reply.id = *id;
    reply.ok = ok.toBool();
    if (reply.ok) {
        const QJsonValue result = frame.body.value(u"result"_s);
        reply.result = result.isUndefined() ? QJsonValue() : result;
        return reply;
    }
    const QJsonValue errorCode = frame.body.value(u"code"_s);
    if (!errorCode.isString() || errorCode.toString().isEmpty())
        return std::nullopt;
    reply.error = {errorCode.toString(), frame.body.value(u"error"_s).toString()};
    return reply;
}

std::optional<QString> authFromFrame(const Frame &frame)
{
    const QJsonValue token = frame.body.value(u"token"_s);
    if (!isType(frame, type::Auth) || !token.isString() || token.toString().isEmpty())
        return std::nullopt;
    return token.toString();
}

std::optional<qint64> requestIdFromFrame(const Frame &frame)
{
    return integerFromJson(frame.body.value(u"id"_s));
}

std::optional<Request> requestFromFrame(const Frame &frame)
{
    if (!isType(frame, type::Request))
        return std::nullopt;
    const auto id = requestIdFromFrame(frame);
    const QJsonValue actionName = frame.body.value(u"action"_s);
    const QJsonValue params = frame.body.value(u"params"_s);
    if (!id || !actionName.isString() || actionName.toString().isEmpty()
        || !(params.isUndefined() || params.isObject()))
        return std::nullopt;
    return Request{*id, actionName.toString(), params.toObject()};
}

} // namespace edgegate::wsapi
