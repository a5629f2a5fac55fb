// SPDX-License-Identifier: Apache-2.0
#include "shared/wsprotocol.h"

#include "shared/deviceid.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

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

QJsonArray toJsonArray(const QStringList &list)
{
    QJsonArray array;
    for (const QString &s : list)
        array.append(s);
    return array;
}

} // namespace

FrameDecode decodeFrame(const QByteArray &bytes)
{
    FrameDecode result;
    if (bytes.size() > MaxFrameBytes) {
        result.error = {code::FrameTooLarge.toString(), u"frame larger than %1 bytes"_s.arg(MaxFrameBytes)};
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
    return encode(type::Hello, {{u"gateway"_s, hello.gatewayId}, {u"version"_s, hello.version}});
}

QByteArray encodeDevices(const QList<DeviceInfo> &devices)
{
    QJsonArray array;
    for (const DeviceInfo &d : devices)
        array.append(deviceToJson(d));
    return encode(type::Devices, {{u"devices"_s, array}});
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

std::optional<Hello> helloFromFrame(const Frame &frame)
{
    if (!isType(frame, type::Hello))
        return std::nullopt;
    Hello hello{frame.body.value(u"gateway"_s).toString(), frame.body.value(u"version"_s).toString()};
    if (hello.gatewayId.isEmpty())
        return std::nullopt;
    return hello;
}

std::optional<QList<DeviceInfo>> devicesFromFrame(const Frame &frame)
{
    if (!isType(frame, type::Devices) || !frame.body.value(u"devices"_s).isArray())
        return std::nullopt;
    QList<DeviceInfo> devices;
    const QJsonArray array = frame.body.value(u"devices"_s).toArray();
    devices.reserve(array.size());
    for (const QJsonValue &v : array) {
        auto d = deviceFromJson(v.toObject());
        if (!d)
            return std::nullopt;
        devices.append(std::move(*d));
    }
    return devices;
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

} // namespace edgegate::wsapi
