// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/ingest/envelope.h"

#include "gateway/core/ingest/receiveclock.h"

namespace edgegate {

using namespace Qt::StringLiterals;

QString protocolName(Protocol protocol)
{
    switch (protocol) {
    case Protocol::Mqtt:
        return u"mqtt"_s;
    case Protocol::Coap:
        return u"coap"_s;
    case Protocol::Http:
        return u"http"_s;
    case Protocol::WebSocket:
        return u"websocket"_s;
    }
    return {};
}

InboundMessage receivedNow(Protocol protocol, const QString &deviceId, MessageKind kind, const QByteArray &payload)
{
    InboundMessage message;
    message.receivedMono = std::chrono::steady_clock::now();
    message.receivedAtNs = wallClockNs();
    message.protocol = protocol;
    message.deviceId = deviceId;
    message.kind = kind;
    message.payload = payload;
    message.qos = 1;
    return message;
}

} // namespace edgegate
