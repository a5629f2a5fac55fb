// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/links/httpfrontdoor.h"

#include <QHostAddress>
#include <QHttpServer>
#include <QHttpServerResponse>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QHttpServerRequest;
class QWebSocket;

namespace edgegate {

class AlertStore;
class Analytics;
class ApiAccess;
class CommandQueue;
class DeviceRegistry;
class Metrics;
class UiFeed;

/// REST API (/api/v1), /healthz, /metrics and the WebSocket upgrade for /ws, on one port.
/// Every error is JSON `{"error": ..., "code": ...}`; status codes are chosen in one place.
class HttpApi : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        QHostAddress address = QHostAddress::LocalHost;
        quint16 port = 8080;
        qsizetype maxBodyBytes = 65536;
    };

    /// Reports the state of what the service depends on, for /healthz.
    struct Health
    {
        std::function<bool()> brokerConnected;
    };

    /// Reading and changing routes (GET, PUT and DELETE /api/v1/routes); without it they are 404.
    struct RouteControl
    {
        struct Refusal
        {
            bool storageFailed = false; ///< else the routes given were invalid
            QString message;
        };
        std::function<QJsonObject()> list;
        std::function<std::optional<Refusal>(const QJsonArray &)> replace;
        std::function<std::optional<Refusal>()> reset;
    };

    HttpApi(const Settings &settings, DeviceRegistry &registry, Analytics &analytics, AlertStore &alerts,
            CommandQueue &commands, Metrics &metrics, UiFeed &feed, Health health, QObject *parent = nullptr);

    /// Binds the listening socket; returns the port (useful with port 0), or 0 with `error` set.
    /// Links add their routes to server() before this.
    quint16 listen(QString *error);

    /// The server the device-facing HTTP and WebSocket links add their routes to.
    [[nodiscard]] QHttpServer &server() { return m_server; }

    using WebSocketHandler = std::function<void(std::unique_ptr<QWebSocket>)>;
    /// Hands WebSocket connections on `path` (or under it, with `isPrefix`) to `handler`; a route
    /// for the path must exist too, since QHttpServer 6.4 only upgrades routed paths.
    void addWebSocketEndpoint(const QString &path, bool isPrefix, WebSocketHandler handler);

    void setRouteControl(RouteControl control) { m_routeControl = std::move(control); }

    /// Requests that must not be read whole into memory (QHttpServer 6.4 would): the front door
    /// hands the connections of those `claim` recognises to its handler. Before listen().
    void addStreamingClaim(HttpFrontDoor::Claim claim) { m_claims.push_back(std::move(claim)); }

    /// Every request passes the API token gate (apiGate) at the front door once `access` has
    /// tokens; refusals are counted in edgegate_http_unauthorized_total. `access` outlives this.
    /// Before listen().
    void setAccess(const ApiAccess &access);

private:
    void addRoutes();
    QHttpServerResponse listDevices(const QHttpServerRequest &request);
    QHttpServerResponse device(const QString &id, const QHttpServerRequest &request);
    QHttpServerResponse patchDevice(const QString &id, const QHttpServerRequest &request);
    QHttpServerResponse approve(const QString &id, const QHttpServerRequest &request);
    QHttpServerResponse latestTelemetry(const QString &id, const QHttpServerRequest &request);
    QHttpServerResponse listAlerts(const QHttpServerRequest &request);
    QHttpServerResponse health(const QHttpServerRequest &request);
    QHttpServerResponse metrics(const QHttpServerRequest &request);
    QHttpServerResponse credentials(const QString &id, const QHttpServerRequest &request);
    /// A request body that must be a JSON object within http.max_body_bytes: the answer when it is
    /// not, or nullopt with `object` filled.
    std::optional<QHttpServerResponse> readJsonObject(const QHttpServerRequest &request, QJsonObject *object) const;
    QHttpServerResponse commands(const QString &id, const QHttpServerRequest &request);
    QHttpServerResponse routes(const QHttpServerRequest &request);

    struct WebSocketEndpoint
    {
        QString path;
        bool isPrefix = false;
        WebSocketHandler accept;
        [[nodiscard]] bool matches(const QString &p) const { return isPrefix ? p.startsWith(path) : p == path; }
    };

    Settings m_settings;
    DeviceRegistry &m_registry;
    Analytics &m_analytics;
    AlertStore &m_alerts;
    CommandQueue &m_commands;
    Metrics &m_metrics;
    UiFeed &m_feed;
    Health m_health;
    RouteControl m_routeControl;
    QHttpServer m_server;
    std::vector<WebSocketEndpoint> m_webSocketEndpoints;
    std::vector<HttpFrontDoor::Claim> m_claims;
    HttpFrontDoor::Gate m_gate;
};

} // namespace edgegate
