// SPDX-License-Identifier: Apache-2.0
#include "gateway/devicelinks/ws/wsdevicelink.h"

#include "gateway/api/http/httpserver.h"
#include "gateway/core/common/metrics.h"
#include "gateway/core/common/ratelimitedlog.h"
#include "gateway/core/devices/deviceauth.h"
#include "gateway/core/ingest/ingest.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkRequest>
#include <QWebSocket>

#include <algorithm>

namespace edgegate {

using namespace Qt::StringLiterals;
using Clock = std::chrono::steady_clock;

Q_LOGGING_CATEGORY(lcWsDevice, "edgegate.wsdevice")

namespace {

QString frame(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

} // namespace

WsDeviceLink::WsDeviceLink(Ingest &ingest, DeviceRegistry &registry, Metrics &metrics, qsizetype maxPayloadBytes,
                           QObject *parent)
    : QObject(parent)
    , m_ingest(ingest)
    , m_registry(registry)
    , m_maxPayloadBytes(maxPayloadBytes)
    , m_idleClosed(metrics.counter(u"edgegate_ws_device_idle_closed_total"_s,
                                   u"Device WebSocket connections closed for not answering pings."_s))
    , m_backlogClosed(metrics.counter(u"edgegate_ws_device_backlog_closed_total"_s,
                                      u"Device WebSocket connections closed for not reading their answers."_s))
{
    metrics.addGauge(u"edgegate_ws_device_connections"_s, u"Devices connected over WebSocket."_s,
                     [this] { return static_cast<double>(m_connections.size()); });
    m_pingTimer.setInterval(PingInterval);
    connect(&m_pingTimer, &QTimer::timeout, this, &WsDeviceLink::keepAlive);
    m_pingTimer.start();
}

void WsDeviceLink::serve(HttpServer &server)
{
    server.webSocketRoute(
        u"/ws/device/<arg>"_s,
        [this](std::unique_ptr<QWebSocket> socket, const HttpRequest &request, const QStringList &args) {
            addConnection(std::move(socket), args.at(0), request.value("authorization"),
                          m_certificateCheck ? m_certificateCheck(request.peerCertificate()) : std::nullopt);
        },
        quint64(m_maxPayloadBytes), quint64(m_maxPayloadBytes));
}

WsDeviceLink::~WsDeviceLink()
{
    closeAll();
}

void WsDeviceLink::addConnection(std::unique_ptr<QWebSocket> socket, const QString &id, const QByteArray &authorization,
                                 const std::optional<QString> &certificate)
{
    QWebSocket *s = socket.get();
    auto refuse = [&](QWebSocketProtocol::CloseCode code, const QString &why) {
        s->close(code, why);
        socket.release()->deleteLater();
    };
    if (!isValidDeviceId(id)) {
        m_ingest.reject(Protocol::WebSocket, BadInput::InvalidDeviceId, {}, u"id '%1'"_s.arg(loggable(id)));
        refuse(QWebSocketProtocol::CloseCodePolicyViolated, u"invalid device id"_s);
        return;
    }
    const BearerCheck auth = checkBearer(m_registry, id, authorization, certificate);
    if (auth == BearerCheck::NoToken) {
        m_ingest.reject(Protocol::WebSocket, BadInput::Unauthorized, id,
                        u"device has credentials but no token for WebSocket"_s);
        refuse(QWebSocketProtocol::CloseCodePolicyViolated, u"unauthorized: the device has no token"_s);
        return;
    }
    const std::optional<DeviceProof> proof = proofOf(auth);
    if (!proof) {
        m_ingest.reject(Protocol::WebSocket, BadInput::Unauthorized, id, u"missing or wrong bearer token"_s);
        refuse(QWebSocketProtocol::CloseCodePolicyViolated, u"unauthorized"_s);
        return;
    }
    connect(s, &QWebSocket::textMessageReceived, this,
            [this, id, proof = *proof, s](const QString &text) { received(id, proof, s, text.toUtf8(), true); });
    connect(s, &QWebSocket::binaryMessageReceived, this,
            [this, id, proof = *proof, s](const QByteArray &data) { received(id, proof, s, data, false); });
    connect(s, &QWebSocket::pong, this, [this, id, s] {
        const auto it = m_connections.find(id);
        if (it != m_connections.end() && it->second.socket.get() == s)
            it->second.lastHeard = Clock::now();
    });
    connect(s, &QWebSocket::disconnected, this, [this, id, s] { dropConnection(id, s); });

    auto old = m_connections.find(id);
    if (old != m_connections.end()) {
        if (const auto suppressed = m_notices.allow(u"replaced"_s)) {
            qCInfo(lcWsDevice).noquote() << "device" << id << "connected again: closing its older connection"
                                         << moreSince(*suppressed);
        }
        QWebSocket *previous = old->second.socket.release();
        m_connections.erase(old);
        previous->disconnect(this);
        previous->close(QWebSocketProtocol::CloseCodeNormal, u"replaced by a newer connection"_s);
        previous->deleteLater();
    }
    if (const auto suppressed = m_notices.allow(u"connected"_s)) {
        qCInfo(lcWsDevice).noquote() << "device" << id << "connected from" << s->peerAddress().toString()
                                     << moreSince(*suppressed);
    }
    m_connections.insert_or_assign(id, Connection{std::move(socket), Clock::now()});
    reportReachable(id);
}

MessageKind WsDeviceLink::frameKind(const QByteArray &text)
{
    // Cheap test first: telemetry frames are the common case and are not parsed twice.
    if (!text.contains("command_ack") && !text.contains("ota_progress") && !text.contains("\"meta\""))
        return MessageKind::Telemetry;
    const QString type = QJsonDocument::fromJson(text).object().value(u"type"_s).toString();
    if (type == u"command_ack")
        return MessageKind::CommandAck;
    if (type == u"ota_progress")
        return MessageKind::OtaProgress;
    if (type == u"meta")
        return MessageKind::Meta;
    return MessageKind::Telemetry;
}

void WsDeviceLink::received(const QString &deviceId, DeviceProof proof, QWebSocket *socket, const QByteArray &payload,
                            bool text)
{
    const auto it = m_connections.find(deviceId);
    if (it != m_connections.end())
        it->second.lastHeard = Clock::now();
    const MessageKind kind = text ? frameKind(payload) : MessageKind::Telemetry;
    // A meta frame carries the announcement in `meta`, since its own `type` names the frame; anything
    // but an object there is refused by Ingest as not_an_object.
    QByteArray body = payload;
    if (kind == MessageKind::Meta) {
        const QJsonValue meta = QJsonDocument::fromJson(payload).object().value(u"meta"_s);
        body = meta.isObject() ? QJsonDocument(meta.toObject()).toJson(QJsonDocument::Compact) : QByteArray("[]");
    }
    InboundMessage message = receivedNow(Protocol::WebSocket, deviceId, kind, body);
    message.source = socket->peerAddress().toString();
    message.proof = proof;
    reply(socket, m_ingest.handle(std::move(message)));
}

void WsDeviceLink::reply(QWebSocket *socket, const IngestResult &result)
{
    // A device that sends but never reads would grow its answers without bound.
    if (socket->bytesToWrite() > MaxBacklogBytes) {
        m_backlogClosed.inc();
        if (const auto suppressed = m_notices.allow(u"backlog"_s)) {
            qCWarning(lcWsDevice).noquote()
                << "a device does not read its answers: closing its connection" << moreSince(*suppressed);
        }
        socket->abort();
        return;
    }
    if (result.taken()) {
        socket->sendTextMessage(
            frame({{u"type"_s, u"ack"_s}, {u"held"_s, result.outcome == IngestResult::Outcome::Held}}));
        return;
    }
    // Busy and spent budgets are not errors in what the device sent: the same frame may be sent again later.
    const bool later = result.outcome == IngestResult::Outcome::Busy
        || result.outcome == IngestResult::Outcome::Overloaded || result.outcome == IngestResult::Outcome::Throttled;
    QJsonObject answer{
        {u"type"_s, later ? u"busy"_s : u"error"_s}, {u"code"_s, result.code()}, {u"error"_s, result.detail}};
    if (later)
        answer.insert(u"retry_after"_s, qint64(std::max<qint64>(1, result.retryAfter.count())));
    socket->sendTextMessage(frame(answer));
}

bool WsDeviceLink::push(const QString &deviceId, Downlink kind, const QByteArray &payload)
{
    QJsonObject frame = QJsonDocument::fromJson(payload).object();
    frame.insert(u"type"_s, kind == Downlink::Command ? u"command"_s : u"ota"_s);
    return send(deviceId, QJsonDocument(frame).toJson(QJsonDocument::Compact));
}

bool WsDeviceLink::send(const QString &deviceId, const QByteArray &json)
{
    const auto it = m_connections.find(deviceId);
    if (it == m_connections.end() || it->second.socket->state() != QAbstractSocket::ConnectedState)
        return false;
    return it->second.socket->sendTextMessage(QString::fromUtf8(json)) > 0;
}

void WsDeviceLink::dropConnection(const QString &deviceId, QWebSocket *socket)
{
    const auto it = m_connections.find(deviceId);
    if (it == m_connections.end() || it->second.socket.get() != socket)
        return;
    if (const auto suppressed = m_notices.allow(u"disconnected"_s))
        qCInfo(lcWsDevice).noquote() << "device" << deviceId << "disconnected" << moreSince(*suppressed);
    // Inside the socket's own signal: the event loop deletes it.
    it->second.socket.release()->deleteLater();
    m_connections.erase(it);
}

void WsDeviceLink::keepAlive()
{
    const auto now = Clock::now();
    QStringList idle;
    for (auto &[id, c] : m_connections) {
        if (now - c.lastHeard > IdleTimeout)
            idle.append(id);
        else
            c.socket->ping();
    }
    for (const QString &id : idle) {
        m_idleClosed.inc();
        if (const auto suppressed = m_notices.allow(u"idle"_s)) {
            qCWarning(lcWsDevice).noquote()
                << "device" << id << "stopped answering pings: closing its connection" << moreSince(*suppressed);
        }
        auto node = m_connections.extract(id);
        Connection &c = node.mapped();
        c.socket->disconnect(this);
        c.socket->abort();
        c.socket.release()->deleteLater();
    }
}

void WsDeviceLink::closeAll()
{
    for (auto &[id, c] : m_connections) {
        c.socket->disconnect(this);
        c.socket->close(QWebSocketProtocol::CloseCodeGoingAway, u"gateway shutting down"_s);
        c.socket.release()->deleteLater();
    }
    m_connections.clear();
}

} // namespace edgegate
