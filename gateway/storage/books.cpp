// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/books.h"

namespace edgegate {

using namespace Qt::StringLiterals;

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

} // namespace edgegate
