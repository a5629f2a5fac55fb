// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QJsonObject>
#include <QString>

namespace edgegate {

/// The JSON error body every HTTP endpoint answers with: `{"error": message, "code": code}`.
inline QHttpServerResponse jsonError(QHttpServerResponder::StatusCode status, const QString &code,
                                     const QString &message)
{
    return QHttpServerResponse(QJsonObject{{QStringLiteral("error"), message}, {QStringLiteral("code"), code}}, status);
}

} // namespace edgegate
