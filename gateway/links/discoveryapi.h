// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QObject>
#include <QString>

class QHttpServer;

namespace edgegate {

class DeviceRegistry;
class Ingest;

/// REST for auto-discovery: `POST /api/v1/devices/{id}/reject` turns a pending device away (its held
/// messages are dropped and it is removed). Approving stays `POST .../approve` in HttpApi.
class DiscoveryApi : public QObject
{
    Q_OBJECT
public:
    DiscoveryApi(QHttpServer &server, DeviceRegistry &registry, Ingest &ingest, QObject *parent = nullptr);

private:
    QHttpServerResponse reject(const QString &id, const QHttpServerRequest &request);

    DeviceRegistry &m_registry;
    Ingest &m_ingest;
};

} // namespace edgegate
