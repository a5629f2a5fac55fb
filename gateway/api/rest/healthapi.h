// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/api/http/httpserver.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

#include <optional>

namespace edgegate {

class AlertEngine;
struct AlertRule;
class AlertRuleBook;
class AlertStore;
class DeviceRegistry;
class HealthHistory;
class Operations;

/// The REST endpoints of device health and alerts: a device's status history, the alert
/// lifecycle (acknowledge, clear) and the alert rules. Registered on the service's HttpApi server.
class HealthApi : public QObject
{
    Q_OBJECT
public:
    HealthApi(HttpServer &server, Operations &operations, DeviceRegistry &registry, HealthHistory &history,
              AlertStore &alerts, AlertEngine &engine, AlertRuleBook &rules, QObject *parent = nullptr);

private:
    HttpResponse history(const QString &id, const HttpRequest &request);
    HttpResponse alert(const QString &id, const HttpRequest &request);
    HttpResponse acknowledge(const QString &id, const HttpRequest &request);
    HttpResponse clear(const QString &id, const HttpRequest &request);
    HttpResponse rules(const HttpRequest &request);
    HttpResponse rule(const QString &id, const HttpRequest &request);
    /// Saves and applies a new rule list; nullopt when it worked.
    std::optional<HttpResponse> apply(const QList<AlertRule> &rules);
    [[nodiscard]] QJsonObject rulesJson() const;

    Operations &m_operations;
    DeviceRegistry &m_registry;
    HealthHistory &m_history;
    AlertStore &m_alerts;
    AlertEngine &m_engine;
    AlertRuleBook &m_rules;
};

} // namespace edgegate
