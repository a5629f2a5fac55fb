// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/alert.h"
#include "shared/deviceinfo.h"
#include "shared/otainfo.h"
#include "shared/value.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <optional>

/// The WebSocket API between edgegated and its clients (the dashboard): every frame is a
/// JSON object with the protocol version `v` and a `type`. One codec for both sides.
namespace edgegate::wsapi {

inline constexpr int Version = 1;
inline constexpr qsizetype MaxFrameBytes = qsizetype{64} * 1024;

namespace type {
// server -> client
inline constexpr QStringView Hello = u"hello";
inline constexpr QStringView Devices = u"devices"; ///< full snapshot
inline constexpr QStringView Device = u"device"; ///< one device added or changed
inline constexpr QStringView DeviceRemoved = u"device_removed";
inline constexpr QStringView Telemetry = u"telemetry";
inline constexpr QStringView Alert = u"alert";
inline constexpr QStringView Error = u"error";
inline constexpr QStringView Subscribed = u"subscribed"; ///< the client's subscription now
inline constexpr QStringView OtaJob = u"ota_job"; ///< an OTA job created or changed
inline constexpr QStringView OtaCampaign = u"ota_campaign"; ///< an OTA campaign created or changed (with counts)
inline constexpr QStringView Session = u"session"; ///< who the client is; first frame after hello (and auth)
inline constexpr QStringView Alerts = u"alerts"; ///< snapshot: open alerts and the newest cleared ones
inline constexpr QStringView OtaCampaigns = u"ota_campaigns"; ///< snapshot: every campaign, newest first
inline constexpr QStringView Status = u"status"; ///< gateway-wide numbers, after the snapshots and every 2 s
inline constexpr QStringView Reply = u"reply"; ///< the answer to a request
// client -> server
inline constexpr QStringView Subscribe = u"subscribe";
inline constexpr QStringView Unsubscribe = u"unsubscribe";
inline constexpr QStringView Auth = u"auth"; ///< the token, first frame when hello says auth_required
inline constexpr QStringView Request = u"request"; ///< an action; answered by a reply with the same id
} // namespace type

/// Error codes sent in `error` frames.
namespace code {
inline constexpr QStringView BadFrame = u"bad_frame";
inline constexpr QStringView UnsupportedVersion = u"unsupported_version";
inline constexpr QStringView UnknownType = u"unknown_type";
inline constexpr QStringView FrameTooLarge = u"frame_too_large";
inline constexpr QStringView Unauthorized = u"unauthorized"; ///< no, a wrong or a late token; the server closes
// in replies
inline constexpr QStringView BadRequest = u"bad_request";
inline constexpr QStringView NotFound = u"not_found";
inline constexpr QStringView Conflict = u"conflict";
inline constexpr QStringView Forbidden = u"forbidden"; ///< a viewer asked for a change
inline constexpr QStringView UnknownAction = u"unknown_action";
inline constexpr QStringView Unavailable = u"unavailable"; ///< the feature is off (e.g. OTA)
inline constexpr QStringView Internal = u"internal";
} // namespace code

/// Actions a `request` frame can name. The read ones (isReadAction) are open to viewers.
namespace action {
inline constexpr QStringView AlertAcknowledge = u"alert.acknowledge";
inline constexpr QStringView AlertClear = u"alert.clear";
inline constexpr QStringView DeviceApprove = u"device.approve";
inline constexpr QStringView DeviceReject = u"device.reject";
inline constexpr QStringView DeviceMaintenance = u"device.maintenance";
inline constexpr QStringView DeviceCommand = u"device.command";
inline constexpr QStringView DeviceHistory = u"device.history";
inline constexpr QStringView TelemetryHistory = u"telemetry.history";
inline constexpr QStringView OtaCreate = u"ota.create";
inline constexpr QStringView OtaPause = u"ota.pause";
inline constexpr QStringView OtaResume = u"ota.resume";
inline constexpr QStringView OtaCancel = u"ota.cancel";
inline constexpr QStringView OtaJobs = u"ota.jobs";
inline constexpr QStringView FirmwareList = u"firmware.list";
inline constexpr QStringView FirmwareDelete = u"firmware.delete";
} // namespace action

/// Every action name above.
[[nodiscard]] QList<QStringView> actionNames();
[[nodiscard]] bool isKnownAction(QStringView name);
/// Actions that change nothing (allowed for viewer tokens).
[[nodiscard]] bool isReadAction(QStringView name);

/// Session roles.
namespace role {
inline constexpr QStringView Admin = u"admin";
inline constexpr QStringView Viewer = u"viewer";
} // namespace role

/// Values of GatewayStatus::broker and ::upstream.
namespace linkstate {
inline constexpr QStringView Connected = u"connected";
inline constexpr QStringView Disconnected = u"disconnected";
inline constexpr QStringView Disabled = u"disabled"; ///< upstream only: not configured
} // namespace linkstate

struct ErrorInfo
{
    QString code;
    QString message;
};

struct Hello
{
    QString gatewayId;
    QString version;
    bool authRequired = false; ///< the client must send an auth frame first
};

/// Who the connection acts as; user is empty when the gateway has no tokens.
struct Session
{
    QString role; ///< role::Admin or role::Viewer
    QString user;
};

/// One sink's store-and-forward queue.
struct OutboxStatus
{
    QString sink;
    qint64 messages = 0;
    qint64 bytes = 0;
    qint64 limitBytes = 0;
};

/// The gateway at a glance, sent in `status` frames.
struct GatewayStatus
{
    qint64 timeMs = 0;
    qint64 uptimeS = 0;
    double messagesPerSecond = 0.0; ///< accepted telemetry messages, mean over the last 10 s
    int total = 0;
    int online = 0;
    int offline = 0;
    int error = 0;
    int maintenance = 0;
    int pending = 0; ///< awaiting approval
    int alertsOpen = 0;
    QString broker; ///< linkstate::Connected or Disconnected
    QString upstream; ///< linkstate::Connected, Disconnected or Disabled
    QList<OutboxStatus> outbox;
};

/// A client's action call; `id` is the client's and comes back in the reply.
struct Request
{
    qint64 id = 0;
    QString action;
    QJsonObject params;
};

/// The answer to a Request: `result` when ok, else `error` (code from wsapi::code).
struct Reply
{
    qint64 id = 0;
    bool ok = false;
    QJsonValue result;
    ErrorInfo error;
};

struct TelemetrySample
{
    QString name;
    Value value;
    qint64 timeMs = 0;
};

struct TelemetryUpdate
{
    QString deviceId;
    qint64 receivedAtMs = 0;
    QList<TelemetrySample> samples;
};

/// Devices a client follows telemetry of; `all` follows every device.
struct Subscription
{
    bool all = false;
    QStringList devices;
};

/// A decoded frame: its type and the whole JSON object.
struct Frame
{
    QString type;
    QJsonObject body;
};

struct FrameDecode
{
    std::optional<Frame> frame;
    ErrorInfo error; ///< set when frame is empty
};

/// A JSON number that is a whole number JSON carries exactly (|n| <= 2^53); nullopt otherwise.
[[nodiscard]] std::optional<qint64> integerFromJson(const QJsonValue &value);

/// Checks size (at most maxBytes), JSON, the version and that `type` is a string; does not judge the type.
/// MaxFrameBytes bounds client frames; a client reading the server's snapshots passes its own, larger limit.
[[nodiscard]] FrameDecode decodeFrame(const QByteArray &bytes, qsizetype maxBytes = MaxFrameBytes);

[[nodiscard]] QByteArray encodeHello(const Hello &hello);
[[nodiscard]] QByteArray encodeDevices(const QList<DeviceInfo> &devices);
[[nodiscard]] QByteArray encodeDevice(const DeviceInfo &device);
[[nodiscard]] QByteArray encodeDeviceRemoved(const QString &deviceId);
[[nodiscard]] QByteArray encodeTelemetry(const TelemetryUpdate &update);
[[nodiscard]] QByteArray encodeAlert(const Alert &alert);
[[nodiscard]] QByteArray encodeError(const ErrorInfo &error);
[[nodiscard]] QByteArray encodeOtaJob(const edgegate::OtaJob &job);
[[nodiscard]] QByteArray encodeOtaCampaign(const edgegate::OtaCampaign &campaign);
[[nodiscard]] QByteArray encodeSubscribed(const Subscription &subscription);
/// Client side: `type` is type::Subscribe or type::Unsubscribe.
[[nodiscard]] QByteArray encodeSubscription(QStringView frameType, const Subscription &subscription);
[[nodiscard]] QByteArray encodeSession(const Session &session);
/// Newest first, as given.
[[nodiscard]] QByteArray encodeAlerts(const QList<Alert> &alerts);
[[nodiscard]] QByteArray encodeOtaCampaigns(const QList<edgegate::OtaCampaign> &campaigns);
[[nodiscard]] QByteArray encodeStatus(const GatewayStatus &status);
[[nodiscard]] QByteArray encodeReply(const Reply &reply);
[[nodiscard]] QByteArray encodeSuccess(qint64 id, const QJsonValue &result);
[[nodiscard]] QByteArray encodeFailure(qint64 id, const ErrorInfo &error);
/// Client side.
[[nodiscard]] QByteArray encodeAuth(const QString &token);
[[nodiscard]] QByteArray encodeRequest(const Request &request);

[[nodiscard]] std::optional<Hello> helloFromFrame(const Frame &frame);
[[nodiscard]] std::optional<QList<DeviceInfo>> devicesFromFrame(const Frame &frame);
[[nodiscard]] std::optional<DeviceInfo> deviceFromFrame(const Frame &frame);
[[nodiscard]] std::optional<QString> deviceRemovedFromFrame(const Frame &frame);
[[nodiscard]] std::optional<TelemetryUpdate> telemetryFromFrame(const Frame &frame);
[[nodiscard]] std::optional<Alert> alertFromFrame(const Frame &frame);
[[nodiscard]] std::optional<ErrorInfo> errorFromFrame(const Frame &frame);
[[nodiscard]] std::optional<edgegate::OtaJob> otaJobFromFrame(const Frame &frame);
[[nodiscard]] std::optional<edgegate::OtaCampaign> otaCampaignFromFrame(const Frame &frame);
/// For subscribe, unsubscribe and subscribed frames; device ids are validated.
[[nodiscard]] std::optional<Subscription> subscriptionFromFrame(const Frame &frame);
[[nodiscard]] std::optional<Session> sessionFromFrame(const Frame &frame);
[[nodiscard]] std::optional<QList<Alert>> alertsFromFrame(const Frame &frame);
[[nodiscard]] std::optional<QList<edgegate::OtaCampaign>> otaCampaignsFromFrame(const Frame &frame);
[[nodiscard]] std::optional<GatewayStatus> statusFromFrame(const Frame &frame);
[[nodiscard]] std::optional<Reply> replyFromFrame(const Frame &frame);
/// The token of an auth frame; nullopt when it is not one or the token is not a non-empty string.
[[nodiscard]] std::optional<QString> authFromFrame(const Frame &frame);
/// A request needs an integer `id`, a non-empty `action` and `params` absent or an object.
[[nodiscard]] std::optional<Request> requestFromFrame(const Frame &frame);
/// The integer `id` of a frame, even when the rest of it is bad (so the server can still reply).
[[nodiscard]] std::optional<qint64> requestIdFromFrame(const Frame &frame);

} // namespace edgegate::wsapi
