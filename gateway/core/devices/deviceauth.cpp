// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/devices/deviceauth.h"

#include "gateway/core/devices/deviceregistry.h"

#include <QCryptographicHash>

namespace edgegate {

std::optional<DeviceProof> proofOf(BearerCheck check)
{
    if (check == BearerCheck::NotRequired)
        return DeviceProof::None;
    if (check == BearerCheck::Valid || check == BearerCheck::ValidCertificate)
        return check == BearerCheck::Valid ? DeviceProof::Token : DeviceProof::Certificate;
    return std::nullopt;
}

BearerCheck checkBearer(const DeviceRegistry &registry, const QString &deviceId, QByteArrayView authorization,
                        const std::optional<QString> &certificate)
{
    if (certificate)
        return *certificate == deviceId ? BearerCheck::ValidCertificate : BearerCheck::Wrong;
    if (!registry.hasCredential(deviceId))
        return BearerCheck::NotRequired;
    const DeviceCredentials *credentials = registry.credentials(deviceId);
    if (!credentials || credentials->tokenSha256.isEmpty())
        return BearerCheck::NoToken;
    constexpr QByteArrayView Scheme("Bearer ");
    if (authorization.size() <= Scheme.size()
        || QByteArrayView(authorization.data(), Scheme.size()).compare(Scheme, Qt::CaseInsensitive) != 0)
        return BearerCheck::Missing;
    const QByteArray digest
        = QCryptographicHash::hash(authorization.sliced(Scheme.size()).trimmed(), QCryptographicHash::Sha256);
    // Constant time: every byte is compared whatever the first difference.
    unsigned char difference = digest.size() == credentials->tokenSha256.size() ? 0 : 1;
    for (qsizetype i = 0; i < digest.size() && i < credentials->tokenSha256.size(); ++i)
        difference |= static_cast<unsigned char>(digest[i] ^ credentials->tokenSha256[i]);
    return difference == 0 ? BearerCheck::Valid : BearerCheck::Wrong;
}

} // namespace edgegate
