// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/common/ratelimitedlog.h"
#include "gateway/core/ingest/envelope.h"
#include "gateway/sinks/sink.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QNetworkAccessManager>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <chrono>
#include <deque>
#include <optional>
#include <utility>

class QNetworkReply;

namespace edgegate {

class Counter;
class Gauge;
class Metrics;

/// What an InfluxDB refusal (400, 413, 422) says about a batch, read from the answer's body.
struct InfluxRefusal
{
    /// The server wrote the batch except for `dropped` points it cannot ever take (a field type
    /// conflict, a point beyond the retention policy): sending it again would change nothing.
    bool partial = false;
    quint64 dropped = 0;
    /// Metrics label: "field_type_conflict", "beyond_retention", "partial_write" when partial;
    /// otherwise by status: "bad_request" (400), "too_large" (413), "unprocessable" (422).
    QString reason;
    QString message; ///< the server's error text (`error` in 1.x, `message` in 2.x), or the raw body
};

/// Reads a refusal. Unparsable lines are never `partial`, even though InfluxDB 1.x words them
/// as a partial write with "dropped=0": which lines failed has to be found by splitting.
[[nodiscard]] InfluxRefusal readInfluxRefusal(int status, const QByteArray &body);

/// Writes line protocol to InfluxDB over HTTP, in batches, one request at a time and in order.
///
/// Each entry's payload is one or more lines, each ending in a newline (influxLines()). A batch is
/// sent once it holds `batchPoints` lines, or `flushInterval` after its oldest entry arrived.
/// A 2xx answer confirms every entry of the batch. The sink never gives a batch up for an outage:
/// no answer, 5xx, 429 and the answers an operator can fix (401, 403, 404 database not found)
/// keep the batch and send it again after a jittered exponential backoff, so isUp() stays true
/// (the Forwarder must not send those entries a second time) and room() is 0 while writes fail;
/// isReachable() and the gauge `edgegate_influx_reachable` tell the outage. Sending a batch again
/// cannot duplicate points: InfluxDB stores one value per series, field and timestamp.
/// Refusals of the data itself (400, 413, 422) never loop: a partial write confirms the whole batch
/// and counts the dropped points; otherwise the batch is split in halves until the refused entries
/// are alone, and those are rejected.
class InfluxSink : public Sink
{
    Q_OBJECT
public:
    struct Settings
    {
        QUrl url{QStringLiteral("http://127.0.0.1:8086")}; ///< base URL; a path prefix is kept
        /// InfluxDB 1.x API (`/write`), used when set. Credentials go as HTTP basic auth.
        QString database;
        QString retentionPolicy; ///< empty: the database's default
        QString username;
        QString password;
        /// InfluxDB 2.x API (`/api/v2/write`), used when org and bucket are set.
        QString org;
        QString bucket;
        QString token; ///< sent as `Authorization: Token ...`
        int batchPoints = 5000; ///< lines per request at most (an entry is never cut)
        std::chrono::milliseconds flushInterval{1000};
        std::chrono::milliseconds requestTimeout{10000}; ///< without progress, then retried
        std::chrono::milliseconds retryMin{500};
        std::chrono::milliseconds retryMax{30000};
        /// For lines(): the measurement of every point; empty: the device type, else "telemetry".
        QString measurement;
        /// For lines(): tags on every point besides `device`.
        QList<std::pair<QString, QString>> tags;

        /// What makes these settings unusable, or nothing.
        [[nodiscard]] std::optional<QString> problem() const;
    };

    enum class Api { V1, V2 };

    InfluxSink(const Settings &settings, Metrics &metrics, QObject *parent = nullptr);
    ~InfluxSink() override;
    InfluxSink(const InfluxSink &) = delete;
    InfluxSink &operator=(const InfluxSink &) = delete;

    [[nodiscard]] QString name() const override;
    /// Always true: the sink holds and retries what it was given itself (see the class comment).
    [[nodiscard]] bool isUp() const override { return true; }
    /// Up to twice batchPoints entries held; 0 while writes fail.
    [[nodiscard]] int room() const override;
    void deliver(const OutboxEntry &entry) override;

    /// Sends what is held now without waiting for the flush interval (at shutdown, say).
    void flush();

    /// False from a failed write until a write succeeds again.
    [[nodiscard]] bool isReachable() const { return m_reachable; }
    [[nodiscard]] Api api() const { return m_api; }
    /// Entries given to deliver() and not yet confirmed or rejected.
    [[nodiscard]] qsizetype held() const { return m_held; }

    /// The payload for an envelope: influxLines() with the configured or derived measurement and
    /// the tags `device=<id>` plus Settings::tags (`device` wins over an extra tag of that name).
    [[nodiscard]] static QByteArray lines(const Settings &settings, const Envelope &envelope,
                                          const QString &deviceType = {});

signals:
    void reachableChanged(bool reachable);

private:
    struct Held
    {
        OutboxEntry entry;
        qsizetype lines = 0;
        qint64 arrivedMs = 0;
    };
    using Batch = QList<Held>;

    void pump();
    void countOverwrites(const Batch &batch);
    void send(Batch batch);
    void resend();
    void finished();
    void confirm(const Batch &batch, quint64 dropped);
    void refused(Batch batch, int status, const QByteArray &body);
    void failed(int kind, const QString &cause);
    void setReachable(bool reachable);
    void notifyRoom();
    Counter &requests(const QString &code);
    Counter &dropped(const QString &reason);

    Settings m_settings;
    Api m_api;
    Metrics &m_metrics;
    QNetworkAccessManager m_network;
    QUrl m_writeUrl;
    QByteArray m_authorization;
    QElapsedTimer m_clock;
    QTimer m_flushTimer;
    QTimer m_retryTimer;

    std::deque<Held> m_pending; // not in a batch yet, oldest first
    qsizetype m_pendingLines = 0;
    qsizetype m_flushCount = 0; // entries at the front of m_pending that flush() asked for
    std::deque<Batch> m_splits; // halves of a refused batch, sent before m_pending
    Batch m_inFlight; // the batch of the request in flight, or waiting for its retry
    QByteArray m_inFlightBody;
    QNetworkReply *m_reply = nullptr;
    bool m_waitingRetry = false;
    qsizetype m_held = 0;
    int m_reportedRoom = 0;

    bool m_reachable = true;
    int m_attempt = 0; // failed attempts in a row
    int m_failureKind = 0; // HTTP status, or -QNetworkReply::NetworkError; logged when it changes
    qint64 m_outageStartMs = 0;

    Counter &m_pointsWritten;
    Counter &m_retries;
    Counter &m_pointsOverwritten;
    Gauge &m_reachableGauge;
    QHash<QString, Counter *> m_requests;
    QHash<QString, Counter *> m_dropped;
    RateLimitedLog m_refusalLog;
};

} // namespace edgegate
