// SPDX-License-Identifier: Apache-2.0
#include "eventlog.h"

#include <QDateTime>
#include <QJsonDocument>

namespace edgegate::sim {

using namespace Qt::StringLiterals;

QJsonObject SimStats::toJson() const
{
    const auto n = [](quint64 v) { return QJsonValue(double(v)); };
    return {{u"connected"_s, n(connected)},
            {u"disconnects"_s, n(disconnects)},
            {u"telemetry_sent"_s, n(telemetrySent)},
            {u"anomalies"_s, n(anomalies)},
            {u"heartbeats"_s, n(heartbeats)},
            {u"sends_confirmed"_s, n(sendsConfirmed)},
            {u"sends_failed"_s, n(sendsFailed)},
            {u"commands_received"_s, n(commandsReceived)},
            {u"commands_failed"_s, n(commandsFailed)},
            {u"ota_notifications"_s, n(otaNotifications)},
            {u"ota_installed"_s, n(otaInstalled)},
            {u"ota_failed"_s, n(otaFailed)},
            {u"ota_rolled_back"_s, n(otaRolledBack)},
            {u"ota_cancelled"_s, n(otaCancelled)},
            {u"download_resumes"_s, n(downloadResumes)},
            {u"reboots"_s, n(reboots)},
            {u"never_returned"_s, n(neverReturned)}};
}

void EventLog::write(const QString &event, QJsonObject fields)
{
    fields.insert(u"event"_s, event);
    fields.insert(u"ts"_s, double(QDateTime::currentMSecsSinceEpoch()));
    const QByteArray line = QJsonDocument(fields).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), m_stream);
    std::fflush(m_stream);
}

} // namespace edgegate::sim
