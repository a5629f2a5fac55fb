// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/http/httprefusal.h"

namespace edgegate {

using namespace Qt::StringLiterals;

HttpRefusalInfo describe(HttpRefusal refusal)
{
    using S = HttpStatus;
    switch (refusal) {
    case HttpRefusal::HeadTooLarge:
        return {S::RequestHeaderFieldsTooLarge, u"head_too_large"_s, u"the request head is too large"_s};
    case HttpRefusal::TooManyFields:
        return {S::RequestHeaderFieldsTooLarge, u"too_many_fields"_s, u"the request has too many header fields"_s};
    case HttpRefusal::RequestLineTooLong:
        return {S::UriTooLong, u"request_line_too_long"_s, u"the request line is too long"_s};
    case HttpRefusal::BadRequestLine:
        return {S::BadRequest, u"bad_request_line"_s, u"malformed request line"_s};
    case HttpRefusal::BadHeaderName:
        return {S::BadRequest, u"bad_header_name"_s, u"a header field name is not a token"_s};
    case HttpRefusal::BadHeaderValue:
        return {S::BadRequest, u"bad_header_value"_s, u"a header field value has control characters"_s};
    case HttpRefusal::FoldedHeader:
        return {S::BadRequest, u"folded_header"_s, u"folded header lines are not accepted"_s};
    case HttpRefusal::BareLineBreak:
        return {S::BadRequest, u"bare_line_break"_s, u"lines must end with CR LF"_s};
    case HttpRefusal::UnsupportedVersion:
        return {S::HttpVersionNotSupported, u"unsupported_version"_s, u"use HTTP/1.1, HTTP/1.0 or HTTP/2"_s};
    case HttpRefusal::BadHost:
        return {S::BadRequest, u"bad_host"_s, u"send exactly one valid Host header"_s};
    case HttpRefusal::BadContentLength:
        return {S::BadRequest, u"bad_content_length"_s,
                u"invalid, repeated or conflicting Content-Length / Transfer-Encoding"_s};
    case HttpRefusal::UnsupportedTransferEncoding:
        return {S::NotImplemented, u"unsupported_transfer_encoding"_s,
                u"only Transfer-Encoding: chunked is accepted"_s};
    case HttpRefusal::BadChunk:
        return {S::BadRequest, u"bad_chunk"_s, u"malformed chunked body"_s};
    case HttpRefusal::BodyTooLarge:
        return {S::PayloadTooLarge, u"payload_too_large"_s, u"the request body is over this endpoint's limit"_s};
    case HttpRefusal::ExpectationFailed:
        return {S::ExpectationFailed, u"expectation_failed"_s, u"only Expect: 100-continue is understood"_s};
    case HttpRefusal::HeadTimeout:
        return {S::RequestTimeout, u"head_timeout"_s, u"the request head took too long"_s};
    case HttpRefusal::IdleTimeout:
        return {S::RequestTimeout, u"idle_timeout"_s, u"the connection was idle too long"_s};
    case HttpRefusal::TooManyConnections:
        return {S::ServiceUnavailable, u"too_many_connections"_s, u"the gateway has too many connections"_s};
    case HttpRefusal::TooManyFromAddress:
        return {S::TooManyRequests, u"too_many_from_address"_s, u"too many connections from this address"_s};
    case HttpRefusal::MissingToken:
        return {S::Unauthorized, u"unauthorized"_s, u"this endpoint needs an API token (Authorization: Bearer)"_s};
    case HttpRefusal::WrongToken:
        return {S::Unauthorized, u"unauthorized"_s, u"the API token is not valid"_s};
    case HttpRefusal::Forbidden:
        return {S::Forbidden, u"forbidden"_s, u"viewer tokens cannot change anything"_s};
    case HttpRefusal::HostNotAllowed:
        return {S::MisdirectedRequest, u"host_not_allowed"_s,
                u"this Host is not in http.allowed_hosts (the API has no tokens)"_s};
    case HttpRefusal::DataAfterUpgrade:
        return {S::BadRequest, u"data_after_upgrade"_s, u"send WebSocket frames after the 101 answer"_s};
    case HttpRefusal::BadHttp2:
        return {S::BadRequest, u"bad_http2"_s, u"HTTP/2 protocol error"_s};
    case HttpRefusal::Http2BodiesInFlight:
        return {S::ServiceUnavailable, u"bodies_in_flight"_s,
                u"too many unfinished request bodies on this HTTP/2 connection; send fewer at a time"_s};
    case HttpRefusal::TlsHandshake:
        return {S::BadRequest, u"tls_handshake"_s, u"the TLS handshake failed"_s};
    }
    return {S::BadRequest, u"bad_request"_s, u"bad request"_s};
}

QList<HttpRefusal> allHttpRefusals()
{
    QList<HttpRefusal> all;
    for (int r = 0; r <= int(HttpRefusal::TlsHandshake); ++r)
        all.append(HttpRefusal(r));
    return all;
}

HttpResponse refusalResponse(HttpRefusal refusal)
{
    const HttpRefusalInfo info = describe(refusal);
    HttpResponse response = jsonError(info.status, info.code, info.message);
    if (info.status == HttpStatus::Unauthorized)
        response.setHeader("WWW-Authenticate", "Bearer");
    return response;
}

} // namespace edgegate
