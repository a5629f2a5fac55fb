// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/devices/deviceauth.h"

#include "gateway/api/http/httpserver.h"
#include "gateway/core/downlink/devicelink.h"

#include <QObject>
#include <QString>

#include <optional>

namespace edgegate {

class CommandQueue;
class DeviceRegistry;
class Ingest;
class OtaManager;
struct IngestResult;

/// Devices that post telemetry over HTTP: `POST /api/v1/devices/{id}/telemetry` with JSON,
/// CBOR or SenML chosen by Content-Type, and a bearer token when the device has one; what they
/// announce about themselves goes to `POST /api/v1/devices/{id}/meta` (JSON or CBOR). HTTP has no
/// push: such devices fetch their commands (`GET .../commands/pending`) and acknowledge them
/// (`POST .../commands/ack`).
class HttpDeviceLink : public QObject, public DeviceLink
{
    Q_OBJECT
public:
    HttpDeviceLink(HttpServer &server, Ingest &ingest, DeviceRegistry &registry, CommandQueue &commands,
                   QObject *parent = nullptr);

    /// Devices may prove themselves with a TLS client certificate, as `check` says; without it, only tokens count.
    void setCertificateCheck(CertificateCheck check) { m_certificateCheck = std::move(check); }

    /// Serves the device side of OTA: `GET .../ota/pending` (the notification waiting for the device,
    /// `{}` when none) and `POST .../ota/progress`. `ota` outlives this.
    void serveOta(OtaManager &ota);

    [[nodiscard]] Protocol linkProtocol() const override { return Protocol::Http; }
    /// HTTP has no push: devices ask for what waits for them.
    bool push(const QString &, Downlink, const QByteArray &) override { return false; }

private:
    HttpResponse telemetry(const QString &id, const HttpRequest &request);
    HttpResponse meta(const QString &id, const HttpRequest &request);
    HttpResponse pendingCommands(const QString &id, const HttpRequest &request);
    HttpResponse commandAck(const QString &id, const HttpRequest &request);
    HttpResponse pendingOta(const QString &id, const HttpRequest &request);
    HttpResponse otaProgress(const QString &id, const HttpRequest &request);
    /// The answer when the request is not allowed, or nullopt when it may go on, with what the
    /// device proved in `proof`.
    std::optional<HttpResponse> refuse(const QString &id, const HttpRequest &request, HttpMethod method,
                                       DeviceProof *proof = nullptr);
    static HttpResponse answer(const IngestResult &result);
    /// A message from the request, its source the peer address.
    static InboundMessage received(const QString &id, MessageKind kind, const HttpRequest &request, DeviceProof proof);

    Ingest &m_ingest;
    DeviceRegistry &m_registry;
    CommandQueue &m_commands;
    HttpServer &m_server;
    OtaManager *m_ota = nullptr;
    CertificateCheck m_certificateCheck;
};

} // namespace edgegate
