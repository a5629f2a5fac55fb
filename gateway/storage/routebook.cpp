// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/routebook.h"

#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>

namespace edgegate {

using namespace Qt::StringLiterals;

RouteBook::RouteBook(const QString &path, QList<Route> configured)
    : m_path(path)
    , m_configured(std::move(configured))
{
}

bool RouteBook::load(QString *error)
{
    QFile file(m_path);
    if (!file.exists())
        return true;
    if (!file.open(QIODevice::ReadOnly)) {
        *error = u"cannot read %1: %2"_s.arg(m_path, file.errorString());
        return false;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isArray()) {
        *error = u"%1 is not a JSON list of routes: %2"_s.arg(m_path, parseError.errorString());
        return false;
    }
    QString problem;
    auto routes = routesFromJson(doc.array(), &problem);
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
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = u"cannot write %1: %2"_s.arg(m_path, file.errorString());
        return false;
    }
    file.write(QJsonDocument(routesToJson(routes)).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        *error = u"cannot write %1: %2"_s.arg(m_path, file.errorString());
        return false;
    }
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
