// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/alert.h"
#include "shared/deviceinfo.h"
#include "shared/otainfo.h"
#include "shared/value.h"

#include <QByteArray>
#include <QJsonObject>
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
// client -> server
inline constexpr QStringView Subscribe = u"subscribe";
inline constexpr QStringView Unsubscribe = u"unsubscribe";
} // namespace type

/// Error codes sent in `error` frames.
namespace code {
inline constexpr QStringView BadFrame = u"bad_frame";
inline constexpr QStringView UnsupportedVersion = u"unsupported_version";
inline constexpr QStringView UnknownType = u"unknown_type";
inline constexpr QStringView FrameTooLarge = u"frame_too_large";
} // namespace code

struct Hello
{
    QString gatewayId;
    QString version;
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

struct ErrorInfo
{
    QString code;
    QString message;
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

/// Checks size, JSON, the version and that `type` is a string; does not judge the type.
[[nodiscard]] FrameDecode decodeFrame(const QByteArray &bytes);

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

} // namespace edgegate::wsapi
