// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonObject>
#include <QObject>
#include <QString>

#include <optional>

class QHttpServer;

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
    OtaApi(QHttpServer &server, OtaManager &manager, DeviceRegistry &registry, Ingest &ingest, qsizetype maxBodyBytes,
           QObject *parent = nullptr);

private:
    QHttpServerResponse campaigns(const QHttpServerRequest &request);
    QHttpServerResponse campaign(const QString &id, const QHttpServerRequest &request);
    QHttpServerResponse action(const QString &id, const QString &action, const QHttpServerRequest &request);
    QHttpServerResponse deviceJobs(const QString &id, const QHttpServerRequest &request);
    QHttpServerResponse pending(const QString &id, const QHttpServerRequest &request);
    QHttpServerResponse progress(const QString &id, const QHttpServerRequest &request);
    /// The answer when a device request is not allowed (method, id, token), or nullopt.
    std::optional<QHttpServerResponse> refuseDevice(const QString &id, const QHttpServerRequest &request,
                                                    QHttpServerRequest::Method method);
    [[nodiscard]] QJsonObject campaignWithJobs(const QString &id) const;

    OtaManager &m_manager;
    DeviceRegistry &m_registry;
    Ingest &m_ingest;
    qsizetype m_maxBodyBytes;
};

} // namespace edgegate
