// SPDX-License-Identifier: Apache-2.0
#include "simdevice.h"

#include "coaptransport.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>

Q_LOGGING_CATEGORY(lcSimDevice, "edgegate.sim.device")

namespace edgegate::sim {

using namespace Qt::StringLiterals;

namespace {

constexpr int MaxDownloadAttempts = 5;
constexpr std::chrono::milliseconds RetryPause{1000};
constexpr std::chrono::milliseconds ResumeAfterCut{200};
constexpr qsizetype MaxRememberedJobs = 1000; // also commands

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

SimDevice::SimDevice(DeviceConfig config, std::unique_ptr<Transport> transport, QNetworkAccessManager &network,
                     EventLog &events, SimStats &stats, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_transport(std::move(transport))
    , m_network(network)
    , m_events(events)
    , m_stats(stats)
    , m_model(m_config.type, m_config.seed, m_config.anomalyRate)
    , m_random(m_config.seed ^ 0x5bd1e995ULL)
{
    m_transport->setParent(this);
    connect(m_transport.get(), &Transport::connected, this, &SimDevice::connected);
    connect(m_transport.get(), &Transport::disconnected, this, [this](const QString &reason) {
        ++m_stats.disconnects;
        m_events.write(u"disconnected"_s, {{u"device"_s, m_config.id}, {u"reason"_s, reason}});
    });
    connect(m_transport.get(), &Transport::closed, this, &SimDevice::transportClosed);
    connect(m_transport.get(), &Transport::commandReceived, this, &SimDevice::commandReceived);
    connect(m_transport.get(), &Transport::otaReceived, this, &SimDevice::otaReceived);
    connect(m_transport.get(), &Transport::sendDone, this, &SimDevice::sendDone);
    connect(&m_telemetryTimer, &QTimer::timeout, this, &SimDevice::sendTelemetry);
    connect(&m_heartbeatTimer, &QTimer::timeout, this, &SimDevice::sendHeartbeat);
    m_otaTimer.setSingleShot(true);
    connect(&m_otaTimer, &QTimer::timeout, this, [this] {
        const std::function<void()> action = std::move(m_otaAction);
        m_otaAction = nullptr;
        if (action)
            action();
    });
}

SimDevice::~SimDevice()
{
    abortDownload();
}

void SimDevice::start()
{
    m_startedMs = nowMs();
    m_transportOpen = true;
    m_transport->open();
}

void SimDevice::stop()
{
    if (m_stopping)
        return;
    m_stopping = true;
    m_telemetryTimer.stop();
    m_heartbeatTimer.stop();
    m_otaTimer.stop();
    abortDownload();
    if (m_transportOpen)
        m_transport->close();
    else
        QMetaObject::invokeMethod(this, &SimDevice::stopped, Qt::QueuedConnection);
}

void SimDevice::transportClosed()
{
    m_transportOpen = false;
    if (m_stopping) {
        emit stopped();
        return;
    }
    if (m_ota != OtaState::Rebooting)
        return;
    if (m_config.failNeverReturn) {
        m_ota = OtaState::Gone;
        ++m_stats.neverReturned;
        otaEvent(u"never_returned"_s);
        return;
    }
    later(m_config.rebootTime, [this] { comeBack(); });
}

void SimDevice::later(std::chrono::milliseconds delay, std::function<void()> action)
{
    m_otaAction = std::move(action);
    m_otaTimer.start(delay);
}

void SimDevice::connected()
{
    if (m_stopping)
        return;
    ++m_stats.connected;
    m_events.write(u"connected"_s, {{u"device"_s, m_config.id}, {u"firmware"_s, m_config.firmware}});
    sendMeta();
    if (!m_telemetryTimer.isActive() && (m_config.messages == 0 || m_sent < m_config.messages)) {
        // The first reading at a random point of the interval, so many devices do not send in step.
        m_telemetryTimer.start(
            std::chrono::milliseconds(std::uniform_int_distribution<qint64>(0, m_config.interval.count())(m_random)));
    }
    if (m_config.heartbeat.count() > 0 && !m_heartbeatTimer.isActive())
        m_heartbeatTimer.start(m_config.heartbeat);

    if (m_ota == OtaState::Rebooting) {
        // Back from the update's reboot: the meta just sent says which firmware runs now.
        if (m_config.firmware == m_targetVersion) {
            ++m_stats.otaInstalled;
            otaEvent(u"installed"_s, {{u"firmware"_s, m_config.firmware}});
        } else {
            ++m_stats.otaRolledBack;
            reportProgress(u"rolled_back"_s);
            otaEvent(u"rolled_back"_s, {{u"firmware"_s, m_config.firmware}});
        }
        endJob();
    }
}

void SimDevice::sendTelemetry()
{
    if (m_telemetryTimer.interval() != m_config.interval.count())
        m_telemetryTimer.setInterval(m_config.interval);
    if (m_config.messages > 0 && m_sent >= m_config.messages) {
        m_telemetryTimer.stop();
        return;
    }
    bool anomaly = false;
    const QJsonObject reading = m_model.next(nowMs(), &anomaly);
    m_transport->send(Channel::Telemetry, reading);
    ++m_sent;
    ++m_stats.telemetrySent;
    if (anomaly)
        ++m_stats.anomalies;
    if (m_config.messages > 0 && m_sent >= m_config.messages) {
        m_telemetryTimer.stop();
        emit messagesDone();
    }
}

void SimDevice::sendHeartbeat()
{
    ++m_stats.heartbeats;
    m_transport->send(
        Channel::Heartbeat,
        {{u"uptime_s"_s, QJsonValue(qint64((nowMs() - m_startedMs) / 1000))}, {u"ts"_s, double(nowMs())}});
}

void SimDevice::sendMeta()
{
    QJsonArray capabilities{u"telemetry"_s, u"commands"_s};
    if (m_transport->receivesOta())
        capabilities.append(u"ota"_s);
    m_transport->send(Channel::Meta,
                      {{u"type"_s, m_config.type},
                       {u"model"_s, m_config.model},
                       {u"firmware"_s, m_config.firmware},
                       {u"capabilities"_s, capabilities},
                       {u"metrics"_s, QJsonArray::fromStringList(m_model.metricNames())}});
}

void SimDevice::sendDone(Channel channel, bool ok, const QString &error)
{
    Q_UNUSED(channel);
    if (ok) {
        ++m_stats.sendsConfirmed;
        if (!m_reached) {
            m_reached = true;
            emit reachedGateway();
        }
        return;
    }
    ++m_stats.sendsFailed;
    m_stats.lastError = error;
    // The first failure of each device, then one in a thousand: a lost gateway must not flood stderr.
    if (m_failedSends++ % 1000 == 0)
        qCWarning(lcSimDevice).noquote() << m_config.id << "send failed:" << error;
}

void SimDevice::commandReceived(const QJsonObject &command)
{
    const QString id = command.value(u"id"_s).toString();
    const QString name = command.value(u"name"_s).toString();
    if (!id.isEmpty()) {
        if (m_seenCommands.contains(id))
            return;
        if (m_seenCommands.size() >= MaxRememberedJobs)
            m_seenCommands.clear();
        m_seenCommands.insert(id);
    }
    ++m_stats.commandsReceived;
    const bool fail = m_config.commandFailRate > 0
        && std::uniform_real_distribution<double>(0.0, 1.0)(m_random) < m_config.commandFailRate;
    if (fail)
        ++m_stats.commandsFailed;
    m_events.write(u"command"_s, {{u"device"_s, m_config.id}, {u"id"_s, id}, {u"name"_s, name}, {u"ok"_s, !fail}});
    // Without an id there is nothing the gateway could match an acknowledgement to.
    if (id.isEmpty())
        return;
    const QJsonObject result
        = fail ? QJsonObject{{u"ok"_s, false}, {u"error"_s, u"simulated failure"_s}} : QJsonObject{{u"ok"_s, true}};
    m_transport->send(Channel::CommandAck, {{u"id"_s, id}, {u"result"_s, result}});
}

void SimDevice::otaReceived(const QJsonObject &notification)
{
    const QString action = notification.value(u"action"_s).toString();
    const QString job = notification.value(u"job"_s).toString();
    if (job.isEmpty() || m_stopping)
        return;
    if (action == u"cancel") {
        if (job != m_jobId || m_ota != OtaState::Downloading)
            return; // nothing running for it, or too late: installing cannot be called off
        ++m_stats.otaCancelled;
        otaEvent(u"cancelled"_s);
        endJob();
        return;
    }
    if (action != u"update" || m_doneJobs.contains(job) || job == m_jobId)
        return;
    if (m_ota != OtaState::Idle) {
        qCWarning(lcSimDevice).noquote() << m_config.id << "ignores job" << job << "while busy with" << m_jobId;
        return;
    }
    ++m_stats.otaNotifications;
    m_job = notification;
    m_jobId = job;
    m_targetVersion = notification.value(u"version"_s).toString();
    m_imageSize = qint64(notification.value(u"size"_s).toDouble(-1));
    m_expectedSha = notification.value(u"sha256"_s).toString().toLower().toLatin1();
    otaEvent(u"notified"_s, {{u"version"_s, m_targetVersion}, {u"size"_s, double(m_imageSize)}});

    static const QRegularExpression shaPattern(u"^[0-9a-f]{64}$"_s);
    if (m_targetVersion.isEmpty() || !shaPattern.match(QString::fromLatin1(m_expectedSha)).hasMatch()
        || m_imageSize <= 0) {
        failJob(u"bad_notification"_s);
        return;
    }
    if (m_imageSize > MaxImageBytes) {
        failJob(u"too_large"_s);
        return;
    }
    startDownload();
}

void SimDevice::startDownload()
{
    m_ota = OtaState::Downloading;
    m_image.clear();
    m_image.reserve(m_imageSize);
    m_lastReportedDecile = 0;
    m_attempts = 0;
    m_cutDone = false;
    reportProgress(u"downloading"_s, {{u"progress"_s, 0}});
    otaEvent(u"downloading"_s, {{u"progress"_s, 0}});

    const QString coapPath = m_job.value(u"coap_path"_s).toString();
    if (m_transport->downloadsOverCoap() && !coapPath.isEmpty()) {
        auto *coap = static_cast<CoapTransport *>(m_transport.get());
        const QString jobId = m_jobId;
        const bool sent = coap->download(coapPath.toUtf8(), [this, jobId](const CoapClient::Response &r) {
            coapBlock(jobId, r.code, r.payload, r.offset, r.more);
        });
        if (!sent)
            failJob(u"download_error"_s);
        return;
    }
    const QUrl url(m_job.value(u"url"_s).toString());
    if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https")) {
        failJob(u"no_download_url"_s);
        return;
    }
    httpRequest();
}

void SimDevice::httpRequest()
{
    if (m_ota != OtaState::Downloading)
        return;
    ++m_attempts;
    QNetworkRequest request(QUrl(m_job.value(u"url"_s).toString()));
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    if (!m_image.isEmpty()) {
        // Resume where the last connection stopped.
        request.setRawHeader("Range", "bytes=" + QByteArray::number(m_image.size()) + '-');
        ++m_stats.downloadResumes;
        otaEvent(u"resuming"_s, {{u"offset"_s, double(m_image.size())}});
    }
    m_replyChecked = false;
    m_reply = m_network.get(request);
    connect(m_reply, &QNetworkReply::readyRead, this, &SimDevice::httpReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &SimDevice::httpFinished);
}

void SimDevice::httpReadyRead()
{
    QNetworkReply *reply = m_reply;
    if (!reply)
        return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (!m_replyChecked) {
        m_replyChecked = true;
        if (status == 200) {
            m_image.clear(); // the server sent the whole image, not the range asked for
        } else if (status == 206) {
            static const QRegularExpression contentRange(u"^bytes (\\d+)-"_s);
            const auto match = contentRange.match(QString::fromLatin1(reply->rawHeader("Content-Range")));
            const qint64 start = match.hasMatch() ? match.captured(1).toLongLong() : -1;
            if (start < 0 || start > m_image.size()) {
                failJob(u"download_error"_s);
                return;
            }
            m_image.truncate(start);
        }
    }
    if (status != 200 && status != 206)
        return; // an error page: finished() handles the status
    m_image.append(reply->readAll());
    if (m_image.size() > m_imageSize) {
        failJob(u"size_mismatch"_s);
        return;
    }
    if (m_config.cutDownload && !m_cutDone && m_image.size() >= m_imageSize / 2) {
        // The connection drops at the middle of the image: what came after it never arrived.
        m_cutDone = true;
        m_cutting = true;
        m_image.truncate(m_imageSize / 2);
        downloadProgress();
        otaEvent(u"download_cut"_s, {{u"offset"_s, double(m_image.size())}});
        reply->abort();
        return;
    }
    downloadProgress();
}

void SimDevice::httpFinished()
{
    QNetworkReply *reply = m_reply;
    if (!reply)
        return;
    m_reply = nullptr;
    reply->deleteLater();
    if (m_ota != OtaState::Downloading)
        return;
    if (m_cutting) {
        m_cutting = false;
        later(ResumeAfterCut, [this] { httpRequest(); });
        return;
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 400) {
        qCWarning(lcSimDevice).noquote() << m_config.id << "download refused: HTTP" << status;
        failJob(u"download_error"_s);
        return;
    }
    if (reply->error() == QNetworkReply::NoError && m_image.size() == m_imageSize) {
        downloadComplete();
        return;
    }
    if (reply->error() == QNetworkReply::NoError && m_image.size() < m_imageSize && status == 200) {
        failJob(u"size_mismatch"_s);
        return;
    }
    if (m_attempts >= MaxDownloadAttempts) {
        qCWarning(lcSimDevice).noquote() << m_config.id << "download failed after" << m_attempts
                                         << "attempts:" << reply->errorString();
        failJob(u"download_error"_s);
        return;
    }
    qCInfo(lcSimDevice).noquote() << m_config.id << "download interrupted at" << m_image.size() << "bytes ("
                                  << reply->errorString() << "): resuming";
    later(RetryPause, [this] { httpRequest(); });
}

void SimDevice::coapBlock(const QString &jobId, int code, const QByteArray &payload, qsizetype offset, bool more)
{
    if (m_ota != OtaState::Downloading || jobId != m_jobId)
        return;
    if (code != 205) {
        qCWarning(lcSimDevice).noquote() << m_config.id << "CoAP download failed with"
                                         << (code ? u"%1.%2"_s.arg(code / 100).arg(code % 100, 2, 10, QChar(u'0'))
                                                  : u"no answer"_s);
        failJob(u"download_error"_s);
        return;
    }
    if (offset + payload.size() > m_imageSize) {
        failJob(u"size_mismatch"_s);
        return;
    }
    if (m_image.size() < offset + payload.size())
        m_image.resize(offset + payload.size());
    m_image.replace(offset, payload.size(), payload);
    downloadProgress();
    if (!more) {
        if (m_image.size() == m_imageSize)
            downloadComplete();
        else
            failJob(u"size_mismatch"_s);
    }
}

void SimDevice::downloadProgress()
{
    const int percent = int(m_image.size() * 100 / m_imageSize);
    const int decile = percent / 10;
    if (decile > m_lastReportedDecile && percent < 100) {
        m_lastReportedDecile = decile;
        reportProgress(u"downloading"_s, {{u"progress"_s, percent}});
        otaEvent(u"downloading"_s, {{u"progress"_s, percent}});
    }
}

void SimDevice::downloadComplete()
{
    if (m_config.failCorrupt && !m_image.isEmpty())
        m_image[m_image.size() / 2] = char(m_image.at(m_image.size() / 2) ^ 0x5a);
    const QByteArray sha = QCryptographicHash::hash(m_image, QCryptographicHash::Sha256).toHex();
    m_image.clear();
    m_image.squeeze();
    if (sha != m_expectedSha) {
        failJob(u"sha256_mismatch"_s);
        return;
    }
    reportProgress(u"downloaded"_s, {{u"progress"_s, 100}});
    otaEvent(u"downloaded"_s);
    install();
}

void SimDevice::install()
{
    m_ota = OtaState::Installing;
    reportProgress(u"installing"_s);
    otaEvent(u"installing"_s);
    later(m_config.installTime, [this] {
        if (m_config.failInstall) {
            failJob(u"install_error"_s);
            return;
        }
        reboot();
    });
}

void SimDevice::reboot()
{
    m_ota = OtaState::Rebooting;
    ++m_stats.reboots;
    m_events.write(u"reboot"_s,
                   {{u"device"_s, m_config.id},
                    {u"job"_s, m_jobId},
                    {u"firmware"_s, m_config.firmware},
                    {u"next_firmware"_s, m_config.failRollback ? m_config.firmware : m_targetVersion}});
    m_telemetryTimer.stop();
    m_heartbeatTimer.stop();
    m_transport->close();
}

void SimDevice::comeBack()
{
    if (m_stopping)
        return;
    if (!m_config.failRollback)
        m_config.firmware = m_targetVersion;
    m_transportOpen = true;
    m_transport->open();
}

void SimDevice::reportProgress(const QString &state, const QJsonObject &extra)
{
    QJsonObject progress = extra;
    progress.insert(u"job"_s, m_jobId);
    progress.insert(u"state"_s, state);
    m_transport->send(Channel::OtaProgress, progress);
}

void SimDevice::failJob(const QString &error)
{
    abortDownload();
    ++m_stats.otaFailed;
    reportProgress(u"failed"_s, {{u"error"_s, error}});
    otaEvent(u"failed"_s, {{u"error"_s, error}});
    endJob();
}

void SimDevice::endJob()
{
    abortDownload();
    m_otaTimer.stop();
    m_otaAction = nullptr;
    if (m_doneJobs.size() >= MaxRememberedJobs)
        m_doneJobs.clear();
    m_doneJobs.insert(m_jobId);
    m_jobId.clear();
    m_job = {};
    m_image.clear();
    m_image.squeeze();
    m_ota = OtaState::Idle;
}

void SimDevice::otaEvent(const QString &state, QJsonObject extra)
{
    extra.insert(u"device"_s, m_config.id);
    extra.insert(u"job"_s, m_jobId);
    extra.insert(u"state"_s, state);
    m_events.write(u"ota"_s, extra);
}

void SimDevice::abortDownload()
{
    if (QNetworkReply *reply = m_reply) {
        m_reply = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
    m_cutting = false;
}

} // namespace edgegate::sim
