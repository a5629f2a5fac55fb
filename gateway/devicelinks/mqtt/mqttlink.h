// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/common/ratelimitedlog.h"
#include "gateway/core/downlink/devicelink.h"
#include "gateway/core/ingest/envelope.h"
#include "gateway/devicelinks/mqtt/mosquittoclient.h"
#include "gateway/devicelinks/mqtt/redeliveryfilter.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QTimer>

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <unordered_map>

struct mosquitto_message;

namespace edgegate {

class AlertStore;
class Counter;
class Ingest;
class Metrics;
struct IngestResult;

/// The link to the local MQTT broker, over a MosquittoClient (libmosquitto inside the Qt event
/// loop). Turns device topics into inbound messages for Ingest and keeps the gateway's own status
/// topic.
///
/// Back-pressure: when Ingest answers Busy (no room in an outbox), the link keeps that message
/// and every later one in a small queue, stops reading its socket and offers the queue again every
/// 100 ms until it is taken; then it reads again. The broker's messages meanwhile wait in TCP
/// buffers and in the broker's queue for this client. libmosquitto acknowledged each held message
/// to the broker (PUBACK) before the link saw it, so a crash or a stop loses what is held.
///
/// Messages the broker sends again after a reconnect (their acknowledgement was lost with the
/// connection or a crash) are recognised by a RedeliveryFilter and not taken a second time; the
/// messages of a possible redelivery are held until it is certain (at most a second).
class MqttLink : public QObject, public DeviceLink
{
    Q_OBJECT
public:
    /// The connection's settings (the link sets the will), and the id its status topic is named
    /// after. Of note for this link: `sessionExpiry` makes the broker keep the devices' QoS 1
    /// messages while the gateway is away or paused; `discardUnconfirmedOnLoss` stays off, so
    /// commands in flight when the broker goes away still reach it after the reconnect (a
    /// RepublishSink over this link may then see an entry twice).
    struct Settings : MosquittoClient::Settings
    {
        QString gatewayId;
        /// Where the last messages taken are remembered across a restart (see RedeliveryFilter);
        /// empty: in memory only.
        QString sessionFile;
    };

    using State = MosquittoClient::State;

    /// Where messages go: Ingest::handle unless replaced.
    using Handler = std::function<IngestResult(const InboundMessage &message)>;

    /// Messages held at most while Ingest is busy; beyond that they are dropped and counted.
    static constexpr qsizetype MaxHeld = 1000;

    MqttLink(const Settings &settings, Ingest &ingest, Metrics &metrics, QObject *parent = nullptr);
    ~MqttLink() override;

    /// Connects, and keeps reconnecting until stop().
    void start();
    /// Publishes the gateway's offline status, disconnects cleanly and emits stopped().
    void stop();

    [[nodiscard]] State state() const { return m_client.state(); }
    [[nodiscard]] bool isConnected() const { return m_client.isConnected(); }

    /// Queues a publish; false when not connected or the library refused it.
    bool publish(const QString &topic, const QByteArray &payload, int qos, bool retain);
    /// Publishes every alert change to `gateway/{gatewayId}/alerts` (QoS 1); those that find the
    /// broker away are counted, not kept. `alerts` outlives this.
    void publishAlerts(const AlertStore &alerts);

    /// Publishes a message translated from another protocol on a device topic the link itself
    /// subscribes to, so that its echo is not ingested a second time: MQTT 5 subscriptions carry
    /// No Local; under 3.1.1 the link recognises its own payloads when they come back. Returns the
    /// message id that published() reports, or nothing when not connected or refused (`error`, if
    /// given: the MOSQ_ERR_* code).
    std::optional<int> republish(const QString &topic, const QByteArray &payload, int qos, int *error = nullptr);

    [[nodiscard]] Protocol linkProtocol() const override { return Protocol::Mqtt; }
    /// A command on devices/{id}/commands (QoS 1, as a republish: the link does not take its own echo),
    /// an OTA notification on devices/{id}/ota (QoS 1).
    bool push(const QString &deviceId, Downlink kind, const QByteArray &payload) override;

    /// The filters subscribed on every connection.
    [[nodiscard]] static QStringList subscriptions();

    /// Stops reading the socket while true (see MosquittoClient::setReadPaused: a pause of about two
    /// keepalive periods costs the connection). Reading also stops while messages are held.
    void setPaused(bool paused);
    [[nodiscard]] bool isPaused() const { return m_paused; }

    /// Messages waiting for room in Ingest.
    [[nodiscard]] qsizetype heldCount() const { return static_cast<qsizetype>(m_held.size()); }

    void setHandler(Handler handler);

signals:
    void connectedChanged(bool connected);
    /// The broker acknowledged publish `mid` (see MosquittoClient::published).
    void published(int mid, int reasonCode);
    void stopped();

private:
    void onConnected();
    /// A message as the broker sent it, and what identifies it in its session (mid 0 for QoS 0).
    struct Received
    {
        QString topic;
        QByteArray payload;
        int qos = 0;
        bool retain = false;
        int mid = 0;
        quint64 fingerprint = 0;
        qint64 receivedAtNs = 0;
        std::chrono::steady_clock::time_point receivedMono;
    };
    /// A message for Ingest, and its place in the RedeliveryFilter (-1: none).
    struct Delivery
    {
        InboundMessage message;
        int handle = -1;
        int mid = 0;
        quint64 fingerprint = 0;
    };

    void handleMessage(const mosquitto_message *message);
    /// Takes a message that is not a redelivery: remembers it, then hands it to Ingest.
    void consume(const Received &received);
    /// The messages of a run that turned out not to be a redelivery are taken, in order.
    void releaseRun();
    void offer(Delivery delivery);
    /// Ingest's answer for a message; false when Busy.
    [[nodiscard]] bool handOver(const Delivery &delivery);
    void retryHeld();
    void updateReading();

    Settings m_settings;
    Ingest &m_ingest;
    Handler m_handler;
    MosquittoClient m_client;
    QString m_statusTopic;
    bool m_paused = false;
    std::deque<Delivery> m_held;
    RedeliveryFilter m_redelivery;
    std::deque<Received> m_run; // held while they may be a redelivery
    QTimer m_runTimer;
    bool m_filterOffLogged = false;
    QTimer m_retryTimer;
    RateLimitedLog m_warnings;
    // MQTT 3.1.1 only: fingerprints of republished messages whose echo has not come back yet.
    std::unordered_map<size_t, int> m_pendingEchoes;
    std::deque<size_t> m_echoOrder;
    Counter &m_retainedSkipped;
    Counter &m_echoesSkipped;
    Counter &m_heldTotal;
    Counter &m_holdOverflow;
    Counter &m_redelivered;
    Counter &m_alertsUnpublished;
};

} // namespace edgegate
