// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the HTTP/1.1 request parse and the API token gate, as a connection runs them on
// every request of a byte stream (pipelined requests, bodies by Content-Length or chunked).
#include "fuzzcheck.h"
#include "gateway/api/http/http1parser.h"
#include "gateway/core/common/apiaccess.h"
#include "gateway/core/common/apigate.h"

#include <cstdint>
#include <cstdlib>

using namespace edgegate;

namespace {

const ApiAccess &access()
{
    static const ApiAccess a({ApiToken{QStringLiteral("ops"), QByteArray("fuzz-admin-token-0001"), ApiRole::Admin},
                              ApiToken{QStringLiteral("wall"), QByteArray("fuzz-viewer-token-001"), ApiRole::Viewer}});
    return a;
}

/// Decodes a chunked body in one go and in two pieces cut at `cut`: both must agree.
qsizetype decodeChunked(QByteArrayView bytes, qsizetype cut)
{
    http1::ChunkedDecoder whole;
    QByteArray wholeOut;
    const qsizetype used = whole.feed(bytes, &wholeOut);
    check(used >= 0 && used <= bytes.size());
    check(wholeOut.size() == whole.decoded());
    if (whole.state() == http1::ChunkedDecoder::State::More)
        check(used == bytes.size());

    http1::ChunkedDecoder split;
    QByteArray splitOut;
    cut = std::min(cut, bytes.size());
    qsizetype splitUsed = split.feed(bytes.first(cut), &splitOut);
    if (split.state() == http1::ChunkedDecoder::State::More)
        splitUsed += split.feed(bytes.sliced(cut), &splitOut);
    check(split.state() == whole.state());
    if (whole.state() != http1::ChunkedDecoder::State::Failed) {
        check(splitUsed == used);
        check(splitOut == wholeOut);
    }
    return used;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    HttpHeadLimits limits;
    limits.maxHeadBytes = 4096; // small enough that the fuzzer reaches the limit
    limits.maxFields = 20;
    qsizetype at = 0;
    for (int request = 0; request < 16 && at < input.size(); ++request) {
        const QByteArrayView rest = input.sliced(at);
        auto parsed = http1::parseHead(rest, limits);
        auto *head = std::get_if<http1::Parsed>(&parsed);
        if (!head)
            break;
        check(head->length > 0 && head->length <= std::min(rest.size(), limits.maxHeadBytes));
        check(head->head.headers.size() <= limits.maxFields);
        check(head->head.target.startsWith('/'));
        // Incremental reading must not see a different request: a head cut short is never complete.
        for (const qsizetype cut : {head->length - 1, head->length / 2}) {
            auto prefix = http1::parseHead(rest.first(cut), limits);
            check(!std::holds_alternative<http1::Parsed>(prefix));
        }
        const HttpRequest parsedRequest(head->head, QHostAddress(QHostAddress::LocalHost), false);
        const ApiGateVerdict verdict = apiGate(access(), parsedRequest.methodName(), parsedRequest.target(),
                                               parsedRequest.value("authorization"));
        // Without a valid token, only what is exempt gets through.
        if (verdict == ApiGateVerdict::Allow && !access().identifyHeader(parsedRequest.value("authorization")))
            check(isTokenExempt(parsedRequest.methodName(), parsedRequest.target()));
        at += head->length;
        const auto framing = http1::framing(head->head);
        const auto *f = std::get_if<http1::Framing>(&framing);
        if (!f)
            break;
        if (f->kind == http1::Framing::Kind::Length) {
            check(f->length > 0);
            at += qsizetype(std::min<qint64>(f->length, input.size() - at));
        } else if (f->kind == http1::Framing::Kind::Chunked) {
            const QByteArrayView body = input.sliced(at);
            at += decodeChunked(body, body.size() / 3);
        }
        if (!f->keepAlive)
            break;
    }
    return 0;
}
