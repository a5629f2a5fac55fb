// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QString>

class QHttpServer;
class QHttpServerRequest;
class QHttpServerResponse;

namespace edgegate {

class DeviceRegistry;
class Ingest;
struct IngestResult;

/// Devices that post telemetry over HTTP: `POST /api/v1/devices/{id}/telemetry` with JSON,
/// CBOR or SenML chosen by Content-Type, and a bearer token when the device has one.
class HttpDeviceLink : public QObject
{
    Q_OBJECT
public:
    HttpDeviceLink(QHttpServer &server, Ingest &ingest, DeviceRegistry &registry, QObject *parent = nullptr);

private:
    QHttpServerResponse telemetry(const QString &id, const QHttpServerRequest &request);
    static QHttpServerResponse answer(const IngestResult &result);

    Ingest &m_ingest;
    DeviceRegistry &m_registry;
};

} // namespace edgegate
