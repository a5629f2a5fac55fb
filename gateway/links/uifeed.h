// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/envelope.h"
#include "shared/alert.h"
#include "shared/deviceinfo.h"
#include "shared/wsprotocol.h"

#include <QObject>
#include <QSet>
#include <QString>

#include <memory>
#include <vector>

class QWebSocket;

namespace edgegate {

class AlertStore;
class Counter;
class DeviceRegistry;
class Ingest;
class Metrics;
class OtaManager;

/// The WebSocket API at /ws: each client gets a hello and a devices snapshot, then device
/// changes and alerts as they happen, and telemetry of the devices it subscribed to.
/// A client that does not keep up loses telemetry frames (counted), never device or alert frames.
class UiFeed : public QObject
{
    Q_OBJECT
public:
    /// Telemetry frames are skipped for a client with more than this many bytes unsent.
    static constexpr qint64 MaxClientBacklogBytes = qint64{1024} * 1024;

    UiFeed(const QString &gatewayId, DeviceRegistry &registry, AlertStore &alerts, Ingest &ingest, Metrics &metrics,
           QObject *parent = nullptr);
    ~UiFeed() override;

    void addClient(std::unique_ptr<QWebSocket> socket);
    /// Closes every client connection (service shutdown).
    void closeAll();
    /// Sends `ota_job` and `ota_campaign` frames on every change the manager reports.
    void followOta(const OtaManager &manager);

private:
    struct Client
    {
        std::unique_ptr<QWebSocket> socket;
        wsapi::Subscription subscription;
    };

    void received(QWebSocket *socket, const QString &text);
    void removeClient(QWebSocket *socket);
    void broadcast(const QByteArray &frame);
    void sendTelemetry(const Envelope &envelope);
    Client *client(QWebSocket *socket);

    QString m_gatewayId;
    DeviceRegistry &m_registry;
    std::vector<Client> m_clients;
    Counter &m_framesDropped;
    Counter &m_badFrames;
    Counter &m_clientsDropped;
};

} // namespace edgegate
