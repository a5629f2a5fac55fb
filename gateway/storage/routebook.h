// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/routing/route.h"

#include <QList>
#include <QString>

namespace edgegate {

/// Keeps routes set through the REST API in `routes.json` in data_dir, so they survive a
/// restart; until someone sets them (or after they are reset) the config file's routes apply.
class RouteBook
{
public:
    RouteBook(const QString &path, QList<Route> configured);

    /// Reads the saved routes if there are any; false with `error` set when the file exists but
    /// cannot be used (the configured routes stay in force).
    bool load(QString *error);

    /// Saves routes set through the API (written to a temporary file and renamed into place).
    bool save(const QList<Route> &routes, QString *error);

    /// Forgets the saved routes: the configured ones apply again.
    bool reset(QString *error);

    [[nodiscard]] const QList<Route> &routes() const { return m_fromApi ? m_saved : m_configured; }
    /// "api" or "config".
    [[nodiscard]] QString source() const;

private:
    QString m_path;
    QList<Route> m_configured;
    QList<Route> m_saved;
    bool m_fromApi = false;
};

} // namespace edgegate
