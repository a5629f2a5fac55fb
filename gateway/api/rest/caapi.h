// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/api/http/httpserver.h"

#include <QObject>

namespace edgegate {

class DeviceCertificates;

/// The gateway CA over REST: GET and POST /api/v1/ca, GET /api/v1/ca/certificates, and POST and
/// DELETE /api/v1/devices/{id}/certificate. Writing needs an admin token (the API gate).
class CaApi : public QObject
{
    Q_OBJECT
public:
    CaApi(HttpServer &server, DeviceCertificates &certificates, QObject *parent = nullptr);

private:
    HttpResponse authority(const HttpRequest &request);
    HttpResponse certificates(const HttpRequest &request);
    HttpResponse deviceCertificate(const QString &id, const HttpRequest &request);

    DeviceCertificates &m_certificates;
};

} // namespace edgegate
