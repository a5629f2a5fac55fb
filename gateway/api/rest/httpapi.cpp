// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/rest/httpapi.h"

#include "gateway/api/http/httpserver.h"
#include "gateway/api/rest/resterror.h"
#include "gateway/api/ws/uifeed.h"
#include "gateway/core/alerts/alertstore.h"
#include "gateway/core/analytics/analytics.h"
#include "gateway/core/common/apiaccess.h"
#include "gateway/core/common/apigate.h"
#include "gateway/core/common/metrics.h"
#include "gateway/core/devices/deviceregistry.h"
#include "gateway/core/downlink/commandqueue.h"
#include "gateway/core/routing/router.h"
#include "gateway/storage/books.h"
#include "shared/wsprotocol.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QUrl>
#include <QUrlQuery>
#include <QWebSocket>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcHttp, "edgegate.http")

namespace {

constexpr int DefaultPageSize = 100;
constexpr int MaxPageSize = 1000;
constexpr int MaxNameLength = 128;

} // namespace

HttpApi::HttpApi(HttpServer &server, Operations &operations, DeviceRegistry &registry, Analytics &analytics,
                 AlertStore &alerts, CommandQueue &commands, Metrics &metrics, UiFeed &feed, Health health,
                 QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_operations(operations)
    , m_registry(registry)
    , m_analytics(analytics)
    , m_alerts(alerts)
    , m_commands(commands)
    , m_metrics(metrics)
    , m_feed(feed)
    , m_health(std::move(health))
{
    addRoutes();
    m_server.webSocketRoute(
        u"/ws"_s,
        [this](std::unique_ptr<QWebSocket> s, const HttpRequest &request, const QStringList &) {
            m_feed.addClient(std::move(s), request);
        },
        wsapi::MaxFrameBytes, wsapi::MaxFrameBytes);
}

void HttpApi::setAccess(const ApiAccess &access)
{
    if (!access.required()) {
        m_server.setGate({});
        return;
    }
    m_server.setGate([&access](const HttpRequest &request) -> std::optional<HttpRefusal> {
        switch (apiGate(access, request.methodName(), request.target(), request.value("authorization"))) {
        case ApiGateVerdict::Allow:
            return std::nullopt;
        case ApiGateVerdict::MissingToken:
            return HttpRefusal::MissingToken;
        case ApiGateVerdict::WrongToken:
            return HttpRefusal::WrongToken;
        case ApiGateVerdict::Forbidden:
            return HttpRefusal::Forbidden;
        }
        return HttpRefusal::Forbidden;
    });
}

void HttpApi::addRoutes()
{
    m_server.route(u"/healthz"_s, this, &HttpApi::health);
    m_server.route(u"/metrics"_s, this, &HttpApi::metrics);
    m_server.route(u"/api/v1/devices"_s, this, &HttpApi::listDevices);
    m_server.route(u"/api/v1/devices/<arg>"_s, this, &HttpApi::device);
    m_server.route(u"/api/v1/devices/<arg>/approve"_s, this, &HttpApi::approve);
    m_server.route(u"/api/v1/devices/<arg>/reject"_s, this, &HttpApi::reject);
    m_server.route(u"/api/v1/devices/<arg>/telemetry/latest"_s, this, &HttpApi::latestTelemetry);
    m_server.route(u"/api/v1/alerts"_s, this, &HttpApi::listAlerts);
    m_server.route(u"/api/v1/devices/<arg>/commands"_s, this, &HttpApi::commands);
    m_server.route(u"/api/v1/devices/<arg>/credentials"_s, this, &HttpApi::credentials);
    m_server.route(u"/api/v1/routes"_s, this, &HttpApi::routes);
}

void HttpApi::serveRoutes(Router &router, RouteBook &book)
{
    m_router = &router;
    m_routeBook = &book;
}

HttpResponse HttpApi::routes(const HttpRequest &request)
{
    if (!m_router)
        return restError(RestError::NotFound, u"routes are not available"_s);
    const auto listed = [this] {
        return HttpResponse(QJsonObject{{u"routes"_s, routesToJson(m_router->routes())},
                                        {u"source"_s, m_routeBook->source()},
                                        {u"sinks"_s, QJsonArray::fromStringList(m_router->sinkNames())}});
    };
    QString error;
    switch (request.method()) {
    case HttpMethod::Get:
        return listed();
    case HttpMethod::Put: {
        QJsonObject o;
        if (auto bad = readJsonObject(request, &o))
            return std::move(*bad);
        if (!o.value(u"routes"_s).isArray())
            return restError(RestError::BadRequest, u"expected {\"routes\": [...]}"_s);
        const auto routes = routesFromJson(o.value(u"routes"_s).toArray(), &error);
        if (!routes)
            return restError(RestError::BadRequest, error);
        const auto keep = [&](QString *saveError) { return m_routeBook->save(*routes, saveError); };
        switch (m_router->replaceRoutes(*routes, keep, &error)) {
        case Router::Change::Invalid:
            return restError(RestError::BadRequest, error);
        case Router::Change::NotKept:
            return restError(RestError::StorageFailed, error);
        case Router::Change::Done:
            break;
        }
        qCInfo(lcHttp) << "routes replaced through the API:" << routes->size() << "route(s)";
        return listed();
    }
    case HttpMethod::Delete:
        if (!m_routeBook->reset(&error))
            return restError(RestError::StorageFailed, error);
        if (!m_router->setRoutes(m_routeBook->routes(), &error))
            return restError(RestError::BadRequest, error);
        qCInfo(lcHttp) << "routes reset to the config file's";
        return listed();
    default:
        return methodNotAllowed(request, "GET, PUT, DELETE");
    }
}

HttpResponse HttpApi::health(const HttpRequest &request)
{
    if (request.method() != HttpMethod::Get)
        return methodNotAllowed(request, "GET");
    const bool broker = m_health.brokerConnected && m_health.brokerConnected();
    const bool storage = m_registry.storageHealthy();
    return HttpResponse(QJsonObject{{u"status"_s, storage ? u"ok"_s : u"degraded"_s},
                                    {u"broker"_s, broker ? u"connected"_s : u"disconnected"_s},
                                    {u"storage"_s, storage ? u"ok"_s : u"failing"_s},
                                    {u"devices"_s, static_cast<qint64>(m_registry.size())}},
                        storage ? HttpStatus::Ok : HttpStatus::ServiceUnavailable);
}

HttpResponse HttpApi::metrics(const HttpRequest &request)
{
    if (request.method() != HttpMethod::Get)
        return methodNotAllowed(request, "GET");
    return HttpResponse("text/plain; version=0.0.4; charset=utf-8", m_metrics.exposition());
}

HttpResponse HttpApi::listDevices(const HttpRequest &request)
{
    if (request.method() != HttpMethod::Get)
        return methodNotAllowed(request, "GET");
    const QUrlQuery query = request.query();
    std::optional<DeviceStatus> status;
    if (query.hasQueryItem(u"status"_s)) {
        status = deviceStatusFromName(query.queryItemValue(u"status"_s));
        if (!status)
            return restError(RestError::BadRequest, u"status must be online, offline, error or maintenance"_s);
    }
    std::optional<Approval> approval;
    if (query.hasQueryItem(u"approval"_s)) {
        const QString a = query.queryItemValue(u"approval"_s);
        if (a != u"approved" && a != u"pending")
            return restError(RestError::BadRequest, u"approval must be approved or pending"_s);
        approval = a == u"pending" ? Approval::Pending : Approval::Approved;
    }
    const auto limit = intQueryItem(query, u"limit"_s, DefaultPageSize, MaxPageSize);
    const auto offset = intQueryItem(query, u"offset"_s, 0, std::numeric_limits<int>::max());
    if (!limit || !offset)
        return restError(RestError::BadRequest,
                         u"limit must be 0..%1 and offset a non-negative integer"_s.arg(MaxPageSize));

    const QList<DeviceInfo> all = m_registry.list(status, query.queryItemValue(u"type"_s), approval);
    QJsonArray page;
    for (qsizetype i = *offset; i < all.size() && page.size() < *limit; ++i)
        page.append(deviceToJson(all.at(i)));
    return HttpResponse(QJsonObject{{u"devices"_s, page},
                                    {u"total"_s, static_cast<qint64>(all.size())},
                                    {u"limit"_s, *limit},
                                    {u"offset"_s, *offset}});
}

HttpResponse HttpApi::device(const QString &id, const HttpRequest &request)
{
    if (auto bad = refuseDeviceId(id))
        return std::move(*bad);
    switch (request.method()) {
    case HttpMethod::Get: {
        const auto d = m_registry.snapshot(id, QDateTime::currentMSecsSinceEpoch());
        return d ? HttpResponse(deviceToJson(*d)) : unknownDevice(id);
    }
    case HttpMethod::Patch:
        return patchDevice(id, request);
    case HttpMethod::Delete:
        if (m_registry.remove(id) == DeviceRegistry::ChangeResult::NotFound)
            return unknownDevice(id);
        return HttpResponse(HttpStatus::NoContent);
    default:
        return methodNotAllowed(request, "GET, PATCH, DELETE");
    }
}

HttpResponse HttpApi::patchDevice(const QString &id, const HttpRequest &request)
{
    QJsonObject o;
    if (auto refused = readJsonObject(request, &o))
        return std::move(*refused);
    if (!m_registry.find(id))
        return unknownDevice(id);

    DevicePatch patch;
    for (auto it = o.begin(); it != o.end(); ++it) {
        const QString key = it.key();
        const QJsonValue v = it.value();
        if (key == u"name") {
            if (!v.isString() || v.toString().size() > MaxNameLength)
                return restError(RestError::BadRequest,
                                 u"name must be a string of at most %1 characters"_s.arg(MaxNameLength));
            patch.name = v.toString();
        } else if (key == u"metadata") {
            if (!v.isObject())
                return restError(RestError::BadRequest, u"metadata must be an object of strings"_s);
            QMap<QString, QString> metadata;
            const QJsonObject m = v.toObject();
            for (auto mit = m.begin(); mit != m.end(); ++mit) {
                if (!mit.value().isString())
                    return restError(RestError::BadRequest,
                                     u"metadata value of '%1' must be a string"_s.arg(mit.key()));
                metadata.insert(mit.key(), mit.value().toString());
            }
            patch.metadata = std::move(metadata);
        } else if (key == u"maintenance") {
            if (!v.isBool())
                return restError(RestError::BadRequest, u"maintenance must be true or false"_s);
            patch.maintenance = v.toBool();
        } else {
            return restError(RestError::BadRequest, u"unknown field '%1' (name, metadata, maintenance)"_s.arg(key));
        }
    }
    return restAnswer(m_operations.patchDevice(id, patch));
}

HttpResponse HttpApi::approve(const QString &id, const HttpRequest &request)
{
    return decide(id, request, &Operations::approveDevice);
}

HttpResponse HttpApi::reject(const QString &id, const HttpRequest &request)
{
    return decide(id, request, &Operations::rejectDevice);
}

HttpResponse HttpApi::decide(const QString &id, const HttpRequest &request,
                             OperationResult (Operations::*decision)(const QString &))
{
    if (auto bad = refuseDeviceId(id))
        return std::move(*bad);
    if (request.method() != HttpMethod::Post)
        return methodNotAllowed(request, "POST");
    return restAnswer((m_operations.*decision)(id));
}

HttpResponse HttpApi::latestTelemetry(const QString &id, const HttpRequest &request)
{
    if (auto bad = refuseDeviceId(id))
        return std::move(*bad);
    if (request.method() != HttpMethod::Get)
        return methodNotAllowed(request, "GET");
    if (!m_registry.find(id))
        return unknownDevice(id);
    QJsonObject metrics;
    if (const auto *states = m_analytics.device(id)) {
        for (const auto &[name, state] : *states) {
            QJsonObject m{{u"value"_s, valueToJson(state.last)}, {u"time"_s, timeToJson(state.lastTimeMs)}};
            if (state.window) {
                const MetricWindow &w = *state.window;
                m.insert(u"stats"_s,
                         QJsonObject{{u"window"_s, w.capacity()},
                                     {u"samples"_s, w.size()},
                                     {u"count"_s, w.count()},
                                     {u"mean"_s, w.mean()},
                                     {u"stddev"_s, w.stddev()},
                                     {u"min"_s, w.min()},
                                     {u"max"_s, w.max()},
                                     {u"rate"_s, w.rate()}});
            }
            metrics.insert(name, m);
        }
    }
    return HttpResponse(QJsonObject{{u"device"_s, id}, {u"metrics"_s, metrics}});
}

HttpResponse HttpApi::credentials(const QString &id, const HttpRequest &request)
{
    if (auto bad = refuseDeviceId(id))
        return std::move(*bad);
    auto summary = [this, &id] {
        const DeviceCredentials *c = m_registry.credentials(id);
        return QJsonObject{
            {u"device"_s, id},
            {u"psk_identity"_s,
             c && !c->pskIdentity.isEmpty() ? QJsonValue(QString::fromUtf8(c->pskIdentity))
                                            : QJsonValue(QJsonValue::Null)},
            {u"psk_key"_s, c && !c->pskKey.isEmpty()},
            {u"token"_s, c && !c->tokenSha256.isEmpty()},
            {u"certificate"_s, m_registry.hasCertificate(id)},
        };
    };
    if (request.method() == HttpMethod::Get) {
        if (!m_registry.find(id))
            return unknownDevice(id);
        return HttpResponse(summary());
    }
    if (request.method() != HttpMethod::Put)
        return methodNotAllowed(request, "GET, PUT");
    QJsonObject o;
    if (auto refused = readJsonObject(request, &o))
        return std::move(*refused);

    DeviceCredentials credentials;
    for (auto it = o.begin(); it != o.end(); ++it) {
        const QString key = it.key();
        if (!it.value().isString() && !it.value().isNull())
            return restError(RestError::BadRequest, u"%1 must be a string"_s.arg(key));
        const QByteArray value = it.value().toString().toUtf8();
        if (value.size() > 256)
            return restError(RestError::BadRequest, u"%1 is longer than 256 bytes"_s.arg(key));
        if (key == u"psk_identity")
            credentials.pskIdentity = value;
        else if (key == u"psk_key")
            credentials.pskKey = value;
        else if (key == u"token")
            credentials.tokenSha256
                = value.isEmpty() ? QByteArray() : QCryptographicHash::hash(value, QCryptographicHash::Sha256);
        else
            return restError(RestError::BadRequest, u"unknown field '%1' (psk_identity, psk_key, token)"_s.arg(key));
    }
    if (credentials.pskIdentity.isEmpty() != credentials.pskKey.isEmpty())
        return restError(RestError::BadRequest, u"psk_identity and psk_key go together"_s);

    bool created = false;
    switch (m_registry.setCredentials(id, credentials, &created)) {
    case DeviceRegistry::ChangeResult::Conflict:
        return restError(RestError::Conflict, u"another device already uses this psk_identity"_s);
    case DeviceRegistry::ChangeResult::StorageFailed:
        return restError(RestError::StorageFailed, u"the credentials cannot be written"_s);
    case DeviceRegistry::ChangeResult::NotFound:
    case DeviceRegistry::ChangeResult::Done:
        break;
    }
    return HttpResponse(summary(), created ? HttpStatus::Created : HttpStatus::Ok);
}

HttpResponse HttpApi::commands(const QString &id, const HttpRequest &request)
{
    if (auto bad = refuseDeviceId(id))
        return std::move(*bad);
    if (request.method() == HttpMethod::Get) {
        if (!m_registry.find(id))
            return unknownDevice(id);
        QJsonArray list;
        for (const Command &c : m_commands.list(id))
            list.append(commandToJson(c));
        return HttpResponse(QJsonObject{{u"commands"_s, list}});
    }
    if (request.method() != HttpMethod::Post)
        return methodNotAllowed(request, "GET, POST");
    QJsonObject o;
    if (auto refused = readJsonObject(request, &o))
        return std::move(*refused);
    return restAnswer(m_operations.submitCommand(id, o), HttpStatus::Created);
}

HttpResponse HttpApi::listAlerts(const HttpRequest &request)
{
    if (request.method() != HttpMethod::Get)
        return methodNotAllowed(request, "GET");
    const QUrlQuery query = request.query();
    const auto limit = intQueryItem(query, u"limit"_s, DefaultPageSize, MaxPageSize);
    if (!limit)
        return restError(RestError::BadRequest, u"limit must be 0..%1"_s.arg(MaxPageSize));
    const AlertStore::Filter filter{query.queryItemValue(u"state"_s), query.queryItemValue(u"severity"_s),
                                    query.queryItemValue(u"device"_s)};
    if (!filter.state.isEmpty() && !isAlertState(filter.state))
        return restError(RestError::BadRequest, u"state must be active, acknowledged or cleared"_s);
    if (!filter.severity.isEmpty() && !isAlertSeverity(filter.severity))
        return restError(RestError::BadRequest, u"severity must be info, warning or critical"_s);
    QJsonArray alerts;
    qsizetype total = 0;
    for (const Alert &a : m_alerts.list(filter, *limit, &total))
        alerts.append(alertToJson(a));
    return HttpResponse(QJsonObject{{u"alerts"_s, alerts}, {u"total"_s, static_cast<qint64>(total)}});
}

} // namespace edgegate
