// SPDX-License-Identifier: Apache-2.0
#include "gateway/sinks/outbox/outbox.h"

#include "gateway/core/common/metrics.h"
#include "gateway/sinks/outbox/outboxcommitter.h"
#include "gateway/sinks/outbox/outboxformat.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QPointer>
#include <QtEndian>

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <utility>

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcOutbox, "edgegate.outbox")

using namespace outboxformat;

namespace {

/// The sink's counter `name` for `reason`, registered with the metrics on its first use.
Counter &reasonCounter(QHash<QString, Counter *> &byReason, Metrics &metrics, const QString &name, const QString &help,
                       const QString &sinkName, const QString &reason)
{
    Counter *&counter = byReason[reason];
    if (!counter)
        counter = &metrics.counter(name, help, {{u"sink"_s, sinkName}, {u"reason"_s, reason}});
    return *counter;
}

} // namespace

Outbox::Outbox(const QString &sinkName, const OutboxSettings &settings, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_sinkName(sinkName)
    , m_settings(settings)
    , m_segmentBytes(
          std::clamp(std::min(settings.segmentBytes, settings.maxBytes / 4), kMinSegmentBytes, kMaxSegmentBytes))
    , m_metrics(metrics)
    , m_appended(metrics.counter(u"edgegate_outbox_appended_total"_s, u"Entries stored in the sink's outbox."_s,
                                 {{u"sink"_s, sinkName}}))
    , m_commits(metrics.counter(u"edgegate_outbox_commits_total"_s,
                                u"Group commits of the sink's outbox (fdatasync runs)."_s, {{u"sink"_s, sinkName}}))
    , m_ioErrors(metrics.counter(u"edgegate_outbox_io_errors_total"_s,
                                 u"Failed disk operations (write, fdatasync, cursor) of the sink's outbox."_s,
                                 {{u"sink"_s, sinkName}}))
{
    if (!m_settings.wallClockMs)
        m_settings.wallClockMs = [] { return QDateTime::currentMSecsSinceEpoch(); };
    droppedCounter(u"overflow"_s); // from the start, so a rate works from zero

    const MetricLabels labels{{u"sink"_s, sinkName}};
    Gauge &depth = metrics.gauge(u"edgegate_outbox_depth_messages"_s,
                                 u"Entries in the sink's outbox not yet confirmed by the sink."_s, labels);
    Gauge &bytes = metrics.gauge(u"edgegate_outbox_depth_bytes"_s,
                                 u"Stored bytes of the entries in the sink's outbox not yet confirmed."_s, labels);
    Gauge &age = metrics.gauge(u"edgegate_outbox_oldest_age_seconds"_s,
                               u"Age of the oldest entry in the sink's outbox not yet confirmed."_s, labels);
    metrics.addCollector([self = QPointer<Outbox>(this), &depth, &bytes, &age] {
        if (!self)
            return;
        depth.set(static_cast<double>(self->depthMessages()));
        bytes.set(static_cast<double>(self->depthBytes()));
        age.set(static_cast<double>(self->oldestAgeMs(self->m_settings.wallClockMs())) / 1000.0);
        if (self->m_committer) {
            const quint64 commits = self->m_committer->commits();
            self->m_commits.inc(commits - std::exchange(self->m_commitsReported, commits));
            const quint64 errors = self->m_committer->errors();
            self->m_ioErrors.inc(errors - std::exchange(self->m_ioErrorsReported, errors));
        }
    });
}

Outbox::~Outbox()
{
    m_committer.reset(); // its last round syncs what was written and persists the head
    for (Segment &segment : m_segments) {
        if (segment.fd >= 0)
            ::close(segment.fd);
    }
    if (m_dirFd >= 0)
        ::close(m_dirFd);
}

QByteArray Outbox::segmentPath(quint64 firstSeq) const
{
    return m_dir + '/' + QByteArray::number(firstSeq).rightJustified(20, '0') + ".seg";
}

bool Outbox::open(QString *error)
{
    Q_ASSERT(!m_committer);
    auto failed = [&](const QString &text) {
        if (error)
            *error = u"outbox %1: %2"_s.arg(m_sinkName, text);
        return false;
    };
    if (!QDir().mkpath(m_settings.directory))
        return failed(u"cannot create %1"_s.arg(m_settings.directory));
    m_dir = QFile::encodeName(QDir(m_settings.directory).absolutePath());
    m_dirFd = ::open(m_dir.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (m_dirFd < 0)
        return failed(u"cannot open %1: %2"_s.arg(m_settings.directory, errorText(errno)));
    ::unlink(QByteArray(m_dir + "/cursor.tmp").constData()); // from a crash while the cursor was written

    // The cursor: every seq below it is done. Without a valid one everything on disk is sent again.
    std::optional<quint64> cursor;
    {
        char buffer[kCursorBytes];
        const int fd = ::open(QByteArray(m_dir + "/cursor").constData(), O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            const qint64 n = readAll(fd, buffer, kCursorBytes, 0);
            ::close(fd);
            if (n == kCursorBytes && u32At(buffer, 0) == kCursorMagic && u32At(buffer, 4) == kCursorVersion
                && crc(buffer, 16) == u32At(buffer, 16) && u64At(buffer, 8) > 0) {
                cursor = u64At(buffer, 8);
            } else {
                qCWarning(lcOutbox).noquote()
                    << m_sinkName << "outbox: the cursor file is damaged; every stored entry will be sent again";
            }
        } else if (errno != ENOENT) {
            return failed(u"cannot read the cursor: %1"_s.arg(errorText(errno)));
        }
    }

    std::vector<quint64> firsts;
    const QStringList names = QDir(m_settings.directory).entryList({u"*.seg"_s}, QDir::Files);
    for (const QString &name : names) {
        bool ok = false;
        const quint64 first = name.chopped(4).toULongLong(&ok);
        if (ok && name.size() == 24 && first > 0)
            firsts.push_back(first);
        else
            qCWarning(lcOutbox).noquote() << m_sinkName << "outbox: ignoring" << name;
    }
    std::sort(firsts.begin(), firsts.end());

    for (size_t i = 0; i < firsts.size(); ++i) {
        // Wholly below the persisted head: done, no need to read it.
        if (cursor && i + 1 < firsts.size() && firsts[i + 1] <= *cursor) {
            ::unlink(segmentPath(firsts[i]).constData());
            continue;
        }
        Segment segment;
        segment.firstSeq = firsts[i];
        segment.fd = ::open(segmentPath(segment.firstSeq).constData(), O_RDWR | O_CLOEXEC);
        if (segment.fd < 0)
            return failed(u"cannot open segment %1: %2"_s.arg(segment.firstSeq).arg(errorText(errno)));
        if (!recoverSegment(segment))
            return failed(u"cannot read segment %1: %2"_s.arg(segment.firstSeq).arg(errorText(errno)));
        if (!m_segments.empty()) {
            Segment &previous = m_segments.back();
            // Names are the tail at rotation, so an overlap means a damaged file: trust the later one.
            if (previous.endSeq() > segment.firstSeq)
                cutSegment(previous, segment.firstSeq - previous.firstSeq, "overlaps the next segment");
            ::close(previous.fd);
            previous.fd = -1;
        }
        m_segments.push_back(std::move(segment));
    }

    m_tail = m_segments.empty() ? cursor.value_or(1) : m_segments.back().endSeq();
    m_head = m_segments.empty() ? m_tail : m_segments.front().firstSeq;
    if (cursor)
        m_head = std::max(m_head, *cursor);
    // A cursor beyond the records: a power cut lost entries that had been confirmed. Their seqs
    // are not used again.
    m_tail = std::max(m_tail, m_head);

    if (m_segments.empty() || m_segments.back().endSeq() != m_tail) {
        if (!m_segments.empty()) {
            ::close(m_segments.back().fd);
            m_segments.back().fd = -1;
        }
        Segment active;
        active.firstSeq = m_tail;
        active.fd = createSegment(m_tail);
        if (active.fd < 0)
            return failed(u"cannot create a segment: %1"_s.arg(errorText(errno)));
        m_segments.push_back(std::move(active));
        ::fsync(m_dirFd);
    }

    // Seqs lost to damage between segments are counted as dropped; the rest is waiting.
    quint64 lost = 0;
    for (size_t i = 0; i < m_segments.size(); ++i) {
        const Segment &segment = m_segments[i];
        const quint64 from = std::max(segment.firstSeq, m_head);
        if (from < segment.endSeq())
            m_depthBytes += segment.size - segment.offsets[from - segment.firstSeq];
        if (i + 1 < m_segments.size()) {
            const quint64 gapFrom = std::max(segment.endSeq(), m_head);
            const quint64 gapTo = std::max(m_segments[i + 1].firstSeq, m_head);
            if (gapFrom < gapTo) {
                markDoneRange(gapFrom, gapTo);
                lost += gapTo - gapFrom;
            }
        }
    }

    const int syncFd = ::dup(m_segments.back().fd);
    const int syncDirFd = ::dup(m_dirFd);
    if (syncFd < 0 || syncDirFd < 0)
        return failed(u"cannot duplicate a descriptor: %1"_s.arg(errorText(errno)));
    m_committer
        = std::make_unique<OutboxCommitter>(m_sinkName, m_dir, syncDirFd, syncFd, m_settings.commitInterval, cursor);
    headMoved();
    if (lost > 0)
        countDropped(lost, u"corrupt"_s);
    qCDebug(lcOutbox).noquote() << m_sinkName << "outbox open:" << depthMessages() << "entries," << m_depthBytes
                                << "bytes waiting, seq" << m_head << "to" << m_tail;
    return true;
}

bool Outbox::recoverSegment(Segment &segment)
{
    struct stat info
    {
    };
    if (::fstat(segment.fd, &info) != 0)
        return false;
    const qint64 fileSize = info.st_size;
    QByteArray buffer;
    qint64 bufferOffset = 0;
    // Makes bytes [offset, offset + size) of the file available in `buffer`.
    auto ensure = [&](qint64 offset, qint64 size) -> const char * {
        if (offset < bufferOffset || offset + size > bufferOffset + buffer.size()) {
            buffer.resize(std::min(std::max(size, kRecoveryChunkBytes), fileSize - offset));
            const qint64 n = readAll(segment.fd, buffer.data(), buffer.size(), offset);
            if (n < 0)
                return nullptr;
            buffer.resize(n);
            bufferOffset = offset;
            if (n < size)
                return nullptr;
        }
        return buffer.constData() + (offset - bufferOffset);
    };

    qint64 offset = 0;
    while (offset < fileSize) {
        if (fileSize - offset < kHeaderBytes || offset > std::numeric_limits<quint32>::max())
            break;
        const char *header = ensure(offset, kHeaderBytes);
        if (!header)
            return false;
        const qint64 length = recordLength(header);
        if (length == 0 || offset + length > fileSize)
            break;
        const char *record = ensure(offset, length);
        if (!record)
            return false;
        if (!recordValid(record, length, segment.endSeq()))
            break;
        segment.offsets.push_back(static_cast<quint32>(offset));
        offset += length;
    }
    segment.size = offset;
    if (offset < fileSize) {
        // A torn write from a power cut, or damage: what follows the first bad record cannot be
        // trusted to be in order, so it goes.
        qCWarning(lcOutbox).noquote() << u"%1 outbox: segment %2: cut %3 bytes after its last whole record"_s
                                             .arg(m_sinkName)
                                             .arg(segment.firstSeq)
                                             .arg(fileSize - offset);
        if (::ftruncate(segment.fd, offset) != 0 || ::fdatasync(segment.fd) != 0)
            return false;
    }
    return true;
}

void Outbox::cutSegment(Segment &segment, size_t keepRecords, const char *why)
{
    const qint64 size = keepRecords < segment.offsets.size() ? qint64(segment.offsets[keepRecords]) : segment.size;
    qCWarning(lcOutbox).noquote() << u"%1 outbox: segment %2 %3: cut %4 bytes"_s.arg(m_sinkName)
                                         .arg(segment.firstSeq)
                                         .arg(QString::fromLatin1(why))
                                         .arg(segment.size - size);
    segment.offsets.resize(std::min(keepRecords, segment.offsets.size()));
    segment.size = size;
    if (::ftruncate(segment.fd, size) != 0 || ::fdatasync(segment.fd) != 0)
        qCWarning(lcOutbox).noquote() << m_sinkName << "outbox: cannot cut segment:" << errorText(errno);
}

int Outbox::createSegment(quint64 firstSeq)
{
    // O_TRUNC: a file of that name can only be an empty leftover (names are the tail at rotation).
    return ::open(segmentPath(firstSeq).constData(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

bool Outbox::rotate()
{
    Segment next;
    next.firstSeq = m_tail;
    next.fd = createSegment(m_tail);
    if (next.fd < 0) {
        logIoError(u"creating a segment"_s, errno);
        return false;
    }
    const int syncFd = ::dup(next.fd);
    if (syncFd < 0) {
        logIoError(u"duplicating a descriptor"_s, errno);
        ::close(next.fd);
        ::unlink(segmentPath(m_tail).constData());
        return false;
    }
    // The previous segment keeps its descriptor as the one open for reading: a drain that falls
    // behind reads it next.
    if (m_readSegment && m_readSegment->fd >= 0) {
        ::close(m_readSegment->fd);
        m_readSegment->fd = -1;
    }
    m_readSegment = &m_segments.back();
    m_segments.push_back(std::move(next));
    m_committer->setActive(syncFd);
    releaseSegments();
    return true;
}

qint64 Outbox::storedSize(const QString &deviceId, const QByteArray &key, const QByteArray &payload)
{
    return kHeaderBytes + deviceId.toUtf8().size() + key.size() + payload.size();
}

bool Outbox::hasRoomFor(const QString &deviceId, const QByteArray &key, const QByteArray &payload) const
{
    const qint64 size = storedSize(deviceId, key, payload);
    return canEverHold(size) && hasRoomForBytes(size);
}

bool Outbox::hasRoomForBytes(qint64 bytes) const
{
    return m_settings.overflow == OutboxSettings::Overflow::DropOldest || m_depthBytes + bytes <= m_settings.maxBytes;
}

bool Outbox::canEverHold(qint64 bytes) const
{
    return bytes <= std::min(m_settings.maxBytes, kMaxRecordBytes);
}

Outbox::AppendResult Outbox::append(const QString &deviceId, const QByteArray &key, const QByteArray &payload)
{
    auto refuse = [this](const QString &reason, AppendResult result) {
        reasonCounter(m_refused, m_metrics, u"edgegate_outbox_refused_total"_s,
                      u"Entries the sink's outbox did not store, by reason (full, too_large, io_error)."_s, m_sinkName,
                      reason)
            .inc();
        return result;
    };
    if (!m_committer)
        return refuse(u"io_error"_s, AppendResult::IoError);

    const QByteArray id = deviceId.toUtf8();
    const qint64 size = kHeaderBytes + id.size() + key.size() + payload.size();
    if (size > std::min(m_settings.maxBytes, kMaxRecordBytes))
        return refuse(u"too_large"_s, AppendResult::Full);
    if (m_settings.overflow == OutboxSettings::Overflow::RejectNew && m_depthBytes + size > m_settings.maxBytes)
        return refuse(u"full"_s, AppendResult::Full);
    if (m_segments.back().size > 0 && m_segments.back().size + size > m_segmentBytes && !rotate())
        return refuse(u"io_error"_s, AppendResult::IoError);
    Segment &active = m_segments.back();

    m_record.resize(size);
    char *p = m_record.data();
    qToLittleEndian<quint32>(kRecordMagic, p);
    qToLittleEndian<quint32>(static_cast<quint32>(size), p + 4);
    qToLittleEndian<quint64>(m_tail, p + 12);
    qToLittleEndian<quint64>(static_cast<quint64>(m_settings.wallClockMs()), p + 20);
    qToLittleEndian<quint32>(static_cast<quint32>(id.size()), p + 28);
    qToLittleEndian<quint32>(static_cast<quint32>(key.size()), p + 32);
    qToLittleEndian<quint32>(static_cast<quint32>(payload.size()), p + 36);
    char *data = p + kHeaderBytes;
    std::memcpy(data, id.constData(), static_cast<size_t>(id.size()));
    std::memcpy(data + id.size(), key.constData(), static_cast<size_t>(key.size()));
    std::memcpy(data + id.size() + key.size(), payload.constData(), static_cast<size_t>(payload.size()));
    qToLittleEndian<quint32>(crc(p + kCrcFrom, size - kCrcFrom), p + 8);

    // Handing the bytes to the kernel is what makes the entry survive kill -9; fdatasync (for a
    // power cut) is the committer's.
    if (!writeAll(active.fd, p, size, active.size)) {
        const int error = errno;
        // A partial record would be cut at recovery anyway; removing it keeps the file clean.
        // If that fails too, the next append overwrites it from the same offset.
        if (::ftruncate(active.fd, active.size) != 0)
            logIoError(u"truncating a partial write"_s, errno);
        logIoError(u"writing"_s, error);
        return refuse(u"io_error"_s, AppendResult::IoError);
    }
    active.offsets.push_back(static_cast<quint32>(active.size));
    active.size += size;
    ++m_tail;
    m_depthBytes += size;
    m_appended.inc();
    m_committer->written();

    if (m_depthBytes > m_settings.maxBytes) {
        // Only under DropOldest; the new entry fits on its own, so this stops before reaching it.
        quint64 count = 0;
        while (m_depthBytes > m_settings.maxBytes)
            dropOldest(&count);
        headMoved();
        countDropped(count, u"overflow"_s);
    }
    emit appended();
    return AppendResult::Stored;
}

Outbox::Location Outbox::locate(quint64 seq)
{
    auto it = std::upper_bound(m_segments.begin(), m_segments.end(), seq,
                               [](quint64 s, const Segment &segment) { return s < segment.firstSeq; });
    if (it == m_segments.begin())
        return {};
    Segment &segment = *std::prev(it);
    const quint64 index = seq - segment.firstSeq;
    if (index >= segment.offsets.size())
        return {};
    const qint64 offset = segment.offsets[index];
    const qint64 end = index + 1 < segment.offsets.size() ? qint64(segment.offsets[index + 1]) : segment.size;
    return {&segment, offset, end - offset};
}

int Outbox::readFd(Segment &segment)
{
    if (segment.fd >= 0)
        return segment.fd;
    // One segment besides the active one is kept open: reads move through the segments in order.
    if (m_readSegment && m_readSegment != &m_segments.back() && m_readSegment->fd >= 0) {
        ::close(m_readSegment->fd);
        m_readSegment->fd = -1;
    }
    segment.fd = ::open(segmentPath(segment.firstSeq).constData(), O_RDONLY | O_CLOEXEC);
    m_readSegment = &segment;
    return segment.fd;
}

const char *Outbox::recordBytes(Segment &segment, qint64 offset, qint64 size)
{
    if (m_chunkSeq == segment.firstSeq && offset >= m_chunkOffset && offset + size <= m_chunkOffset + m_chunk.size()) {
        return m_chunk.constData() + (offset - m_chunkOffset);
    }
    const int fd = readFd(segment);
    if (fd < 0)
        return nullptr;
    m_chunk.resize(std::min(std::max(size, kChunkBytes), segment.size - offset));
    const qint64 n = readAll(fd, m_chunk.data(), m_chunk.size(), offset);
    if (n < size) {
        m_chunkSeq = 0;
        m_chunk.clear();
        return nullptr;
    }
    m_chunk.resize(n);
    m_chunkSeq = segment.firstSeq;
    m_chunkOffset = offset;
    return m_chunk.constData();
}

QList<OutboxEntry> Outbox::read(quint64 from, quint64 to, int maxCount, quint64 *next)
{
    QList<OutboxEntry> entries;
    std::vector<quint64> damaged;
    quint64 seq = std::max(from, m_head);
    to = std::min(to, m_tail);
    // The first done range that ends above seq.
    auto done = m_done.upper_bound(seq);
    if (done != m_done.begin() && std::prev(done)->second > seq)
        --done;
    while (seq < to && entries.size() < maxCount) {
        if (done != m_done.end() && done->first <= seq) {
            seq = done->second;
            ++done;
            continue;
        }
        const Location location = locate(seq);
        const char *record
            = location.segment ? recordBytes(*location.segment, location.offset, location.size) : nullptr;
        if (!record || !recordValid(record, location.size, seq)) {
            // Checked at open; failing now means the disk changed under us.
            damaged.push_back(seq);
            ++seq;
            continue;
        }
        entries.append(parseRecord(record));
        ++seq;
    }
    if (next)
        *next = seq;
    if (!damaged.empty()) {
        if (const auto suppressed = m_warnings.allow(u"damaged"_s)) {
            qCWarning(lcOutbox).noquote() << m_sinkName << "outbox: cannot read" << damaged.size()
                                          << "stored entries (damaged on disk); they are dropped"
                                          << (*suppressed ? u"(%1 more reports since)"_s.arg(*suppressed) : QString());
        }
        quint64 count = 0;
        for (const quint64 s : damaged)
            count += markDone(s) ? 1 : 0;
        countDropped(count, u"corrupt"_s);
    }
    return entries;
}

bool Outbox::markDone(quint64 seq)
{
    if (seq < m_head || seq >= m_tail)
        return false;
    auto after = m_done.upper_bound(seq);
    if (after != m_done.begin() && std::prev(after)->second > seq)
        return false; // already done
    const Location location = locate(seq);
    m_depthBytes -= location.size;
    if (seq == m_head) {
        ++m_head;
        headMoved();
        return true;
    }
    ++m_doneCount;
    const bool joinsBefore = after != m_done.begin() && std::prev(after)->second == seq;
    const bool joinsAfter = after != m_done.end() && after->first == seq + 1;
    if (joinsBefore && joinsAfter) {
        std::prev(after)->second = after->second;
        m_done.erase(after);
    } else if (joinsBefore) {
        std::prev(after)->second = seq + 1;
    } else if (joinsAfter) {
        const quint64 end = after->second;
        m_done.erase(after);
        m_done.emplace(seq, end);
    } else {
        m_done.emplace(seq, seq + 1);
    }
    return true;
}

void Outbox::markDoneRange(quint64 from, quint64 to)
{
    // Only at open, for seqs that were never stored (no bytes to subtract), in increasing order.
    m_done.emplace(from, to);
    m_doneCount += to - from;
}

void Outbox::dropOldest(quint64 *count)
{
    m_depthBytes -= locate(m_head).size;
    ++m_head;
    ++*count;
    absorbDone();
}

void Outbox::absorbDone()
{
    // The head is never done itself, so a done range can only start right at it.
    while (!m_done.empty() && m_done.begin()->first == m_head) {
        m_doneCount -= m_done.begin()->second - m_done.begin()->first;
        m_head = m_done.begin()->second;
        m_done.erase(m_done.begin());
    }
}

void Outbox::headMoved()
{
    absorbDone();
    if (m_committer)
        m_committer->setHead(m_head);
    releaseSegments();
}

void Outbox::releaseSegments()
{
    while (m_segments.size() > 1 && m_segments.front().endSeq() <= m_head) {
        Segment &segment = m_segments.front();
        if (segment.fd >= 0)
            ::close(segment.fd);
        if (m_readSegment == &segment)
            m_readSegment = nullptr;
        if (m_chunkSeq == segment.firstSeq) {
            m_chunkSeq = 0;
            m_chunk.clear();
        }
        // Deleted by the committer once the cursor on disk is past it.
        m_committer->setHead(m_head, segmentPath(segment.firstSeq));
        m_segments.pop_front();
    }
}

bool Outbox::ack(quint64 seq)
{
    return markDone(seq);
}

void Outbox::reject(quint64 seq, const QString &reason)
{
    if (!markDone(seq))
        return;
    countDropped(1, reason);
    if (const auto suppressed = m_warnings.allow(u"reject:"_s + reason)) {
        qCWarning(lcOutbox).noquote() << m_sinkName << "refused entry" << seq << "for good:" << loggable(reason)
                                      << (*suppressed ? u"(%1 more since)"_s.arg(*suppressed) : QString());
    }
}

Counter &Outbox::droppedCounter(const QString &reason)
{
    return reasonCounter(m_dropped, m_metrics, u"edgegate_outbox_dropped_total"_s,
                         u"Entries that left the sink's outbox unconfirmed: overflow, corrupt, or refused by the "
                         u"sink (its reason)."_s,
                         m_sinkName, reason);
}

void Outbox::countDropped(quint64 count, const QString &reason)
{
    if (count == 0)
        return;
    droppedCounter(reason).inc(count);
    emit dropped(count, reason);
}

void Outbox::logIoError(const QString &what, int error)
{
    m_ioErrors.inc();
    if (const auto suppressed = m_warnings.allow(u"io:"_s + what)) {
        qCWarning(lcOutbox).noquote() << m_sinkName << "outbox:" << what << "failed:" << errorText(error)
                                      << (*suppressed ? u"(%1 more since)"_s.arg(*suppressed) : QString());
    }
}

qint64 Outbox::depthMessages() const
{
    return static_cast<qint64>(m_tail - m_head - m_doneCount);
}

qint64 Outbox::oldestAgeMs(qint64 nowMs)
{
    if (m_head == m_tail)
        return 0;
    if (m_ageSeq != m_head) {
        const Location location = locate(m_head);
        char header[kHeaderBytes];
        const int fd = location.segment ? readFd(*location.segment) : -1;
        if (fd < 0 || readAll(fd, header, kHeaderBytes, location.offset) != kHeaderBytes)
            return 0;
        m_ageSeq = m_head;
        m_ageEnqueuedMs = static_cast<qint64>(u64At(header, 20));
    }
    return std::max<qint64>(0, nowMs - m_ageEnqueuedMs);
}

void Outbox::sync()
{
    if (m_committer)
        m_committer->syncNow();
}

} // namespace edgegate
