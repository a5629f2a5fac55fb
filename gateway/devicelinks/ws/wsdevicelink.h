// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/devices/deviceauth.h"

#include "gateway/core/common/ratelimitedlog.h"
#include "gateway/core/downlink/devicelink.h"
#include "shared/deviceid.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QTimer>

#include <chrono>
#include <memory>
#include <optional>
#include <unordered_map>

class QWebSocket;

namespace edgegate {
class HttpServer;
}

namespace edgegate {

class Counter;
class DeviceRegistry;
class Ingest;
class Metrics;
struct IngestResult;

/// Devices that stream over WebSocket at /ws/device/{id}: each text frame (JSON or SenML JSON) or
/// binary frame (CBOR or SenML CBOR) is one telemetry message, answered by an `ack` or `error`
/// frame; a text frame `{"type": "command_ack", "id": ...}` acknowledges a command, which the
/// gateway sends as `{"type": "command", ...}`; `{"type": "ota_progress", "job": ...}` reports OTA
/// progress, the gateway notifying with `{"type": "ota", ...}`; `{"type": "meta", "meta": {...}}` announces
/// the device's name, type, firmware and metadata. Every connection is pinged; one that
/// stops answering is dropped.
class WsDeviceLink : public QObject, public DeviceLink
{
    Q_OBJECT
public:
    static constexpr auto PingInterval = std::chrono::seconds(15);
    /// A connection silent (no frame, no pong) for this long is closed.
    static constexpr auto IdleTimeout = std::chrono::seconds(45);
    /// A connection with more unsent bytes than this is closed.
    static constexpr qint64 MaxBacklogBytes = qint64{1024} * 1024;

    WsDeviceLink(Ingest &ingest, DeviceRegistry &registry, Metrics &metrics, qsizetype maxPayloadBytes,
                 QObject *parent = nullptr);
    ~WsDeviceLink() override;

    /// Takes a connection upgraded on /ws/device/{id}, with the Authorization header of its request.
    /// The HTTP server already capped its frames and messages at maxPayloadBytes().
    /// `certificate`: what its TLS client certificate proved (checkBearer()).
    void addConnection(std::unique_ptr<QWebSocket> socket, const QString &id, const QByteArray &authorization,
                       const std::optional<QString> &certificate = std::nullopt);
    /// Devices may prove themselves with a TLS client certificate, as `check` says (connections serve() takes).
    void setCertificateCheck(CertificateCheck check) { m_certificateCheck = std::move(check); }
    /// Takes the devices' connections to `/ws/device/{id}` on `server`, frames capped at maxPayloadBytes().
    void serve(HttpServer &server);
    [[nodiscard]] qsizetype maxPayloadBytes() const { return m_maxPayloadBytes; }
    /// Sends a text frame to the device's connection; false when it has none.
    bool send(const QString &deviceId, const QByteArray &json);
    void closeAll();

    [[nodiscard]] Protocol linkProtocol() const override { return Protocol::WebSocket; }
    /// The payload's JSON object with `type` "command" or "ota", as a text frame.
    bool push(const QString &deviceId, Downlink kind, const QByteArray &payload) override;

private:
    struct Connection
    {
        std::unique_ptr<QWebSocket> socket;
        std::chrono::steady_clock::time_point lastHeard;
    };

    void received(const QString &deviceId, DeviceProof proof, QWebSocket *socket, const QByteArray &payload, bool text);
    /// CommandAck, OtaProgress or Meta for such control frames, Telemetry for everything else.
    static MessageKind frameKind(const QByteArray &text);
    void reply(QWebSocket *socket, const IngestResult &result);
    void dropConnection(const QString &deviceId, QWebSocket *socket);
    void keepAlive();

    Ingest &m_ingest;
    DeviceRegistry &m_registry;
    qsizetype m_maxPayloadBytes;
    CertificateCheck m_certificateCheck;
    std::unordered_map<QString, Connection> m_connections; // one per device: a new one replaces the old
    QTimer m_pingTimer;
    RateLimitedLog m_notices{std::chrono::seconds(1)}; ///< connection lines, which devices can trigger at will
    Counter &m_idleClosed;
    Counter &m_backlogClosed;
};

} // namespace edgegate
