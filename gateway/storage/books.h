// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/alerts/alertrule.h"
#include "gateway/core/routing/route.h"
#include "gateway/storage/listbook.h"

namespace edgegate {

class AlertEngine;
class Router;

/// Keeps routes set through the REST API in `routes.json` in data_dir.
class RouteBook final : public ListBook<Route>
{
public:
    RouteBook(const QString &path, QList<Route> configured);

    [[nodiscard]] const QList<Route> &routes() const { return items(); }
    /// At start: loads the saved routes and gives them to `router`. A saved file that cannot be read,
    /// or routes the router refuses (naming a sink since turned off), are logged and the config
    /// file's routes used instead; false only when the router refuses those too.
    bool apply(Router &router, QString *error);
};

/// Keeps alert rules changed through the REST API in `alert-rules.json` in data_dir; until then the
/// config file's rules (or the defaults) apply.
class AlertRuleBook final : public ListBook<AlertRule>
{
public:
    AlertRuleBook(const QString &path, QList<AlertRule> configured);

    [[nodiscard]] const QList<AlertRule> &rules() const { return items(); }
    /// At start: loads the saved rules (a file that cannot be read is logged, and the config
    /// file's rules apply) and gives them to `engine`.
    void apply(AlertEngine &engine);
};

} // namespace edgegate
