// SPDX-License-Identifier: Apache-2.0
// Internal to the CoAP link's files.
#pragma once

#include "gateway/devicelinks/coap/coaplink.h"

#include <coap3/coap.h>

namespace edgegate {

namespace coapdetail {

/// An id echoed into log lines and diagnostics: short and printable.
[[nodiscard]] QString shownId(const QByteArray &raw);
/// The peer's IP address without its port: what a per-address share is counted by.
[[nodiscard]] QByteArray remoteAddress(const coap_session_t *session);

} // namespace coapdetail

/// libcoap's C callbacks: they find the link through the context's app data and hand over.
struct CoapCallbacks
{
    static CoapLink *link(const coap_session_t *session)
    {
        return static_cast<CoapLink *>(coap_get_app_data(coap_session_get_context(session)));
    }

    template<MessageKind Kind>
    static void deviceMessage(coap_resource_t * /*resource*/, coap_session_t *session, const coap_pdu_t *request,
                              const coap_string_t * /*query*/, coap_pdu_t *response)
    {
        // Reached through a discovery template only, whose id is never valid: the path decides.
        CoapLink *self = link(session);
        if (!self->withinShare(session, response))
            return;
        const QList<QByteArray> path = CoapLink::requestPath(request);
        self->handleDeviceMessage(session, request, response, path.size() == 3 ? path[1] : QByteArray(), Kind);
    }

    static void added(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                      const coap_string_t * /*query*/, coap_pdu_t *response)
    {
        const coap_str_const_t *path = coap_resource_get_uri_path(resource);
        CoapLink *self = link(session);
        if (!self->withinShare(session, response))
            return;
        const auto it
            = self->m_handlers.constFind(QByteArray(reinterpret_cast<const char *>(path->s), qsizetype(path->length)));
        if (it != self->m_handlers.cend())
            self->runHandler(*it, session, request, response);
    }

    static void unknown(coap_resource_t * /*resource*/, coap_session_t *session, const coap_pdu_t *request,
                        const coap_string_t * /*query*/, coap_pdu_t *response)
    {
        if (CoapLink *self = link(session); self->withinShare(session, response))
            self->handleUnknown(session, request, response);
    }

    static int event(coap_session_t *session, const coap_event_t event)
    {
        if (CoapLink *self = link(session))
            self->sessionEvent(session, int(event));
        return 0;
    }

    static const coap_bin_const_t *pskIdentity(coap_bin_const_t *identity, coap_session_t *session, void *self)
    {
        return static_cast<CoapLink *>(self)->pskForIdentity(identity, session);
    }

    static int certificate(const char * /*cn*/, const uint8_t *der, size_t length, coap_session_t *session,
                           unsigned int depth, int validated, void *self)
    {
        const QByteArray certificate(reinterpret_cast<const char *>(der), qsizetype(length));
        return static_cast<CoapLink *>(self)->acceptCertificate(certificate, session, depth, validated != 0) ? 1 : 0;
    }
};

} // namespace edgegate
