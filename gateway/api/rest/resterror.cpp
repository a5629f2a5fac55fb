// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/rest/resterror.h"

namespace edgegate {

using namespace Qt::StringLiterals;

HttpResponse restError(RestError error, const QString &message)
{
    using S = HttpStatus;
    switch (error) {
    case RestError::BadRequest:
        return jsonError(S::BadRequest, u"bad_request"_s, message);
    case RestError::BadJson:
        return jsonError(S::BadRequest, u"bad_json"_s, message);
    case RestError::NotFound:
        return jsonError(S::NotFound, u"not_found"_s, message);
    case RestError::MethodNotAllowed:
        return jsonError(S::MethodNotAllowed, u"method_not_allowed"_s, message);
    case RestError::Conflict:
        return jsonError(S::Conflict, u"conflict"_s, message);
    case RestError::UnsupportedMediaType:
        return jsonError(S::UnsupportedMediaType, u"unsupported_media_type"_s, message);
    case RestError::StorageFailed:
        return jsonError(S::ServiceUnavailable, u"storage_unavailable"_s, message);
    case RestError::Unavailable:
        return jsonError(S::ServiceUnavailable, u"unavailable"_s, message);
    }
    return jsonError(S::InternalServerError, u"internal"_s, message);
}

HttpResponse restAnswer(const OperationResult &result, HttpStatus success)
{
    if (!result.failure) {
        if (result.result.isArray())
            return HttpResponse(result.result.toArray(), success);
        return HttpResponse(result.result.toObject(), success);
    }
    switch (*result.failure) {
    case OperationFailure::BadRequest:
        return restError(RestError::BadRequest, result.message);
    case OperationFailure::NotFound:
        return restError(RestError::NotFound, result.message);
    case OperationFailure::Conflict:
        return restError(RestError::Conflict, result.message);
    case OperationFailure::StorageFailed:
        return restError(RestError::StorageFailed, result.message);
    case OperationFailure::Unavailable:
        return restError(RestError::Unavailable, result.message);
    case OperationFailure::Internal:
        break;
    }
    return jsonError(HttpStatus::InternalServerError, u"internal"_s, result.message);
}

} // namespace edgegate
