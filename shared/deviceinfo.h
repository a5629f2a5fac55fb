// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <optional>

namespace edgegate {

enum class DeviceStatus { Online, Offline, Error, Maintenance };

/// Under registry policy `approve` a new device waits as Pending until an operator approves it.
enum class Approval { Approved, Pending };

[[nodiscard]] QString deviceStatusName(DeviceStatus status);
[[nodiscard]] std::optional<DeviceStatus> deviceStatusFromName(QStringView name);
[[nodiscard]] QString approvalName(Approval approval);

/// A metric a device says it reports, with its unit when it gave one.
struct MetricInfo
{
    QString name;
    QString unit;

    friend bool operator==(const MetricInfo &, const MetricInfo &) = default;
};

/// A resource a device registered in the CoAP resource directory (RFC 9176), from its link format.
struct DeviceResource
{
    QString href; ///< resolved against the registration's base when it had one
    QString rt; ///< resource types, space separated as in link format
    QString interfaces; ///< the `if` attribute
    QString contentFormats; ///< the `ct` attribute (one or more numbers, space separated)
    bool observable = false;

    friend bool operator==(const DeviceResource &, const DeviceResource &) = default;
};

/// A registered device as the registry keeps it and as REST and the WebSocket API show it.
struct DeviceInfo
{
    QString id;
    QString name;
    QString type;
    QString firmware;
    QString model;
    QStringList capabilities; ///< what the device says it can do, as it announced it
    QList<MetricInfo> metrics; ///< the metrics it says it reports
    QList<DeviceResource> resources; ///< from its resource directory registration, while it lasts
    QString protocol; ///< the link it last spoke on: mqtt, coap, http, websocket
    /// How it proved who it is on that link: none, token, psk, certificate, broker. Empty until it
    /// speaks after a start.
    QString proof;
    DeviceStatus status = DeviceStatus::Offline;
    Approval approval = Approval::Approved;
    qint64 firstSeenMs = 0;
    qint64 lastSeenMs = 0;
    QMap<QString, QString> metadata;
    QString lastError;
    qint64 lastErrorMs = 0;
    // Health: onlineSinceMs is kept by the registry; uptime and the rate are worked out when the
    // device is shown (DeviceRegistry::snapshot), not stored.
    qint64 onlineSinceMs = 0; ///< when it last came online; 0 while offline
    qint64 uptimeS = -1; ///< device-reported uptime, else time since onlineSinceMs; -1: unknown
    int messagesPerMinute = 0;

    friend bool operator==(const DeviceInfo &, const DeviceInfo &) = default;
};

/// Times are ISO 8601 UTC with milliseconds; absent times (0) are null.
[[nodiscard]] QJsonObject deviceToJson(const DeviceInfo &device);
[[nodiscard]] std::optional<DeviceInfo> deviceFromJson(const QJsonObject &json);

/// `[{"name": ..., "unit": ...}]`, the unit left out when empty; the inverse skips entries without a name.
[[nodiscard]] QJsonArray metricsToJson(const QList<MetricInfo> &metrics);
[[nodiscard]] QList<MetricInfo> metricsFromJson(const QJsonArray &json);

/// ISO 8601 UTC with milliseconds, or a null JSON value for 0.
[[nodiscard]] QJsonValue timeToJson(qint64 msSinceEpoch);
/// Inverse of timeToJson; 0 for null or unparsable input.
[[nodiscard]] qint64 timeFromJson(const QJsonValue &json);

/// A text field in JSON: null when empty.
[[nodiscard]] QJsonValue textOrNull(const QString &text);

} // namespace edgegate
