// SPDX-License-Identifier: Apache-2.0
#include "gateway/devicelinks/http/httpdevicelink.h"

#include "gateway/api/http/httpserver.h"
#include "gateway/core/common/ratelimitedlog.h"
#include "gateway/core/devices/deviceauth.h"
#include "gateway/core/devices/deviceregistry.h"
#include "gateway/core/downlink/commandqueue.h"
#include "gateway/core/ingest/ingest.h"
#include "gateway/core/ota/otamanager.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <optional>

namespace edgegate {

using namespace Qt::StringLiterals;
using Status = HttpStatus;

namespace {

std::optional<PayloadFormat> formatFromContentType(QByteArray contentType)
{
    const qsizetype parameters = contentType.indexOf(';');
    if (parameters >= 0)
        contentType.truncate(parameters);
    contentType = contentType.trimmed().toLower();
    if (contentType == "application/json")
        return PayloadFormat::Json;
    if (contentType == "application/cbor")
        return PayloadFormat::Cbor;
    if (contentType == "application/senml+json")
        return PayloadFormat::SenmlJson;
    if (contentType == "application/senml+cbor")
        return PayloadFormat::SenmlCbor;
    return std::nullopt;
}

} // namespace

HttpDeviceLink::HttpDeviceLink(HttpServer &server, Ingest &ingest, DeviceRegistry &registry, CommandQueue &commands,
                               QObject *parent)
    : QObject(parent)
    , m_ingest(ingest)
    , m_registry(registry)
    , m_commands(commands)
    , m_server(server)
{
    server.route(u"/api/v1/devices/<arg>/telemetry"_s, this, &HttpDeviceLink::telemetry);
    server.route(u"/api/v1/devices/<arg>/meta"_s, this, &HttpDeviceLink::meta);
    server.route(u"/api/v1/devices/<arg>/commands/pending"_s, this, &HttpDeviceLink::pendingCommands);
    server.route(u"/api/v1/devices/<arg>/commands/ack"_s, this, &HttpDeviceLink::commandAck);
}

std::optional<HttpResponse> HttpDeviceLink::refuse(const QString &id, const HttpRequest &request, HttpMethod method,
                                                   DeviceProof *proof)
{
    if (request.method() != method) {
        HttpResponse response
            = jsonError(Status::MethodNotAllowed, u"method_not_allowed"_s, u"use the method in the Allow header"_s);
        response.setHeader("Allow", method == HttpMethod::Get ? "GET" : "POST");
        return response;
    }
    if (!isValidDeviceId(id))
        return answer(
            m_ingest.reject(Protocol::Http, BadInput::InvalidDeviceId, {}, u"id '%1'"_s.arg(loggable(id, 80))));
    std::optional<QString> certificate;
    if (m_certificateCheck)
        certificate = m_certificateCheck(request.peerCertificate());
    const BearerCheck check = checkBearer(m_registry, id, request.value("Authorization"), certificate);
    if (const auto proven = proofOf(check)) {
        if (proof)
            *proof = *proven;
        return std::nullopt;
    }
    const bool noToken = check == BearerCheck::NoToken;
    m_ingest.reject(Protocol::Http, BadInput::Unauthorized, id,
                    noToken           ? u"device has credentials but no token for HTTP"_s
                        : certificate ? u"client certificate not valid for this device"_s
                                      : u"missing or wrong bearer token"_s);
    HttpResponse response = jsonError(Status::Unauthorized, u"unauthorized"_s,
                                      noToken ? u"this device has credentials but no token: give it one "
                                                "(PUT /api/v1/devices/{id}/credentials) to use HTTP"_s
                                              : u"this device needs its bearer token"_s);
    response.setHeader("WWW-Authenticate", "Bearer");
    return response;
}

HttpResponse HttpDeviceLink::pendingCommands(const QString &id, const HttpRequest &request)
{
    if (auto refused = refuse(id, request, HttpMethod::Get))
        return std::move(*refused);
    if (!m_registry.find(id))
        return jsonError(Status::NotFound, u"not_found"_s, u"no device '%1'"_s.arg(id));
    QJsonArray commands;
    for (const Command &c : m_commands.takeQueued(id, Protocol::Http))
        commands.append(QJsonDocument::fromJson(commandWireJson(c)).object());
    return HttpResponse(QJsonObject{{u"commands"_s, commands}});
}

HttpResponse HttpDeviceLink::commandAck(const QString &id, const HttpRequest &request)
{
    DeviceProof proof = DeviceProof::None;
    if (auto refused = refuse(id, request, HttpMethod::Post, &proof))
        return std::move(*refused);
    return answer(m_ingest.handle(received(id, MessageKind::CommandAck, request, proof)));
}

void HttpDeviceLink::serveOta(OtaManager &ota)
{
    m_ota = &ota;
    m_server.route(u"/api/v1/devices/<arg>/ota/pending"_s, this, &HttpDeviceLink::pendingOta);
    m_server.route(u"/api/v1/devices/<arg>/ota/progress"_s, this, &HttpDeviceLink::otaProgress);
}

HttpResponse HttpDeviceLink::pendingOta(const QString &id, const HttpRequest &request)
{
    if (auto refused = refuse(id, request, HttpMethod::Get))
        return std::move(*refused);
    if (!m_registry.find(id))
        return jsonError(Status::NotFound, u"not_found"_s, u"no device '%1'"_s.arg(id));
    return HttpResponse(QJsonDocument::fromJson(m_ota->takeNotification(id)).object());
}

HttpResponse HttpDeviceLink::otaProgress(const QString &id, const HttpRequest &request)
{
    DeviceProof proof = DeviceProof::None;
    if (auto refused = refuse(id, request, HttpMethod::Post, &proof))
        return std::move(*refused);
    return answer(m_ingest.handle(received(id, MessageKind::OtaProgress, request, proof)));
}

InboundMessage HttpDeviceLink::received(const QString &id, MessageKind kind, const HttpRequest &request,
                                        DeviceProof proof)
{
    InboundMessage message = receivedNow(Protocol::Http, id, kind, request.body());
    message.source = request.peerAddress().toString();
    message.proof = proof;
    return message;
}

HttpResponse HttpDeviceLink::answer(const IngestResult &result)
{
    switch (result.outcome) {
    case IngestResult::Outcome::Accepted:
        return HttpResponse(QJsonObject{{u"status"_s, u"accepted"_s}}, Status::Accepted);
    case IngestResult::Outcome::Held:
        return HttpResponse(QJsonObject{{u"status"_s, u"held_for_approval"_s}}, Status::Accepted);
    case IngestResult::Outcome::Denied:
        return jsonError(Status::Forbidden, result.code(), u"the registry policy refuses this device"_s);
    case IngestResult::Outcome::Busy:
    case IngestResult::Outcome::Overloaded:
    case IngestResult::Outcome::Throttled: {
        const Status status
            = result.outcome == IngestResult::Outcome::Throttled ? Status::TooManyRequests : Status::ServiceUnavailable;
        HttpResponse response = jsonError(status, result.code(), result.detail);
        response.setHeader("Retry-After", QByteArray::number(std::max<qint64>(1, result.retryAfter.count())));
        return response;
    }
    case IngestResult::Outcome::BadInput:
        break;
    }
    return jsonError(httpStatus(result.bad), result.code(), result.detail);
}

HttpResponse HttpDeviceLink::telemetry(const QString &id, const HttpRequest &request)
{
    DeviceProof proof = DeviceProof::None;
    if (auto refused = refuse(id, request, HttpMethod::Post, &proof))
        return std::move(*refused);
    const auto format = formatFromContentType(request.value("Content-Type"));
    if (!format) {
        return answer(
            m_ingest.reject(Protocol::Http, BadInput::UnsupportedFormat, id,
                            u"Content-Type must be application/json, application/cbor, application/senml+json or "
                            "application/senml+cbor"_s));
    }
    InboundMessage message = received(id, MessageKind::Telemetry, request, proof);
    message.format = *format;
    return answer(m_ingest.handle(message));
}

HttpResponse HttpDeviceLink::meta(const QString &id, const HttpRequest &request)
{
    DeviceProof proof = DeviceProof::None;
    if (auto refused = refuse(id, request, HttpMethod::Post, &proof))
        return std::move(*refused);
    const auto format = formatFromContentType(request.value("Content-Type"));
    if (format != PayloadFormat::Json && format != PayloadFormat::Cbor) {
        return answer(m_ingest.reject(Protocol::Http, BadInput::UnsupportedFormat, id,
                                      u"Content-Type must be application/json or application/cbor"_s));
    }
    InboundMessage message = received(id, MessageKind::Meta, request, proof);
    message.format = *format;
    return answer(m_ingest.handle(message));
}

} // namespace edgegate
