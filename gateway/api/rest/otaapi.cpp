// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/rest/otaapi.h"

#include "gateway/api/http/httpserver.h"
#include "gateway/core/devices/deviceregistry.h"
#include "gateway/core/ota/otamanager.h"
#include "shared/deviceid.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace edgegate {

using namespace Qt::StringLiterals;
using Method = HttpMethod;
using Status = HttpStatus;

namespace {

HttpResponse notFound(const QString &what)
{
    return jsonError(Status::NotFound, u"not_found"_s, what);
}

std::optional<HttpResponse> badDeviceId(const QString &id)
{
    if (isValidDeviceId(id))
        return std::nullopt;
    return jsonError(Status::BadRequest, u"bad_request"_s,
                     u"'%1' is not a valid device id (1-64 of A-Z a-z 0-9 . _ : -)"_s.arg(id.left(80)));
}

// The one place a campaign creation error becomes an HTTP answer.
HttpResponse createError(const OtaManager::CreateResult &result)
{
    using Error = OtaManager::CreateResult::Error;
    switch (result.error) {
    case Error::NoCatalog:
        return jsonError(Status::ServiceUnavailable, u"no_firmware_store"_s, result.message);
    case Error::UnknownFirmware:
        return jsonError(Status::BadRequest, u"unknown_firmware"_s, result.message);
    case Error::NoDevices:
        return jsonError(Status::BadRequest, u"no_devices"_s, result.message);
    case Error::Conflict:
        return jsonError(Status::Conflict, u"conflict"_s, result.message);
    case Error::StorageFailed:
        return jsonError(Status::ServiceUnavailable, u"storage_unavailable"_s, result.message);
    case Error::BadRequest:
    case Error::None:
        break;
    }
    return jsonError(Status::BadRequest, u"bad_request"_s, result.message);
}

} // namespace

OtaApi::OtaApi(HttpServer &server, OtaManager &manager, DeviceRegistry &registry, qsizetype maxBodyBytes,
               QObject *parent)
    : QObject(parent)
    , m_manager(manager)
    , m_registry(registry)
    , m_maxBodyBytes(maxBodyBytes)
{
    server.route(u"/api/v1/ota/campaigns"_s,
                 [this](const HttpRequest &r, const QStringList &) { return campaigns(r); });
    server.route(u"/api/v1/ota/campaigns/<arg>"_s,
                 [this](const HttpRequest &r, const QStringList &a) { return campaign(a[0], r); });
    server.route(u"/api/v1/ota/campaigns/<arg>/<arg>"_s,
                 [this](const HttpRequest &r, const QStringList &a) { return action(a[0], a[1], r); });
    server.route(u"/api/v1/devices/<arg>/ota"_s,
                 [this](const HttpRequest &r, const QStringList &a) { return deviceJobs(a[0], r); });
}

QJsonObject OtaApi::campaignWithJobs(const QString &id) const
{
    QJsonObject o = otaCampaignToJson(*m_manager.campaign(id));
    QJsonArray jobs;
    for (const OtaJob &job : m_manager.jobs(id))
        jobs.append(otaJobToJson(job));
    o.insert(u"jobs"_s, jobs);
    return o;
}

HttpResponse OtaApi::campaigns(const HttpRequest &request)
{
    if (request.method() == Method::Get) {
        QJsonArray list;
        for (const OtaCampaign &c : m_manager.campaigns())
            list.append(otaCampaignToJson(c));
        return HttpResponse(QJsonObject{{u"campaigns"_s, list}});
    }
    if (request.method() != Method::Post)
        return methodNotAllowed(request, "GET, POST");
    const QByteArray body = request.body();
    if (body.size() > m_maxBodyBytes)
        return jsonError(Status::PayloadTooLarge, u"payload_too_large"_s,
                         u"request body over %1 bytes"_s.arg(m_maxBodyBytes));
    if (!request.value("Content-Type").toLower().startsWith("application/json"))
        return jsonError(Status::UnsupportedMediaType, u"unsupported_media_type"_s, u"send application/json"_s);
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return jsonError(Status::BadRequest, u"bad_json"_s, u"invalid JSON: "_s + parseError.errorString());
    if (!doc.isObject())
        return jsonError(Status::BadRequest, u"bad_json"_s, u"the body must be a JSON object"_s);
    const auto result = m_manager.create(doc.object());
    if (result.error != OtaManager::CreateResult::Error::None)
        return createError(result);
    return HttpResponse(campaignWithJobs(result.campaign.id), Status::Created);
}

HttpResponse OtaApi::campaign(const QString &id, const HttpRequest &request)
{
    if (request.method() != Method::Get)
        return methodNotAllowed(request, "GET");
    if (!m_manager.campaign(id))
        return notFound(u"no campaign '%1'"_s.arg(id.left(80)));
    return HttpResponse(campaignWithJobs(id));
}

HttpResponse OtaApi::action(const QString &id, const QString &action, const HttpRequest &request)
{
    using Change = OtaManager::ChangeResult;
    Change (OtaManager::*change)(const QString &) = nullptr;
    if (action == u"pause")
        change = &OtaManager::pause;
    else if (action == u"resume")
        change = &OtaManager::resume;
    else if (action == u"cancel")
        change = &OtaManager::cancel;
    else
        return notFound(u"no such endpoint: %1 (pause, resume, cancel)"_s.arg(request.url().path()));
    if (request.method() != Method::Post)
        return methodNotAllowed(request, "POST");
    const std::optional<OtaCampaign> before = m_manager.campaign(id);
    switch ((m_manager.*change)(id)) {
    case Change::NotFound:
        return notFound(u"no campaign '%1'"_s.arg(id.left(80)));
    case Change::Conflict:
        return jsonError(Status::Conflict, u"conflict"_s,
                         u"campaign %1 is %2: it cannot %3"_s.arg(id, otaCampaignStateName(before->state), action));
    case Change::Done:
        break;
    }
    return HttpResponse(otaCampaignToJson(*m_manager.campaign(id)));
}

HttpResponse OtaApi::deviceJobs(const QString &id, const HttpRequest &request)
{
    if (auto bad = badDeviceId(id))
        return std::move(*bad);
    if (request.method() != Method::Get)
        return methodNotAllowed(request, "GET");
    const QList<OtaJob> jobs = m_manager.deviceJobs(id);
    if (jobs.isEmpty() && !m_registry.find(id))
        return notFound(u"no device '%1'"_s.arg(id));
    QJsonArray list;
    for (const OtaJob &job : jobs)
        list.append(otaJobToJson(job));
    return HttpResponse(QJsonObject{{u"jobs"_s, list}});
}

} // namespace edgegate
