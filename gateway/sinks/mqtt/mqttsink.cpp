// SPDX-License-Identifier: Apache-2.0
#include "gateway/sinks/mqtt/mqttsink.h"

#include "gateway/core/common/metrics.h"

#include <QLoggingCategory>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <utility>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

constexpr std::chrono::milliseconds FirstRetryDelay{1000};
constexpr std::chrono::milliseconds MaxRetryDelay{30000};

} // namespace

MqttSink::Verdict MqttSink::verdict(int reasonCode)
{
    if (reasonCode < 0x80)
        return Verdict::Delivered;
    switch (reasonCode) {
    case MQTT_RC_SERVER_BUSY:
    case MQTT_RC_QUOTA_EXCEEDED:
    case MQTT_RC_PACKET_ID_IN_USE:
        return Verdict::Retry;
    default:
        // Not authorized, topic name invalid, packet too large, payload format invalid and the
        // unspecified errors: the same bytes would get the same answer.
        return Verdict::Rejected;
    }
}

QString MqttSink::reasonLabel(int reasonCode)
{
    static constexpr std::pair<int, QStringView> Labels[] = {
        {MQTT_RC_UNSPECIFIED, u"unspecified_error"},
        {MQTT_RC_IMPLEMENTATION_SPECIFIC, u"implementation_specific_error"},
        {MQTT_RC_NOT_AUTHORIZED, u"not_authorized"},
        {MQTT_RC_TOPIC_NAME_INVALID, u"topic_name_invalid"},
        {MQTT_RC_PACKET_TOO_LARGE, u"packet_too_large"},
        {MQTT_RC_PAYLOAD_FORMAT_INVALID, u"payload_format_invalid"},
        {MQTT_RC_RETAIN_NOT_SUPPORTED, u"retain_not_supported"},
        {MQTT_RC_QOS_NOT_SUPPORTED, u"qos_not_supported"},
    };
    for (const auto &[code, label] : Labels) {
        if (code == reasonCode)
            return label.toString();
    }
    return u"mqtt_reason_0x%1"_s.arg(reasonCode, 2, 16, QLatin1Char('0'));
}

MqttSink::MqttSink(int inflightWindow, const QString &metricPrefix, const QString &peer, const QLoggingCategory &log,
                   Metrics &metrics, QObject *parent)
    : Sink(parent)
    , m_window(inflightWindow)
    , m_log(log)
    , m_inflightGauge(
          metrics.gauge(metricPrefix + u"_inflight"_s, u"Entries published to %1 and not confirmed yet."_s.arg(peer)))
    , m_retries(metrics.counter(
          metricPrefix + u"_retries_total"_s,
          u"Entries sent to %1 again after a passing refusal (server busy, quota exceeded)."_s.arg(peer)))
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &MqttSink::retryDue);
}

int MqttSink::inflight() const
{
    return static_cast<int>(m_inflight.size() + m_retry.size());
}

int MqttSink::room() const
{
    return m_up ? std::max(0, m_window - inflight()) : 0;
}

void MqttSink::updateGauge()
{
    m_inflightGauge.set(inflight());
}

void MqttSink::deliver(const OutboxEntry &entry)
{
    // The Forwarder sends whatever is unconfirmed again once the sink is up.
    if (!m_up)
        return;
    send(Pending{entry, 0});
}

void MqttSink::send(Pending pending)
{
    int error = MOSQ_ERR_SUCCESS;
    const std::optional<int> mid = publishEntry(pending.entry, &error);
    if (mid) {
        m_inflight.insert_or_assign(*mid, std::move(pending));
        updateGauge();
        return;
    }
    switch (error) {
    case MOSQ_ERR_PAYLOAD_SIZE:
    case MOSQ_ERR_OVERSIZE_PACKET:
        refuse(pending.entry.seq, reasonLabel(MQTT_RC_PACKET_TOO_LARGE), u"too large for the broker"_s);
        return;
    case MOSQ_ERR_INVAL:
    case MOSQ_ERR_MALFORMED_UTF8:
        refuse(pending.entry.seq, reasonLabel(MQTT_RC_TOPIC_NAME_INVALID),
               u"topic '%1' is not valid"_s.arg(loggable(QString::fromUtf8(pending.entry.key))));
        return;
    default:
        // Out of memory, or the connection failing under us (then going down clears this anyway).
        sendLater(std::move(pending));
        return;
    }
}

void MqttSink::refuse(quint64 seq, const QString &label, const QString &why)
{
    if (const auto suppressed = m_warnings.allow(label)) {
        qCWarning(m_log).noquote() << "entry" << seq << "refused for good:" << why << u"(%1)"_s.arg(label)
                                   << (*suppressed ? u"(%1 more since the last report)"_s.arg(*suppressed) : QString());
    }
    // Not from inside deliver(): the Forwarder is in the middle of feeding entries.
    QMetaObject::invokeMethod(
        this, [this, seq, label] { emit rejected(seq, label); }, Qt::QueuedConnection);
}

void MqttSink::sendLater(Pending pending)
{
    ++pending.attempts;
    const auto delay = std::min<std::chrono::milliseconds>(
        MaxRetryDelay, FirstRetryDelay * (1LL << std::min(pending.attempts - 1, 5)));
    const Clock::time_point due = Clock::now() + delay;
    m_retry.emplace(due, std::move(pending));
    updateGauge();
    const auto next = std::chrono::ceil<std::chrono::milliseconds>(m_retry.begin()->first - Clock::now());
    m_retryTimer.start(std::max(next, std::chrono::milliseconds(0)));
}

void MqttSink::retryDue()
{
    const Clock::time_point now = Clock::now();
    while (!m_retry.empty() && m_retry.begin()->first <= now && m_up) {
        Pending pending = std::move(m_retry.begin()->second);
        m_retry.erase(m_retry.begin());
        send(std::move(pending));
    }
    updateGauge();
    if (!m_retry.empty() && !m_retryTimer.isActive()) {
        const auto next = std::chrono::ceil<std::chrono::milliseconds>(m_retry.begin()->first - Clock::now());
        m_retryTimer.start(std::max(next, std::chrono::milliseconds(0)));
    }
}

void MqttSink::onPublished(int mid, int reasonCode)
{
    const auto it = m_inflight.find(mid);
    if (it == m_inflight.end())
        return; // another publish on the same connection (status, commands), or from before a loss
    Pending pending = std::move(it->second);
    m_inflight.erase(it);
    switch (verdict(reasonCode)) {
    case Verdict::Delivered:
        emit delivered(pending.entry.seq);
        break;
    case Verdict::Rejected:
        refuse(pending.entry.seq, reasonLabel(reasonCode),
               u"the broker answered '%1' for topic '%2'"_s.arg(QString::fromUtf8(mosquitto_reason_string(reasonCode)),
                                                                loggable(QString::fromUtf8(pending.entry.key))));
        break;
    case Verdict::Retry:
        m_retries.inc();
        qCDebug(m_log).noquote() << "entry" << pending.entry.seq
                                 << "to be sent again:" << QString::fromUtf8(mosquitto_reason_string(reasonCode));
        sendLater(std::move(pending));
        return; // no room freed
    }
    updateGauge();
    emit roomAvailable();
}

void MqttSink::onConnectedChanged(bool connected)
{
    if (connected == m_up)
        return;
    m_up = connected;
    if (!connected) {
        m_inflight.clear();
        m_retry.clear();
        m_retryTimer.stop();
        updateGauge();
        emit upChanged(false);
        return;
    }
    emit upChanged(true);
    emit roomAvailable();
}

} // namespace edgegate
