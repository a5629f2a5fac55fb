// SPDX-License-Identifier: Apache-2.0
#include "gateway/devicelinks/mqtt/mqttlink.h"

#include "gateway/core/alerts/alertstore.h"
#include "gateway/core/common/metrics.h"
#include "gateway/core/ingest/ingest.h"
#include "gateway/core/ingest/receiveclock.h"
#include "shared/deviceid.h"

#include <QJsonDocument>
#include <QLoggingCategory>

#include <mosquitto.h>
#include <mqtt_protocol.h>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcMqtt, "edgegate.mqtt")

namespace {

// How often held messages are offered to Ingest again.
constexpr std::chrono::milliseconds HeldRetryInterval{100};
// How long a possible redelivery may pause before its messages count as new.
constexpr std::chrono::milliseconds RunTimeout{1000};

MosquittoClient::Settings clientSettings(const MqttLink::Settings &settings, const QString &statusTopic)
{
    MosquittoClient::Settings client = settings;
    client.will = {statusTopic.toUtf8(), QByteArrayLiteral("offline"), 1, true};
    return client;
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
    , m_client(clientSettings(settings, u"gateway/"_s + settings.gatewayId + u"/status"_s),
               {QByteArrayLiteral("edgegate.mqtt"), u"edgegate_mqtt"_s, u"the broker"_s}, metrics)
    , m_statusTopic(u"gateway/"_s + settings.gatewayId + u"/status"_s)
    , m_redelivery(settings.sessionFile)
    , m_retainedSkipped(
          metrics.counter(u"edgegate_mqtt_retained_telemetry_skipped_total"_s,
                          u"Retained telemetry replayed by the broker on subscribe, not ingested again."_s))
    , m_echoesSkipped(metrics.counter(u"edgegate_mqtt_own_republish_skipped_total"_s,
                                      u"Echoes of the gateway's own republished messages, not ingested again."_s))
    , m_heldTotal(metrics.counter(u"edgegate_mqtt_held_total"_s,
                                  u"MQTT messages held because Ingest had no room for them (then taken later)."_s))
    , m_holdOverflow(
          metrics.counter(u"edgegate_messages_dropped_total"_s, {}, {{u"reason"_s, u"mqtt_hold_overflow"_s}}))
    , m_redelivered(metrics.counter(
          u"edgegate_mqtt_redelivered_skipped_total"_s,
          u"Messages the broker sent again after a reconnect that the gateway had taken already, not taken twice."_s))
    , m_alertsUnpublished(metrics.counter(u"edgegate_alerts_unpublished_total"_s,
                                          u"Alert changes not published on MQTT (the broker was not connected)."_s))
{
    m_client.setMessageHandler([this](const mosquitto_message *message) { handleMessage(message); });
    connect(&m_client, &MosquittoClient::connected, this, &MqttLink::onConnected);
    connect(&m_client, &MosquittoClient::connectedChanged, this, &MqttLink::connectedChanged);
    // Back on the broker: every device may be reached again.
    connect(&m_client, &MosquittoClient::connectedChanged, this, [this](bool connected) {
        if (connected)
            reportReachable({});
    });
    connect(&m_client, &MosquittoClient::published, this, &MqttLink::published);
    connect(&m_client, &MosquittoClient::stopped, this, &MqttLink::stopped);
    m_retryTimer.setInterval(HeldRetryInterval);
    connect(&m_retryTimer, &QTimer::timeout, this, &MqttLink::retryHeld);
    // A broker sends what it sends again back to back, right after the CONNACK.
    m_runTimer.setSingleShot(true);
    m_runTimer.setInterval(RunTimeout);
    connect(&m_runTimer, &QTimer::timeout, this, &MqttLink::releaseRun);
    connect(&m_client, &MosquittoClient::disconnected, this, &MqttLink::releaseRun);
}

MqttLink::~MqttLink() = default;

void MqttLink::start()
{
    if (QString error; !m_redelivery.open(&error)) {
        qCWarning(lcMqtt).noquote() << error << "- after a restart, messages the broker sends again may be taken twice";
    }
    m_client.start();
}

void MqttLink::onConnected()
{
    m_redelivery.connected(m_client.sessionPresent());
    // The gateway republishes translated telemetry on the topics it reads: under MQTT 5 the
    // broker keeps those from coming back (No Local).
    for (const QString &filter : subscriptions())
        m_client.subscribe(filter.toUtf8(), 1, MQTT_SUB_OPT_NO_LOCAL);
    publish(m_statusTopic, "online", 1, true);
}

void MqttLink::setHandler(Handler handler)
{
    m_handler = std::move(handler);
}

void MqttLink::setPaused(bool paused)
{
    m_paused = paused;
    updateReading();
}

void MqttLink::updateReading()
{
    m_client.setReadPaused(m_paused || !m_held.empty());
}

void MqttLink::handleMessage(const mosquitto_message *message)
{
    Received received;
    received.receivedMono = std::chrono::steady_clock::now();
    received.receivedAtNs = wallClockNs();
    received.topic = QString::fromUtf8(message->topic);
    received.payload = QByteArray(static_cast<const char *>(message->payload), message->payloadlen);
    received.qos = message->qos;
    received.retain = message->retain;
    if (message->qos == 0) {
        consume(received);
        return;
    }
    received.mid = message->mid;
    received.fingerprint = RedeliveryFilter::fingerprint(message->topic, received.payload);
    switch (m_redelivery.check(received.mid, received.fingerprint)) {
    case RedeliveryFilter::Verdict::New:
        consume(received);
        return;
    case RedeliveryFilter::Verdict::Hold:
        m_run.push_back(std::move(received));
        m_runTimer.start();
        return;
    case RedeliveryFilter::Verdict::Broken:
        releaseRun();
        consume(received);
        return;
    case RedeliveryFilter::Verdict::Redelivered: {
        m_runTimer.stop();
        m_run.push_back(std::move(received));
        const QList<bool> &stored = m_redelivery.runStored();
        std::deque<Received> run = std::exchange(m_run, {});
        for (size_t i = 0; i < run.size(); ++i) {
            // Stored the first time: dropped. Not stored (held for approval, lost with a crash): taken again.
            if (i < size_t(stored.size()) && stored.at(qsizetype(i)))
                m_redelivered.inc();
            else
                consume(run[i]);
        }
        return;
    }
    }
}

void MqttLink::releaseRun()
{
    m_runTimer.stop();
    m_redelivery.abandonRun();
    std::deque<Received> run = std::exchange(m_run, {});
    for (const Received &received : run)
        consume(received);
}

void MqttLink::consume(const Received &received)
{
    Delivery delivery;
    if (received.mid != 0) {
        delivery.mid = received.mid;
        delivery.fingerprint = received.fingerprint;
        delivery.handle = m_redelivery.remember(received.mid, received.fingerprint);
        if (!m_redelivery.enabled() && !m_filterOffLogged) {
            m_filterOffLogged = true;
            qCWarning(lcMqtt) << "the broker gives new messages packet ids it used a moment before: messages it "
                                 "sends again after a reconnect can no longer be told apart, and may be taken twice";
        }
    }
    // Nothing to redo for a message that is answered here and now.
    const auto answered = [&] { m_redelivery.stored(delivery.handle, delivery.mid, delivery.fingerprint); };
    InboundMessage &inbound = delivery.message;
    inbound.receivedMono = received.receivedMono;
    inbound.receivedAtNs = received.receivedAtNs;
    inbound.protocol = Protocol::Mqtt;
    inbound.proof = DeviceProof::Broker;

    const QString &topic = received.topic;
    const TopicParse parsed = parseDeviceTopic(topic);
    if (!parsed.topic) {
        m_ingest.reject(Protocol::Mqtt, badInput(parsed.error), {}, u"topic '%1'"_s.arg(loggable(topic)));
        answered();
        return;
    }
    // Retained telemetry and commands are replays of what was already handled (on every reconnect).
    if (received.retain
        && (parsed.topic->kind == MessageKind::Telemetry || parsed.topic->kind == MessageKind::Command)) {
        m_retainedSkipped.inc();
        answered();
        return;
    }
    if (!m_pendingEchoes.empty()) {
        const auto echo = m_pendingEchoes.find(qHash(received.payload, qHash(topic)));
        if (echo != m_pendingEchoes.end()) {
            if (--echo->second == 0)
                m_pendingEchoes.erase(echo);
            m_echoesSkipped.inc();
            answered();
            return;
        }
    }
    inbound.deviceId = parsed.topic->deviceId;
    inbound.kind = parsed.topic->kind;
    inbound.qos = received.qos;
    inbound.replayed = received.retain;
    inbound.payload = received.payload;
    offer(std::move(delivery));
}

bool MqttLink::handOver(const Delivery &delivery)
{
    const IngestResult result = m_handler ? m_handler(delivery.message) : m_ingest.handle(delivery.message);
    if (result.outcome == IngestResult::Outcome::Busy)
        return false;
    // A message held for approval lives in memory only: if the broker sends it again, it is taken again.
    if (result.outcome != IngestResult::Outcome::Held)
        m_redelivery.stored(delivery.handle, delivery.mid, delivery.fingerprint);
    return true;
}

void MqttLink::offer(Delivery delivery)
{
    // Once one message is held, later ones queue behind it: order per device is kept. They still
    // arrive until libmosquitto finishes the read in progress.
    if (m_held.empty() && handOver(delivery))
        return;
    if (static_cast<qsizetype>(m_held.size()) >= MaxHeld) {
        m_holdOverflow.inc();
        if (const auto suppressed = m_warnings.allow(u"overflow"_s)) {
            qCWarning(lcMqtt).noquote() << "no room for MQTT messages and" << MaxHeld << "already held: message of"
                                        << delivery.message.deviceId << "dropped"
                                        << (*suppressed ? u"(%1 more since the last report)"_s.arg(*suppressed)
                                                        : QString());
        }
        return;
    }
    if (m_held.empty())
        qCDebug(lcMqtt) << "no room for MQTT messages: holding them and pausing the socket";
    m_held.push_back(std::move(delivery));
    m_heldTotal.inc();
    updateReading();
    if (!m_retryTimer.isActive())
        m_retryTimer.start();
}

void MqttLink::retryHeld()
{
    while (!m_held.empty()) {
        if (!handOver(m_held.front()))
            return;
        m_held.pop_front();
    }
    m_retryTimer.stop();
    qCDebug(lcMqtt) << "held MQTT messages taken: reading again";
    updateReading();
}

void MqttLink::publishAlerts(const AlertStore &alerts)
{
    const QString topic = u"gateway/%1/alerts"_s.arg(m_settings.gatewayId);
    connect(&alerts, &AlertStore::alertChanged, this, [this, topic](const Alert &alert) {
        if (!publish(topic, QJsonDocument(alertToJson(alert)).toJson(QJsonDocument::Compact), 1, false))
            m_alertsUnpublished.inc();
    });
}

bool MqttLink::publish(const QString &topic, const QByteArray &payload, int qos, bool retain)
{
    return m_client.publish(topic.toUtf8(), payload, qos, retain).has_value();
}

bool MqttLink::push(const QString &deviceId, Downlink kind, const QByteArray &payload)
{
    switch (kind) {
    case Downlink::Command:
        return republish(deviceTopic(deviceId, MessageKind::Command), payload, 1).has_value();
    case Downlink::Ota:
        return publish(deviceTopic(deviceId, MessageKind::Ota), payload, 1, false);
    }
    return false;
}

std::optional<int> MqttLink::republish(const QString &topic, const QByteArray &payload, int qos, int *error)
{
    const std::optional<int> mid = m_client.publish(topic.toUtf8(), payload, qos, false, error);
    if (!mid)
        return mid;
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
    return mid;
}

void MqttLink::stop()
{
    releaseRun();
    if (!m_held.empty()) {
        retryHeld(); // one last chance before they are gone
        if (!m_held.empty()) {
            qCWarning(lcMqtt) << m_held.size() << "MQTT messages held for lack of room are lost with the stop";
            m_held.clear();
            m_retryTimer.stop();
        }
    }
    // A clean DISCONNECT suppresses the will, so say offline ourselves first.
    if (m_client.isConnected())
        publish(m_statusTopic, "offline", 1, true);
    m_client.stop();
}

} // namespace edgegate
