// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the WebSocket API codec, as the service reads a client's frames (auth and
// requests) and the dashboard reads the service's (snapshots and updates).
#include "fuzzcheck.h"
#include "shared/wsprotocol.h"

#include <cstdint>

using namespace edgegate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const wsapi::FrameDecode decoded = wsapi::decodeFrame(bytes);
    if (!decoded.frame) {
        check(!decoded.error.code.isEmpty());
        return 0;
    }
    check(bytes.size() <= wsapi::MaxFrameBytes);
    const wsapi::Frame &frame = *decoded.frame;
    (void)wsapi::authFromFrame(frame);
    if (const auto request = wsapi::requestFromFrame(frame)) {
        // What the codec reads, it writes back to a frame it reads the same way.
        const wsapi::FrameDecode again = wsapi::decodeFrame(wsapi::encodeRequest(*request));
        check(again.frame.has_value());
        const auto back = wsapi::requestFromFrame(*again.frame);
        check(back && back->id == request->id && back->action == request->action);
    }
    (void)wsapi::helloFromFrame(frame);
    (void)wsapi::devicesFromFrame(frame);
    (void)wsapi::deviceFromFrame(frame);
    (void)wsapi::deviceRemovedFromFrame(frame);
    (void)wsapi::telemetryFromFrame(frame);
    (void)wsapi::alertFromFrame(frame);
    (void)wsapi::errorFromFrame(frame);
    return 0;
}
