// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QStringView>

#include <optional>

namespace edgegate {

/// Device ids are 1-64 characters of [A-Za-z0-9._:-]; anything else never becomes a topic.
[[nodiscard]] bool isValidDeviceId(QStringView id);

inline constexpr int MaxDeviceIdLength = 64;

/// What a message on a device topic carries.
enum class MessageKind { Telemetry, Status, Meta, Event, Command, CommandAck, Ota, OtaProgress };

[[nodiscard]] QString messageKindName(MessageKind kind);

/// Result of parsing an MQTT topic under `devices/`.
struct DeviceTopic
{
    QString deviceId;
    MessageKind kind = MessageKind::Telemetry;
};

/// Why a topic was refused; the name is used as a metrics label.
enum class TopicError { NotDeviceTopic, BadLevels, InvalidDeviceId, UnknownKind };

struct TopicParse
{
    std::optional<DeviceTopic> topic;
    TopicError error = TopicError::NotDeviceTopic;
};

/// Parses `devices/{id}/{kind}` and `devices/{id}/{kind}/{sub}` as the wire conventions define them.
[[nodiscard]] TopicParse parseDeviceTopic(QStringView topic);

/// The topic a device's messages of `kind` travel on; `id` must be valid.
[[nodiscard]] QString deviceTopic(const QString &id, MessageKind kind);

} // namespace edgegate
