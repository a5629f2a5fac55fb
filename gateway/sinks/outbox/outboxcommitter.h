// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/common/ratelimitedlog.h"
#include "gateway/sinks/outbox/outboxformat.h"

#include <QByteArray>
#include <QLoggingCategory>
#include <QString>
#include <QtEndian>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace edgegate {

Q_DECLARE_LOGGING_CATEGORY(lcOutbox)

/// The group commit: a thread that, once per interval after something was written, runs
/// fdatasync on the segments written to, then persists the head in the cursor file and deletes
/// segments the new head made obsolete. The event loop only hands it work under a mutex.
///
/// File descriptors: the worker owns its own duplicates of the segment descriptors and of the
/// directory, and is the only one to close them, so a segment rotated away while a sync runs
/// stays open until its last sync is done.
class OutboxCommitter
{
public:
    OutboxCommitter(QString sinkName, QByteArray dir, int dirFd, int activeFd, std::chrono::milliseconds interval,
                    std::optional<quint64> persistedHead)
        : m_sinkName(std::move(sinkName))
        , m_dir(std::move(dir))
        , m_dirFd(dirFd)
        , m_interval(interval)
        , m_activeFd(activeFd)
        , m_persistedHead(persistedHead.value_or(0))
        , m_head(m_persistedHead)
        , m_thread([this] { run(); })
    {
    }

    ~OutboxCommitter()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_one();
        m_thread.join();
        if (m_activeFd >= 0)
            ::close(m_activeFd);
        ::close(m_dirFd);
    }

    OutboxCommitter(const OutboxCommitter &) = delete;
    OutboxCommitter &operator=(const OutboxCommitter &) = delete;

    void written()
    {
        std::lock_guard lock(m_mutex);
        m_dataDirty = true;
        poke();
    }

    /// `fd` (the worker's own duplicate) is written to from now on; the previous one gets its last sync.
    void setActive(int fd)
    {
        std::lock_guard lock(m_mutex);
        if (m_activeFd >= 0)
            m_retired.push_back(m_activeFd);
        m_activeFd = fd;
        m_dirDirty = true; // the new file's directory entry must be durable too
        poke();
    }

    void setHead(quint64 head, QByteArray obsoletePath = {})
    {
        std::lock_guard lock(m_mutex);
        m_head = head;
        if (!obsoletePath.isEmpty())
            m_unlink.push_back(std::move(obsoletePath));
        poke();
    }

    void syncNow()
    {
        std::unique_lock lock(m_mutex);
        const quint64 target = ++m_requested;
        m_wake.notify_one();
        m_done.wait(lock, [&] { return m_completed >= target; });
    }

    [[nodiscard]] quint64 commits() const { return m_commits.load(std::memory_order_relaxed); }
    [[nodiscard]] quint64 errors() const { return m_errors.load(std::memory_order_relaxed); }

private:
    // Wakes the worker only when it waits for work: during the commit interval it sleeps on,
    // so appends and acks at a high rate cost no context switches.
    void poke()
    {
        if (m_idle)
            m_wake.notify_one();
    }

    bool pending() const
    {
        return m_dataDirty || m_dirDirty || !m_retired.empty() || !m_unlink.empty() || m_head != m_persistedHead;
    }

    void run()
    {
        std::unique_lock lock(m_mutex);
        for (;;) {
            m_idle = true;
            m_wake.wait(lock, [&] { return m_stop || m_requested > m_completed || pending(); });
            m_idle = false;
            // Let more writes gather for one interval: this wait is what makes it a group commit.
            if (!m_stop && m_requested == m_completed)
                m_wake.wait_for(lock, m_interval, [&] { return m_stop || m_requested > m_completed; });

            const quint64 serving = m_requested;
            std::vector<int> retired = std::exchange(m_retired, {});
            const bool data = std::exchange(m_dataDirty, false);
            const bool dir = std::exchange(m_dirDirty, false);
            const int activeFd = m_activeFd;
            const quint64 head = m_head;
            std::vector<QByteArray> unlink = std::exchange(m_unlink, {});
            const quint64 persisted = m_persistedHead;
            lock.unlock();

            bool synced = false;
            for (const int fd : retired) {
                syncFd(fd, "fdatasync");
                ::close(fd);
                synced = true;
            }
            if (data && activeFd >= 0) {
                syncFd(activeFd, "fdatasync");
                synced = true;
            }
            if (dir)
                syncDir();
            if (synced)
                m_commits.fetch_add(1, std::memory_order_relaxed);
            const bool cursorOk = head == persisted || writeCursor(head);
            if (cursorOk) {
                for (const QByteArray &path : unlink) {
                    if (::unlink(path.constData()) != 0 && errno != ENOENT)
                        fail("unlink", errno);
                }
            }

            lock.lock();
            if (cursorOk) {
                m_persistedHead = head;
            } else {
                // Deleting the segments before the cursor says they are done would lose the
                // head on a crash; keep them for the next round.
                m_unlink.insert(m_unlink.begin(), unlink.begin(), unlink.end());
            }
            m_completed = serving;
            m_done.notify_all();
            if (m_stop && (!pending() || !cursorOk))
                return;
        }
    }

    void syncFd(int fd, const char *what)
    {
        if (::fdatasync(fd) != 0)
            fail(what, errno);
    }

    void syncDir()
    {
        if (::fsync(m_dirFd) != 0)
            fail("fsync of the folder", errno);
    }

    bool writeCursor(quint64 head)
    {
        char buffer[outboxformat::kCursorBytes] = {};
        qToLittleEndian<quint32>(outboxformat::kCursorMagic, buffer);
        qToLittleEndian<quint32>(outboxformat::kCursorVersion, buffer + 4);
        qToLittleEndian<quint64>(head, buffer + 8);
        qToLittleEndian<quint32>(outboxformat::crc(buffer, 16), buffer + 16);
        const QByteArray temp = m_dir + "/cursor.tmp";
        const QByteArray final = m_dir + "/cursor";
        const int fd = ::open(temp.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) {
            fail("creating the cursor", errno);
            return false;
        }
        bool ok = outboxformat::writeAll(fd, buffer, outboxformat::kCursorBytes, 0) && ::fdatasync(fd) == 0;
        const int error = errno;
        ::close(fd);
        if (!ok) {
            fail("writing the cursor", error);
            return false;
        }
        if (::rename(temp.constData(), final.constData()) != 0) {
            fail("renaming the cursor", errno);
            return false;
        }
        syncDir();
        return true;
    }

    void fail(const char *what, int error)
    {
        m_errors.fetch_add(1, std::memory_order_relaxed);
        // Only this thread uses m_warnings.
        if (const auto suppressed = m_warnings.allow(QString::fromLatin1(what))) {
            qCWarning(lcOutbox).noquote()
                << m_sinkName << "outbox:" << what << "failed:" << outboxformat::errorText(error)
                << (*suppressed ? QStringLiteral("(%1 more since)").arg(*suppressed) : QString());
        }
    }

    const QString m_sinkName;
    const QByteArray m_dir;
    const int m_dirFd;
    const std::chrono::milliseconds m_interval;

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_done;
    int m_activeFd;
    std::vector<int> m_retired;
    std::vector<QByteArray> m_unlink;
    bool m_dataDirty = false;
    bool m_dirDirty = false;
    bool m_stop = false;
    bool m_idle = false;
    quint64 m_persistedHead;
    quint64 m_head;
    quint64 m_requested = 0;
    quint64 m_completed = 0;

    std::atomic<quint64> m_commits{0};
    std::atomic<quint64> m_errors{0};
    RateLimitedLog m_warnings;
    std::thread m_thread; // last: starts once everything above is set up
};

} // namespace edgegate
