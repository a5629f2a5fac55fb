// SPDX-License-Identifier: Apache-2.0
#include "gateway/devicelinks/mqtt/mosquittoclient.h"

#include "gateway/core/common/metrics.h"

#include <QHostAddress>
#include <QRandomGenerator>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <cerrno>
#include <cstring>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

// The blocking connect a persistent MQTT 5 session needs is only acceptable where the TCP handshake
// cannot hang: on this host.
bool isLoopback(const QString &host)
{
    return host == u"localhost" || QHostAddress(host).isLoopback();
}

// How long stop() waits for the broker to take the last publish and the DISCONNECT.
constexpr int StopTimeoutMs = 2000;

// Debian's hashed directory of the system's trusted CAs, for libmosquitto's capath.
constexpr const char *SystemCaPath = "/etc/ssl/certs";

QByteArray nullIfEmpty(const QString &text)
{
    return text.isEmpty() ? QByteArray() : text.toUtf8();
}

const char *orNull(const QByteArray &bytes)
{
    return bytes.isNull() ? nullptr : bytes.constData();
}

} // namespace

MosquittoClient::MosquittoClient(const Settings &settings, const Identity &identity, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_logName(identity.logCategory)
    , m_log(m_logName.constData())
    , m_peer(identity.peer)
    , m_connectedGauge(
          metrics.gauge(identity.metricPrefix + u"_connected"_s, u"1 while connected to %1."_s.arg(identity.peer)))
    , m_reconnects(metrics.counter(identity.metricPrefix + u"_reconnects_total"_s,
                                   u"Connections to %1 re-established after a loss."_s.arg(identity.peer)))
    , m_attempts(metrics.counter(identity.metricPrefix + u"_connect_attempts_total"_s,
                                 u"Connection attempts to %1."_s.arg(identity.peer)))
{
    static const int libInit = mosquitto_lib_init();
    Q_UNUSED(libInit);

    m_miscTimer.setInterval(1000);
    connect(&m_miscTimer, &QTimer::timeout, this, &MosquittoClient::housekeeping);
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &MosquittoClient::connectToBroker);
    m_stopGuard.setSingleShot(true);
    m_stopGuard.setInterval(StopTimeoutMs);
    connect(&m_stopGuard, &QTimer::timeout, this, &MosquittoClient::finishStop);

    createInstance();
}

MosquittoClient::~MosquittoClient()
{
    detachSocket();
    if (m_mosq)
        mosquitto_destroy(m_mosq);
}

bool MosquittoClient::createInstance()
{
    detachSocket();
    if (m_mosq)
        mosquitto_destroy(m_mosq);
    m_mosq = mosquitto_new(m_settings.clientId.toUtf8().constData(), m_settings.sessionExpiry == 0, this);
    if (!m_mosq)
        qFatal("mosquitto_new failed: out of memory");
    if (m_settings.host.isEmpty()) {
        m_configError = u"no host to connect to"_s;
        return false;
    }
    // libmosquitto's own limits: it would refuse every connect otherwise.
    if (m_settings.keepalive < std::chrono::seconds(5) || m_settings.keepalive > std::chrono::seconds(65535)) {
        m_configError = u"keepalive %1 s is out of range (5 to 65535)"_s.arg(m_settings.keepalive.count());
        return false;
    }

    mosquitto_int_option(m_mosq, MOSQ_OPT_PROTOCOL_VERSION, m_settings.v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
    if (mosquitto_int_option(m_mosq, MOSQ_OPT_SEND_MAXIMUM, m_settings.maxInflight) != MOSQ_ERR_SUCCESS) {
        m_configError = u"in-flight window %1 is out of range (1 to 65535)"_s.arg(m_settings.maxInflight);
        return false;
    }
    const Will &will = m_settings.will;
    if (!will.topic.isEmpty()
        && mosquitto_will_set_v5(m_mosq, will.topic.constData(), static_cast<int>(will.payload.size()),
                                 will.payload.constData(), will.qos, will.retain, nullptr)
            != MOSQ_ERR_SUCCESS) {
        m_configError = u"invalid will topic '%1'"_s.arg(QString::fromUtf8(will.topic));
        return false;
    }
    if (!m_settings.username.isEmpty()) {
        const QByteArray password = nullIfEmpty(m_settings.password);
        mosquitto_username_pw_set(m_mosq, m_settings.username.toUtf8().constData(), orNull(password));
    }

    const Tls &tls = m_settings.tls;
    if (tls.enabled) {
        const QByteArray caFile = nullIfEmpty(tls.caFile);
        const QByteArray certFile = nullIfEmpty(tls.certFile);
        const QByteArray keyFile = nullIfEmpty(tls.keyFile);
        if (certFile.isNull() != keyFile.isNull()) {
            m_configError = u"a TLS client certificate needs both a certificate and a key file"_s;
            return false;
        }
        if (caFile.isNull())
            mosquitto_int_option(m_mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
        // libmosquitto opens the files here, so an unreadable one is caught before connecting.
        if (mosquitto_tls_set(m_mosq, orNull(caFile), caFile.isNull() ? SystemCaPath : nullptr, orNull(certFile),
                              orNull(keyFile), nullptr)
            != MOSQ_ERR_SUCCESS) {
            m_configError
                = u"cannot use the TLS files (CA '%1', certificate '%2', key '%3'): missing or unreadable"_s.arg(
                    tls.caFile, tls.certFile, tls.keyFile);
            return false;
        }
        const QByteArray version = nullIfEmpty(tls.version);
        if (mosquitto_tls_opts_set(m_mosq, 1 /* SSL_VERIFY_PEER */, orNull(version), nullptr) != MOSQ_ERR_SUCCESS) {
            m_configError = u"unsupported TLS version '%1' (tlsv1.2 or tlsv1.3)"_s.arg(tls.version);
            return false;
        }
        mosquitto_tls_insecure_set(m_mosq, tls.insecure);
        // OpenSSL's reason for a failed handshake only reaches us through the library's log.
        mosquitto_log_callback_set(m_mosq, &MosquittoClient::onLog);
    }

    mosquitto_connect_v5_callback_set(m_mosq, &MosquittoClient::onConnect);
    mosquitto_disconnect_v5_callback_set(m_mosq, &MosquittoClient::onDisconnect);
    mosquitto_publish_v5_callback_set(m_mosq, &MosquittoClient::onPublish);
    mosquitto_message_v5_callback_set(m_mosq, &MosquittoClient::onMessage);
    return true;
}

QString MosquittoClient::endpoint() const
{
    return u"%1:%2"_s.arg(m_settings.host).arg(m_settings.port);
}

QString MosquittoClient::errorText(int rc) const
{
    if (rc == MOSQ_ERR_ERRNO)
        return QString::fromLocal8Bit(strerror(errno));
    if (rc == MOSQ_ERR_KEEPALIVE) // libmosquitto 2.0.11 has no text for it ("Unknown error.")
        return u"no answer from the broker within the keepalive"_s;
    return QString::fromUtf8(mosquitto_strerror(rc));
}

void MosquittoClient::setState(State state)
{
    if (m_state == state)
        return;
    const bool wasConnected = m_state == State::Connected;
    const bool isNowConnected = state == State::Connected;
    m_state = state;
    m_connectedGauge.set(isNowConnected ? 1 : 0);
    updateReadInterest();
    if (wasConnected == isNowConnected)
        return;
    if (isNowConnected) {
        emit connected();
        emit connectedChanged(true);
    } else {
        emit connectedChanged(false);
        emit disconnected();
    }
}

void MosquittoClient::start()
{
    if (!m_configError.isEmpty()) {
        qCCritical(m_log).noquote() << u"not connecting to %1 at %2: %3"_s.arg(m_peer, endpoint(), m_configError);
        return;
    }
    qCInfo(m_log).noquote() << "connecting to" << endpoint() << "as" << m_settings.clientId
                            << u"(MQTT %1%2)"_s.arg(m_settings.v5 ? u"5"_s : u"3.1.1"_s,
                                                    m_settings.tls.enabled ? u" over TLS"_s : QString());
    if (m_settings.sessionExpiry != 0 && m_settings.v5 && !isLoopback(m_settings.host)) {
        qCWarning(m_log).noquote() << "the session on" << m_settings.host
                                   << "is not kept while disconnected: under MQTT 5 that needs a broker on this host"
                                      " (or use MQTT 3.1.1)";
    }
    m_stopEmitted = false;
    m_miscTimer.start();
    connectToBroker();
}

void MosquittoClient::connectToBroker()
{
    if (m_state == State::Stopping)
        return;
    if (m_recreate) {
        m_recreate = false;
        // Outside any libmosquitto callback (this runs from a timer): safe to destroy the old one.
        if (!createInstance()) {
            // A certificate being replaced, say: try again later rather than give up for good.
            qCCritical(m_log).noquote() << u"cannot set up the connection to %1: %2"_s.arg(m_peer, m_configError);
            m_recreate = true;
            scheduleReconnect();
            return;
        }
    }
    m_attempts.inc();
    setState(State::Connecting);
    // Non-blocking: the TCP connect completes and CONNECT is sent once the socket is writable.
    // The host is given on every attempt so that a fresh instance needs nothing else.
    const QByteArray host = m_settings.host.toUtf8();
    const int keepalive = static_cast<int>(m_settings.keepalive.count());
    int rc = MOSQ_ERR_SUCCESS;
    if (m_settings.sessionExpiry != 0 && m_settings.v5 && isLoopback(m_settings.host)) {
        mosquitto_property *properties = nullptr;
        mosquitto_property_add_int32(&properties, MQTT_PROP_SESSION_EXPIRY_INTERVAL, m_settings.sessionExpiry);
        rc = mosquitto_connect_bind_v5(m_mosq, host.constData(), m_settings.port, keepalive, nullptr, properties);
        mosquitto_property_free_all(&properties);
    } else {
        rc = mosquitto_connect_bind_async(m_mosq, host.constData(), m_settings.port, keepalive, nullptr);
    }
    if (rc != MOSQ_ERR_SUCCESS) {
        connectionLost(errorText(rc));
        return;
    }
    attachSocket();
}

void MosquittoClient::attachSocket()
{
    detachSocket();
    const int fd = mosquitto_socket(m_mosq);
    if (fd < 0)
        return;
    m_readNotifier = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Read);
    connect(m_readNotifier.get(), &QSocketNotifier::activated, this, &MosquittoClient::readable);
    m_writeNotifier = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Write);
    connect(m_writeNotifier.get(), &QSocketNotifier::activated, this, &MosquittoClient::writable);
    updateReadInterest();
    updateWriteInterest();
}

void MosquittoClient::detachSocket()
{
    // Notifiers may be torn down from inside their own activation: let the loop delete them.
    if (m_readNotifier) {
        m_readNotifier->setEnabled(false);
        m_readNotifier.release()->deleteLater();
    }
    if (m_writeNotifier) {
        m_writeNotifier->setEnabled(false);
        m_writeNotifier.release()->deleteLater();
    }
}

void MosquittoClient::updateReadInterest()
{
    // Before the session is up the CONNACK must be read, paused or not.
    if (m_readNotifier)
        m_readNotifier->setEnabled(!(m_readPaused && m_state == State::Connected));
}

void MosquittoClient::updateWriteInterest()
{
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(mosquitto_want_write(m_mosq));
}

void MosquittoClient::setReadPaused(bool paused)
{
    if (m_readPaused == paused)
        return;
    m_readPaused = paused;
    updateReadInterest();
    // Over TLS, records already decrypted wait inside OpenSSL, where the notifier cannot see them.
    if (!paused && m_readNotifier)
        QTimer::singleShot(0, this, &MosquittoClient::readable);
}

void MosquittoClient::readable()
{
    if (!m_readNotifier || !m_readNotifier->isEnabled())
        return;
    afterSocketIo(mosquitto_loop_read(m_mosq, 1));
}

void MosquittoClient::writable()
{
    afterSocketIo(mosquitto_loop_write(m_mosq, 1));
}

void MosquittoClient::afterSocketIo(int rc)
{
    if (rc != MOSQ_ERR_SUCCESS) {
        connectionLost(errorText(rc));
        return;
    }
    updateWriteInterest();
}

void MosquittoClient::housekeeping()
{
    if (m_state != State::Connected && m_state != State::Connecting && m_state != State::Stopping)
        return;
    // Keepalive pings and QoS retries; an unanswered ping surfaces here as a lost connection.
    const int rc = mosquitto_loop_misc(m_mosq);
    if (rc != MOSQ_ERR_SUCCESS && m_state == State::Connected) {
        connectionLost(errorText(rc));
        return;
    }
    updateWriteInterest();
}

void MosquittoClient::connectionLost(const QString &reason)
{
    detachSocket();
    if (m_state == State::Idle)
        return; // stopped already: a late callback
    if (m_state == State::Stopping) {
        finishStop();
        return;
    }
    if (m_state == State::WaitingToReconnect)
        return; // already handled (the disconnect callback and the failing call both report it)
    QString why = reason;
    if (!m_lastLibraryError.isEmpty()) {
        why += u" ("_s + m_lastLibraryError + u')';
        m_lastLibraryError.clear();
    }
    if (m_state == State::Connected) {
        qCWarning(m_log).noquote() << u"connection to %1 lost: %2"_s.arg(m_peer, why);
        m_lossLogged = true;
    } else if (!m_lossLogged) {
        qCWarning(m_log).noquote() << u"cannot connect to %1 at %2: %3 (retrying)"_s.arg(m_peer, endpoint(), why);
        m_lossLogged = true;
    } else {
        qCDebug(m_log).noquote() << "connect attempt failed:" << why;
    }
    if (m_settings.discardUnconfirmedOnLoss)
        m_recreate = true;
    scheduleReconnect();
}

void MosquittoClient::scheduleReconnect()
{
    setState(State::WaitingToReconnect);
    // Exponential backoff with jitter between half and the whole step, so a fleet of gateways
    // restarted together does not hit the broker in lockstep.
    const qint64 minMs = m_settings.reconnectMin.count();
    const qint64 maxMs = m_settings.reconnectMax.count();
    const int shift = std::min(m_attempt, 30);
    const qint64 step = std::min<qint64>(maxMs, minMs << shift);
    const qint64 delay = step / 2 + static_cast<qint64>(QRandomGenerator::global()->bounded(step / 2 + 1));
    ++m_attempt;
    qCDebug(m_log) << "reconnecting in" << delay << "ms";
    m_reconnectTimer.start(std::chrono::milliseconds(delay));
}

void MosquittoClient::onConnect(mosquitto * /*mosq*/, void *self, int rc, int flags, const mqtt5__property * /*props*/)
{
    auto *client = static_cast<MosquittoClient *>(self);
    if (rc != 0) {
        const char *why = client->m_settings.v5 ? mosquitto_reason_string(rc) : mosquitto_connack_string(rc);
        client->connectionLost(u"broker refused the connection: "_s + QString::fromUtf8(why));
        return;
    }
    qCInfo(client->m_log).noquote()
        << (client->m_everConnected ? u"connected to %1 again"_s : u"connected to %1"_s).arg(client->m_peer);
    if (client->m_everConnected)
        client->m_reconnects.inc();
    client->m_everConnected = true;
    client->m_lossLogged = false;
    client->m_lastLibraryError.clear();
    client->m_attempt = 0;
    client->m_sessionPresent = (flags & 0x01) != 0;
    client->setState(State::Connected);
}

void MosquittoClient::onDisconnect(mosquitto * /*mosq*/, void *self, int rc, const mqtt5__property * /*props*/)
{
    auto *client = static_cast<MosquittoClient *>(self);
    if (rc == 0) {
        client->connectionLost(u"disconnected"_s);
        return;
    }
    // A DISCONNECT from an MQTT 5 broker carries its reason code here, not a MOSQ_ERR_* value.
    const bool brokerReason = client->m_settings.v5 && rc >= 0x80;
    client->connectionLost(brokerReason
                               ? u"the broker disconnected: "_s + QString::fromUtf8(mosquitto_reason_string(rc))
                               : client->errorText(rc));
}

void MosquittoClient::onPublish(mosquitto * /*mosq*/, void *self, int mid, int reasonCode,
                                const mqtt5__property * /*props*/)
{
    emit static_cast<MosquittoClient *>(self)->published(mid, reasonCode);
}

void MosquittoClient::onMessage(mosquitto * /*mosq*/, void *self, const mosquitto_message *message,
                                const mqtt5__property * /*props*/)
{
    auto *client = static_cast<MosquittoClient *>(self);
    if (client->m_messageHandler)
        client->m_messageHandler(message);
}

void MosquittoClient::onLog(mosquitto * /*mosq*/, void *self, int level, const char *text)
{
    if (!(level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING)))
        return;
    auto *client = static_cast<MosquittoClient *>(self);
    client->m_lastLibraryError = QString::fromUtf8(text);
    qCDebug(client->m_log).noquote() << "libmosquitto:" << client->m_lastLibraryError;
}

std::optional<int> MosquittoClient::publish(const QByteArray &topic, const QByteArray &payload, int qos, bool retain,
                                            int *error)
{
    int mid = 0;
    const int rc = m_state == State::Connected
        ? mosquitto_publish_v5(m_mosq, &mid, topic.constData(), static_cast<int>(payload.size()), payload.constData(),
                               qos, retain, nullptr)
        : MOSQ_ERR_NO_CONN;
    if (error)
        *error = rc;
    if (rc != MOSQ_ERR_SUCCESS) {
        if (rc == MOSQ_ERR_NO_CONN)
            return std::nullopt;
        const QString why = errorText(rc);
        if (const auto suppressed = m_warnings.allow(why)) {
            qCWarning(m_log).noquote() << u"publish to '%1' failed: %2"_s.arg(loggable(QString::fromUtf8(topic)), why)
                                       << (*suppressed ? u"(%1 more since the last report)"_s.arg(*suppressed)
                                                       : QString());
        }
        return std::nullopt;
    }
    updateWriteInterest();
    return mid;
}

bool MosquittoClient::subscribe(const QByteArray &filter, int qos, int options)
{
    if (m_state != State::Connected)
        return false;
    const int rc
        = mosquitto_subscribe_v5(m_mosq, nullptr, filter.constData(), qos, m_settings.v5 ? options : 0, nullptr);
    if (rc != MOSQ_ERR_SUCCESS) {
        qCWarning(m_log).noquote() << "subscribe to" << QString::fromUtf8(filter) << "failed:" << errorText(rc);
        return false;
    }
    updateWriteInterest();
    return true;
}

void MosquittoClient::stop()
{
    m_reconnectTimer.stop();
    if (m_state != State::Connected) {
        setState(State::Stopping);
        finishStop();
        return;
    }
    setState(State::Stopping);
    // A clean DISCONNECT suppresses the will: the owner said its last word before calling stop().
    if (mosquitto_disconnect_v5(m_mosq, MQTT_RC_NORMAL_DISCONNECTION, nullptr) != MOSQ_ERR_SUCCESS) {
        finishStop();
        return;
    }
    updateWriteInterest();
    if (!m_stopEmitted)
        m_stopGuard.start();
}

void MosquittoClient::finishStop()
{
    if (m_stopEmitted)
        return;
    m_stopEmitted = true;
    m_stopGuard.stop();
    m_miscTimer.stop();
    detachSocket();
    m_state = State::Idle;
    qCInfo(m_log).noquote() << "disconnected from" << m_peer;
    emit stopped();
}

} // namespace edgegate
