// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/ingest/badinput.h"
#include "gateway/core/ingest/envelope.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace edgegate {

struct DecodeResult
{
    QList<Sample> samples;
    bool hasDeviceTime = false; ///< at least one sample carries the device's own time
    std::optional<BadInput> error; ///< one of the payload reasons, Empty to TooManyValues
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
