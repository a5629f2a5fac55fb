// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/api/http/httpmessage.h"

#include <QString>

namespace edgegate {

/// Every reason the HTTP layer turns a request or a connection away before a route sees it.
enum class HttpRefusal {
    HeadTooLarge,
    TooManyFields,
    RequestLineTooLong,
    BadRequestLine,
    BadHeaderName,
    BadHeaderValue,
    FoldedHeader,
    BareLineBreak,
    UnsupportedVersion,
    BadHost,
    BadContentLength,
    UnsupportedTransferEncoding,
    BadChunk,
    BodyTooLarge,
    ExpectationFailed,
    HeadTimeout,
    IdleTimeout,
    TooManyConnections,
    TooManyFromAddress,
    MissingToken,
    WrongToken,
    Forbidden,
    HostNotAllowed,
    DataAfterUpgrade,
    BadHttp2,
    Http2BodiesInFlight,
    TlsHandshake,
};

/// How a refusal is answered and counted: the one table that maps refusals to status codes.
struct HttpRefusalInfo
{
    HttpStatus status;
    QString code; ///< the JSON error code and the `reason` label of edgegate_http_refused_total
    QString message;
};

[[nodiscard]] HttpRefusalInfo describe(HttpRefusal refusal);

/// Every refusal, for registering the counters up front.
[[nodiscard]] QList<HttpRefusal> allHttpRefusals();

/// The JSON error answer to a refusal (with WWW-Authenticate for the token ones).
[[nodiscard]] HttpResponse refusalResponse(HttpRefusal refusal);

} // namespace edgegate
