// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/api/http/httpserver.h"

#include <QJsonObject>
#include <QObject>
#include <QString>

#include <optional>

namespace edgegate {

class DeviceRegistry;
class OtaManager;

/// The operators' OTA endpoints on the REST server: campaigns (`/api/v1/ota/campaigns...`) and a
/// device's jobs (`GET /api/v1/devices/{id}/ota`). The device side is HttpDeviceLink::serveOta().
class OtaApi : public QObject
{
    Q_OBJECT
public:
    /// Registers the routes; call before the server listens.
    OtaApi(HttpServer &server, OtaManager &manager, DeviceRegistry &registry, qsizetype maxBodyBytes,
           QObject *parent = nullptr);

private:
    HttpResponse campaigns(const HttpRequest &request);
    HttpResponse campaign(const QString &id, const HttpRequest &request);
    HttpResponse action(const QString &id, const QString &action, const HttpRequest &request);
    HttpResponse deviceJobs(const QString &id, const HttpRequest &request);
    [[nodiscard]] QJsonObject campaignWithJobs(const QString &id) const;

    OtaManager &m_manager;
    DeviceRegistry &m_registry;
    qsizetype m_maxBodyBytes;
};

} // namespace edgegate
