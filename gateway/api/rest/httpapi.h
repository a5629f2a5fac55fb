// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/api/http/httpserver.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

class HttpRequest;

namespace edgegate {

class AlertStore;
class Analytics;
class ApiAccess;
class CommandQueue;
class RouteBook;
class Router;
class DeviceRegistry;
class Metrics;
class Operations;
struct OperationResult;
class UiFeed;

/// REST API (/api/v1), /healthz, /metrics and the dashboard WebSocket /ws, as routes of the HttpServer.
/// Every error is JSON `{"error": ..., "code": ...}`; status codes are chosen in one place.
class HttpApi : public QObject
{
    Q_OBJECT
public:
    /// Reports the state of what the service depends on, for /healthz.
    struct Health
    {
        std::function<bool()> brokerConnected;
    };

    HttpApi(HttpServer &server, Operations &operations, DeviceRegistry &registry, Analytics &analytics,
            AlertStore &alerts, CommandQueue &commands, Metrics &metrics, UiFeed &feed, Health health,
            QObject *parent = nullptr);

    /// Serves GET, PUT and DELETE /api/v1/routes (404 until called): the router's routes, with
    /// those set through the API kept in `book`. Both outlive this.
    void serveRoutes(Router &router, RouteBook &book);

    /// Every request passes the API token gate (apiGate) once `access` has tokens; refusals are
    /// counted in edgegate_http_refused_total. `access` outlives this.
    void setAccess(const ApiAccess &access);

private:
    void addRoutes();
    HttpResponse listDevices(const HttpRequest &request);
    HttpResponse device(const QString &id, const HttpRequest &request);
    HttpResponse patchDevice(const QString &id, const HttpRequest &request);
    HttpResponse approve(const QString &id, const HttpRequest &request);
    HttpResponse reject(const QString &id, const HttpRequest &request);
    /// Approving or rejecting a pending device (POST).
    HttpResponse decide(const QString &id, const HttpRequest &request,
                        OperationResult (Operations::*decision)(const QString &));
    HttpResponse latestTelemetry(const QString &id, const HttpRequest &request);
    HttpResponse listAlerts(const HttpRequest &request);
    HttpResponse health(const HttpRequest &request);
    HttpResponse metrics(const HttpRequest &request);
    HttpResponse credentials(const QString &id, const HttpRequest &request);
    HttpResponse commands(const QString &id, const HttpRequest &request);
    HttpResponse routes(const HttpRequest &request);

    HttpServer &m_server;
    Operations &m_operations;
    DeviceRegistry &m_registry;
    Analytics &m_analytics;
    AlertStore &m_alerts;
    CommandQueue &m_commands;
    Metrics &m_metrics;
    UiFeed &m_feed;
    Health m_health;
    Router *m_router = nullptr;
    RouteBook *m_routeBook = nullptr;
};

} // namespace edgegate
