// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/ingest/envelope.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace edgegate {

/// Why a payload was refused; `decodeErrorReason()` gives the metrics label.
enum class DecodeError {
    Empty, ///< no bytes
    TooLarge, ///< over the configured byte limit (checked before parsing)
    MalformedJson, ///< not JSON, truncated, invalid UTF-8 in a string
    MalformedCbor, ///< not CBOR, truncated, trailing bytes, invalid UTF-8 in a text string
    NotAnObject, ///< a JSON/CBOR value that is not a map (or, for SenML, not an array of maps)
    NonFinite, ///< NaN or an infinity as a value
    BadValue, ///< a nested object/array value, or a map key that is not a string
    BadSenml, ///< a SenML record that breaks RFC 8428 (no name, no value, bad field type)
    BadMetricName, ///< empty, longer than 128 characters, or with control characters
    TooManyValues, ///< more samples than MaxSamples
};

[[nodiscard]] QString decodeErrorReason(DecodeError error);

struct DecodeResult
{
    QList<Sample> samples;
    bool hasDeviceTime = false; ///< at least one sample carries the device's own time
    std::optional<DecodeError> error;
    QString detail; ///< human-readable, for logs and the device's last error
};

/// Turns flat JSON objects, SenML (RFC 8428) JSON or CBOR, and CBOR maps into samples.
/// Never throws, never reads past the payload, refuses oversized input before parsing.
class PayloadDecoder
{
public:
    static constexpr int MaxSamples = 1024;
    static constexpr int MaxMetricNameLength = 128;

    explicit PayloadDecoder(qsizetype maxPayloadBytes);

    /// `receivedAtNs` (ns since the epoch) stands in for samples that carry no time of their own.
    [[nodiscard]] DecodeResult decode(const QByteArray &payload, PayloadFormat format, qint64 receivedAtNs) const;

    [[nodiscard]] qsizetype maxPayloadBytes() const { return m_maxPayloadBytes; }

private:
    qsizetype m_maxPayloadBytes;
};

} // namespace edgegate
