// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/api/http/httpserver.h"
#include "gateway/storage/firmwarestore.h"

#include <QObject>

namespace edgegate {

class Counter;
class Metrics;

/// The firmware REST endpoints (docs/ota.md, "Firmware store"). Uploads stream to the store as
/// their body arrives; downloads are read from the file as the connection sends them, never whole.
class FirmwareHttp : public QObject
{
    Q_OBJECT
public:
    /// Uploads with a Content-Length over `maxImageBytes` get 413 before any byte is read.
    FirmwareHttp(HttpServer &server, FirmwareStore &store, Metrics &metrics, qint64 maxImageBytes,
                 QObject *parent = nullptr);

private:
    HttpResponse list(const HttpRequest &request);
    HttpResponse image(const QString &name, const QString &version, const HttpRequest &request);
    HttpResponse download(const QString &name, const QString &version, const HttpRequest &request);

    FirmwareStore &m_store;
    Counter &m_httpBytes;
};

} // namespace edgegate
