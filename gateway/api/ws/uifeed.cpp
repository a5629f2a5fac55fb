// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/ws/uifeed.h"

#include "gateway/api/http/httpmessage.h"

#include "gateway/api/ws/uiactions.h"
#include "gateway/core/alerts/alertstore.h"
#include "gateway/core/common/metrics.h"
#include "gateway/core/common/ratelimitedlog.h"
#include "gateway/core/devices/deviceregistry.h"
#include "gateway/core/ingest/ingest.h"
#include "gateway/core/ingest/receiveclock.h"
#include "gateway/core/ota/otamanager.h"

#include <QDateTime>
#include <QHash>
#include <QLoggingCategory>
#include <QNetworkRequest>
#include <QUrl>
#include <QWebSocket>

#include <algorithm>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcFeed, "edgegate.uifeed")

UiFeed::UiFeed(const QString &gatewayId, const ApiAccess &access, DeviceRegistry &registry, AlertStore &alerts,
               Ingest &ingest, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_gatewayId(gatewayId)
    , m_access(access)
    , m_registry(registry)
    , m_alerts(alerts)
    , m_startedMs(QDateTime::currentMSecsSinceEpoch())
    , m_framesDropped(metrics.counter(u"edgegate_ws_frames_dropped_total"_s,
                                      u"Telemetry and status frames not sent to WebSocket clients that fell behind."_s))
    , m_badFrames(metrics.counter(u"edgegate_ws_bad_frames_total"_s, u"Frames from WebSocket clients refused."_s))
    , m_clientsDropped(metrics.counter(u"edgegate_ws_clients_dropped_total"_s,
                                       u"WebSocket API clients closed for falling more than 4 MiB behind."_s))
    , m_unauthorized(
          metrics.counter(u"edgegate_ws_unauthorized_total"_s,
                          u"WebSocket API clients refused: a missing, wrong or late token, a foreign Origin, too many "
                          "waiting to authenticate."_s))
    , m_requests(metrics.counter(u"edgegate_ws_requests_total"_s, u"Requests from WebSocket API clients."_s))
{
    m_statusTimer.setInterval(StatusInterval);
    connect(&m_statusTimer, &QTimer::timeout, this, &UiFeed::sendStatus);
    metrics.addGauge(u"edgegate_ws_clients"_s, u"Connected WebSocket API clients."_s,
                     [this] { return static_cast<double>(m_clients.size()); });
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
    m_ota = &manager;
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

void UiFeed::addClient(std::unique_ptr<QWebSocket> socket, const HttpRequest &request)
{
    QWebSocket *s = socket.get();
    connect(s, &QWebSocket::textMessageReceived, this, [this, s](const QString &text) { received(s, text); });
    connect(s, &QWebSocket::binaryMessageReceived, this, [this, s](const QByteArray &) {
        Client *c = client(s);
        if (!c || c->closing)
            return;
        if (!c->authenticated) {
            refuse(*c, u"authenticate first"_s);
            return;
        }
        m_badFrames.inc();
        s->sendTextMessage(QString::fromUtf8(
            wsapi::encodeError({wsapi::code::BadFrame.toString(), u"binary frames are not part of the API"_s})));
    });
    connect(s, &QWebSocket::disconnected, this, [this, s] { removeClient(s); });
    if (const auto suppressed = m_notices.allow(u"connected"_s))
        qCInfo(lcFeed).noquote() << "client connected from" << s->peerAddress().toString() << moreSince(*suppressed);

    // A valid Authorization header on the upgrade request spares the auth frame.
    const QByteArray header = request.value("authorization");
    std::optional<ApiIdentity> identity;
    if (!m_access.required())
        identity = m_access.identify({});
    else if (!header.isEmpty())
        identity = m_access.identifyHeader(header);
    const std::optional<QString> refusal = admissionRefusal(request, identity.has_value());
    m_clients.push_back(
        {std::move(socket), request.peerAddress(), {}, {}, identity.value_or(ApiIdentity{}), false, false});
    if (m_clients.size() == 1)
        m_statusTimer.start();
    if (refusal) {
        refuse(m_clients.back(), *refusal);
        return;
    }

    s->sendTextMessage(
        QString::fromUtf8(wsapi::encodeHello({m_gatewayId, QStringLiteral(EDGEGATE_VERSION), !identity.has_value()})));
    if (identity) {
        startSession(m_clients.back());
        return;
    }
    QTimer::singleShot(AuthTimeout, s, [this, s] {
        Client *c = client(s);
        if (c && !c->authenticated && !c->closing)
            refuse(*c, u"no auth frame within %1 s"_s.arg(AuthTimeout.count() / 1000));
    });
}

namespace {

/// Whether an Origin header names the host and port of the Host header.
bool sameOrigin(const QByteArray &origin, const QByteArray &host)
{
    const QUrl from(QString::fromLatin1(origin));
    const QUrl to(u"http://"_s + QString::fromLatin1(host));
    if (!from.isValid() || from.host().isEmpty() || !to.isValid())
        return false;
    const int defaultPort = (from.scheme() == u"https" || from.scheme() == u"wss") ? 443 : 80;
    return from.host().compare(to.host(), Qt::CaseInsensitive) == 0 && from.port(defaultPort) == to.port(defaultPort);
}

} // namespace

std::optional<QString> UiFeed::admissionRefusal(const HttpRequest &request, bool authenticated) const
{
    // A browser sends the page's Origin: a page of another site must not use the API with the
    // browser's access (without tokens, anything on this machine may). Non-browser clients send none.
    const QByteArray origin = request.value("origin");
    if (!origin.isEmpty() && !sameOrigin(origin, request.value("host")))
        return u"cross-origin WebSocket refused"_s;
    if (!authenticated) {
        const auto waiting = [this](const QHostAddress *from) {
            return std::count_if(m_clients.cbegin(), m_clients.cend(), [from](const Client &c) {
                return !c.authenticated && !c.closing && (!from || c.peer.isEqual(*from));
            });
        };
        if (waiting(&request.peerAddress()) >= m_waitingLimits.perAddress)
            return u"too many connections from this address waiting to authenticate"_s;
        if (waiting(nullptr) >= m_waitingLimits.total)
            return u"too many connections waiting to authenticate"_s;
    }
    return std::nullopt;
}

void UiFeed::startSession(Client &c)
{
    c.authenticated = true;
    QWebSocket *s = c.socket.get();
    const QString role
        = c.identity.role == ApiRole::Admin ? wsapi::role::Admin.toString() : wsapi::role::Viewer.toString();
    s->sendTextMessage(QString::fromUtf8(wsapi::encodeSession({role, c.identity.name})));
    s->sendTextMessage(QString::fromUtf8(wsapi::encodeDevices(m_registry.list())));
    s->sendTextMessage(QString::fromUtf8(wsapi::encodeAlerts(alertSnapshot())));
    QList<OtaCampaign> campaigns = m_ota ? m_ota->campaigns() : QList<OtaCampaign>();
    std::reverse(campaigns.begin(), campaigns.end()); // newest first
    s->sendTextMessage(QString::fromUtf8(wsapi::encodeOtaCampaigns(campaigns)));
    s->sendTextMessage(QString::fromUtf8(wsapi::encodeStatus(status())));
}

void UiFeed::refuse(Client &c, const QString &message)
{
    m_unauthorized.inc();
    c.closing = true;
    QWebSocket *s = c.socket.get();
    // Keyed by peer address, so a client retrying with a wrong token cannot flood the log.
    const QString peer = s->peerAddress().toString();
    if (const auto suppressed = m_refusalLog.allow(peer)) {
        qCWarning(lcFeed).noquote() << "refusing a WebSocket API client from" << peer << ":" << message
                                    << (*suppressed ? u"(%1 more not logged)"_s.arg(*suppressed) : QString());
    }
    s->sendTextMessage(QString::fromUtf8(wsapi::encodeError({wsapi::code::Unauthorized.toString(), message})));
    s->close(QWebSocketProtocol::CloseCodePolicyViolated, message);
    // A peer that never answers the close handshake is cut off.
    QTimer::singleShot(std::chrono::seconds(5), s, [s] { s->abort(); });
}

QList<Alert> UiFeed::alertSnapshot() const
{
    QList<Alert> alerts = m_alerts.openAlerts();
    alerts.append(m_alerts.list(AlertStore::Filter{alertstate::Cleared.toString(), {}, {}}, ClearedAlertsInSnapshot));
    std::sort(alerts.begin(), alerts.end(), [](const Alert &a, const Alert &b) { return a.id > b.id; });
    return alerts;
}

wsapi::GatewayStatus UiFeed::status()
{
    wsapi::GatewayStatus st = m_statusProvider ? m_statusProvider() : wsapi::GatewayStatus{};
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    st.timeMs = now;
    st.uptimeS = (now - m_startedMs) / 1000;
    st.messagesPerSecond = m_telemetryRate.perSecond(now);
    st.total = st.pending = 0;
    QHash<DeviceStatus, int> byStatus;
    for (const DeviceInfo &d : m_registry.list()) {
        ++st.total;
        if (d.approval == Approval::Pending)
            ++st.pending;
        ++byStatus[d.status];
    }
    st.online = byStatus.value(DeviceStatus::Online);
    st.offline = byStatus.value(DeviceStatus::Offline);
    st.error = byStatus.value(DeviceStatus::Error);
    st.maintenance = byStatus.value(DeviceStatus::Maintenance);
    st.alertsOpen = static_cast<int>(m_alerts.openAlerts().size());
    if (st.broker.isEmpty())
        st.broker = wsapi::linkstate::Disconnected.toString();
    if (st.upstream.isEmpty())
        st.upstream = wsapi::linkstate::Disabled.toString();
    return st;
}

void UiFeed::sendStatus()
{
    if (m_clients.empty()) {
        m_statusTimer.stop();
        return;
    }
    QString text; // encoded once, for the first client that takes it
    for (Client &c : m_clients) {
        if (!c.authenticated || c.closing)
            continue;
        if (c.socket->bytesToWrite() > MaxClientBacklogBytes) {
            m_framesDropped.inc();
            continue;
        }
        if (text.isEmpty())
            text = QString::fromUtf8(wsapi::encodeStatus(status()));
        c.socket->sendTextMessage(text);
    }
}

void UiFeed::removeClient(QWebSocket *socket)
{
    const auto it = std::find_if(m_clients.begin(), m_clients.end(),
                                 [socket](const Client &c) { return c.socket.get() == socket; });
    if (it == m_clients.end())
        return;
    if (const auto suppressed = m_notices.allow(u"disconnected"_s))
        qCInfo(lcFeed).noquote() << "client disconnected" << moreSince(*suppressed);
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
    if (!c || c->closing)
        return;
    const wsapi::FrameDecode decoded = wsapi::decodeFrame(text.toUtf8());
    if (!c->authenticated) {
        authenticate(*c, decoded);
        return;
    }
    if (!decoded.frame) {
        m_badFrames.inc();
        socket->sendTextMessage(QString::fromUtf8(wsapi::encodeError(decoded.error)));
        return;
    }
    const wsapi::Frame &frame = *decoded.frame;
    if (frame.type == wsapi::type::Subscribe || frame.type == wsapi::type::Unsubscribe) {
        subscribe(*c, frame);
    } else if (frame.type == wsapi::type::Request) {
        request(*c, frame);
    } else {
        m_badFrames.inc();
        socket->sendTextMessage(QString::fromUtf8(wsapi::encodeError(
            {wsapi::code::UnknownType.toString(),
             frame.type == wsapi::type::Auth ? u"already authenticated"_s
                                             : u"unknown frame type '%1'"_s.arg(frame.type.left(64))})));
    }
}

void UiFeed::authenticate(Client &c, const wsapi::FrameDecode &decoded)
{
    if (!decoded.frame || decoded.frame->type != wsapi::type::Auth) {
        refuse(c, u"the first frame must be auth"_s);
        return;
    }
    const auto token = wsapi::authFromFrame(*decoded.frame);
    const auto identity = token ? m_access.identify(token->toUtf8()) : std::nullopt;
    if (!identity) {
        refuse(c, u"token refused"_s);
        return;
    }
    c.identity = *identity;
    startSession(c);
}

void UiFeed::subscribe(Client &c, const wsapi::Frame &frame)
{
    const auto request = wsapi::subscriptionFromFrame(frame);
    if (!request) {
        m_badFrames.inc();
        c.socket->sendTextMessage(QString::fromUtf8(wsapi::encodeError(
            {wsapi::code::BadFrame.toString(), u"devices must be \"*\" or an array of valid device ids"_s})));
        return;
    }
    wsapi::Subscription &sub = c.subscription;
    if (frame.type == wsapi::type::Subscribe) {
        QSet<QString> added;
        for (const QString &id : request->devices) {
            if (!c.subscribed.contains(id))
                added.insert(id);
        }
        if (c.subscribed.size() + added.size() > MaxSubscribedDevices) {
            m_badFrames.inc();
            c.socket->sendTextMessage(QString::fromUtf8(wsapi::encodeError(
                {wsapi::code::BadFrame.toString(),
                 u"a connection can subscribe to at most %1 device ids"_s.arg(MaxSubscribedDevices)})));
            return;
        }
        sub.all = sub.all || request->all;
        for (const QString &id : request->devices) {
            if (added.remove(id)) {
                sub.devices.append(id);
                c.subscribed.insert(id);
            }
        }
    } else if (request->all) {
        sub = {};
        c.subscribed.clear();
    } else {
        for (const QString &id : request->devices) {
            if (c.subscribed.remove(id))
                sub.devices.removeOne(id);
        }
    }
    c.socket->sendTextMessage(QString::fromUtf8(wsapi::encodeSubscribed(sub)));
}

void UiFeed::request(Client &c, const wsapi::Frame &frame)
{
    m_requests.inc();
    const auto request = wsapi::requestFromFrame(frame);
    if (!request) {
        m_badFrames.inc();
        const QString message = u"a request needs an integer id, an action and params as an object"_s;
        // Without an id there is nothing to reply to.
        if (const auto id = wsapi::requestIdFromFrame(frame))
            c.socket->sendTextMessage(
                QString::fromUtf8(wsapi::encodeFailure(*id, {wsapi::code::BadRequest.toString(), message})));
        else
            c.socket->sendTextMessage(
                QString::fromUtf8(wsapi::encodeError({wsapi::code::BadFrame.toString(), message})));
        return;
    }
    if (!m_actions) {
        c.socket->sendTextMessage(QString::fromUtf8(
            wsapi::encodeFailure(request->id, {wsapi::code::Unavailable.toString(), u"requests are not available"_s})));
        return;
    }
    // Running the action may emit changes that reach this client first; the reply follows them.
    QWebSocket *s = c.socket.get();
    const wsapi::Reply reply = m_actions->run(*request, c.identity);
    if (client(s))
        s->sendTextMessage(QString::fromUtf8(wsapi::encodeReply(reply)));
}

void UiFeed::broadcast(const QByteArray &frame)
{
    if (m_clients.empty())
        return;
    const QString text = QString::fromUtf8(frame);
    QList<QWebSocket *> stuck;
    for (Client &c : m_clients) {
        if (!c.authenticated || c.closing)
            continue;
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
    m_telemetryRate.add(QDateTime::currentMSecsSinceEpoch());
    if (m_clients.empty())
        return;
    QString text; // encoded once, for the first client that wants it
    for (Client &c : m_clients) {
        if (!c.authenticated || c.closing)
            continue;
        if (!c.subscription.all && !c.subscribed.contains(envelope.deviceId))
            continue;
        if (c.socket->bytesToWrite() > MaxClientBacklogBytes) {
            m_framesDropped.inc();
            continue;
        }
        if (text.isEmpty()) {
            wsapi::TelemetryUpdate update{envelope.deviceId, msFromNs(envelope.receivedAtNs), {}};
            update.samples.reserve(envelope.samples.size());
            for (const Sample &s : envelope.samples)
                update.samples.append({s.name, s.value, msFromNs(s.timeNs)});
            text = QString::fromUtf8(wsapi::encodeTelemetry(update));
        }
        c.socket->sendTextMessage(text);
    }
}

} // namespace edgegate
