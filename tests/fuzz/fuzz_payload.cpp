// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the payload decoders (JSON, SenML JSON and CBOR, CBOR maps) and the meta parser,
// as Ingest runs them on every device message. The first byte picks the declared format.
#include "fuzzcheck.h"
#include "gateway/core/devices/devicemeta.h"
#include "gateway/core/ingest/payloaddecoder.h"

#include <cmath>
#include <cstdint>

using namespace edgegate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    constexpr qsizetype MaxPayload = 65536;
    const auto format = static_cast<PayloadFormat>(data[0] % 5);
    const QByteArray payload(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));

    static const PayloadDecoder decoder(MaxPayload);
    const DecodeResult decoded = decoder.decode(payload, format, 1'700'000'000'000'000'000);
    if (decoded.error) {
        check(decoded.samples.isEmpty());
    } else {
        // An empty object or record list is no error: it carries no samples.
        check(decoded.samples.size() <= PayloadDecoder::MaxSamples);
        for (const Sample &sample : decoded.samples) {
            check(!sample.name.isEmpty() && sample.name.size() <= PayloadDecoder::MaxMetricNameLength);
            for (const QChar c : sample.name)
                check(c.unicode() >= 0x20 && c.unicode() != 0x7f);
            if (const double *number = std::get_if<double>(&sample.value))
                check(std::isfinite(*number));
        }
    }
    check(payload.size() <= MaxPayload || decoded.error == BadInput::TooLarge);

    static const MetaParser meta(MaxPayload);
    const MetaParse parsed = meta.parse(payload, format == PayloadFormat::Cbor ? format : PayloadFormat::Auto);
    if (parsed.meta) {
        check(!parsed.meta->metrics || parsed.meta->metrics->size() <= MetaParser::MaxMetrics);
        check(parsed.meta->metadata.size() <= MetaParser::MaxMetadataEntries);
        check(!parsed.meta->capabilities || parsed.meta->capabilities->size() <= MetaParser::MaxCapabilities);
    }
    return 0;
}
