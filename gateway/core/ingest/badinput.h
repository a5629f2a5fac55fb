// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/deviceid.h"
#include "shared/enumnames.h"

#include <QString>

#include <array>

namespace edgegate {

/// Why a device's input was refused, on any link. badInputLabel() is the one label of each: the
/// `reason` of edgegate_bad_messages_total, the JSON `code` of HTTP and WebSocket answers, the
/// diagnostic payload of CoAP ones. Each link switches over it for its protocol's codes.
enum class BadInput {
    // The payload (PayloadDecoder, MetaParser).
    Empty, ///< no bytes
    TooLarge, ///< over ingest.max_payload_bytes (checked before parsing)
    MalformedJson, ///< not JSON, truncated, invalid UTF-8 in a string
    MalformedCbor, ///< not CBOR, truncated, trailing bytes, invalid UTF-8 in a text string
    NotAnObject, ///< a JSON/CBOR value that is not a map (or, for SenML, not an array of maps)
    NonFinite, ///< NaN or an infinity as a value
    BadValue, ///< a nested object/array value, or a map key that is not a string
    BadSenml, ///< a SenML record that breaks RFC 8428 (no name, no value, bad field type)
    BadMetricName, ///< empty, longer than 128 characters, or with control characters
    TooManyValues, ///< more samples than PayloadDecoder::MaxSamples
    BadStatus, ///< a status other than online, offline, error
    BadMeta, ///< a meta announcement with a known key of the wrong type, or over its limits
    // Where it came from.
    InvalidDeviceId, ///< not 1-64 characters of [A-Za-z0-9._:-]
    NotDeviceTopic, ///< an MQTT topic outside devices/
    BadTopicLevels, ///< devices/... with the wrong number of levels
    UnknownTopicKind, ///< devices/{id}/{kind} with a kind the gateway does not know
    UnknownResource, ///< a CoAP path the gateway does not serve
    MethodNotAllowed, ///< a CoAP method the resource does not take
    UnsupportedFormat, ///< an HTTP Content-Type the gateway does not decode
    UnsupportedContentFormat, ///< a CoAP Content-Format the gateway does not decode
    BlockwiseUnsupported, ///< a CoAP request with Block1
    Unauthorized, ///< no or a wrong credential for the device
    ForbiddenDevice, ///< a device authenticated as another one
    // The CoAP resource directory (RFC 9176).
    BadLinkFormat, ///< links that are not RFC 6690 link format
    BadRdRequest, ///< a registration or update the directory cannot take
    UnknownRegistration, ///< a registration resource that does not exist
};

/// The label of each reason in declaration order: lower case with underscores (`too_large`).
inline constexpr auto BadInputLabels = enumNames<BadInput>(
    u"empty", u"too_large", u"malformed_json", u"malformed_cbor", u"not_an_object", u"non_finite", u"bad_value",
    u"bad_senml", u"bad_metric_name", u"too_many_values", u"bad_status", u"bad_meta", u"invalid_device_id",
    u"not_device_topic", u"bad_topic_levels", u"unknown_topic_kind", u"unknown_resource", u"method_not_allowed",
    u"unsupported_format", u"unsupported_content_format", u"blockwise_unsupported", u"unauthorized",
    u"forbidden_device", u"bad_link_format", u"bad_rd_request", u"unknown_registration");
static_assert(BadInputLabels.size() == static_cast<std::size_t>(BadInput::UnknownRegistration) + 1);

inline constexpr std::array AllBadInputs = BadInputLabels.values();

/// The label of a reason, from BadInputLabels.
[[nodiscard]] QString badInputLabel(BadInput reason);

/// Why an MQTT topic is not a device topic.
[[nodiscard]] BadInput badInput(TopicError error);

} // namespace edgegate
