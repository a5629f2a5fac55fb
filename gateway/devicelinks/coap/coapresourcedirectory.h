// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/discovery/linkformat.h"
#include "gateway/core/ingest/ingest.h"

#include <QObject>

struct coap_session_t;
struct coap_pdu_t;

namespace edgegate {

class CoapLink;
class DeviceRegistry;
class ResourceDirectory;

/// The CoAP side of the resource directory (RFC 9176 registration interface) on the CoAP link:
/// `POST /rd?ep=..&lt=..&et=..&base=..` with a link-format body registers, `POST /rd/{id}` updates,
/// `DELETE /rd/{id}` removes. A registration is the device's announcement: it goes through Ingest
/// as a meta message (so the registry policy applies), `et` becomes the device type and the links
/// the device's resources. When a registration ends (expired or removed) the device loses those
/// resources and goes offline.
class CoapResourceDirectory : public QObject
{
    Q_OBJECT
public:
    CoapResourceDirectory(CoapLink &link, ResourceDirectory &directory, Ingest &ingest, DeviceRegistry &registry,
                          qsizetype maxPayloadBytes, QObject *parent = nullptr);

private:
    void handle(coap_session_t *session, const coap_pdu_t *request, coap_pdu_t *response);
    IngestResult registration(coap_session_t *session, const coap_pdu_t *request, coap_pdu_t *response);
    IngestResult update(const QString &id, const coap_pdu_t *request, DeviceProof proof);
    IngestResult removal(const QString &id);
    /// The link-format body as resources; nullopt (with `refused` set) when it is refused.
    std::optional<QList<DeviceResource>> body(const coap_pdu_t *request, const QString &deviceId, const QString &base,
                                              IngestResult *refused);
    IngestResult bad(BadInput reason, const QString &deviceId, const QString &detail);
    /// Through Ingest as a meta message: the registry policy, last seen, the type.
    IngestResult announce(const QString &deviceId, const QString &type, DeviceProof proof);
    void ended(const QString &deviceId);
    static void respond(coap_pdu_t *response, const IngestResult &result, int successCode);

    CoapLink &m_link;
    ResourceDirectory &m_directory;
    Ingest &m_ingest;
    DeviceRegistry &m_registry;
    qsizetype m_maxPayloadBytes;
    LinkFormatParser m_parser;
};

} // namespace edgegate
