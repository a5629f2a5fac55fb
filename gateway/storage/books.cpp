// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/books.h"

#include "gateway/core/alerts/alertengine.h"
#include "gateway/core/routing/router.h"

#include <QLoggingCategory>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcBooks, "edgegate.books")

namespace {

constexpr qint64 MaxAlertRulesBytes = qint64{4} * 1024 * 1024;

} // namespace

RouteBook::RouteBook(const QString &path, QList<Route> configured)
    : ListBook(path, std::move(configured), u"routes"_s, -1, &routesFromJson, &routesToJson)
{
}

AlertRuleBook::AlertRuleBook(const QString &path, QList<AlertRule> configured)
    : ListBook(path, std::move(configured), u"alert rules"_s, MaxAlertRulesBytes, &alertRulesFromJson,
               &alertRulesToJson)
{
}

bool RouteBook::apply(Router &router, QString *error)
{
    QString problem;
    if (!load(&problem))
        qCCritical(lcBooks).noquote() << problem << "- using the routes of the config file";
    if (router.setRoutes(routes(), &problem))
        return true;
    qCCritical(lcBooks).noquote() << "the saved routes cannot be used:" << problem
                                  << "- using the routes of the config file";
    return router.setRoutes(configured(), error);
}

void AlertRuleBook::apply(AlertEngine &engine)
{
    QString problem;
    if (!load(&problem))
        qCCritical(lcBooks).noquote() << problem << "- using the alert rules of the config file";
    engine.setRules(rules());
}

} // namespace edgegate
