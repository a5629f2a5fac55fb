// SPDX-License-Identifier: Apache-2.0
#include "shared/deviceid.h"

#include "shared/enumnames.h"

#include <QList>

namespace edgegate {

using namespace Qt::StringLiterals;

bool isValidDeviceId(QStringView id)
{
    if (id.isEmpty() || id.size() > MaxDeviceIdLength)
        return false;
    for (const QChar c : id) {
        const char16_t u = c.unicode();
        const bool ok = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'.'
            || u == u'_' || u == u':' || u == u'-';
        if (!ok)
            return false;
    }
    return true;
}

namespace {

constexpr auto MessageKindNames = enumNames<MessageKind>(u"telemetry", u"status", u"meta", u"event", u"command",
                                                         u"command_ack", u"ota", u"ota_progress");

} // namespace

QString messageKindName(MessageKind kind)
{
    return MessageKindNames.nameOf(kind);
}

TopicParse parseDeviceTopic(QStringView topic)
{
    TopicParse result;
    const auto levels = topic.split(u'/');
    // A bare `devices` is not under `devices/`; `devices/...` with the wrong number of levels is.
    if (levels.size() < 2 || levels.front() != u"devices") {
        result.error = TopicError::NotDeviceTopic;
        return result;
    }
    if (levels.size() < 3 || levels.size() > 4) {
        result.error = TopicError::BadLevels;
        return result;
    }
    const QStringView id = levels.at(1);
    const QStringView kind = levels.at(2);
    const QStringView sub = levels.size() == 4 ? levels.at(3) : QStringView();

    std::optional<MessageKind> parsed;
    if (levels.size() == 3) {
        if (kind == u"telemetry")
            parsed = MessageKind::Telemetry;
        else if (kind == u"status")
            parsed = MessageKind::Status;
        else if (kind == u"meta")
            parsed = MessageKind::Meta;
        else if (kind == u"events")
            parsed = MessageKind::Event;
        else if (kind == u"commands")
            parsed = MessageKind::Command;
        else if (kind == u"ota")
            parsed = MessageKind::Ota;
    } else if (kind == u"commands" && sub == u"ack") {
        parsed = MessageKind::CommandAck;
    } else if (kind == u"ota" && sub == u"progress") {
        parsed = MessageKind::OtaProgress;
    }
    if (!parsed) {
        // Four levels that are no known pair usually mean an id with a slash in it.
        result.error = levels.size() == 4 ? TopicError::BadLevels : TopicError::UnknownKind;
        return result;
    }
    if (!isValidDeviceId(id)) {
        result.error = TopicError::InvalidDeviceId;
        return result;
    }
    result.topic = DeviceTopic{id.toString(), *parsed};
    return result;
}

QString deviceTopic(const QString &id, MessageKind kind)
{
    switch (kind) {
    case MessageKind::CommandAck:
        return u"devices/"_s + id + u"/commands/ack"_s;
    case MessageKind::OtaProgress:
        return u"devices/"_s + id + u"/ota/progress"_s;
    case MessageKind::Event:
        return u"devices/"_s + id + u"/events"_s;
    case MessageKind::Command:
        return u"devices/"_s + id + u"/commands"_s;
    default:
        return u"devices/"_s + id + u'/' + messageKindName(kind);
    }
}

} // namespace edgegate
