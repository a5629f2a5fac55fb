// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/deviceid.h"
#include "shared/value.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <chrono>
#include <cstdint>

namespace edgegate {

/// The protocol a message arrived on.
enum class Protocol { Mqtt, Coap, Http, WebSocket };

[[nodiscard]] QString protocolName(Protocol protocol);

/// How the link a message came over knows which device sent it.
enum class DeviceProof : quint8 {
    None, ///< nothing: the device has no credential, and its id is what it claims
    Token, ///< its bearer token (HTTP, WebSocket)
    Psk, ///< its DTLS pre-shared key (CoAP)
    Certificate, ///< its client certificate of the gateway CA (HTTPS, WSS, CoAP over DTLS)
    Broker, ///< the broker's account and ACL (MQTT): the broker lets a client publish under its own id only
};

[[nodiscard]] QString proofName(DeviceProof proof);

/// How a payload is encoded; links that know it from the wire (CoAP content format,
/// HTTP Content-Type) say so, MQTT leaves it to detection.
enum class PayloadFormat { Auto, Json, SenmlJson, Cbor, SenmlCbor };

/// Bytes as a link received them, before decoding.
struct InboundMessage
{
    Protocol protocol = Protocol::Mqtt;
    QString deviceId;
    MessageKind kind = MessageKind::Telemetry;
    PayloadFormat format = PayloadFormat::Auto;
    QByteArray payload;
    int qos = 0;
    /// A retained MQTT message the broker replays at subscription: the last known state, not news.
    bool replayed = false;
    /// Who sent it as the link sees it: the peer's IP address (CoAP, HTTP, WebSocket). Empty over
    /// MQTT, where the broker stands between. New devices are budgeted per source.
    QString source;
    /// What the link checked to take `deviceId` as the sender (see DeviceLink).
    DeviceProof proof = DeviceProof::None;
    /// Wall clock when it arrived, ns since the epoch; Ingest makes it unique (see ReceiveClock).
    qint64 receivedAtNs = 0;
    std::chrono::steady_clock::time_point receivedMono; ///< for latency measurement
};

/// A message received now: both clocks set, qos 1 (the link changes what differs).
[[nodiscard]] InboundMessage receivedNow(Protocol protocol, const QString &deviceId, MessageKind kind,
                                         const QByteArray &payload);

/// One named value with the time it was measured.
struct Sample
{
    QString name;
    Value value;
    qint64 timeNs = 0; ///< ns since the epoch: device time when the payload had one, else the receive time
};

/// The one type every inbound message becomes, whatever protocol it came from.
struct Envelope
{
    QString deviceId;
    MessageKind kind = MessageKind::Telemetry;
    Protocol source = Protocol::Mqtt;
    QList<Sample> samples;
    QByteArray raw;
    int qos = 0;
    qint64 receivedAtNs = 0; ///< unique per message (see ReceiveClock)
    bool hasDeviceTime = false;
    std::chrono::steady_clock::time_point receivedMono;
};

} // namespace edgegate
