// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/api/http/httpmessage.h"
#include "gateway/api/operations/operations.h"

#include <QJsonObject>
#include <QString>
#include <QUrlQuery>

#include <optional>

namespace edgegate {

/// The REST API's own errors.
enum class RestError {
    BadRequest,
    BadJson,
    NotFound,
    MethodNotAllowed,
    Conflict,
    UnsupportedMediaType,
    PayloadTooLarge,
    LengthRequired,
    RangeNotSatisfiable,
    ChecksumMismatch,
    InsufficientStorage,
    StorageFailed,
    Unavailable,
    NoFirmwareStore,
    UnknownFirmware,
    NoDevices,
    Internal,
};

/// The one table of REST errors: each is a status and a code, answered as `{"error": message, "code": ...}`.
[[nodiscard]] HttpResponse restError(RestError error, const QString &message);

/// An operator action's result as a REST answer: `success` with the result as JSON, or its failure
/// from the table above.
[[nodiscard]] HttpResponse restAnswer(const OperationResult &result, HttpStatus success = HttpStatus::Ok);

/// 404 for a device id the registry does not know.
[[nodiscard]] HttpResponse unknownDevice(const QString &id);

/// 400 when `id` is not a valid device id, else nullopt.
[[nodiscard]] std::optional<HttpResponse> refuseDeviceId(const QString &id);

/// A request body that must be a JSON object (sent as application/json): the answer when it is not,
/// or nullopt with `object` filled.
[[nodiscard]] std::optional<HttpResponse> readJsonObject(const HttpRequest &request, QJsonObject *object);

/// A whole-number query parameter in 0..`max`: `fallback` when absent, nullopt when malformed.
[[nodiscard]] std::optional<int> intQueryItem(const QUrlQuery &query, const QString &key, int fallback, int max);

} // namespace edgegate
