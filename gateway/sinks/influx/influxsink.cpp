// SPDX-License-Identifier: Apache-2.0
#include "gateway/sinks/influx/influxsink.h"

#include "gateway/core/common/metrics.h"
#include "gateway/sinks/influx/influxline.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <algorithm>
#include <limits>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcInflux, "edgegate.influx")

namespace {

// Enough for any error InfluxDB words about a batch; 1.x lists every unparsable line in its
// error, which for a batch of garbage could be as large as the batch.
constexpr qint64 maxErrorBody = qint64{64} * 1024;

QString encoded(const QString &value)
{
    // Percent-encode everything but unreserved characters: QUrlQuery would leave '+' as it is,
    // and InfluxDB (Go's url.ParseQuery) reads a '+' in a query as a space.
    return QString::fromLatin1(QUrl::toPercentEncoding(value));
}

QString suppressedNote(quint64 suppressed)
{
    return suppressed ? u" (%1 more since the last report)"_s.arg(suppressed) : QString();
}

} // namespace

InfluxRefusal readInfluxRefusal(int status, const QByteArray &body)
{
    InfluxRefusal refusal;
    const QJsonObject json = QJsonDocument::fromJson(body).object();
    refusal.message = json.value(u"error"_s).toString();
    if (refusal.message.isEmpty())
        refusal.message = json.value(u"message"_s).toString();
    if (refusal.message.isEmpty())
        refusal.message = QString::fromUtf8(body.left(1024)).trimmed();

    // influxd 1.6.7: {"error":"partial write: field type conflict: input field \"v\" on measurement
    // \"m\" is type string, already exists as type float dropped=1"}; the other points of the
    // batch are written. An unparsable line makes it "partial write: unable to parse 'x': missing
    // fields dropped=0" (other lines written), or, when nothing else parsed, "unable to parse ...".
    if (refusal.message.contains("partial write"_L1) && !refusal.message.contains("unable to parse"_L1)) {
        static const QRegularExpression droppedCount(uR"(dropped=(\d+))"_s);
        QRegularExpressionMatch last;
        for (auto it = droppedCount.globalMatch(refusal.message); it.hasNext();)
            last = it.next();
        if (last.hasMatch()) {
            refusal.partial = true;
            refusal.dropped = last.captured(1).toULongLong();
            if (refusal.message.contains("field type conflict"_L1))
                refusal.reason = u"field_type_conflict"_s;
            else if (refusal.message.contains("beyond retention policy"_L1))
                refusal.reason = u"beyond_retention"_s;
            else
                refusal.reason = u"partial_write"_s;
            return refusal;
        }
    }
    refusal.reason = status == 413 ? u"too_large"_s : status == 422 ? u"unprocessable"_s : u"bad_request"_s;
    return refusal;
}

std::optional<QString> InfluxSink::Settings::problem() const
{
    if (!url.isValid() || (url.scheme() != "http"_L1 && url.scheme() != "https"_L1) || url.host().isEmpty())
        return u"the InfluxDB URL must be an http or https URL with a host"_s;
    const bool v1 = !database.isEmpty();
    const bool v2 = !org.isEmpty() || !bucket.isEmpty();
    if (v1 && v2)
        return u"set either a database (InfluxDB 1.x) or an org and a bucket (InfluxDB 2.x), not both"_s;
    if (!v1 && (org.isEmpty() || bucket.isEmpty()))
        return u"set a database (InfluxDB 1.x) or an org and a bucket (InfluxDB 2.x)"_s;
    if (!password.isEmpty() && username.isEmpty())
        return u"an InfluxDB password needs a username"_s;
    if (batchPoints < 1)
        return u"the InfluxDB batch size must be at least 1 point"_s;
    if (flushInterval.count() < 0 || requestTimeout.count() < 1)
        return u"the InfluxDB flush interval must not be negative, the request timeout must be positive"_s;
    if (retryMin.count() < 1 || retryMax < retryMin)
        return u"the InfluxDB retry delays must be positive, the maximum at least the minimum"_s;
    return std::nullopt;
}

InfluxSink::InfluxSink(const Settings &settings, Metrics &metrics, QObject *parent)
    : Sink(parent)
    , m_settings(settings)
    , m_api(settings.database.isEmpty() ? Api::V2 : Api::V1)
    , m_metrics(metrics)
    , m_pointsWritten(metrics.counter(u"edgegate_influx_points_written_total"_s,
                                      u"Points (lines) InfluxDB confirmed, without those it dropped."_s))
    , m_retries(
          metrics.counter(u"edgegate_influx_retries_total"_s,
                          u"Write requests sent again after a failed attempt (no answer, 5xx, 429, 401, 403, 404)."_s))
    , m_pointsOverwritten(metrics.counter(
          u"edgegate_influx_points_overwritten_total"_s,
          u"Points InfluxDB confirmed that replace a field of an earlier point of the same write: same series and time "
          "(two messages with the same device time)."_s))
    , m_reachableGauge(metrics.gauge(u"edgegate_influx_reachable"_s,
                                     u"1 while InfluxDB takes writes, 0 while a write fails and is retried."_s))
{
    m_clock.start();
    m_reachableGauge.set(1);
    m_flushTimer.setSingleShot(true);
    m_retryTimer.setSingleShot(true);
    connect(&m_flushTimer, &QTimer::timeout, this, &InfluxSink::pump);
    connect(&m_retryTimer, &QTimer::timeout, this, &InfluxSink::resend);
    // The series an operator watches, at 0 before anything happens.
    requests(u"204"_s);
    dropped(u"field_type_conflict"_s);
    dropped(u"bad_request"_s);

    m_writeUrl = settings.url;
    QString path = m_writeUrl.path();
    if (!path.endsWith(u'/'))
        path += u'/';
    QString query;
    if (m_api == Api::V1) {
        path += "write"_L1;
        query = u"db="_s + encoded(settings.database);
        if (!settings.retentionPolicy.isEmpty())
            query += u"&rp="_s + encoded(settings.retentionPolicy);
        // Basic auth rather than u= and p= in the query, which would put the password in logs.
        if (!settings.username.isEmpty())
            m_authorization = "Basic " + (settings.username + u':' + settings.password).toUtf8().toBase64();
    } else {
        path += "api/v2/write"_L1;
        query = u"org="_s + encoded(settings.org) + u"&bucket="_s + encoded(settings.bucket);
        if (!settings.token.isEmpty())
            m_authorization = "Token " + settings.token.toUtf8();
    }
    m_writeUrl.setPath(path);
    m_writeUrl.setQuery(query + u"&precision=ns"_s);
    m_reportedRoom = room();
}

InfluxSink::~InfluxSink()
{
    if (m_reply) {
        // What was in flight stays in the outbox; the answer must not reach a half-destroyed sink.
        m_reply->disconnect(this);
        delete m_reply;
    }
}

QString InfluxSink::name() const
{
    return u"influxdb"_s;
}

int InfluxSink::room() const
{
    if (!m_reachable)
        return 0;
    const qint64 bound = 2 * qint64(m_settings.batchPoints);
    return int(std::clamp<qint64>(bound - m_held, 0, std::numeric_limits<int>::max()));
}

void InfluxSink::deliver(const OutboxEntry &entry)
{
    Held held{entry, 0, m_clock.elapsed()};
    // A missing final newline would glue this entry's last line to the next entry's first.
    if (!held.entry.payload.isEmpty() && !held.entry.payload.endsWith('\n'))
        held.entry.payload += '\n';
    held.lines = held.entry.payload.count('\n');
    m_pendingLines += held.lines;
    ++m_held;
    m_pending.push_back(std::move(held));
    m_reportedRoom = room();
    pump();
}

void InfluxSink::flush()
{
    m_flushCount = qsizetype(m_pending.size());
    pump();
}

void InfluxSink::pump()
{
    if (m_reply || m_waitingRetry)
        return; // pump() runs again when the answer is in
    if (!m_splits.empty()) {
        Batch batch = std::move(m_splits.front());
        m_splits.pop_front();
        send(std::move(batch));
        return;
    }
    if (m_pending.empty()) {
        m_flushTimer.stop();
        return;
    }
    const qint64 waited = m_clock.elapsed() - m_pending.front().arrivedMs;
    const qint64 interval = m_settings.flushInterval.count();
    if (m_pendingLines < m_settings.batchPoints && m_flushCount == 0 && waited < interval) {
        m_flushTimer.start(std::chrono::milliseconds(interval - waited));
        return;
    }
    m_flushTimer.stop();
    Batch batch;
    qsizetype lines = 0;
    // Whole entries only; one larger than a batch goes alone.
    while (!m_pending.empty() && (batch.isEmpty() || lines + m_pending.front().lines <= m_settings.batchPoints)) {
        lines += m_pending.front().lines;
        m_pendingLines -= m_pending.front().lines;
        batch.append(std::move(m_pending.front()));
        m_pending.pop_front();
        if (m_flushCount > 0)
            --m_flushCount;
    }
    send(std::move(batch));
}

void InfluxSink::countOverwrites(const Batch &batch)
{
    QList<QByteArrayView> lines;
    for (const Held &held : batch) {
        const QByteArrayView payload(held.entry.payload);
        for (qsizetype start = 0; start < payload.size();) {
            qsizetype end = payload.indexOf('\n', start);
            if (end < 0)
                end = payload.size();
            if (end > start)
                lines.append(payload.sliced(start, end - start));
            start = end + 1;
        }
    }
    if (const qsizetype overwrites = influxOverwrites(lines)) {
        m_pointsOverwritten.inc(quint64(overwrites));
        if (const auto suppressed = m_refusalLog.allow(u"overwritten"_s)) {
            qCWarning(lcInflux).noquote()
                << u"%1 points of a batch have the series, time and a field of another point of it (messages "
                   "with the same device time): InfluxDB keeps the last value of each%2"_s.arg(overwrites)
                       .arg(suppressedNote(*suppressed));
        }
    }
}

void InfluxSink::send(Batch batch)
{
    qsizetype size = 0;
    for (const Held &held : std::as_const(batch))
        size += held.entry.payload.size();
    m_inFlightBody.clear();
    m_inFlightBody.reserve(size);
    for (const Held &held : std::as_const(batch))
        m_inFlightBody += held.entry.payload;
    m_inFlight = std::move(batch);

    QNetworkRequest request(m_writeUrl);
    request.setHeader(QNetworkRequest::ContentTypeHeader, "text/plain; charset=utf-8"_ba);
    if (!m_authorization.isEmpty())
        request.setRawHeader("Authorization"_ba, m_authorization);
    request.setTransferTimeout(int(m_settings.requestTimeout.count()));
    m_reply = m_network.post(request, m_inFlightBody);
    connect(m_reply, &QNetworkReply::finished, this, &InfluxSink::finished);
}

void InfluxSink::resend()
{
    m_waitingRetry = false;
    m_retries.inc();
    send(std::move(m_inFlight));
}

void InfluxSink::finished()
{
    QNetworkReply *reply = std::exchange(m_reply, nullptr);
    reply->deleteLater();
    const QVariant statusAttribute = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!statusAttribute.isValid()) {
        requests(u"error"_s).inc();
        const QString cause = reply->error() == QNetworkReply::OperationCanceledError
            ? u"no answer within %1 ms"_s.arg(m_settings.requestTimeout.count())
            : reply->errorString();
        failed(-int(reply->error()), cause);
        return;
    }
    const int status = statusAttribute.toInt();
    const QByteArray body = reply->read(maxErrorBody);
    requests(QString::number(status)).inc();
    if (status >= 200 && status < 300) {
        confirm(std::exchange(m_inFlight, {}), 0);
        return;
    }
    // Refusals of the data itself. Everything else (5xx, 429, 401, 403, 404 database not found,
    // an unexpected status from a proxy) is about the server or its configuration and may pass later.
    if (status == 400 || status == 413 || status == 422) {
        refused(std::exchange(m_inFlight, {}), status, body);
        return;
    }
    QString cause = u"HTTP %1"_s.arg(status);
    if (const QString message = readInfluxRefusal(status, body).message; !message.isEmpty())
        cause += u' ' + loggable(message, 200);
    if (status == 401 || status == 403)
        cause += u" (check the credentials)"_s;
    else if (status == 404)
        cause += m_api == Api::V1 ? u" (does the database exist?)"_s : u" (do the org and bucket exist?)"_s;
    failed(status, cause);
}

void InfluxSink::confirm(const Batch &batch, quint64 droppedPoints)
{
    setReachable(true);
    m_attempt = 0;
    m_inFlightBody.clear();
    quint64 lines = 0;
    for (const Held &held : batch)
        lines += quint64(held.lines);
    m_pointsWritten.inc(lines - std::min(lines, droppedPoints));
    countOverwrites(batch);
    m_held -= batch.size();
    for (const Held &held : batch)
        emit delivered(held.entry.seq);
    notifyRoom();
    pump();
}

void InfluxSink::refused(Batch batch, int status, const QByteArray &body)
{
    m_inFlightBody.clear();
    const InfluxRefusal refusal = readInfluxRefusal(status, body);
    if (refusal.partial) {
        dropped(refusal.reason).inc(refusal.dropped);
        if (const auto suppressed = m_refusalLog.allow(refusal.reason)) {
            qCWarning(lcInflux).noquote()
                << u"InfluxDB dropped %1 points of a batch and wrote the rest: %2%3"_s.arg(refusal.dropped)
                       .arg(loggable(refusal.message, 300), suppressedNote(*suppressed));
        }
        confirm(batch, refusal.dropped);
        return;
    }
    // The server answered about the data, so it is reachable.
    setReachable(true);
    m_attempt = 0;
    if (batch.size() > 1) {
        // Halves go first, in order, so the refused entries are found in about log2(n) rounds.
        // Good lines in a refused batch may have been written already; writing them again
        // stores the same points.
        const qsizetype half = batch.size() / 2;
        qCDebug(lcInflux) << "batch of" << batch.size() << "entries refused with" << status << "- splitting";
        m_splits.push_front(batch.mid(half));
        m_splits.push_front(batch.first(half));
        pump();
        return;
    }
    const Held &held = batch.front();
    dropped(refusal.reason).inc(quint64(held.lines));
    if (const auto suppressed = m_refusalLog.allow(refusal.reason)) {
        qCWarning(lcInflux).noquote() << u"InfluxDB refused an entry of %1 (%2 points) for good, HTTP %3: %4%5"_s.arg(
            loggable(held.entry.deviceId), QString::number(held.lines), QString::number(status),
            loggable(refusal.message, 300), suppressedNote(*suppressed));
    }
    --m_held;
    const quint64 seq = held.entry.seq;
    emit rejected(seq, refusal.reason);
    notifyRoom();
    pump();
}

void InfluxSink::failed(int kind, const QString &cause)
{
    // m_inFlight stays as it is, to be sent again.
    if (m_reachable)
        m_outageStartMs = m_clock.elapsed();
    // One warning per outage, and one more each time its cause changes; not one per retry.
    if (m_reachable || kind != m_failureKind) {
        qCWarning(lcInflux).noquote()
            << u"writing to InfluxDB failed: %1; retrying (entries held: %2)"_s.arg(cause).arg(m_held);
    } else {
        qCDebug(lcInflux).noquote() << "write retry failed:" << cause;
    }
    m_failureKind = kind;
    setReachable(false);

    // Exponential backoff with jitter between half and the whole step (but never below the
    // minimum), so gateways that lost the same server do not come back in lockstep.
    const qint64 minMs = m_settings.retryMin.count();
    const qint64 maxMs = m_settings.retryMax.count();
    const int shift = std::min(m_attempt, 30);
    const qint64 step = std::min<qint64>(maxMs, minMs << shift);
    const qint64 delay
        = std::max(minMs, step / 2 + static_cast<qint64>(QRandomGenerator::global()->bounded(step / 2 + 1)));
    ++m_attempt;
    m_waitingRetry = true;
    m_retryTimer.start(std::chrono::milliseconds(delay));
    m_reportedRoom = room();
}

void InfluxSink::setReachable(bool reachable)
{
    if (m_reachable == reachable)
        return;
    m_reachable = reachable;
    m_reachableGauge.set(reachable ? 1 : 0);
    if (reachable) {
        qCInfo(lcInflux).noquote()
            << u"writing to InfluxDB works again, after %1 failed attempts in %2 s"_s.arg(m_attempt).arg(
                   double(m_clock.elapsed() - m_outageStartMs) / 1000, 0, 'f', 1);
    }
    emit reachableChanged(reachable);
}

void InfluxSink::notifyRoom()
{
    const int now = room();
    const bool grew = now > m_reportedRoom;
    m_reportedRoom = now;
    if (grew)
        emit roomAvailable();
}

Counter &InfluxSink::requests(const QString &code)
{
    Counter *&counter = m_requests[code];
    if (!counter) {
        counter = &m_metrics.counter(u"edgegate_influx_requests_total"_s,
                                     u"Write requests answered, by HTTP status (\"error\": no answer)."_s,
                                     {{u"code"_s, code}});
    }
    return *counter;
}

Counter &InfluxSink::dropped(const QString &reason)
{
    Counter *&counter = m_dropped[reason];
    if (!counter) {
        counter = &m_metrics.counter(
            u"edgegate_influx_points_dropped_total"_s,
            u"Points InfluxDB refused for good, by reason; a rejected entry counts all its lines."_s,
            {{u"reason"_s, reason}});
    }
    return *counter;
}

QByteArray InfluxSink::lines(const Settings &settings, const Envelope &envelope, const QString &deviceType)
{
    const QString measurement = !settings.measurement.isEmpty() ? settings.measurement
        : !deviceType.isEmpty()                                 ? deviceType
                                                                : u"telemetry"_s;
    // influxLine lets a later tag replace an earlier one of the same key: `device` goes last.
    QList<std::pair<QString, QString>> tags = settings.tags;
    tags.append({u"device"_s, envelope.deviceId});
    return influxLines(envelope, measurement, tags);
}

} // namespace edgegate
