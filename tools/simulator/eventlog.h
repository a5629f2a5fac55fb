// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QString>

#include <cstdio>

namespace edgegate::sim {

/// Counts over the whole run, printed in the final "summary" event.
struct SimStats
{
    quint64 connected = 0; ///< connections made (again after each loss or reboot)
    quint64 disconnects = 0;
    quint64 telemetrySent = 0;
    quint64 anomalies = 0;
    quint64 heartbeats = 0;
    quint64 sendsConfirmed = 0;
    quint64 sendsFailed = 0;
    quint64 commandsReceived = 0;
    quint64 commandsFailed = 0; ///< acknowledged as failed (--command-fail-rate)
    quint64 otaNotifications = 0;
    quint64 otaInstalled = 0; ///< came back announcing the new version
    quint64 otaFailed = 0;
    quint64 otaRolledBack = 0;
    quint64 otaCancelled = 0;
    quint64 downloadResumes = 0;
    quint64 reboots = 0;
    quint64 neverReturned = 0;
    QString lastError; ///< the latest failed send's reason, for the error when nothing got through

    [[nodiscard]] QJsonObject toJson() const;
};

/// Events for tests and scripts: one compact JSON object per line on a stream (stdout), each
/// with "event" and the time "ts" in milliseconds, flushed at once.
class EventLog
{
public:
    explicit EventLog(std::FILE *stream = stdout)
        : m_stream(stream)
    {
    }
    void write(const QString &event, QJsonObject fields);

private:
    std::FILE *m_stream;
};

} // namespace edgegate::sim
