// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/ingest/envelope.h"

#include "gateway/core/ingest/receiveclock.h"
#include "shared/enumnames.h"

namespace edgegate {

namespace {

constexpr auto ProtocolNames = enumNames<Protocol>(u"mqtt", u"coap", u"http", u"websocket");
constexpr auto ProofNames = enumNames<DeviceProof>(u"none", u"token", u"psk", u"certificate", u"broker");

} // namespace

QString protocolName(Protocol protocol)
{
    return ProtocolNames.nameOf(protocol);
}

QString proofName(DeviceProof proof)
{
    return ProofNames.nameOf(proof);
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
