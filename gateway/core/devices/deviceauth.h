// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArrayView>
#include <QString>

namespace edgegate {

class DeviceRegistry;

enum class BearerCheck {
    NotRequired, ///< the device has no token configured
    Valid,
    Missing,
    Wrong,
};

/// Checks an `Authorization` header value against the device's token (stored as SHA-256),
/// in constant time.
[[nodiscard]] BearerCheck checkBearer(const DeviceRegistry &registry, const QString &deviceId,
                                      QByteArrayView authorization);

} // namespace edgegate
