// SPDX-License-Identifier: Apache-2.0
#include "gateway/links/uifeed.h"

#include "gateway/core/alertstore.h"
#include "gateway/core/deviceregistry.h"
#include "gateway/core/ingest.h"
#include "gateway/core/metrics.h"
#include "gateway/core/otamanager.h"

#include <QLoggingCategory>
#include <QWebSocket>

#include <algorithm>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcFeed, "edgegate.uifeed")

UiFeed::UiFeed(const QString &gatewayId, DeviceRegistry &registry, AlertStore &alerts, Ingest &ingest, Metrics &metrics,
               QObject *parent)
    : QObject(parent)
    , m_gatewayId(gatewayId)
    , m_registry(registry)
    , m_framesDropped(metrics.counter(u"edgegate_ws_frames_dropped_total"_s,
                                      u"Telemetry frames not sent to WebSocket clients that fell behind."_s))
    , m_badFrames(metrics.counter(u"edgegate_ws_bad_frames_total"_s, u"Frames from WebSocket clients refused."_s))
    , m_clientsDropped(metrics.counter(u"edgegate_ws_clients_dropped_total"_s,
                                       u"WebSocket API clients closed for falling more than 4 MiB behind."_s))
{
    metrics.addCollector([this, &metrics] {
        metrics.gauge(u"edgegate_ws_clients"_s, u"Connected WebSocket API clients."_s)
            .set(static_cast<double>(m_clients.size()));
    });
    connect(&registry, &DeviceRegistry::deviceChanged, this,
            [this](const DeviceInfo &device) { broadcast(wsapi::encodeDevice(device)); });
    connect(&registry, &DeviceRegistry::deviceRemoved, this,
            [this](const QString &id) { broadcast(wsapi::encodeDeviceRemoved(id)); });
    connect(&alerts, &AlertStore::alertChanged, this,
            [this](const Alert &alert) { broadcast(wsapi::encodeAlert(alert)); });
    connect(&ingest, &Ingest::telemetryAccepted, this, &UiFeed::sendTelemetry);
}

void UiFeed::followOta(const OtaManager &manager)
{
    connect(&manager, &OtaManager::jobChanged, this,
            [this](const OtaJob &job) { broadcast(wsapi::encodeOtaJob(job)); });
    connect(&manager, &OtaManager::campaignChanged, this,
            [this](const OtaCampaign &campaign) { broadcast(wsapi::encodeOtaCampaign(campaign)); });
}

UiFeed::~UiFeed()
{
    closeAll();
}

UiFeed::Client *UiFeed::client(QWebSocket *socket)
{
    const auto it = std::find_if(m_clients.begin(), m_clients.end(),
                                 [socket](const Client &c) { return c.socket.get() == socket; });
    return it == m_clients.end() ? nullptr : &*it;
}

void UiFeed::addClient(std::unique_ptr<QWebSocket> socket)
{
    QWebSocket *s = socket.get();
    s->setMaxAllowedIncomingMessageSize(wsapi::MaxFrameBytes);
    s->setMaxAllowedIncomingFrameSize(wsapi::MaxFrameBytes);
    connect(s, &QWebSocket::textMessageReceived, this, [this, s](const QString &text) { received(s, text); });
    connect(s, &QWebSocket::binaryMessageReceived, this, [this, s](const QByteArray &) {
        m_badFrames.inc();
        s->sendTextMessage(QString::fromUtf8(
            wsapi::encodeError({wsapi::code::BadFrame.toString(), u"binary frames are not part of the API"_s})));
    });
    connect(s, &QWebSocket::disconnected, this, [this, s] { removeClient(s); });
    qCInfo(lcFeed).noquote() << "client connected from" << s->peerAddress().toString();
    m_clients.push_back({std::move(socket), {}});

    s->sendTextMessage(QString::fromUtf8(wsapi::encodeHello({m_gatewayId, QStringLiteral(EDGEGATE_VERSION)})));
    s->sendTextMessage(QString::fromUtf8(wsapi::encodeDevices(m_registry.list())));
}

void UiFeed::removeClient(QWebSocket *socket)
{
    const auto it = std::find_if(m_clients.begin(), m_clients.end(),
                                 [socket](const Client &c) { return c.socket.get() == socket; });
    if (it == m_clients.end())
        return;
    qCInfo(lcFeed) << "client disconnected";
    // The socket is inside its own signal: hand its deletion to the event loop.
    it->socket.release()->deleteLater();
    m_clients.erase(it);
}

void UiFeed::closeAll()
{
    for (Client &c : m_clients) {
        c.socket->disconnect(this);
        c.socket->close(QWebSocketProtocol::CloseCodeGoingAway, u"gateway shutting down"_s);
        c.socket.release()->deleteLater();
    }
    m_clients.clear();
}

void UiFeed::received(QWebSocket *socket, const QString &text)
{
    Client *c = client(socket);
    if (!c)
        return;
    auto fail = [&](const wsapi::ErrorInfo &error) {
        m_badFrames.inc();
        socket->sendTextMessage(QString::fromUtf8(wsapi::encodeError(error)));
    };
    const wsapi::FrameDecode decoded = wsapi::decodeFrame(text.toUtf8());
    if (!decoded.frame) {
        fail(decoded.error);
        return;
    }
    const wsapi::Frame &frame = *decoded.frame;
    if (frame.type != wsapi::type::Subscribe && frame.type != wsapi::type::Unsubscribe) {
        fail({wsapi::code::UnknownType.toString(), u"unknown frame type '%1'"_s.arg(frame.type)});
        return;
    }
    const auto request = wsapi::subscriptionFromFrame(frame);
    if (!request) {
        fail({wsapi::code::BadFrame.toString(), u"devices must be \"*\" or an array of valid device ids"_s});
        return;
    }
    wsapi::Subscription &sub = c->subscription;
    if (frame.type == wsapi::type::Subscribe) {
        sub.all = sub.all || request->all;
        for (const QString &id : request->devices) {
            if (!sub.devices.contains(id))
                sub.devices.append(id);
        }
    } else if (request->all) {
        sub = {};
    } else {
        for (const QString &id : request->devices)
            sub.devices.removeAll(id);
    }
    socket->sendTextMessage(QString::fromUtf8(wsapi::encodeSubscribed(sub)));
}

void UiFeed::broadcast(const QByteArray &frame)
{
    if (m_clients.empty())
        return;
    const QString text = QString::fromUtf8(frame);
    QList<QWebSocket *> stuck;
    for (Client &c : m_clients) {
        // Device and alert frames are never skipped, so a client this far behind is let go.
        if (c.socket->bytesToWrite() > MaxClientBacklogBytes * 4)
            stuck.append(c.socket.get());
        else
            c.socket->sendTextMessage(text);
    }
    for (QWebSocket *s : std::as_const(stuck)) {
        m_clientsDropped.inc();
        qCWarning(lcFeed) << "a WebSocket API client fell too far behind: closing it";
        s->abort();
    }
}

void UiFeed::sendTelemetry(const Envelope &envelope)
{
    if (m_clients.empty())
        return;
    QString text; // encoded once, for the first client that wants it
    for (Client &c : m_clients) {
        if (!c.subscription.all && !c.subscription.devices.contains(envelope.deviceId))
            continue;
        if (c.socket->bytesToWrite() > MaxClientBacklogBytes) {
            m_framesDropped.inc();
            continue;
        }
        if (text.isEmpty()) {
            wsapi::TelemetryUpdate update{envelope.deviceId, envelope.receivedAtMs, {}};
            update.samples.reserve(envelope.samples.size());
            for (const Sample &s : envelope.samples)
                update.samples.append({s.name, s.value, s.timeMs});
            text = QString::fromUtf8(wsapi::encodeTelemetry(update));
        }
        c.socket->sendTextMessage(text);
    }
}

} // namespace edgegate
