// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/rest/discoveryapi.h"

#include "gateway/api/http/httpserver.h"
#include "gateway/core/devices/deviceregistry.h"
#include "gateway/core/ingest/ingest.h"
#include "shared/deviceid.h"

#include <QJsonObject>

namespace edgegate {

using namespace Qt::StringLiterals;
using Status = HttpStatus;

DiscoveryApi::DiscoveryApi(HttpServer &server, DeviceRegistry &registry, Ingest &ingest, QObject *parent)
    : QObject(parent)
    , m_registry(registry)
    , m_ingest(ingest)
{
    server.route(u"/api/v1/devices/<arg>/reject"_s,
                 [this](const HttpRequest &r, const QStringList &a) { return reject(a[0], r); });
}

HttpResponse DiscoveryApi::reject(const QString &id, const HttpRequest &request)
{
    if (!isValidDeviceId(id)) {
        return jsonError(Status::BadRequest, u"bad_request"_s,
                         u"'%1' is not a valid device id (1-64 of A-Z a-z 0-9 . _ : -)"_s.arg(id.left(80)));
    }
    if (request.method() != HttpMethod::Post) {
        HttpResponse response
            = jsonError(Status::MethodNotAllowed, u"method_not_allowed"_s, u"only POST is allowed here"_s);
        response.setHeader("Allow", "POST");
        return response;
    }
    const qsizetype heldBefore = m_ingest.heldCount();
    switch (m_registry.reject(id)) {
    case DeviceRegistry::ChangeResult::NotFound:
        return jsonError(Status::NotFound, u"not_found"_s, u"no device '%1'"_s.arg(id));
    case DeviceRegistry::ChangeResult::Conflict:
        return jsonError(Status::Conflict, u"conflict"_s,
                         u"device '%1' is approved: remove it with DELETE /api/v1/devices/%1"_s.arg(id));
    case DeviceRegistry::ChangeResult::StorageFailed:
        return jsonError(Status::ServiceUnavailable, u"storage_unavailable"_s, u"the registry cannot be written"_s);
    case DeviceRegistry::ChangeResult::Done:
        break;
    }
    return HttpResponse(QJsonObject{
        {u"id"_s, id}, {u"rejected"_s, true}, {u"dropped_messages"_s, double(heldBefore - m_ingest.heldCount())}});
}

} // namespace edgegate
