// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>

namespace edgegate {

enum class ApiRole { Viewer, Admin };

[[nodiscard]] QString apiRoleName(ApiRole role); // "viewer", "admin"

struct ApiToken
{
    QString name;
    QByteArray token;
    ApiRole role = ApiRole::Viewer;
};

struct ApiIdentity
{
    QString name; ///< empty when no tokens are configured
    ApiRole role = ApiRole::Admin;
};

/// Who may use the REST and WebSocket API. With no tokens everyone is an unnamed admin.
class ApiAccess
{
public:
    explicit ApiAccess(QList<ApiToken> tokens = {});

    /// Tokens are configured.
    [[nodiscard]] bool required() const;
    /// The identity for a bare token (constant-time compare); nullopt when wrong. When !required(): {"", Admin}.
    [[nodiscard]] std::optional<ApiIdentity> identify(QByteArrayView token) const;
    /// Same for an Authorization header value ("Bearer <token>", scheme case-insensitive).
    [[nodiscard]] std::optional<ApiIdentity> identifyHeader(QByteArrayView authorization) const;

private:
    struct Entry
    {
        ApiIdentity identity;
        QByteArray sha256;
    };
    QList<Entry> m_entries;
};

} // namespace edgegate
