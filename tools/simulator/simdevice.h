// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "eventlog.h"
#include "telemetrymodel.h"
#include "transport.h"

#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <chrono>
#include <functional>
#include <memory>
#include <random>

class QNetworkAccessManager;
class QNetworkReply;

namespace edgegate::sim {

/// How one device behaves; the failures are the injected ones of docs/simulator.md.
struct DeviceConfig
{
    QString id;
    QString type;
    QString model;
    QString firmware;
    std::chrono::milliseconds interval{1000};
    std::chrono::milliseconds heartbeat{0};
    double anomalyRate = 0;
    qint64 messages = 0;
    double commandFailRate = 0;
    std::chrono::milliseconds installTime{0};
    std::chrono::milliseconds rebootTime{0};
    quint64 seed = 1;
    bool failCorrupt = false;
    bool failInstall = false;
    bool failRollback = false;
    bool failNeverReturn = false;
    bool cutDownload = false;
};

/// One simulated device: telemetry and heartbeats on timers, meta at every (re)start, commands
/// acknowledged, and the device side of a firmware update (docs/ota.md): download with resume,
/// size and SHA-256 check, progress reports, install, reboot, and the new version in meta.
class SimDevice : public QObject
{
    Q_OBJECT
public:
    /// Images above this are refused (failed, "too_large"): each download is held in memory.
    static constexpr qint64 MaxImageBytes = 64 * 1024 * 1024;

    SimDevice(DeviceConfig config, std::unique_ptr<Transport> transport, QNetworkAccessManager &network,
              EventLog &events, SimStats &stats, QObject *parent = nullptr);
    ~SimDevice() override;

    void start();
    /// Stops sending, says offline, and emits stopped() once the link is closed.
    void stop();

signals:
    /// The device has sent its --messages.
    void messagesDone();
    void stopped();
    /// A send was confirmed: the gateway (or broker) is reachable.
    void reachedGateway();

private:
    enum class OtaState { Idle, Downloading, Installing, Rebooting, Gone };

    void connected();
    void sendTelemetry();
    void sendHeartbeat();
    void sendMeta();
    void commandReceived(const QJsonObject &command);
    void otaReceived(const QJsonObject &notification);
    void sendDone(Channel channel, bool ok, const QString &error);

    void startDownload();
    void httpRequest();
    void httpReadyRead();
    void httpFinished();
    void coapBlock(const QString &jobId, int code, const QByteArray &payload, qsizetype offset, bool more);
    void downloadProgress();
    void downloadComplete();
    void install();
    void reboot();
    void comeBack();
    void reportProgress(const QString &state, const QJsonObject &extra = {});
    void failJob(const QString &error);
    void endJob();
    void otaEvent(const QString &state, QJsonObject extra = {});
    void abortDownload();
    void later(std::chrono::milliseconds delay, std::function<void()> action);
    void transportClosed();

    DeviceConfig m_config;
    std::unique_ptr<Transport> m_transport;
    QNetworkAccessManager &m_network;
    EventLog &m_events;
    SimStats &m_stats;
    TelemetryModel m_model;
    std::mt19937_64 m_random;
    QTimer m_telemetryTimer;
    QTimer m_heartbeatTimer;
    QTimer m_otaTimer; // install, reboot, and pauses between download attempts
    std::function<void()> m_otaAction;
    qint64 m_sent = 0;
    qint64 m_startedMs = 0;
    bool m_stopping = false;
    bool m_transportOpen = false;
    bool m_reached = false;
    quint64 m_failedSends = 0;

    // The update in progress
    OtaState m_ota = OtaState::Idle;
    QJsonObject m_job;
    QString m_jobId;
    QString m_targetVersion;
    qint64 m_imageSize = 0;
    QByteArray m_expectedSha;
    QByteArray m_image;
    int m_lastReportedDecile = -1;
    int m_attempts = 0;
    bool m_cutDone = false;
    bool m_cutting = false; // our own abort of the reply, not a lost connection
    bool m_replyChecked = false; // the current reply's status and range were looked at
    QPointer<QNetworkReply> m_reply;
    QSet<QString> m_seenCommands; // a re-observed CoAP resource repeats the last command
    QSet<QString> m_doneJobs; // notifications repeated after a reconnect are not run twice
};

} // namespace edgegate::sim
