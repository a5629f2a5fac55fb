// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/api/http/httpmessage.h"
#include "gateway/api/http/httprefusal.h"

#include <QByteArrayView>

#include <optional>
#include <variant>

namespace edgegate {

struct HttpHeadLimits
{
    qsizetype maxHeadBytes = 16 * 1024; ///< request line, fields and the empty line
    int maxFields = 100;
};

/// The one HTTP/1.1 parser (RFC 9112), strict: CR LF line ends only, no folded lines, field
/// names must be tokens, values without control characters, one SP between the parts of the
/// request line, origin-form targets, HTTP/1.0 or HTTP/1.1.
namespace http1 {

struct Incomplete
{
};
struct Parsed
{
    HttpHead head;
    qsizetype length = 0; ///< bytes of the head, empty lines before it included
};

/// Reads a request head from the start of `bytes`: the head, more bytes needed, or why it is refused.
[[nodiscard]] std::variant<Incomplete, Parsed, HttpRefusal> parseHead(QByteArrayView bytes,
                                                                      const HttpHeadLimits &limits);

/// How the body of a parsed request is delimited.
struct Framing
{
    enum class Kind { None, Length, Chunked } kind = Kind::None;
    qint64 length = 0; ///< with Length
    bool keepAlive = true; ///< the connection may carry another request after this one
    bool expectContinue = false;
};

/// The body framing of a head, or why it is refused: exactly one Host; Content-Length digits only,
/// once; Transfer-Encoding only `chunked`, never with a Content-Length; Expect only 100-continue.
[[nodiscard]] std::variant<Framing, HttpRefusal> framing(const HttpHead &head);

/// Whether a byte may be in a token (RFC 9110 5.6.2).
[[nodiscard]] bool isTokenChar(char c);

/// Whether a comma-separated field value (Connection, Upgrade) lists `token`, in any case.
[[nodiscard]] bool hasToken(QByteArrayView list, QByteArrayView token);

/// An answer's status line and header fields up to the empty line, with its Content-Length, and
/// `Connection: close` unless `keepAlive`.
[[nodiscard]] QByteArray responseHead(const HttpResponse &response, bool keepAlive);

/// Decodes a chunked body as it arrives, with the size of every chunk checked before its data.
class ChunkedDecoder
{
public:
    enum class State { More, Done, Failed };

    /// Takes what it can of `in`: body bytes go to `out`. Returns how many bytes of `in` it used.
    qsizetype feed(QByteArrayView in, QByteArray *out);
    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] qint64 decoded() const { return m_decoded; }

private:
    enum class Step { Size, Data, DataEnd, Trailer };
    bool line(QByteArrayView in, qsizetype *used, QByteArray *text);

    Step m_step = Step::Size;
    State m_state = State::More;
    QByteArray m_line; ///< an unfinished size or trailer line
    qint64 m_chunkLeft = 0;
    qint64 m_decoded = 0;
    int m_trailerFields = 0;
};

} // namespace http1
} // namespace edgegate
