// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/devices/deviceregistry.h"
#include "gateway/core/ingest/badinput.h"
#include "gateway/core/ingest/envelope.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace edgegate {

/// What became of a meta payload: the announcement, or the reason it was refused.
struct MetaParse
{
    std::optional<DeviceMeta> meta;
    BadInput reason = BadInput::BadMeta;
    QString detail;
};

/// Reads what a device announces about itself (a JSON object, or the same as a CBOR map): `name`,
/// `type`, `firmware`, `model`, `capabilities` (strings), `metrics` (names or `{"name", "unit"}`);
/// other keys go to metadata. Known keys of the wrong type and anything over the limits below are
/// refused as a whole (`bad_meta`), so a device learns its mistake instead of losing part of it.
class MetaParser
{
public:
    static constexpr int MaxTextLength = 128; ///< name, type, firmware, model, metric names
    static constexpr int MaxCapabilities = 64;
    static constexpr int MaxCapabilityLength = 64;
    static constexpr int MaxMetrics = 256; ///< as many as analytics tracks per device
    static constexpr int MaxUnitLength = 32;
    static constexpr int MaxMetadataEntries = 64;
    static constexpr int MaxMetadataKeyLength = 64;
    static constexpr int MaxMetadataValueLength = 1024;

    explicit MetaParser(qsizetype maxPayloadBytes)
        : m_maxPayloadBytes(maxPayloadBytes)
    {
    }

    /// `Auto` takes a payload that starts like a CBOR map as CBOR, anything else as JSON.
    [[nodiscard]] MetaParse parse(const QByteArray &payload, PayloadFormat format) const;

private:
    qsizetype m_maxPayloadBytes;
};

} // namespace edgegate
