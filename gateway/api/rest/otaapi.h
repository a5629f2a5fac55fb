// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/api/http/httpserver.h"

#include <QJsonObject>
#include <QObject>
#include <QString>

#include <optional>

namespace edgegate {

class DeviceRegistry;
class Ingest;
class OtaManager;

/// The OTA endpoints on the REST server: campaigns (`/api/v1/ota/campaigns...`) and a device's
/// jobs (`GET /api/v1/devices/{id}/ota`) for operators, and for HTTP devices, which cannot be
/// pushed to, `GET /api/v1/devices/{id}/ota/pending` and `POST /api/v1/devices/{id}/ota/progress`
/// (with the device's bearer token when it has one, as for telemetry).
class OtaApi : public QObject
{
    Q_OBJECT
public:
    /// Registers the routes; call before the server listens.
    OtaApi(HttpServer &server, OtaManager &manager, DeviceRegistry &registry, Ingest &ingest, qsizetype maxBodyBytes,
           QObject *parent = nullptr);

private:
    HttpResponse campaigns(const HttpRequest &request);
    HttpResponse campaign(const QString &id, const HttpRequest &request);
    HttpResponse action(const QString &id, const QString &action, const HttpRequest &request);
    HttpResponse deviceJobs(const QString &id, const HttpRequest &request);
    HttpResponse pending(const QString &id, const HttpRequest &request);
    HttpResponse progress(const QString &id, const HttpRequest &request);
    /// The answer when a device request is not allowed (method, id, token), or nullopt.
    std::optional<HttpResponse> refuseDevice(const QString &id, const HttpRequest &request, HttpMethod method);
    [[nodiscard]] QJsonObject campaignWithJobs(const QString &id) const;

    OtaManager &m_manager;
    DeviceRegistry &m_registry;
    Ingest &m_ingest;
    qsizetype m_maxBodyBytes;
};

} // namespace edgegate
