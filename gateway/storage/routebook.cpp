// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/routebook.h"

#include "gateway/storage/jsonlistfile.h"

#include <QFile>

namespace edgegate {

using namespace Qt::StringLiterals;

RouteBook::RouteBook(const QString &path, QList<Route> configured)
    : m_path(path)
    , m_configured(std::move(configured))
{
}

bool RouteBook::load(QString *error)
{
    QString problem;
    const auto list = jsonlistfile::read(m_path, u"routes"_s, -1, &problem);
    if (!list) {
        if (problem.isEmpty())
            return true; // no file: the config's
        *error = problem;
        return false;
    }
    auto routes = routesFromJson(*list, &problem);
    if (!routes) {
        *error = m_path + u": "_s + problem;
        return false;
    }
    m_saved = std::move(*routes);
    m_fromApi = true;
    return true;
}

bool RouteBook::save(const QList<Route> &routes, QString *error)
{
    if (!jsonlistfile::write(m_path, routesToJson(routes), error))
        return false;
    m_saved = routes;
    m_fromApi = true;
    return true;
}

bool RouteBook::reset(QString *error)
{
    if (QFile::exists(m_path) && !QFile::remove(m_path)) {
        *error = u"cannot remove %1"_s.arg(m_path);
        return false;
    }
    m_saved.clear();
    m_fromApi = false;
    return true;
}

QString RouteBook::source() const
{
    return m_fromApi ? u"api"_s : u"config"_s;
}

} // namespace edgegate
