// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/common/ratelimitedlog.h"
#include "gateway/sinks/sink.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace edgegate {

class Counter;
class Metrics;
class OutboxCommitter;

struct OutboxSettings
{
    enum class Overflow {
        DropOldest, ///< make room by dropping the oldest unconfirmed entries (counted, reason "overflow")
        RejectNew, ///< refuse the new entry: append() returns Full
    };

    QString directory; ///< this sink's folder, `{data_dir}/outbox/{sink}`; created when missing
    qint64 maxBytes = 256LL << 20; ///< bound on the stored size of the entries not yet confirmed
    Overflow overflow = Overflow::DropOldest;
    /// How often written entries are made durable (one fdatasync for all of them): a power cut
    /// loses at most this much. kill -9 loses nothing appended.
    std::chrono::milliseconds commitInterval{100};
    /// Segment files rotate past this size; the effective size is min(this, maxBytes / 4), at least 4 KiB.
    qint64 segmentBytes = 8LL << 20;
    /// Wall clock stamped on each entry (ms since the epoch); replaced by tests.
    std::function<qint64()> wallClockMs;
};

/// A sink's durable queue. Entries are appended to segment files and handed to the kernel before
/// append() returns, so a killed process loses nothing; a worker thread runs fdatasync once per
/// commit interval (group commit), so a power cut loses at most that interval and the event loop
/// never waits for the disk. An entry leaves only when the sink confirmed it (ack) or it was
/// dropped (reject, overflow). Only the head (every seq below it is done) is persisted, in the
/// `cursor` file, so entries confirmed out of order after the last commit are sent again after a
/// crash: delivery is at least once. See docs/architecture.md, "Outbox", for the file format.
///
/// Not thread-safe: used from the thread that opened it.
class Outbox : public QObject
{
    Q_OBJECT
public:
    enum class AppendResult {
        Stored, ///< written; the device may be acknowledged
        Full, ///< nothing written: no room under RejectNew, or the entry alone exceeds the bound
        IoError, ///< nothing written: the disk failed (ENOSPC, EIO); logged and counted. Answer as for Full.
    };

    Outbox(const QString &sinkName, const OutboxSettings &settings, Metrics &metrics, QObject *parent = nullptr);
    ~Outbox() override; ///< commits what was written and stops the worker

    /// Recovers the folder: validates every record, cuts a torn tail, drops confirmed segments,
    /// and starts the commit worker. Call once, before anything else.
    bool open(QString *error);

    AppendResult append(const QString &deviceId, const QByteArray &key, const QByteArray &payload);

    /// Whether append() of this entry would be stored as far as the bound goes (a disk error can
    /// still refuse it). Lets a caller appending to several outboxes check them all first.
    [[nodiscard]] bool hasRoomFor(const QString &deviceId, const QByteArray &key, const QByteArray &payload) const;
    /// The same for entries of `bytes` stored size in all (storedSize() of each), appended together.
    [[nodiscard]] bool hasRoomForBytes(qint64 bytes) const;
    /// False when an entry of this stored size can never be stored, whatever is confirmed meanwhile.
    [[nodiscard]] bool canEverHold(qint64 bytes) const;

    /// Bytes an entry takes in the outbox (what maxBytes and depthBytes() count).
    [[nodiscard]] static qint64 storedSize(const QString &deviceId, const QByteArray &key, const QByteArray &payload);

    /// Up to `maxCount` entries with seq in [from, to), skipping those already confirmed or
    /// dropped. `*next` is where the following call should continue (one past the last seq
    /// looked at). Any `from` is found at once (an offset per entry is kept in memory); reads go
    /// through a 256 KiB read-ahead chunk, so a drain costs few syscalls.
    QList<OutboxEntry> read(quint64 from, quint64 to, int maxCount, quint64 *next);

    /// The sink confirmed `seq`. Idempotent, any order. True when it was waiting (not already
    /// confirmed or dropped).
    bool ack(quint64 seq);
    /// The sink refused `seq` for good: it is dropped and counted under `reason`.
    void reject(quint64 seq, const QString &reason);

    /// Lowest seq neither confirmed nor dropped (tail() when empty).
    [[nodiscard]] quint64 head() const { return m_head; }
    /// Seq the next append gets.
    [[nodiscard]] quint64 tail() const { return m_tail; }
    [[nodiscard]] qint64 depthMessages() const;
    [[nodiscard]] qint64 depthBytes() const { return m_depthBytes; }
    /// Age of the oldest waiting entry at wall clock `nowMs` (0 when empty). Not const: it may
    /// read the entry's header from disk.
    [[nodiscard]] qint64 oldestAgeMs(qint64 nowMs);
    [[nodiscard]] QString sinkName() const { return m_sinkName; }

    /// Makes everything written durable and writes the cursor now; blocks until done. For a clean stop.
    void sync();

signals:
    void appended();
    /// Entries left without being confirmed: `reason` is "overflow", "corrupt" or the sink's.
    void dropped(quint64 count, const QString &reason);

private:
    struct Segment
    {
        quint64 firstSeq = 0;
        std::vector<quint32> offsets; // of each record in the file; record i has seq firstSeq + i
        qint64 size = 0; // end of the last whole record
        int fd = -1; // for reading (and writing, on the active segment); -1 when not open
        [[nodiscard]] quint64 endSeq() const { return firstSeq + offsets.size(); }
    };
    struct Location
    {
        Segment *segment = nullptr;
        qint64 offset = 0;
        qint64 size = 0;
    };

    bool recoverSegment(Segment &segment);
    void cutSegment(Segment &segment, size_t keepRecords, const char *why);
    int createSegment(quint64 firstSeq);
    bool rotate();
    [[nodiscard]] Location locate(quint64 seq);
    [[nodiscard]] QByteArray segmentPath(quint64 firstSeq) const;
    int readFd(Segment &segment);
    const char *recordBytes(Segment &segment, qint64 offset, qint64 size);
    bool markDone(quint64 seq);
    void markDoneRange(quint64 from, quint64 to);
    void dropOldest(quint64 *count);
    void absorbDone();
    void headMoved();
    void releaseSegments();
    void countDropped(quint64 count, const QString &reason);
    Counter &droppedCounter(const QString &reason);
    void logIoError(const QString &what, int error);

    QString m_sinkName;
    OutboxSettings m_settings;
    qint64 m_segmentBytes;
    QByteArray m_dir; // encoded for the file system
    int m_dirFd = -1;
    std::deque<Segment> m_segments; // by firstSeq; the last one is written to
    quint64 m_head = 1;
    quint64 m_tail = 1;
    std::map<quint64, quint64> m_done; // [start, end) ranges above the head confirmed or dropped
    quint64 m_doneCount = 0;
    qint64 m_depthBytes = 0;
    QByteArray m_record; // reused when appending

    // Chunk cache for read(): bytes [m_chunkOffset, + size) of the segment starting at m_chunkSeq.
    quint64 m_chunkSeq = 0;
    qint64 m_chunkOffset = 0;
    QByteArray m_chunk;
    Segment *m_readSegment = nullptr; // the one segment besides the active one with its fd open
    quint64 m_ageSeq = 0; // head seq whose enqueue time is cached
    qint64 m_ageEnqueuedMs = 0;

    std::unique_ptr<OutboxCommitter> m_committer;
    Metrics &m_metrics;
    Counter &m_appended;
    Counter &m_commits;
    Counter &m_ioErrors;
    QHash<QString, Counter *> m_dropped; // by reason
    QHash<QString, Counter *> m_refused; // by reason
    quint64 m_commitsReported = 0;
    quint64 m_ioErrorsReported = 0;
    RateLimitedLog m_warnings;
};

} // namespace edgegate
