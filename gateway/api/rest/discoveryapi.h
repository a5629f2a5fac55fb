// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/api/http/httpserver.h"

#include <QObject>
#include <QString>

namespace edgegate {

class DeviceRegistry;
class Ingest;

/// REST for auto-discovery: `POST /api/v1/devices/{id}/reject` turns a pending device away (its held
/// messages are dropped and it is removed). Approving stays `POST .../approve` in HttpApi.
class DiscoveryApi : public QObject
{
    Q_OBJECT
public:
    DiscoveryApi(HttpServer &server, DeviceRegistry &registry, Ingest &ingest, QObject *parent = nullptr);

private:
    HttpResponse reject(const QString &id, const HttpRequest &request);

    DeviceRegistry &m_registry;
    Ingest &m_ingest;
};

} // namespace edgegate
