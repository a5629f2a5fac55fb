// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/ingest/badinput.h"

namespace edgegate {

using namespace Qt::StringLiterals;

QString badInputLabel(BadInput reason)
{
    switch (reason) {
    case BadInput::Empty:
        return u"empty"_s;
    case BadInput::TooLarge:
        return u"too_large"_s;
    case BadInput::MalformedJson:
        return u"malformed_json"_s;
    case BadInput::MalformedCbor:
        return u"malformed_cbor"_s;
    case BadInput::NotAnObject:
        return u"not_an_object"_s;
    case BadInput::NonFinite:
        return u"non_finite"_s;
    case BadInput::BadValue:
        return u"bad_value"_s;
    case BadInput::BadSenml:
        return u"bad_senml"_s;
    case BadInput::BadMetricName:
        return u"bad_metric_name"_s;
    case BadInput::TooManyValues:
        return u"too_many_values"_s;
    case BadInput::BadStatus:
        return u"bad_status"_s;
    case BadInput::BadMeta:
        return u"bad_meta"_s;
    case BadInput::InvalidDeviceId:
        return u"invalid_device_id"_s;
    case BadInput::NotDeviceTopic:
        return u"not_device_topic"_s;
    case BadInput::BadTopicLevels:
        return u"bad_topic_levels"_s;
    case BadInput::UnknownTopicKind:
        return u"unknown_topic_kind"_s;
    case BadInput::UnknownResource:
        return u"unknown_resource"_s;
    case BadInput::MethodNotAllowed:
        return u"method_not_allowed"_s;
    case BadInput::UnsupportedFormat:
        return u"unsupported_format"_s;
    case BadInput::UnsupportedContentFormat:
        return u"unsupported_content_format"_s;
    case BadInput::BlockwiseUnsupported:
        return u"blockwise_unsupported"_s;
    case BadInput::Unauthorized:
        return u"unauthorized"_s;
    case BadInput::ForbiddenDevice:
        return u"forbidden_device"_s;
    case BadInput::BadLinkFormat:
        return u"bad_link_format"_s;
    case BadInput::BadRdRequest:
        return u"bad_rd_request"_s;
    case BadInput::UnknownRegistration:
        return u"unknown_registration"_s;
    }
    return u"bad_input"_s;
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
