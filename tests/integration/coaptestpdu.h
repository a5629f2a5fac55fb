// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the tests' own libcoap clients share: the gateway's loopback address and a telemetry POST.
#include <QByteArray>

#include <coap3/coap.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>

namespace coaptest {

inline coap_address_t loopback(quint16 port)
{
    coap_address_t to;
    coap_address_init(&to);
    to.addr.sin.sin_family = AF_INET;
    to.addr.sin.sin_port = htons(port);
    to.addr.sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.size = sizeof(to.addr.sin);
    return to;
}

/// A POST of `json` to /devices/{device}/telemetry on `session`, with a new token; coap_send() takes it.
inline coap_pdu_t *telemetryPost(coap_session_t *session, coap_pdu_type_t type, const QByteArray &device,
                                 const QByteArray &json)
{
    coap_pdu_t *pdu = coap_new_pdu(type, COAP_REQUEST_CODE_POST, session);
    std::array<quint8, 8> token{};
    size_t length = 0;
    coap_session_new_token(session, &length, token.data());
    coap_add_token(pdu, length, token.data());
    for (const QByteArray &segment : {QByteArray("devices"), device, QByteArray("telemetry")}) {
        coap_add_option(pdu, COAP_OPTION_URI_PATH, size_t(segment.size()),
                        reinterpret_cast<const quint8 *>(segment.constData()));
    }
    std::array<quint8, 4> format{};
    coap_add_option(pdu, COAP_OPTION_CONTENT_FORMAT,
                    coap_encode_var_safe(format.data(), format.size(), COAP_MEDIATYPE_APPLICATION_JSON), format.data());
    coap_add_data(pdu, size_t(json.size()), reinterpret_cast<const quint8 *>(json.constData()));
    return pdu;
}

} // namespace coaptest
