// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/common/apiaccess.h"

#include <QCryptographicHash>

namespace edgegate {

QString apiRoleName(ApiRole role)
{
    return role == ApiRole::Admin ? QStringLiteral("admin") : QStringLiteral("viewer");
}

ApiAccess::ApiAccess(QList<ApiToken> tokens)
{
    m_entries.reserve(tokens.size());
    for (ApiToken &token : tokens)
        m_entries.append(
            {{std::move(token.name), token.role}, QCryptographicHash::hash(token.token, QCryptographicHash::Sha256)});
}

bool ApiAccess::required() const
{
    return !m_entries.isEmpty();
}

std::optional<ApiIdentity> ApiAccess::identify(QByteArrayView token) const
{
    if (!required())
        return ApiIdentity{};
    if (token.isEmpty())
        return std::nullopt;
    // Digests have one length whatever the token's, and every entry is compared in full,
    // so the time taken says nothing about how close a guess was.
    const QByteArray digest = QCryptographicHash::hash(token, QCryptographicHash::Sha256);
    const Entry *match = nullptr;
    for (const Entry &entry : m_entries) {
        unsigned char difference = 0;
        for (qsizetype i = 0; i < digest.size(); ++i)
            difference |= static_cast<unsigned char>(digest[i] ^ entry.sha256[i]);
        if (difference == 0)
            match = &entry;
    }
    if (!match)
        return std::nullopt;
    return match->identity;
}

std::optional<ApiIdentity> ApiAccess::identifyHeader(QByteArrayView authorization) const
{
    if (!required())
        return ApiIdentity{};
    constexpr QByteArrayView Scheme("Bearer ");
    const QByteArrayView value = authorization.trimmed();
    if (value.size() <= Scheme.size()
        || QByteArrayView(value.data(), Scheme.size()).compare(Scheme, Qt::CaseInsensitive) != 0)
        return std::nullopt;
    return identify(value.sliced(Scheme.size()).trimmed());
}

} // namespace edgegate
