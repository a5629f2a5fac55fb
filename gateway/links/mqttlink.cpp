// SPDX-License-Identifier: Apache-2.0
#include "gateway/links/mqttlink.h"

#include "gateway/core/ingest.h"
#include "gateway/core/metrics.h"
#include "gateway/core/ratelimitedlog.h"
#include "shared/deviceid.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QRandomGenerator>

#include <mosquitto.h>
#include <mqtt_protocol.h>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcMqtt, "edgegate.mqtt")

namespace {

// How long stop() waits for the broker to take the offline status and the DISCONNECT.
constexpr int StopTimeoutMs = 2000;

QString mosquittoError(int rc)
{
    if (rc == MOSQ_ERR_ERRNO)
        return QString::fromLocal8Bit(strerror(errno));
    return QString::fromUtf8(mosquitto_strerror(rc));
}

} // namespace

QStringList MqttLink::subscriptions()
{
    // Commands other clients publish are routed to devices on other links; the last filter brings
    // command acks and OTA progress, and shows ids with a slash as bad topics.
    return {u"devices/+/telemetry"_s, u"devices/+/status"_s, u"devices/+/meta"_s, u"devices/+/commands"_s,
            u"devices/+/+/+"_s};
}

MqttLink::MqttLink(const Settings &settings, Ingest &ingest, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_ingest(ingest)
    , m_statusTopic(u"gateway/"_s + settings.gatewayId + u"/status"_s)
    , m_connectedGauge(metrics.gauge(u"edgegate_mqtt_connected"_s, u"1 while connected to the local broker."_s))
    , m_reconnects(metrics.counter(u"edgegate_mqtt_reconnects_total"_s,
                                   u"Connections to the local broker re-established after a loss."_s))
    , m_attempts(
          metrics.counter(u"edgegate_mqtt_connect_attempts_total"_s, u"Connection attempts to the local broker."_s))
    , m_retainedSkipped(
          metrics.counter(u"edgegate_mqtt_retained_telemetry_skipped_total"_s,
                          u"Retained telemetry replayed by the broker on subscribe, not ingested again."_s))
    , m_echoesSkipped(metrics.counter(u"edgegate_mqtt_own_republish_skipped_total"_s,
                                      u"Echoes of the gateway's own republished messages, not ingested again."_s))
{
    static const int libInit = mosquitto_lib_init();
    Q_UNUSED(libInit);

    m_miscTimer.setInterval(1000);
    connect(&m_miscTimer, &QTimer::timeout, this, &MqttLink::housekeeping);
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &MqttLink::connectToBroker);
    m_stopGuard.setSingleShot(true);
    m_stopGuard.setInterval(StopTimeoutMs);
    connect(&m_stopGuard, &QTimer::timeout, this, &MqttLink::finishStop);

    m_mosq = mosquitto_new(settings.clientId.toUtf8().constData(), true, this);
    if (!m_mosq)
        qFatal("mosquitto_new failed: out of memory");
    mosquitto_int_option(m_mosq, MOSQ_OPT_PROTOCOL_VERSION, settings.v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
    const QByteArray statusTopic = m_statusTopic.toUtf8();
    mosquitto_will_set_v5(m_mosq, statusTopic.constData(), 7, "offline", 1, true, nullptr);
    if (!settings.username.isEmpty()) {
        mosquitto_username_pw_set(m_mosq, settings.username.toUtf8().constData(),
                                  settings.password.isEmpty() ? nullptr : settings.password.toUtf8().constData());
    }
    mosquitto_connect_v5_callback_set(m_mosq, &MqttLink::onConnect);
    mosquitto_disconnect_v5_callback_set(m_mosq, &MqttLink::onDisconnect);
    mosquitto_message_v5_callback_set(m_mosq, &MqttLink::onMessage);
}

MqttLink::~MqttLink()
{
    detachSocket();
    if (m_mosq)
        mosquitto_destroy(m_mosq);
}

void MqttLink::setState(State state)
{
    if (m_state == state)
        return;
    const bool wasConnected = m_state == State::Connected;
    m_state = state;
    m_connectedGauge.set(state == State::Connected ? 1 : 0);
    if (wasConnected != (state == State::Connected))
        emit connectedChanged(state == State::Connected);
}

void MqttLink::start()
{
    qCInfo(lcMqtt).noquote() << "connecting to" << u"%1:%2"_s.arg(m_settings.host).arg(m_settings.port) << "as"
                             << m_settings.clientId << (m_settings.v5 ? "(MQTT 5)" : "(MQTT 3.1.1)");
    m_miscTimer.start();
    connectToBroker();
}

void MqttLink::connectToBroker()
{
    if (m_state == State::Stopping)
        return;
    m_attempts.inc();
    setState(State::Connecting);
    // Non-blocking: the TCP connect completes and CONNECT is sent once the socket is writable.
    const int rc = m_everConnected || m_attempt > 0
        ? mosquitto_reconnect_async(m_mosq)
        : mosquitto_connect_bind_async(m_mosq, m_settings.host.toUtf8().constData(), m_settings.port,
                                       static_cast<int>(m_settings.keepalive.count()), nullptr);
    if (rc != MOSQ_ERR_SUCCESS) {
        connectionLost(mosquittoError(rc));
        return;
    }
    attachSocket();
}

void MqttLink::attachSocket()
{
    detachSocket();
    const int fd = mosquitto_socket(m_mosq);
    if (fd < 0)
        return;
    m_readNotifier = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Read);
    connect(m_readNotifier.get(), &QSocketNotifier::activated, this, &MqttLink::readable);
    m_writeNotifier = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Write);
    connect(m_writeNotifier.get(), &QSocketNotifier::activated, this, &MqttLink::writable);
    updateWriteInterest();
}

void MqttLink::detachSocket()
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

void MqttLink::updateWriteInterest()
{
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(mosquitto_want_write(m_mosq));
}

void MqttLink::readable()
{
    const int rc = mosquitto_loop_read(m_mosq, 64);
    if (rc != MOSQ_ERR_SUCCESS) {
        connectionLost(mosquittoError(rc));
        return;
    }
    updateWriteInterest();
}

void MqttLink::writable()
{
    const int rc = mosquitto_loop_write(m_mosq, 64);
    if (rc != MOSQ_ERR_SUCCESS) {
        connectionLost(mosquittoError(rc));
        return;
    }
    updateWriteInterest();
}

void MqttLink::housekeeping()
{
    if (m_state != State::Connected && m_state != State::Connecting && m_state != State::Stopping)
        return;
    // Keepalive pings and QoS retries; an unanswered ping surfaces here as a lost connection.
    const int rc = mosquitto_loop_misc(m_mosq);
    if (rc != MOSQ_ERR_SUCCESS && m_state == State::Connected) {
        connectionLost(mosquittoError(rc));
        return;
    }
    updateWriteInterest();
}

void MqttLink::connectionLost(const QString &reason)
{
    detachSocket();
    if (m_state == State::Stopping) {
        finishStop();
        return;
    }
    if (m_state == State::WaitingToReconnect)
        return; // already handled (the disconnect callback and the failing call both report it)
    if (m_state == State::Connected) {
        qCWarning(lcMqtt).noquote() << "connection to the broker lost:" << reason;
        m_lossLogged = true;
    } else if (!m_lossLogged) {
        qCWarning(lcMqtt).noquote() << "cannot connect to the broker:" << reason << "(retrying)";
        m_lossLogged = true;
    } else {
        qCDebug(lcMqtt).noquote() << "connect attempt failed:" << reason;
    }
    scheduleReconnect();
}

void MqttLink::scheduleReconnect()
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
    qCDebug(lcMqtt) << "reconnecting in" << delay << "ms";
    m_reconnectTimer.start(std::chrono::milliseconds(delay));
}

void MqttLink::onConnect(mosquitto * /*mosq*/, void *self, int rc, int /*flags*/, const mqtt5__property * /*props*/)
{
    auto *link = static_cast<MqttLink *>(self);
    if (rc != 0) {
        link->connectionLost(u"broker refused the connection: "_s + QString::fromUtf8(mosquitto_reason_string(rc)));
        return;
    }
    qCInfo(lcMqtt) << (link->m_everConnected ? "connected to the broker again" : "connected to the broker");
    if (link->m_everConnected)
        link->m_reconnects.inc();
    link->m_everConnected = true;
    link->m_lossLogged = false;
    link->m_attempt = 0;
    link->setState(State::Connected);

    // The gateway republishes translated telemetry on the topics it reads: under MQTT 5 the
    // broker keeps those from coming back (No Local).
    const int options = link->m_settings.v5 ? MQTT_SUB_OPT_NO_LOCAL : 0;
    for (const QString &filter : subscriptions()) {
        const int subRc
            = mosquitto_subscribe_v5(link->m_mosq, nullptr, filter.toUtf8().constData(), 1, options, nullptr);
        if (subRc != MOSQ_ERR_SUCCESS)
            qCWarning(lcMqtt).noquote() << "subscribe to" << filter << "failed:" << mosquittoError(subRc);
    }
    link->publish(link->m_statusTopic, "online", 1, true);
}

void MqttLink::onDisconnect(mosquitto * /*mosq*/, void *self, int rc, const mqtt5__property * /*props*/)
{
    auto *link = static_cast<MqttLink *>(self);
    link->connectionLost(rc == 0 ? u"disconnected"_s : mosquittoError(rc));
}

void MqttLink::onMessage(mosquitto * /*mosq*/, void *self, const mosquitto_message *message,
                         const mqtt5__property * /*props*/)
{
    static_cast<MqttLink *>(self)->handleMessage(message);
}

void MqttLink::handleMessage(const mosquitto_message *message)
{
    InboundMessage inbound;
    inbound.receivedMono = std::chrono::steady_clock::now();
    inbound.receivedAtMs = QDateTime::currentMSecsSinceEpoch();
    inbound.protocol = Protocol::Mqtt;

    const QString topic = QString::fromUtf8(message->topic);
    const TopicParse parsed = parseDeviceTopic(topic);
    if (!parsed.topic) {
        m_ingest.reject(Protocol::Mqtt, topicErrorReason(parsed.error), {}, u"topic '%1'"_s.arg(loggable(topic)));
        return;
    }
    // Retained telemetry and commands are replays of what was already handled (on every reconnect).
    if (message->retain
        && (parsed.topic->kind == MessageKind::Telemetry || parsed.topic->kind == MessageKind::Command)) {
        m_retainedSkipped.inc();
        return;
    }
    if (!m_pendingEchoes.empty()) {
        const auto echo = m_pendingEchoes.find(
            qHash(QByteArrayView(static_cast<const char *>(message->payload), message->payloadlen), qHash(topic)));
        if (echo != m_pendingEchoes.end()) {
            if (--echo->second == 0)
                m_pendingEchoes.erase(echo);
            m_echoesSkipped.inc();
            return;
        }
    }
    inbound.deviceId = parsed.topic->deviceId;
    inbound.kind = parsed.topic->kind;
    inbound.qos = message->qos;
    inbound.payload = QByteArray(static_cast<const char *>(message->payload), message->payloadlen);
    m_ingest.handle(inbound);
}

bool MqttLink::publish(const QString &topic, const QByteArray &payload, int qos, bool retain)
{
    if (m_state != State::Connected && m_state != State::Stopping)
        return false;
    const int rc = mosquitto_publish_v5(m_mosq, nullptr, topic.toUtf8().constData(), static_cast<int>(payload.size()),
                                        payload.constData(), qos, retain, nullptr);
    if (rc != MOSQ_ERR_SUCCESS) {
        qCWarning(lcMqtt).noquote() << "publish to" << topic << "failed:" << mosquittoError(rc);
        return false;
    }
    updateWriteInterest();
    return true;
}

bool MqttLink::republish(const QString &topic, const QByteArray &payload, int qos)
{
    if (!publish(topic, payload, qos, false))
        return false;
    if (!m_settings.v5) {
        // Bounded: echoes lost with a broken connection must not pile up.
        constexpr size_t MaxPendingEchoes = 10000;
        const size_t fingerprint = qHash(payload, qHash(topic));
        ++m_pendingEchoes[fingerprint];
        m_echoOrder.push_back(fingerprint);
        while (m_echoOrder.size() > MaxPendingEchoes) {
            const auto oldest = m_pendingEchoes.find(m_echoOrder.front());
            if (oldest != m_pendingEchoes.end() && --oldest->second == 0)
                m_pendingEchoes.erase(oldest);
            m_echoOrder.pop_front();
        }
    }
    return true;
}

void MqttLink::stop()
{
    m_reconnectTimer.stop();
    if (m_state != State::Connected) {
        setState(State::Stopping);
        finishStop();
        return;
    }
    setState(State::Stopping);
    // A clean DISCONNECT suppresses the will, so say offline ourselves first.
    publish(m_statusTopic, "offline", 1, true);
    mosquitto_disconnect_v5(m_mosq, MQTT_RC_NORMAL_DISCONNECTION, nullptr);
    updateWriteInterest();
    m_stopGuard.start();
}

void MqttLink::finishStop()
{
    if (m_stopEmitted)
        return;
    m_stopEmitted = true;
    m_stopGuard.stop();
    m_miscTimer.stop();
    detachSocket();
    qCInfo(lcMqtt) << "disconnected from the broker";
    emit stopped();
}

} // namespace edgegate
