// SPDX-License-Identifier: Apache-2.0
#include "gateway/sinks/forwarder.h"

#include "gateway/core/common/metrics.h"
#include "gateway/sinks/outbox/outbox.h"
#include "gateway/sinks/sink.h"

#include <QLoggingCategory>

#include <algorithm>
#include <cmath>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcForwarder, "edgegate.forwarder")

namespace {

// Entries read from the outbox at once: bounds the memory of one pass when the sink has a lot of room.
constexpr int kMaxBatch = 256;

} // namespace

Forwarder::Forwarder(Outbox &outbox, Sink &sink, const ForwarderSettings &settings, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_outbox(outbox)
    , m_sink(sink)
    , m_settings(settings)
    , m_burst(std::max(1.0, settings.drainRate / 10.0))
    , m_delivered(metrics.counter(u"edgegate_outbox_delivered_total"_s,
                                  u"Entries of the sink's outbox the sink confirmed."_s, {{u"sink"_s, sink.name()}}))
    , m_retried(metrics.counter(u"edgegate_outbox_retried_total"_s,
                                u"Entries sent to the sink again after it went down with them in flight."_s,
                                {{u"sink"_s, sink.name()}}))
    , m_drainingGauge(metrics.gauge(u"edgegate_outbox_draining"_s,
                                    u"1 while the backlog the sink found on coming up is being sent."_s,
                                    {{u"sink"_s, sink.name()}}))
{
    if (!m_settings.clock)
        m_settings.clock = [] { return std::chrono::steady_clock::now(); };
    m_resume.setObjectName(u"resume"_s); // tests wait for it
    m_resume.setSingleShot(true);
    connect(&m_resume, &QTimer::timeout, this, &Forwarder::pump);
    connect(&outbox, &Outbox::appended, this, &Forwarder::schedulePump);
    connect(&sink, &Sink::roomAvailable, this, &Forwarder::schedulePump);
    connect(&sink, &Sink::upChanged, this, &Forwarder::sinkUpChanged);
    connect(&sink, &Sink::delivered, this, &Forwarder::delivered);
    connect(&sink, &Sink::rejected, this, &Forwarder::rejected);

    m_next = m_liveNext = m_backlogEnd = m_roundHead = outbox.head();
    m_up = sink.isUp();
    if (m_up)
        startRound();
}

void Forwarder::schedulePump()
{
    // Many appends in one event-loop pass cost one read of the outbox, not one each.
    if (m_pumpScheduled)
        return;
    m_pumpScheduled = true;
    QMetaObject::invokeMethod(this, &Forwarder::pump, Qt::QueuedConnection);
}

void Forwarder::sinkUpChanged(bool up)
{
    if (up == m_up)
        return;
    m_up = up;
    ++m_round;
    if (up) {
        startRound();
    } else {
        // What was in flight is forgotten: the next round starts again from the head.
        m_sentBefore.emplace_back(m_roundHead, m_next);
        if (m_draining && m_settings.drain == ForwarderSettings::Drain::LiveFirst)
            m_sentBefore.emplace_back(m_backlogEnd, m_liveNext);
        setDraining(false);
        qCDebug(lcForwarder).noquote() << m_sink.name() << "down;" << m_outbox.depthMessages() << "entries waiting";
    }
}

void Forwarder::startRound()
{
    m_roundHead = m_outbox.head();
    // Keep what may be sent again, merged, so the list stays as short as the number of gaps.
    std::vector<std::pair<quint64, quint64>> ranges;
    std::sort(m_sentBefore.begin(), m_sentBefore.end());
    for (auto [from, to] : m_sentBefore) {
        from = std::max(from, m_roundHead);
        if (from >= to)
            continue;
        if (!ranges.empty() && from <= ranges.back().second)
            ranges.back().second = std::max(ranges.back().second, to);
        else
            ranges.emplace_back(from, to);
    }
    m_sentBefore = std::move(ranges);

    m_next = m_roundHead;
    m_backlogEnd = m_outbox.tail();
    m_liveNext = m_backlogEnd;
    m_tokens = m_burst;
    m_refilledAt = m_settings.clock();
    setDraining(m_outbox.depthMessages() > 0);
    if (m_draining) {
        qCInfo(lcForwarder).noquote() << m_sink.name() << "up; sending the backlog of" << m_outbox.depthMessages()
                                      << "entries";
    }
    schedulePump();
}

void Forwarder::setDraining(bool draining)
{
    m_draining = draining;
    m_drainingGauge.set(draining ? 1.0 : 0.0);
    if (!draining)
        m_resume.stop();
}

void Forwarder::refill()
{
    const auto now = m_settings.clock();
    const double elapsed = std::chrono::duration<double>(now - m_refilledAt).count();
    m_tokens = std::min(m_burst, m_tokens + std::max(0.0, elapsed) * m_settings.drainRate);
    m_refilledAt = now;
}

void Forwarder::pump()
{
    m_pumpScheduled = false;
    if (!m_up || !m_sink.isUp())
        return;
    const quint64 round = m_round;
    const bool liveFirst = m_settings.drain == ForwarderSettings::Drain::LiveFirst;
    const bool capped = m_settings.drainRate > 0.0;
    while (round == m_round) {
        if (m_draining && m_next >= m_backlogEnd) {
            // The backlog is sent: from here on, one stream again.
            if (liveFirst)
                m_next = std::max(m_next, m_liveNext);
            setDraining(false);
            qCInfo(lcForwarder).noquote() << m_sink.name() << "backlog sent";
        }
        const int room = std::min(m_sink.room(), kMaxBatch);
        if (room <= 0)
            return;
        if (m_draining && liveFirst && m_liveNext < m_outbox.tail()) {
            send(m_liveNext, m_outbox.tail(), room, m_liveNext);
            continue;
        }
        const quint64 to = m_draining ? m_backlogEnd : m_outbox.tail();
        if (m_next >= to)
            return;
        int allowed = room;
        if (m_draining && capped) {
            refill();
            allowed = std::min(room, static_cast<int>(std::floor(m_tokens)));
            if (allowed <= 0) {
                // No busy loop: wake when the next token is there.
                const double wait = (1.0 - m_tokens) / m_settings.drainRate;
                m_resume.start(static_cast<int>(std::clamp(std::ceil(wait * 1000.0), 1.0, 3'600'000.0)));
                return;
            }
        }
        const int sent = send(m_next, to, allowed, m_next);
        if (m_draining && capped)
            m_tokens -= sent;
    }
}

int Forwarder::send(quint64 from, quint64 to, int maxCount, quint64 &cursor)
{
    quint64 next = from;
    const QList<OutboxEntry> entries = m_outbox.read(from, to, maxCount, &next);
    const quint64 round = m_round;
    int sent = 0;
    for (const OutboxEntry &entry : entries) {
        if (m_sink.room() <= 0) {
            cursor = entry.seq; // the rest waits for roomAvailable
            return sent;
        }
        if (sentBefore(entry.seq))
            m_retried.inc();
        // Moved before deliver(): it may report the sink down right away, and then the new
        // round has cursors of its own that must not be touched.
        cursor = entry.seq + 1;
        m_sink.deliver(entry);
        ++sent;
        if (round != m_round)
            return sent;
    }
    cursor = next;
    return sent;
}

bool Forwarder::sentBefore(quint64 seq) const
{
    return std::any_of(m_sentBefore.begin(), m_sentBefore.end(),
                       [seq](const auto &range) { return seq >= range.first && seq < range.second; });
}

void Forwarder::delivered(quint64 seq)
{
    if (m_outbox.ack(seq))
        m_delivered.inc();
}

void Forwarder::rejected(quint64 seq, const QString &reason)
{
    m_outbox.reject(seq, reason);
}

} // namespace edgegate
