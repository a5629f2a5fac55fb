// SPDX-License-Identifier: Apache-2.0
#include "ui/apiclient.h"

#include "ui/logging.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QJSValue>
#include <QNetworkRequest>
#include <QSslConfiguration>

#include <algorithm>

using namespace edgegate;
using namespace Qt::StringLiterals;

namespace {

/// No answer to the handshake, hello or auth within this long: the try failed.
constexpr int HandshakeTimeoutMs = 15000;

/// The largest server frame taken (snapshots and history replies are far larger than client frames).
constexpr qsizetype MaxIncomingFrameBytes = qsizetype{4} * 1024 * 1024;

QJsonObject toJsonObject(const QVariant &value)
{
    QVariant plain = value;
    if (plain.metaType() == QMetaType::fromType<QJSValue>())
        plain = plain.value<QJSValue>().toVariant();
    return QJsonValue::fromVariant(plain).toObject();
}

QVariantMap statusToMap(const wsapi::GatewayStatus &status)
{
    QVariantList outbox;
    for (const wsapi::OutboxStatus &sink : status.outbox) {
        outbox.append(QVariantMap{{u"sink"_s, sink.sink},
                                  {u"messages"_s, sink.messages},
                                  {u"bytes"_s, sink.bytes},
                                  {u"limit_bytes"_s, sink.limitBytes}});
    }
    return {
        {u"time"_s, status.timeMs > 0 ? QVariant(QDateTime::fromMSecsSinceEpoch(status.timeMs, Qt::UTC)) : QVariant()},
        {u"uptime_s"_s, status.uptimeS},
        {u"messages_per_second"_s, status.messagesPerSecond},
        {u"devices"_s,
         QVariantMap{{u"total"_s, status.total},
                     {u"online"_s, status.online},
                     {u"offline"_s, status.offline},
                     {u"error"_s, status.error},
                     {u"maintenance"_s, status.maintenance},
                     {u"pending"_s, status.pending}}},
        {u"alerts_open"_s, status.alertsOpen},
        {u"broker"_s, status.broker},
        {u"upstream"_s, status.upstream},
        {u"outbox"_s, outbox},
    };
}

QVariantList samplesToList(const wsapi::TelemetryUpdate &update)
{
    QVariantList samples;
    samples.reserve(update.samples.size());
    for (const wsapi::TelemetrySample &sample : update.samples) {
        samples.append(QVariantMap{{u"name"_s, sample.name},
                                   {u"value"_s, valueToJson(sample.value).toVariant()},
                                   {u"time"_s, sample.timeMs > 0 ? sample.timeMs : update.receivedAtMs}});
    }
    return samples;
}

/// Decodes a frame with `Decode` and hands what it gives to `Apply` of the client's model `Model`.
template<auto Decode, auto Model, auto Apply> void applyToModel(ApiClient &client, const wsapi::Frame &frame)
{
    if (const auto decoded = Decode(frame))
        ((client.*Model)()->*Apply)(*decoded);
}

/// A frame type that fills one of the client's models: a snapshot or a change.
struct ModelFrame
{
    QStringView type;
    void (*apply)(ApiClient &client, const wsapi::Frame &frame);
};

constexpr ModelFrame ModelFrames[] = {
    {wsapi::type::Devices, applyToModel<wsapi::devicesFromFrame, &ApiClient::devices, &DeviceModel::setDevices>},
    {wsapi::type::Device, applyToModel<wsapi::deviceFromFrame, &ApiClient::devices, &DeviceModel::upsert>},
    {wsapi::type::DeviceRemoved,
     applyToModel<wsapi::deviceRemovedFromFrame, &ApiClient::devices, &DeviceModel::remove>},
    {wsapi::type::Alerts, applyToModel<wsapi::alertsFromFrame, &ApiClient::alerts, &AlertModel::setAlerts>},
    {wsapi::type::Alert, applyToModel<wsapi::alertFromFrame, &ApiClient::alerts, &AlertModel::upsert>},
    {wsapi::type::OtaCampaigns,
     applyToModel<wsapi::otaCampaignsFromFrame, &ApiClient::campaigns, &CampaignModel::setCampaigns>},
    {wsapi::type::OtaCampaign,
     applyToModel<wsapi::otaCampaignFromFrame, &ApiClient::campaigns, &CampaignModel::upsert>},
};

const ModelFrame *modelFrameOf(QStringView type)
{
    const auto *it = std::ranges::find(ModelFrames, type, &ModelFrame::type);
    return it == std::end(ModelFrames) ? nullptr : it;
}

} // namespace

ApiClient::ApiClient(QObject *parent)
    : QObject(parent)
    , m_devices(new DeviceModel(this))
    , m_alerts(new AlertModel(this))
    , m_campaigns(new CampaignModel(this))
    , m_firmware(new FirmwareModel(this))
{
    m_retryTimer.setSingleShot(true);
    m_countdownTimer.setInterval(1000);
    m_handshakeTimer.setSingleShot(true);
    m_handshakeTimer.setInterval(HandshakeTimeoutMs);
    connect(&m_retryTimer, &QTimer::timeout, this, [this] {
        m_countdownTimer.stop();
        startConnection();
    });
    m_retryTimer.setTimerType(Qt::PreciseTimer);
    m_countdownTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_countdownTimer, &QTimer::timeout, this, [this] {
        // Whole seconds left, rounded up, from the retry timer itself so the two never disagree.
        if (m_retryTimer.isActive())
            setReconnectIn(std::max(1, (m_retryTimer.remainingTime() + 999) / 1000));
    });
    connect(&m_handshakeTimer, &QTimer::timeout, this, [this] {
        qCInfo(lcDashboard) << "no session from" << m_url << "in time";
        setLastError(tr("no answer from the gateway"));
        m_socket.abort();
    });
    connectSocket();
    m_socket.setMaxAllowedIncomingMessageSize(quint64(MaxIncomingFrameBytes));
}

ApiClient::~ApiClient()
{
    m_wantOpen = false;
    m_socket.disconnect(this);
    m_socket.abort();
}

void ApiClient::connectSocket()
{
    connect(&m_socket, &QWebSocket::connected, this, &ApiClient::onConnected);
    connect(&m_socket, &QWebSocket::disconnected, this, &ApiClient::onDisconnected);
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &ApiClient::onTextMessage);
    // Never ignored: the person is told what is wrong with the gateway's certificate.
    connect(&m_socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        QStringList problems;
        for (const QSslError &e : errors)
            problems.append(e.errorString());
        problems.removeDuplicates();
        m_certificateProblem = problems.join(u"; "_s);
        qCWarning(lcDashboard).noquote() << "certificate of" << m_url << "not trusted:" << m_certificateProblem;
    });
}

void ApiClient::setCaFile(const QString &path)
{
    if (path == m_caFile)
        return;
    m_caFile = path;
    m_trusted = path.isEmpty() ? QList<QSslCertificate>() : QSslCertificate::fromPath(path, QSsl::Pem);
    if (!path.isEmpty() && m_trusted.isEmpty())
        setLastError(tr("no CA certificate in %1").arg(path));
    emit caFileChanged();
}

void ApiClient::setUrl(const QString &url)
{
    setPeerSetting(m_url, url, &ApiClient::urlChanged);
}

void ApiClient::setToken(const QString &token)
{
    setPeerSetting(m_token, token, &ApiClient::tokenChanged);
}

void ApiClient::setPeerSetting(QString &setting, const QString &value, void (ApiClient::*changed)())
{
    if (value == setting)
        return;
    setting = value;
    m_tokenRefused = false;
    emit(this->*changed)();
}

bool ApiClient::canWrite() const
{
    return m_state == Connected && m_role == wsapi::role::Admin;
}

QString ApiClient::httpBaseUrl() const
{
    const QUrl ws(m_url);
    if (!ws.isValid() || ws.host().isEmpty())
        return {};
    QUrl http;
    http.setScheme(ws.scheme() == u"wss" ? u"https"_s : u"http"_s);
    http.setHost(ws.host());
    http.setPort(ws.port());
    return http.toString();
}

void ApiClient::open()
{
    m_wantOpen = true;
    m_tokenRefused = false;
    stopTimers();
    const bool wasOpen = m_socket.state() != QAbstractSocket::UnconnectedState;
    if (wasOpen) {
        // The old connection ends quietly: its disconnected() must not schedule a retry.
        m_socket.disconnect(this);
        m_socket.abort();
        connectSocket();
        resetSession();
    }
    startConnection();
    // After the state change, so requests made by the failed requests' handlers are refused too.
    if (wasOpen)
        failPending(wsapi::code::Unavailable.toString(), tr("connection closed"));
}

void ApiClient::close()
{
    m_wantOpen = false;
    stopTimers();
    if (m_socket.state() != QAbstractSocket::UnconnectedState)
        m_socket.close();
    else
        setState(Disconnected);
}

void ApiClient::reconnectNow()
{
    m_backoff.reset();
    open();
}

void ApiClient::setState(State state)
{
    if (state == m_state)
        return;
    const bool couldWrite = canWrite();
    m_state = state;
    emit stateChanged();
    if (couldWrite != canWrite())
        emit sessionChanged();
}

void ApiClient::setLastError(const QString &error)
{
    if (error == m_lastError)
        return;
    m_lastError = error;
    emit lastErrorChanged();
}

void ApiClient::setReconnectIn(int seconds)
{
    if (seconds == m_reconnectIn)
        return;
    m_reconnectIn = seconds;
    emit reconnectInChanged();
}

void ApiClient::stopTimers()
{
    m_retryTimer.stop();
    m_countdownTimer.stop();
    m_handshakeTimer.stop();
    setReconnectIn(0);
}

void ApiClient::resetSession()
{
    if (!m_role.isEmpty() || !m_user.isEmpty()) {
        m_role.clear();
        m_user.clear();
        emit sessionChanged();
    }
}

void ApiClient::startConnection()
{
    const QUrl url(m_url);
    if (!url.isValid() || (url.scheme() != u"ws" && url.scheme() != u"wss") || url.host().isEmpty()) {
        m_wantOpen = false;
        setLastError(tr("invalid url"));
        setState(Disconnected);
        return;
    }
    setReconnectIn(0);
    qCDebug(lcDashboard) << "connecting to" << url;
    setState(Connecting);
    m_handshakeTimer.start();
    m_certificateProblem.clear();
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    if (!m_trusted.isEmpty())
        ssl.setCaCertificates(ssl.caCertificates() + m_trusted);
    m_socket.setSslConfiguration(ssl);
    m_socket.open(QNetworkRequest(url));
}

void ApiClient::scheduleReconnect()
{
    const qint64 wait = m_backoff.next();
    m_reconnectIn = int((wait + 999) / 1000);
    emit reconnectInChanged();
    setState(Waiting);
    qCInfo(lcDashboard) << "reconnecting to" << m_url << "in" << wait << "ms";
    m_retryTimer.start(int(wait));
    m_countdownTimer.start();
}

void ApiClient::onConnected()
{
    // The hello comes next; the session follows it (or the auth frame).
    qCDebug(lcDashboard) << "WebSocket open to" << m_url;
}

void ApiClient::onDisconnected()
{
    m_handshakeTimer.stop();
    const auto code = m_socket.closeCode();
    if (code == QWebSocketProtocol::CloseCodePolicyViolated && !m_tokenRefused && m_state == Authenticating) {
        m_tokenRefused = true;
        setLastError(tr("token refused"));
    } else if (!m_tokenRefused && m_wantOpen) {
        if (!m_certificateProblem.isEmpty() && m_state != Connected)
            setLastError(tr("gateway certificate not trusted: %1").arg(m_certificateProblem));
        else if (m_socket.error() != QAbstractSocket::UnknownSocketError && m_state != Connected)
            setLastError(m_socket.errorString().toLower());
        else if (m_state == Connected)
            setLastError(tr("connection lost"));
    }
    qCInfo(lcDashboard) << "disconnected from" << m_url << "close code" << int(code) << m_socket.errorString();
    resetSession();
    if (m_wantOpen && !m_tokenRefused)
        scheduleReconnect();
    else
        setState(Disconnected);
    // After the state change, so requests made by the failed requests' handlers are refused too.
    failPending(wsapi::code::Unavailable.toString(), tr("connection closed"));
}

void ApiClient::onTextMessage(const QString &text)
{
    const wsapi::FrameDecode decoded = wsapi::decodeFrame(text.toUtf8(), MaxIncomingFrameBytes);
    if (!decoded.frame) {
        qCWarning(lcDashboard) << "bad frame from the gateway:" << decoded.error.code << decoded.error.message;
        return;
    }
    handleFrame(*decoded.frame);
}

void ApiClient::handleFrame(const wsapi::Frame &frame)
{
    const QString &type = frame.type;
    if (type == wsapi::type::Hello) {
        const auto hello = wsapi::helloFromFrame(frame);
        if (!hello)
            return;
        m_gatewayId = hello->gatewayId;
        m_gatewayVersion = hello->version;
        emit gatewayChanged();
        if (hello->authRequired) {
            if (m_token.isEmpty()) {
                m_tokenRefused = true;
                setLastError(tr("token required"));
                m_socket.close();
                return;
            }
            setState(Authenticating);
            sendFrame(wsapi::encodeAuth(m_token));
        }
    } else if (type == wsapi::type::Session) {
        const auto session = wsapi::sessionFromFrame(frame);
        if (!session)
            return;
        m_handshakeTimer.stop();
        m_backoff.reset();
        m_role = session->role;
        m_user = session->user;
        setLastError({});
        setState(Connected);
        emit sessionChanged();
        if (!m_subscriptions.isEmpty())
            sendSubscription(wsapi::type::Subscribe, m_subscriptions.keys());
        requestFirmwareList(true);
        emit sessionStarted();
    } else if (const ModelFrame *modelFrame = modelFrameOf(type)) {
        modelFrame->apply(*this, frame);
    } else if (type == wsapi::type::OtaJob) {
        if (const auto job = wsapi::otaJobFromFrame(frame))
            emit otaJobChanged(*job);
    } else if (type == wsapi::type::Status) {
        if (const auto status = wsapi::statusFromFrame(frame)) {
            m_status = statusToMap(*status);
            emit statusChanged();
        }
    } else if (type == wsapi::type::Telemetry) {
        if (const auto update = wsapi::telemetryFromFrame(frame)) {
            emit telemetryReceived(*update);
            emit telemetry(update->deviceId, samplesToList(*update));
        }
    } else if (type == wsapi::type::Reply) {
        if (const auto reply = wsapi::replyFromFrame(frame))
            handleReply(*reply);
    } else if (type == wsapi::type::Error) {
        const auto error = wsapi::errorFromFrame(frame);
        if (!error)
            return;
        if (error->code == wsapi::code::Unauthorized) {
            m_tokenRefused = true;
            setLastError(tr("token refused"));
        } else {
            qCWarning(lcDashboard) << "the gateway refused a frame:" << error->code << error->message;
        }
    } else if (type != wsapi::type::Subscribed) {
        qCDebug(lcDashboard) << "ignoring frame of type" << type;
    }
}

int ApiClient::request(const QString &action, const QVariant &params)
{
    return sendRequest(toJsonObject(params), Pending{action, false, nullptr, {}});
}

int ApiClient::request(QStringView action, const QJsonObject &params, QObject *context, ReplyHandler handler)
{
    return sendRequest(params, Pending{action.toString(), true, context, std::move(handler)});
}

int ApiClient::sendRequest(const QJsonObject &params, Pending pending)
{
    const QString action = pending.action;
    const int id = m_nextId++;
    if (m_nextId == std::numeric_limits<int>::max())
        m_nextId = 1;
    m_pending.insert(id, std::move(pending));
    if (m_state != Connected) {
        // Answered from the event loop, so the caller has the id before the reply.
        QTimer::singleShot(0, this, [this, id] {
            handleReply(wsapi::Reply{id, false, {}, {wsapi::code::Unavailable.toString(), tr("not connected")}});
        });
        return id;
    }
    sendFrame(wsapi::encodeRequest(wsapi::Request{id, action, params}));
    return id;
}

void ApiClient::handleReply(const wsapi::Reply &reply)
{
    const auto it = m_pending.find(int(reply.id));
    if (it == m_pending.end())
        return;
    Pending pending = std::move(*it);
    m_pending.erase(it);
    if (!reply.ok)
        qCInfo(lcDashboard) << pending.action << "failed:" << reply.error.code << reply.error.message;
    if (pending.handler && (!pending.internal || pending.context))
        pending.handler(reply);
    if (pending.internal)
        return;
    emit replied(int(reply.id), reply.ok, reply.result.toVariant(), reply.error.code, reply.error.message);
    if (!reply.ok)
        emit actionFailed(pending.action, reply.error.code, reply.error.message);
}

void ApiClient::failPending(const QString &code, const QString &message)
{
    const QList<int> ids = m_pending.keys();
    for (const int id : ids)
        handleReply(wsapi::Reply{id, false, {}, {code, message}});
}

void ApiClient::sendFrame(const QByteArray &frame)
{
    m_socket.sendTextMessage(QString::fromUtf8(frame));
}

void ApiClient::sendSubscription(QStringView type, const QStringList &devices)
{
    if (m_state == Connected)
        sendFrame(wsapi::encodeSubscription(type, wsapi::Subscription{false, devices}));
}

void ApiClient::subscribeTelemetry(const QString &deviceId)
{
    if (deviceId.isEmpty())
        return;
    if (++m_subscriptions[deviceId] == 1)
        sendSubscription(wsapi::type::Subscribe, {deviceId});
}

void ApiClient::unsubscribeTelemetry(const QString &deviceId)
{
    const auto it = m_subscriptions.find(deviceId);
    if (it == m_subscriptions.end())
        return;
    if (--*it > 0)
        return;
    m_subscriptions.erase(it);
    sendSubscription(wsapi::type::Unsubscribe, {deviceId});
}

int ApiClient::acknowledgeAlert(int id, const QString &note)
{
    QJsonObject params{{u"id"_s, id}};
    if (!note.isEmpty())
        params.insert(u"note"_s, note);
    return sendRequest(params, Pending{wsapi::action::AlertAcknowledge.toString(), false, nullptr, {}});
}

int ApiClient::clearAlert(int id)
{
    return request(wsapi::action::AlertClear.toString(), QVariantMap{{u"id"_s, id}});
}

int ApiClient::approveDevice(const QString &id)
{
    return request(wsapi::action::DeviceApprove.toString(), QVariantMap{{u"device"_s, id}});
}

int ApiClient::rejectDevice(const QString &id)
{
    return request(wsapi::action::DeviceReject.toString(), QVariantMap{{u"device"_s, id}});
}

int ApiClient::setMaintenance(const QString &id, bool on)
{
    return request(wsapi::action::DeviceMaintenance.toString(), QVariantMap{{u"device"_s, id}, {u"on"_s, on}});
}

int ApiClient::sendCommand(const QString &device, const QString &name, const QVariant &params)
{
    QJsonObject body{{u"device"_s, device}, {u"name"_s, name}};
    const QJsonObject commandParams = toJsonObject(params);
    if (!commandParams.isEmpty())
        body.insert(u"params"_s, commandParams);
    return sendRequest(body, Pending{wsapi::action::DeviceCommand.toString(), false, nullptr, {}});
}

int ApiClient::createCampaign(const QVariant &body)
{
    return request(wsapi::action::OtaCreate.toString(), body);
}

int ApiClient::pauseCampaign(const QString &id)
{
    return request(wsapi::action::OtaPause.toString(), QVariantMap{{u"campaign"_s, id}});
}

int ApiClient::resumeCampaign(const QString &id)
{
    return request(wsapi::action::OtaResume.toString(), QVariantMap{{u"campaign"_s, id}});
}

int ApiClient::cancelCampaign(const QString &id)
{
    return request(wsapi::action::OtaCancel.toString(), QVariantMap{{u"campaign"_s, id}});
}

int ApiClient::refreshFirmware()
{
    return requestFirmwareList(false);
}

int ApiClient::requestFirmwareList(bool internal)
{
    Pending pending{wsapi::action::FirmwareList.toString(), internal, this, {}};
    pending.handler = [this](const wsapi::Reply &reply) {
        if (reply.ok)
            m_firmware->setImages(reply.result.toArray());
    };
    return sendRequest({}, std::move(pending));
}

int ApiClient::deleteFirmware(const QString &name, const QString &version)
{
    Pending pending{wsapi::action::FirmwareDelete.toString(), false, nullptr, {}};
    pending.handler = [this](const wsapi::Reply &reply) {
        if (reply.ok)
            refreshFirmware();
    };
    return sendRequest(QJsonObject{{u"name"_s, name}, {u"version"_s, version}}, std::move(pending));
}
