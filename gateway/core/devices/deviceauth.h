// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArrayView>
#include <QString>

namespace edgegate {

class DeviceRegistry;

enum class BearerCheck {
    NotRequired, ///< the device has no credential at all
    Valid,
    Missing,
    Wrong,
    NoToken, ///< the device has a credential, but no token: it cannot prove itself with one
};

/// Checks an `Authorization` header value against the device's token (stored as SHA-256), in
/// constant time. A device with any credential proves itself on every link: one with only a PSK or a
/// certificate is refused here (NoToken), not let through for want of a token.
[[nodiscard]] BearerCheck checkBearer(const DeviceRegistry &registry, const QString &deviceId,
                                      QByteArrayView authorization);

} // namespace edgegate
