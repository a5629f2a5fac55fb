// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/links/httpfrontdoor.h"
#include "gateway/storage/firmwarestore.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QObject>

class QHttpServer;

namespace edgegate {

class Counter;
class Metrics;

/// The firmware REST endpoints (docs/ota.md, "Firmware store"). Uploads stream to the store through
/// the front door (uploadClaim()); listing, reading, deleting and downloads go through QHttpServer,
/// downloads written from the file as the socket drains, never read whole.
class FirmwareHttp : public QObject
{
    Q_OBJECT
public:
    FirmwareHttp(QHttpServer &server, FirmwareStore &store, Metrics &metrics, QObject *parent = nullptr);

    /// The front door claim for `PUT /api/v1/firmware/{name}/{version}`.
    [[nodiscard]] HttpFrontDoor::Claim uploadClaim();

    /// Whether a request target is an upload (`/api/v1/firmware/{name}/{version}`, any query).
    [[nodiscard]] static bool isUploadTarget(QByteArrayView target);

private:
    QHttpServerResponse list(const QHttpServerRequest &request);
    QHttpServerResponse image(const QString &name, const QString &version, const QHttpServerRequest &request);
    void download(const QString &name, const QString &version, const QHttpServerRequest &request,
                  QHttpServerResponder &&responder);

    FirmwareStore &m_store;
    Metrics &m_metrics;
    Counter &m_httpBytes;
};

/// The one place a store failure becomes an HTTP status and error code.
struct FirmwareHttpError
{
    QHttpServerResponder::StatusCode status;
    QString code;
    [[nodiscard]] static FirmwareHttpError of(FirmwareStore::Error error);
};

} // namespace edgegate
