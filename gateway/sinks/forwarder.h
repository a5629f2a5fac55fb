// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QTimer>

#include <chrono>
#include <functional>
#include <utility>
#include <vector>

namespace edgegate {

class Counter;
class Gauge;
class Metrics;
class Outbox;
class Sink;

struct ForwarderSettings
{
    enum class Drain {
        Fifo, ///< one stream in seq order: live entries wait behind the backlog (order per device kept)
        LiveFirst, ///< entries appended since the sink came up go first, uncapped; the backlog fills the rest
    };
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    Drain drain = Drain::Fifo;
    /// Messages per second while a backlog drains (0: no cap). The bucket holds 100 ms worth, at least one.
    double drainRate = 0.0;
    /// Time source of the rate cap; replaced by tests.
    Clock clock;
};

/// Drains one Outbox into one Sink: sends entries while the sink has room, acks what the sink
/// confirmed, drops what it refused. When the sink comes up (or is up at start), everything not
/// confirmed is sent again from the outbox head; what lay in the outbox at that moment is the
/// backlog, drained at `drainRate` at most. Going down forgets what was in flight.
///
/// The outbox must be open when the Forwarder is built.
class Forwarder : public QObject
{
    Q_OBJECT
public:
    Forwarder(Outbox &outbox, Sink &sink, const ForwarderSettings &settings, Metrics &metrics,
              QObject *parent = nullptr);

    /// True while a backlog drains (the rate cap applies).
    [[nodiscard]] bool draining() const { return m_draining; }

private:
    void schedulePump();
    void pump();
    void sinkUpChanged(bool up);
    void startRound();
    void delivered(quint64 seq);
    void rejected(quint64 seq, const QString &reason);
    void refill();
    [[nodiscard]] bool sentBefore(quint64 seq) const;
    void setDraining(bool draining);
    int send(quint64 from, quint64 to, int maxCount, quint64 &cursor);

    Outbox &m_outbox;
    Sink &m_sink;
    ForwarderSettings m_settings;
    double m_burst;

    // Where each stream continues. The backlog is [head, m_backlogEnd) at the time the sink came up;
    // under LiveFirst the live stream starts at m_backlogEnd and runs beside it while it drains.
    quint64 m_next = 0;
    quint64 m_liveNext = 0;
    quint64 m_backlogEnd = 0;
    quint64 m_roundHead = 0; // the head when the sink came up
    // [from, to) seq ranges sent in earlier up periods: sending one of those again is a retry.
    std::vector<std::pair<quint64, quint64>> m_sentBefore;
    bool m_up = false;
    bool m_draining = false;
    bool m_pumpScheduled = false;
    quint64 m_round = 0; // bumps when the sink goes up or down, so a pump interrupted by that stops

    double m_tokens = 0.0;
    std::chrono::steady_clock::time_point m_refilledAt;
    QTimer m_resume{this}; // fires when the bucket has a token again

    Counter &m_delivered;
    Counter &m_retried;
    Gauge &m_drainingGauge;
};

} // namespace edgegate
