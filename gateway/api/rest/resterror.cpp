// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/rest/resterror.h"

#include "shared/deviceid.h"

#include <QJsonDocument>

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
    case RestError::PayloadTooLarge:
        return jsonError(S::PayloadTooLarge, u"payload_too_large"_s, message);
    case RestError::LengthRequired:
        return jsonError(S::LengthRequired, u"length_required"_s, message);
    case RestError::RangeNotSatisfiable:
        return jsonError(S::RequestRangeNotSatisfiable, u"range_not_satisfiable"_s, message);
    case RestError::ChecksumMismatch:
        return jsonError(S::UnprocessableEntity, u"checksum_mismatch"_s, message);
    case RestError::InsufficientStorage:
        return jsonError(S::InsufficientStorage, u"insufficient_storage"_s, message);
    case RestError::StorageFailed:
        return jsonError(S::ServiceUnavailable, u"storage_unavailable"_s, message);
    case RestError::Unavailable:
        return jsonError(S::ServiceUnavailable, u"unavailable"_s, message);
    case RestError::NoFirmwareStore:
        return jsonError(S::ServiceUnavailable, u"no_firmware_store"_s, message);
    case RestError::UnknownFirmware:
        return jsonError(S::BadRequest, u"unknown_firmware"_s, message);
    case RestError::NoDevices:
        return jsonError(S::BadRequest, u"no_devices"_s, message);
    case RestError::Internal:
        break;
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
    return restError(RestError::Internal, result.message);
}

HttpResponse unknownDevice(const QString &id)
{
    return restError(RestError::NotFound, u"no device '%1'"_s.arg(id));
}

std::optional<HttpResponse> refuseDeviceId(const QString &id)
{
    if (isValidDeviceId(id))
        return std::nullopt;
    return restError(RestError::BadRequest,
                     u"'%1' is not a valid device id (1-64 of A-Z a-z 0-9 . _ : -)"_s.arg(id.left(80)));
}

std::optional<HttpResponse> readJsonObject(const HttpRequest &request, QJsonObject *object)
{
    if (!request.value("Content-Type").toLower().startsWith("application/json"))
        return restError(RestError::UnsupportedMediaType, u"send application/json"_s);
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return restError(RestError::BadJson, u"invalid JSON: "_s + parseError.errorString());
    if (!doc.isObject())
        return restError(RestError::BadJson, u"the body must be a JSON object"_s);
    *object = doc.object();
    return std::nullopt;
}

std::optional<int> intQueryItem(const QUrlQuery &query, const QString &key, int fallback, int max)
{
    if (!query.hasQueryItem(key))
        return fallback;
    bool ok = false;
    const int v = query.queryItemValue(key).toInt(&ok);
    if (!ok || v < 0 || v > max)
        return std::nullopt;
    return v;
}

} // namespace edgegate
