// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/common/ratelimitedlog.h"
#include "gateway/sinks/sink.h"

#include <QTimer>

#include <chrono>
#include <map>
#include <optional>
#include <unordered_map>

class QLoggingCategory;

namespace edgegate {

class Counter;
class Gauge;
class Metrics;

/// What the MQTT sinks (UpstreamSink, RepublishSink) share: entries published at QoS 1 and kept by
/// message id until the broker's PUBACK, within an in-flight window. A PUBACK confirms the entry;
/// an MQTT 5 refusal that cannot change drops it (rejected); "server busy", "quota exceeded", or a
/// publish the library could not queue for a passing reason, sends it again after a pause (1 s,
/// doubling to 30 s), still counted in flight. Going down forgets everything.
class MqttSink : public Sink
{
    Q_OBJECT
public:
    enum class Verdict { Delivered, Rejected, Retry };

    /// How a PUBACK reason code is taken (< 0x80 is success, 0x10 "no matching subscribers" too).
    [[nodiscard]] static Verdict verdict(int reasonCode);
    /// The metrics label for a refusal ("not_authorized", "packet_too_large", ...).
    [[nodiscard]] static QString reasonLabel(int reasonCode);

    [[nodiscard]] bool isUp() const override { return m_up; }
    [[nodiscard]] int room() const override;
    void deliver(const OutboxEntry &entry) override;

    /// Entries published and not yet confirmed, including those waiting to be sent again.
    [[nodiscard]] int inflight() const;

protected:
    /// `metricPrefix`: {prefix}_inflight and {prefix}_retries_total; `peer` names the far end in help texts.
    MqttSink(int inflightWindow, const QString &metricPrefix, const QString &peer, const QLoggingCategory &log,
             Metrics &metrics, QObject *parent = nullptr);

    /// Publishes the entry at QoS 1: its message id, or nothing (`error` receives the MOSQ_ERR_* code).
    virtual std::optional<int> publishEntry(const OutboxEntry &entry, int *error) = 0;

    /// The derived class forwards its connection's events here.
    void onPublished(int mid, int reasonCode);
    void onConnectedChanged(bool connected);

private:
    struct Pending
    {
        OutboxEntry entry;
        int attempts = 0;
    };
    using Clock = std::chrono::steady_clock;

    void send(Pending pending);
    void sendLater(Pending pending);
    void retryDue();
    void refuse(quint64 seq, const QString &label, const QString &why);
    void updateGauge();

    int m_window;
    const QLoggingCategory &m_log;
    bool m_up = false;
    std::unordered_map<int, Pending> m_inflight; // by message id
    std::multimap<Clock::time_point, Pending> m_retry; // by when to send again
    QTimer m_retryTimer;
    RateLimitedLog m_warnings;
    Gauge &m_inflightGauge;
    Counter &m_retries;
};

} // namespace edgegate
