// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/rest/otaapi.h"

#include "gateway/api/http/httpserver.h"
#include "gateway/api/rest/resterror.h"
#include "gateway/core/devices/deviceregistry.h"
#include "gateway/core/ota/otamanager.h"

#include <QJsonArray>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

// The one place a campaign creation error becomes a REST error.
RestError createError(OtaManager::CreateResult::Error error)
{
    using Error = OtaManager::CreateResult::Error;
    switch (error) {
    case Error::NoCatalog:
        return RestError::NoFirmwareStore;
    case Error::UnknownFirmware:
        return RestError::UnknownFirmware;
    case Error::NoDevices:
        return RestError::NoDevices;
    case Error::Conflict:
        return RestError::Conflict;
    case Error::StorageFailed:
        return RestError::StorageFailed;
    case Error::BadRequest:
    case Error::None:
        break;
    }
    return RestError::BadRequest;
}

} // namespace

OtaApi::OtaApi(HttpServer &server, OtaManager &manager, DeviceRegistry &registry, qsizetype maxBodyBytes,
               QObject *parent)
    : QObject(parent)
    , m_manager(manager)
    , m_registry(registry)
    , m_maxBodyBytes(maxBodyBytes)
{
    server.route(u"/api/v1/ota/campaigns"_s, this, &OtaApi::campaigns);
    server.route(u"/api/v1/ota/campaigns/<arg>"_s, this, &OtaApi::campaign);
    server.route(u"/api/v1/ota/campaigns/<arg>/<arg>"_s, this, &OtaApi::action);
    server.route(u"/api/v1/devices/<arg>/ota"_s, this, &OtaApi::deviceJobs);
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
    if (request.method() == HttpMethod::Get) {
        QJsonArray list;
        for (const OtaCampaign &c : m_manager.campaigns())
            list.append(otaCampaignToJson(c));
        return HttpResponse(QJsonObject{{u"campaigns"_s, list}});
    }
    if (request.method() != HttpMethod::Post)
        return methodNotAllowed(request, "GET, POST");
    if (request.body().size() > m_maxBodyBytes)
        return restError(RestError::PayloadTooLarge, u"request body over %1 bytes"_s.arg(m_maxBodyBytes));
    QJsonObject o;
    if (auto bad = readJsonObject(request, &o))
        return std::move(*bad);
    const auto result = m_manager.create(o);
    if (result.error != OtaManager::CreateResult::Error::None)
        return restError(createError(result.error), result.message);
    return HttpResponse(campaignWithJobs(result.campaign.id), HttpStatus::Created);
}

HttpResponse OtaApi::campaign(const QString &id, const HttpRequest &request)
{
    if (request.method() != HttpMethod::Get)
        return methodNotAllowed(request, "GET");
    if (!m_manager.campaign(id))
        return restError(RestError::NotFound, u"no campaign '%1'"_s.arg(id.left(80)));
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
        return restError(RestError::NotFound,
                         u"no such endpoint: %1 (pause, resume, cancel)"_s.arg(request.url().path()));
    if (request.method() != HttpMethod::Post)
        return methodNotAllowed(request, "POST");
    const std::optional<OtaCampaign> before = m_manager.campaign(id);
    switch ((m_manager.*change)(id)) {
    case Change::NotFound:
        return restError(RestError::NotFound, u"no campaign '%1'"_s.arg(id.left(80)));
    case Change::Conflict:
        return restError(RestError::Conflict,
                         u"campaign %1 is %2: it cannot %3"_s.arg(id, otaCampaignStateName(before->state), action));
    case Change::Done:
        break;
    }
    return HttpResponse(otaCampaignToJson(*m_manager.campaign(id)));
}

HttpResponse OtaApi::deviceJobs(const QString &id, const HttpRequest &request)
{
    if (auto bad = refuseDeviceId(id))
        return std::move(*bad);
    if (request.method() != HttpMethod::Get)
        return methodNotAllowed(request, "GET");
    const QList<OtaJob> jobs = m_manager.deviceJobs(id);
    if (jobs.isEmpty() && !m_registry.find(id))
        return unknownDevice(id);
    QJsonArray list;
    for (const OtaJob &job : jobs)
        list.append(otaJobToJson(job));
    return HttpResponse(QJsonObject{{u"jobs"_s, list}});
}

} // namespace edgegate
