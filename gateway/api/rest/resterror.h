// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/api/http/httpmessage.h"
#include "gateway/api/operations/operations.h"

#include <QString>

namespace edgegate {

/// The REST API's own errors.
enum class RestError {
    BadRequest,
    BadJson,
    NotFound,
    MethodNotAllowed,
    Conflict,
    UnsupportedMediaType,
    StorageFailed,
    Unavailable,
};

/// The one table of REST errors: each is a status and a code, answered as `{"error": message, "code": ...}`.
[[nodiscard]] HttpResponse restError(RestError error, const QString &message);

/// An operator action's result as a REST answer: `success` with the result as JSON, or its failure
/// from the table above.
[[nodiscard]] HttpResponse restAnswer(const OperationResult &result, HttpStatus success = HttpStatus::Ok);

} // namespace edgegate
