// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/common/apiaccess.h"
#include "gateway/core/common/ratelimitedlog.h"
#include "gateway/core/common/ratemeter.h"
#include "gateway/core/ingest/envelope.h"
#include "shared/alert.h"
#include "shared/deviceinfo.h"
#include "shared/wsprotocol.h"

#include <QHostAddress>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QWebSocket;

namespace edgegate {

class HttpRequest;
class AlertStore;
class Counter;
class DeviceRegistry;
class Ingest;
class Metrics;
class OtaManager;
class UiActions;

/// The WebSocket API at /ws (docs/websocket-api.md): each client gets a hello, authenticates when
/// tokens are configured (Authorization header on the upgrade, or an `auth` frame within 10 s),
/// then a session and the snapshots (devices, alerts, OTA campaigns, status); after that device,
/// alert and OTA changes as they happen, a status frame every 2 s, telemetry of the devices it
/// subscribed to, and replies to its requests (run by UiActions).
/// A client that does not keep up loses telemetry and status frames (counted), never the others.
class UiFeed : public QObject
{
    Q_OBJECT
public:
    /// Telemetry frames are skipped for a client with more than this many bytes unsent.
    static constexpr qint64 MaxClientBacklogBytes = qint64{1024} * 1024;

    static constexpr std::chrono::milliseconds AuthTimeout{10'000};
    static constexpr std::chrono::milliseconds StatusInterval{2'000};
    /// Cleared alerts in the snapshot (open ones are all sent).
    static constexpr int ClearedAlertsInSnapshot = 100;
    /// Device ids one connection can subscribe to.
    static constexpr qsizetype MaxSubscribedDevices = 1024;
    /// Connections waiting for their auth frame at a time, in all and from one address (so one
    /// address cannot take every place); more are refused.
    struct WaitingLimits
    {
        qsizetype total = 32;
        qsizetype perAddress = 4;
    };

    /// Everything of the status frame except time and messages_per_second, which the feed measures.
    using StatusProvider = std::function<wsapi::GatewayStatus()>;

    UiFeed(const QString &gatewayId, const ApiAccess &access, DeviceRegistry &registry, AlertStore &alerts,
           Ingest &ingest, Metrics &metrics, QObject *parent = nullptr);
    ~UiFeed() override;

    /// Runs `request` frames; without it every request is answered `unavailable`.
    void setActions(UiActions *actions) { m_actions = actions; }
    void setStatusProvider(StatusProvider provider) { m_statusProvider = std::move(provider); }
    void setWaitingLimits(WaitingLimits limits) { m_waitingLimits = limits; }

    /// Takes an upgraded connection; `request` is its upgrade request as the HTTP server read it.
    void addClient(std::unique_ptr<QWebSocket> socket, const HttpRequest &request);
    /// Closes every client connection (service shutdown).
    void closeAll();
    /// Sends `ota_job` and `ota_campaign` frames on every change the manager reports, and its
    /// campaigns in the snapshot.
    void followOta(const OtaManager &manager);

    /// The status frame's content now.
    [[nodiscard]] wsapi::GatewayStatus status();

private:
    struct Client
    {
        std::unique_ptr<QWebSocket> socket;
        QHostAddress peer;
        wsapi::Subscription subscription;
        QSet<QString> subscribed; ///< subscription.devices, for lookups
        ApiIdentity identity;
        bool authenticated = false; ///< session sent; only then does anything but hello go out
        bool closing = false; ///< refused: waiting for the close handshake
    };

    void received(QWebSocket *socket, const QString &text);
    void authenticate(Client &c, const wsapi::FrameDecode &decoded);
    void refuse(Client &c, const QString &message);
    /// Why a new connection is refused before its hello (foreign Origin, too many waiting), if it is.
    [[nodiscard]] std::optional<QString> admissionRefusal(const HttpRequest &request, bool authenticated) const;
    void startSession(Client &c);
    void subscribe(Client &c, const wsapi::Frame &frame);
    void request(Client &c, const wsapi::Frame &frame);
    void removeClient(QWebSocket *socket);
    void broadcast(const QByteArray &frame);
    void sendTelemetry(const Envelope &envelope);
    void sendStatus();
    [[nodiscard]] QList<Alert> alertSnapshot() const;
    Client *client(QWebSocket *socket);

    QString m_gatewayId;
    const ApiAccess &m_access;
    DeviceRegistry &m_registry;
    AlertStore &m_alerts;
    const OtaManager *m_ota = nullptr;
    UiActions *m_actions = nullptr;
    StatusProvider m_statusProvider;
    WaitingLimits m_waitingLimits;
    RateMeter m_telemetryRate;
    RateLimitedLog m_refusalLog;
    RateLimitedLog m_notices{std::chrono::seconds(1)}; ///< connection lines, which anyone can trigger
    qint64 m_startedMs = 0;
    QTimer m_statusTimer;
    std::vector<Client> m_clients;
    Counter &m_framesDropped;
    Counter &m_badFrames;
    Counter &m_clientsDropped;
    Counter &m_unauthorized;
    Counter &m_requests;
};

} // namespace edgegate
