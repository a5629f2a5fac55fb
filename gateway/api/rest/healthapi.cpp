// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/rest/healthapi.h"

#include "gateway/api/http/httpserver.h"
#include "gateway/api/rest/resterror.h"
#include "gateway/core/alerts/alertengine.h"
#include "gateway/core/alerts/alertrule.h"
#include "gateway/core/alerts/alertstore.h"
#include "gateway/core/devices/deviceregistry.h"
#include "gateway/core/devices/healthhistory.h"
#include "gateway/storage/books.h"
#include "shared/deviceid.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QUrlQuery>

#include <limits>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcHealthApi, "edgegate.healthapi")

namespace {

constexpr int DefaultLimit = 100;
constexpr int MaxLimit = DeviceHistoryPage::MaxLimit;
constexpr qsizetype MaxBodyBytes = 65536;

/// The body as a JSON object, or the answer refusing it. An empty body is an empty object.
std::optional<HttpResponse> readObject(const HttpRequest &request, QJsonObject *out)
{
    const QByteArray body = request.body();
    if (body.size() > MaxBodyBytes)
        return restError(RestError::PayloadTooLarge, u"body larger than 64 KiB"_s);
    if (body.trimmed().isEmpty()) {
        *out = {};
        return std::nullopt;
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return restError(RestError::BadJson, u"expected a JSON object"_s);
    *out = doc.object();
    return std::nullopt;
}

/// A POST's body as a JSON object, or the answer refusing the request.
std::optional<HttpResponse> readPostedObject(const HttpRequest &request, QJsonObject *out)
{
    if (request.method() != HttpMethod::Post)
        return methodNotAllowed(request, "POST");
    return readObject(request, out);
}

/// An ISO 8601 time query parameter; `fallback` when absent, nullopt when malformed.
std::optional<qint64> timeParam(const QUrlQuery &query, const QString &key, qint64 fallback)
{
    if (!query.hasQueryItem(key))
        return fallback;
    const QDateTime t = QDateTime::fromString(query.queryItemValue(key, QUrl::FullyDecoded), Qt::ISODateWithMs);
    if (!t.isValid())
        return std::nullopt;
    return t.toMSecsSinceEpoch();
}

HttpResponse unknownAlert(const QString &id)
{
    return restError(RestError::NotFound, u"no alert '%1'"_s.arg(id.left(40)));
}

HttpResponse unknownRule(const QString &id)
{
    return restError(RestError::NotFound, u"no alert rule '%1'"_s.arg(id.left(64)));
}

std::optional<quint64> alertId(const QString &text)
{
    bool ok = false;
    const quint64 id = text.toULongLong(&ok);
    return ok ? std::optional(id) : std::nullopt;
}

} // namespace

HealthApi::HealthApi(HttpServer &server, Operations &operations, DeviceRegistry &registry, HealthHistory &history,
                     AlertStore &alerts, AlertEngine &engine, AlertRuleBook &rules, QObject *parent)
    : QObject(parent)
    , m_operations(operations)
    , m_registry(registry)
    , m_history(history)
    , m_alerts(alerts)
    , m_engine(engine)
    , m_rules(rules)
{
    server.route(u"/api/v1/devices/<arg>/history"_s, this, &HealthApi::history);
    server.route(u"/api/v1/alerts/<arg>"_s, this, &HealthApi::alert);
    server.route(u"/api/v1/alerts/<arg>/acknowledge"_s, this, &HealthApi::acknowledge);
    server.route(u"/api/v1/alerts/<arg>/clear"_s, this, &HealthApi::clear);
    server.route(u"/api/v1/alert-rules"_s, this, &HealthApi::rules);
    server.route(u"/api/v1/alert-rules/<arg>"_s, this, &HealthApi::rule);
}

HttpResponse HealthApi::history(const QString &id, const HttpRequest &request)
{
    if (request.method() != HttpMethod::Get)
        return methodNotAllowed(request, "GET");
    if (!isValidDeviceId(id))
        return restError(RestError::BadRequest, u"'%1' is not a valid device id"_s.arg(id.left(80)));
    const QUrlQuery query = request.query();
    const auto since = timeParam(query, u"since"_s, 0);
    const auto until = timeParam(query, u"until"_s, std::numeric_limits<qint64>::max());
    if (!since || !until)
        return restError(RestError::BadRequest, u"since and until must be ISO 8601 times, e.g. 2026-01-31T12:00:00Z"_s);
    const auto limit = intQueryItem(query, u"limit"_s, DefaultLimit, MaxLimit);
    if (!limit)
        return restError(RestError::BadRequest, u"limit must be 0..%1"_s.arg(MaxLimit));
    const DeviceHistoryPage page = deviceHistoryPage(m_history, m_registry, id, *since, *until, *limit);
    switch (page.result) {
    case DeviceHistoryPage::Result::StorageFailed:
        return restError(RestError::StorageFailed, u"cannot read the status history"_s);
    case DeviceHistoryPage::Result::UnknownDevice:
        return unknownDevice(id);
    case DeviceHistoryPage::Result::Ok:
        break;
    }
    return HttpResponse(QJsonObject{
        {u"device"_s, id}, {u"transitions"_s, page.transitions}, {u"total"_s, static_cast<qint64>(page.total)}});
}

HttpResponse HealthApi::alert(const QString &id, const HttpRequest &request)
{
    if (request.method() != HttpMethod::Get)
        return methodNotAllowed(request, "GET");
    const auto number = alertId(id);
    const Alert *a = number ? m_alerts.find(*number) : nullptr;
    if (!a)
        return unknownAlert(id);
    return HttpResponse(alertToJson(*a));
}

HttpResponse HealthApi::acknowledge(const QString &id, const HttpRequest &request)
{
    QJsonObject o;
    if (auto bad = readPostedObject(request, &o))
        return std::move(*bad);
    const auto by = alertActorFrom(o.value(u"by"_s).toString());
    if (!by)
        return restError(RestError::BadRequest, u"by: who acknowledges, 1 to 128 characters"_s);
    const auto note = alertNoteFromJson(o.value(u"note"_s));
    if (!note)
        return restError(RestError::BadRequest, u"note: a text of at most 1024 characters"_s);
    const auto number = alertId(id);
    if (!number)
        return unknownAlert(id);
    return restAnswer(m_operations.acknowledgeAlert(*number, *by, *note));
}

HttpResponse HealthApi::clear(const QString &id, const HttpRequest &request)
{
    QJsonObject o;
    if (auto bad = readPostedObject(request, &o))
        return std::move(*bad);
    const auto by = alertActorFrom(o.value(u"by"_s).toString(u"operator"_s));
    if (!by)
        return restError(RestError::BadRequest, u"by: who clears, 1 to 128 characters"_s);
    const auto number = alertId(id);
    if (!number)
        return unknownAlert(id);
    return restAnswer(m_operations.clearAlert(*number, *by));
}

QJsonObject HealthApi::rulesJson() const
{
    return QJsonObject{{u"rules"_s, alertRulesToJson(m_rules.rules())}, {u"source"_s, m_rules.source()}};
}

std::optional<HttpResponse> HealthApi::apply(const QList<AlertRule> &rules)
{
    QString error;
    if (!m_rules.save(rules, &error)) {
        qCWarning(lcHealthApi).noquote() << error;
        return restError(RestError::StorageFailed, error);
    }
    m_engine.setRules(rules);
    qCInfo(lcHealthApi) << "alert rules changed through the API:" << rules.size() << "rule(s)";
    return std::nullopt;
}

HttpResponse HealthApi::rules(const HttpRequest &request)
{
    switch (request.method()) {
    case HttpMethod::Get:
        return HttpResponse(rulesJson());
    case HttpMethod::Post: {
        QJsonObject o;
        if (auto bad = readObject(request, &o))
            return std::move(*bad);
        QString error;
        const auto rule = alertRuleFromJson(o, &error);
        if (!rule)
            return restError(RestError::BadRequest, error);
        QList<AlertRule> all = m_rules.rules();
        if (std::any_of(all.cbegin(), all.cend(), [&rule](const AlertRule &r) { return r.id == rule->id; }))
            return restError(RestError::Conflict, u"alert rule '%1' exists"_s.arg(rule->id));
        all.append(*rule);
        if (auto failed = apply(all))
            return std::move(*failed);
        return HttpResponse(alertRuleToJson(*rule), HttpStatus::Created);
    }
    default:
        return methodNotAllowed(request, "GET, POST");
    }
}

HttpResponse HealthApi::rule(const QString &id, const HttpRequest &request)
{
    QList<AlertRule> all = m_rules.rules();
    const auto it = std::find_if(all.begin(), all.end(), [&id](const AlertRule &r) { return r.id == id; });
    switch (request.method()) {
    case HttpMethod::Get:
        if (it == all.end())
            return unknownRule(id);
        return HttpResponse(alertRuleToJson(*it));
    case HttpMethod::Put: {
        QJsonObject o;
        if (auto bad = readObject(request, &o))
            return std::move(*bad);
        if (!o.contains(u"id"_s))
            o.insert(u"id"_s, id);
        QString error;
        const auto rule = alertRuleFromJson(o, &error);
        if (!rule)
            return restError(RestError::BadRequest, error);
        if (rule->id != id)
            return restError(
                RestError::BadRequest,
                u"id: '%1' in the body differs from '%2' in the path"_s.arg(rule->id.left(64), id.left(64)));
        const bool created = it == all.end();
        if (created)
            all.append(*rule);
        else
            *it = *rule;
        if (auto failed = apply(all))
            return std::move(*failed);
        return HttpResponse(alertRuleToJson(*rule), created ? HttpStatus::Created : HttpStatus::Ok);
    }
    case HttpMethod::Delete:
        if (it == all.end())
            return unknownRule(id);
        all.erase(it);
        if (auto failed = apply(all))
            return std::move(*failed);
        return HttpResponse(HttpStatus::NoContent);
    default:
        return methodNotAllowed(request, "GET, PUT, DELETE");
    }
}

} // namespace edgegate
