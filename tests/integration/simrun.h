// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <csignal>

namespace testsupport {

/// One run of edgegate-sim (EDGEGATE_SIM_PATH): its stdout events parsed as they come, stderr kept for failures.
class SimRun
{
public:
    explicit SimRun(const QStringList &args)
    {
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, &m_process, [this] {
            m_buffer += m_process.readAllStandardOutput();
            qsizetype newline = 0;
            while ((newline = m_buffer.indexOf('\n')) >= 0) {
                const QByteArray line = m_buffer.left(newline);
                m_buffer.remove(0, newline + 1);
                m_events.append(QJsonDocument::fromJson(line).object());
            }
        });
        QObject::connect(&m_process, &QProcess::readyReadStandardError, &m_process,
                         [this] { m_stderr += m_process.readAllStandardError(); });
        m_process.start(QStringLiteral(EDGEGATE_SIM_PATH), args);
    }
    ~SimRun()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    /// SIGTERM, then the exit code once it ended (-1 when it did not end in time).
    int terminate()
    {
        ::kill(static_cast<pid_t>(m_process.processId()), SIGTERM);
        return finish();
    }
    int finish(int timeoutMs = 30000)
    {
        if (!m_process.waitForFinished(timeoutMs))
            return -1;
        m_buffer += m_process.readAllStandardOutput();
        m_stderr += m_process.readAllStandardError();
        for (const QByteArray &line : m_buffer.split('\n')) {
            if (!line.isEmpty())
                m_events.append(QJsonDocument::fromJson(line).object());
        }
        m_buffer.clear();
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }
    [[nodiscard]] QList<QJsonObject> events(const QString &name, const QString &device = {}) const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &e : m_events) {
            if (e.value(QStringLiteral("event")).toString() == name
                && (device.isEmpty() || e.value(QStringLiteral("device")).toString() == device))
                out.append(e);
        }
        return out;
    }
    /// The OTA states the device went through, in order.
    [[nodiscard]] QStringList otaStates(const QString &device) const
    {
        QStringList states;
        for (const QJsonObject &e : events(QStringLiteral("ota"), device))
            states.append(e.value(QStringLiteral("state")).toString());
        return states;
    }
    [[nodiscard]] QString errors() const { return QString::fromUtf8(m_stderr); }

private:
    QProcess m_process;
    QByteArray m_buffer;
    QByteArray m_stderr;
    QList<QJsonObject> m_events;
};

} // namespace testsupport
