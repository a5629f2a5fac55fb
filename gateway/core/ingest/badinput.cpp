// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/ingest/badinput.h"

namespace edgegate {

using namespace Qt::StringLiterals;

QString badInputLabel(BadInput reason)
{
    const QString label = BadInputLabels.nameOf(reason);
    return label.isEmpty() ? u"bad_input"_s : label;
}

BadInput badInput(TopicError error)
{
    switch (error) {
    case TopicError::NotDeviceTopic:
        return BadInput::NotDeviceTopic;
    case TopicError::BadLevels:
        return BadInput::BadTopicLevels;
    case TopicError::InvalidDeviceId:
        return BadInput::InvalidDeviceId;
    case TopicError::UnknownKind:
        return BadInput::UnknownTopicKind;
    }
    return BadInput::NotDeviceTopic;
}

} // namespace edgegate
