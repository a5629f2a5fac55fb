// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArrayView>
#include <QList>

namespace edgegate {

class ApiAccess;

/// What the REST gate makes of a request's head.
enum class ApiGateVerdict {
    Allow,
    MissingToken, ///< 401: no Authorization header
    WrongToken, ///< 401: an Authorization header that names no configured token
    Forbidden, ///< 403: a viewer token on a request that could change something
};

/// The segments of `path` (given without its leading '/'), split at every '/', empty ones kept. The
/// gate and the router split a path alike, so both see the same segments.
[[nodiscard]] QList<QByteArrayView> pathSegments(QByteArrayView path);

/// Requests that never need an API token: the device-facing endpoints (devices have credentials
/// of their own), /healthz, and the WebSocket upgrades (/ws authenticates inside the socket).
/// `target` is the request target as sent; a path that only matches after decoding is not exempt.
[[nodiscard]] bool isTokenExempt(QByteArrayView method, QByteArrayView target);

/// Who may send a request, from its method, target and Authorization header (empty when absent).
/// Everything is allowed while `access` has no tokens.
[[nodiscard]] ApiGateVerdict apiGate(const ApiAccess &access, QByteArrayView method, QByteArrayView target,
                                     QByteArrayView authorization);

} // namespace edgegate
