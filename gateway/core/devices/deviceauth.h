// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/ingest/envelope.h"

#include <QByteArrayView>
#include <QString>

#include <functional>
#include <optional>

namespace edgegate {

class DeviceRegistry;

enum class BearerCheck {
    NotRequired, ///< the device has no credential at all
    Valid, ///< its token
    ValidCertificate, ///< its client certificate of the gateway CA
    Missing,
    Wrong,
    NoToken, ///< the device has a credential, but no token: it cannot prove itself with one
};

/// Checks an `Authorization` header value against the device's token (stored as SHA-256), in
/// constant time. A device with any credential proves itself on every link: one with only a PSK or a
/// certificate is refused here (NoToken), not let through for want of a token.
///
/// `certificate` is what the TLS peer's client certificate proved: nullopt when none was presented, the
/// device id it names when it is a valid certificate of the gateway CA, empty when it is not (another
/// CA, revoked, expired). A valid one for this device is enough; any other presented certificate is Wrong,
/// whatever the token says.
/// What a TLS client certificate (DER, empty when none) proves, as checkBearer() takes it.
using CertificateCheck = std::function<std::optional<QString>(const QByteArray &der)>;

/// What a check that lets the device in proves (DeviceProof::None for NotRequired); nullopt when it refuses.
[[nodiscard]] std::optional<DeviceProof> proofOf(BearerCheck check);

[[nodiscard]] BearerCheck checkBearer(const DeviceRegistry &registry, const QString &deviceId,
                                      QByteArrayView authorization,
                                      const std::optional<QString> &certificate = std::nullopt);

} // namespace edgegate
