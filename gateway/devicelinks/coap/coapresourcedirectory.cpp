// SPDX-License-Identifier: Apache-2.0
#include "gateway/devicelinks/coap/coapresourcedirectory.h"

#include "gateway/core/devices/deviceregistry.h"
#include "gateway/core/discovery/resourcedirectory.h"
#include "gateway/devicelinks/coap/coaplink.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include <coap3/coap.h>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

const QByteArray RdSegment = QByteArrayLiteral("rd");

} // namespace

CoapResourceDirectory::CoapResourceDirectory(CoapLink &link, ResourceDirectory &directory, Ingest &ingest,
                                             DeviceRegistry &registry, qsizetype maxPayloadBytes, QObject *parent)
    : QObject(parent)
    , m_link(link)
    , m_directory(directory)
    , m_ingest(ingest)
    , m_registry(registry)
    , m_maxPayloadBytes(maxPayloadBytes)
{
    link.addHandler(RdSegment, {{"rt", "\"core.rd\""}, {"ct", "40"}},
                    [this](coap_session_t *session, const coap_pdu_t *request, coap_pdu_t *response) {
                        handle(session, request, response);
                    });
    connect(&directory, &ResourceDirectory::expired, this, &CoapResourceDirectory::ended);
    // A device deleted (or rejected) by an operator takes its registration with it.
    connect(&registry, &DeviceRegistry::deviceRemoved, &directory, &ResourceDirectory::removeEndpoint);
}

void CoapResourceDirectory::handle(coap_session_t *session, const coap_pdu_t *request, coap_pdu_t *response)
{
    const QList<QByteArray> path = CoapLink::requestPath(request);
    const coap_pdu_code_t method = coap_pdu_get_code(request);
    if (path.size() == 1) {
        if (method != COAP_REQUEST_CODE_POST) {
            respond(response, bad(BadInput::MethodNotAllowed, {}, u"the directory takes POST"_s), 0);
            return;
        }
        respond(response, registration(session, request, response), 201);
        return;
    }
    const QString id = path.size() == 2 ? QString::fromUtf8(path[1]) : QString();
    const ResourceDirectory::Registration *r = m_directory.find(id);
    if (!r) {
        respond(response, bad(BadInput::UnknownRegistration, {}, u"no registration '%1'"_s.arg(loggable(id, 80))), 0);
        return;
    }
    // Over DTLS only the device itself may change its registration.
    if (auto refused = m_link.sessionRefusal(session, r->endpoint)) {
        respond(response, *refused, 0);
        return;
    }
    if (method == COAP_REQUEST_CODE_POST)
        respond(response, update(id, request, m_link.sessionProof(session)), 204);
    else if (method == COAP_REQUEST_CODE_DELETE)
        respond(response, removal(id), 202);
    else
        respond(response, bad(BadInput::MethodNotAllowed, r->endpoint, u"a registration takes POST and DELETE"_s), 0);
}

IngestResult CoapResourceDirectory::bad(BadInput reason, const QString &deviceId, const QString &detail)
{
    return m_ingest.reject(Protocol::Coap, reason, deviceId, detail);
}

std::optional<QList<DeviceResource>> CoapResourceDirectory::body(const coap_pdu_t *request, const QString &deviceId,
                                                                 const QString &base, IngestResult *refused)
{
    coap_opt_iterator_t it;
    if (coap_check_option(request, COAP_OPTION_BLOCK1, &it)) {
        *refused = bad(BadInput::BlockwiseUnsupported, deviceId, u"block-wise transfer (Block1) is not supported"_s);
        return std::nullopt;
    }
    if (const coap_opt_t *opt = coap_check_option(request, COAP_OPTION_CONTENT_FORMAT, &it)) {
        const unsigned int format = coap_decode_var_bytes(coap_opt_value(opt), coap_opt_length(opt));
        if (format != COAP_MEDIATYPE_APPLICATION_LINK_FORMAT) {
            *refused = bad(BadInput::UnsupportedContentFormat, deviceId,
                           u"registrations are link format (40), not content format %1"_s.arg(format));
            return std::nullopt;
        }
    }
    size_t length = 0;
    const uint8_t *data = nullptr;
    if (!coap_get_data(request, &length, &data))
        length = 0;
    if (length > size_t(m_maxPayloadBytes)) {
        *refused = bad(BadInput::TooLarge, deviceId, u"%1 bytes, more than %2"_s.arg(length).arg(m_maxPayloadBytes));
        return std::nullopt;
    }
    const LinkFormatParser::Result parsed
        = m_parser.parse(QByteArray(reinterpret_cast<const char *>(data), qsizetype(length)));
    if (parsed.error) {
        const bool tooLarge = *parsed.error == LinkFormatParser::Error::TooLarge;
        *refused = bad(tooLarge ? BadInput::TooLarge : BadInput::BadLinkFormat, deviceId, parsed.detail);
        return std::nullopt;
    }
    QString error;
    auto resources = rdResources(parsed.links, base, &error);
    if (!resources)
        *refused = bad(BadInput::BadLinkFormat, deviceId, error);
    return resources;
}

IngestResult CoapResourceDirectory::announce(const QString &deviceId, const QString &type, DeviceProof proof)
{
    QJsonObject meta;
    if (!type.isEmpty())
        meta.insert(u"type"_s, type);
    InboundMessage message
        = receivedNow(Protocol::Coap, deviceId, MessageKind::Meta, QJsonDocument(meta).toJson(QJsonDocument::Compact));
    message.format = PayloadFormat::Json;
    message.proof = proof;
    return m_ingest.handle(message);
}

IngestResult CoapResourceDirectory::registration(coap_session_t *session, const coap_pdu_t *request,
                                                 coap_pdu_t *response)
{
    QString error;
    const auto query = RdQuery::parse(CoapLink::requestOptions(request, COAP_OPTION_URI_QUERY), &error);
    if (!query)
        return bad(BadInput::BadRdRequest, {}, error);
    if (query->endpoint.isEmpty())
        return bad(BadInput::BadRdRequest, {}, u"a registration needs an endpoint name (ep)"_s);
    if (!isValidDeviceId(query->endpoint)) {
        return bad(BadInput::InvalidDeviceId, {},
                   u"endpoint name '%1' is not a valid device id"_s.arg(query->endpoint.left(MaxDeviceIdLength)));
    }
    if (auto refused = m_link.sessionRefusal(session, query->endpoint))
        return *refused;
    IngestResult refused;
    const auto resources = body(request, query->endpoint, query->base.value_or(QString()), &refused);
    if (!resources)
        return refused;
    IngestResult admitted = announce(query->endpoint, query->endpointType, m_link.sessionProof(session));
    if (!admitted.taken())
        return admitted;
    const ResourceDirectory::Registration *r
        = m_directory.add(query->endpoint, query->lifetime.value_or(ResourceDirectory::DefaultLifetime),
                          query->endpointType, query->base.value_or(QString()), *resources);
    if (!r) {
        return IngestResult::refusedBy(Limit::Registrations, std::chrono::seconds(30),
                                       u"the resource directory holds as many registrations as it may"_s);
    }
    m_registry.setResources(r->endpoint, r->resources);
    const QByteArray id = r->id.toUtf8();
    coap_add_option(response, COAP_OPTION_LOCATION_PATH, size_t(RdSegment.size()),
                    reinterpret_cast<const uint8_t *>(RdSegment.constData()));
    coap_add_option(response, COAP_OPTION_LOCATION_PATH, size_t(id.size()),
                    reinterpret_cast<const uint8_t *>(id.constData()));
    return admitted;
}

IngestResult CoapResourceDirectory::update(const QString &id, const coap_pdu_t *request, DeviceProof proof)
{
    const QString endpoint = m_directory.find(id)->endpoint;
    QString error;
    const auto query = RdQuery::parse(CoapLink::requestOptions(request, COAP_OPTION_URI_QUERY), &error);
    if (!query)
        return bad(BadInput::BadRdRequest, endpoint, error);
    if (!query->endpoint.isEmpty() && query->endpoint != endpoint)
        return bad(BadInput::BadRdRequest, endpoint, u"an update cannot change the endpoint name"_s);
    size_t length = 0;
    const uint8_t *data = nullptr;
    const bool hasBody = coap_get_data(request, &length, &data) && length > 0;
    std::optional<QList<DeviceResource>> resources;
    if (hasBody || query->base) {
        // New links, or old ones under a new base: resolved again either way.
        IngestResult refused;
        const QString base = query->base.value_or(m_directory.find(id)->base);
        if (!hasBody) {
            return bad(BadInput::BadRdRequest, endpoint, u"a new base needs the links again in the payload"_s);
        }
        resources = body(request, endpoint, base, &refused);
        if (!resources)
            return refused;
    }
    IngestResult admitted = announce(endpoint, query->endpointType, proof);
    if (!admitted.taken())
        return admitted;
    const ResourceDirectory::Registration *r = m_directory.update(id, query->lifetime, query->base, resources);
    m_registry.setResources(r->endpoint, r->resources);
    return admitted;
}

IngestResult CoapResourceDirectory::removal(const QString &id)
{
    if (const auto endpoint = m_directory.remove(id))
        ended(*endpoint);
    return {};
}

void CoapResourceDirectory::ended(const QString &deviceId)
{
    m_registry.setResources(deviceId, {});
    m_registry.setReportedStatus(deviceId, DeviceStatus::Offline, QDateTime::currentMSecsSinceEpoch());
}

void CoapResourceDirectory::respond(coap_pdu_t *response, const IngestResult &result, int successCode)
{
    const int code = CoapLink::responseCode(result, successCode);
    coap_pdu_set_code(response, static_cast<coap_pdu_code_t>(COAP_RESPONSE_CODE(code)));
    if (code >= 400) {
        // A diagnostic payload (RFC 7252 5.5.2): the reason, as counted in the metrics.
        const QByteArray reason = result.code().toUtf8();
        coap_add_data(response, size_t(reason.size()), reinterpret_cast<const uint8_t *>(reason.constData()));
    }
}

} // namespace edgegate
