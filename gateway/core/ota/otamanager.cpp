// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/ota/otamanager.h"

#include "gateway/core/common/metrics.h"
#include "gateway/core/devices/deviceregistry.h"
#include "gateway/core/ota/campaignrequest.h"
#include "gateway/core/ota/firmware.h"
#include "gateway/core/ota/otastore.h"
#include "shared/deviceid.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSet>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcOta, "edgegate.ota")

namespace {

constexpr qsizetype MaxErrorLength = 256;

const QStringList ProgressRefusals{u"malformed_json"_s, u"bad_field"_s, u"wrong_job"_s, u"illegal_transition"_s};

bool countsAsFailure(OtaJobState state)
{
    return state == OtaJobState::Failed || state == OtaJobState::RolledBack || state == OtaJobState::TimedOut;
}

// Where a job may go on a device's report. Reports may skip steps (a fast device, a lost
// message) but never go back; downloading may repeat with new progress.
bool allowedByDevice(OtaJobState from, OtaJobState to)
{
    if (!isInFlight(from))
        return false;
    switch (to) {
    case OtaJobState::Downloading:
    case OtaJobState::Downloaded:
    case OtaJobState::Installing:
        return from <= to;
    case OtaJobState::Failed:
    case OtaJobState::RolledBack:
        return true;
    default:
        return false;
    }
}

QString jsonText(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

} // namespace

OtaManager::OtaManager(const Settings &settings, DeviceRegistry &registry, Downlinks &downlinks, OtaStore &store,
                       Metrics &metrics, Clock clock, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_registry(registry)
    , m_downlinks(downlinks)
    , m_store(store)
    , m_metrics(metrics)
    , m_clock(std::move(clock))
    , m_storeFailures(metrics.counter(u"edgegate_ota_store_failures_total"_s,
                                      u"OTA campaign or job changes that could not be written to ota.db."_s))
{
    for (const QString &reason : ProgressRefusals) {
        metrics.counter(u"edgegate_ota_progress_refused_total"_s, u"OTA progress reports refused, by reason."_s,
                        {{u"reason"_s, reason}});
    }
    for (const QString &action : {u"update"_s, u"cancel"_s}) {
        metrics.counter(u"edgegate_ota_notifications_total"_s, u"OTA notifications handed to devices, by action."_s,
                        {{u"action"_s, action}});
    }
    metrics.addCollector([this] {
        std::array<int, OtaJobStateNames.size()> jobs{};
        for (const OtaJob &job : std::as_const(m_jobs))
            ++jobs[static_cast<size_t>(job.state)];
        for (OtaJobState s : OtaJobStateNames.values()) {
            m_metrics.gauge(u"edgegate_ota_jobs"_s, u"OTA jobs by state."_s, {{u"state"_s, otaJobStateName(s)}})
                .set(jobs[static_cast<size_t>(s)]);
        }
        std::array<int, OtaCampaignStateNames.size()> campaigns{};
        for (const CampaignEntry &e : std::as_const(m_campaigns))
            ++campaigns[static_cast<size_t>(e.campaign.state)];
        for (OtaCampaignState s : OtaCampaignStateNames.values()) {
            m_metrics
                .gauge(u"edgegate_ota_campaigns"_s, u"OTA campaigns by state."_s,
                       {{u"state"_s, otaCampaignStateName(s)}})
                .set(campaigns[static_cast<size_t>(s)]);
        }
    });
    m_deadlineTimer.setSingleShot(true);
    connect(&m_deadlineTimer, &QTimer::timeout, this, &OtaManager::expireDue);
    // Starting jobs goes through the loop, so it never runs inside a link's own callback (libcoap).
    m_scheduleTimer.setSingleShot(true);
    m_scheduleTimer.setInterval(0);
    connect(&m_scheduleTimer, &QTimer::timeout, this, &OtaManager::scheduleAll);
    connect(&registry, &DeviceRegistry::deviceChanged, this, [this](const DeviceInfo &device) {
        if (device.status == DeviceStatus::Online)
            retry(device.id);
    });
    connect(&registry, &DeviceRegistry::deviceRemoved, this, &OtaManager::deviceRemoved);
    connect(&downlinks, &Downlinks::reachable, this, &OtaManager::retry);
    connect(&downlinks, &Downlinks::allReachable, this, &OtaManager::retryAll);
}

OtaManager::~OtaManager() = default;

qint64 OtaManager::now() const
{
    return m_clock ? m_clock() : QDateTime::currentMSecsSinceEpoch();
}

bool OtaManager::load(QString *error)
{
    const auto contents = m_store.load();
    if (!contents) {
        if (error)
            *error = m_store.lastError();
        return false;
    }
    for (const OtaCampaign &c : contents->campaigns) {
        CampaignEntry &entry = m_campaigns[c.id];
        entry.campaign = c;
        entry.campaign.jobCounts.clear();
        m_campaignOrder.append(c.id);
        bool ok = false;
        const int number = QStringView(c.id).mid(1).toInt(&ok);
        if (ok)
            m_nextCampaign = std::max(m_nextCampaign, number + 1);
    }
    std::sort(m_campaignOrder.begin(), m_campaignOrder.end(), [this](const QString &a, const QString &b) {
        return m_campaigns.value(a).campaign.createdMs < m_campaigns.value(b).campaign.createdMs;
    });
    // Jobs come back in batch order within their campaign; a device's jobs in campaign order.
    QList<OtaJob> jobs = contents->jobs;
    std::stable_sort(jobs.begin(), jobs.end(), [this](const OtaJob &a, const OtaJob &b) {
        const qint64 ca = m_campaigns.value(a.campaignId).campaign.createdMs;
        const qint64 cb = m_campaigns.value(b.campaignId).campaign.createdMs;
        if (ca != cb)
            return ca < cb;
        if (a.batch != b.batch)
            return a.batch < b.batch;
        return a.deviceId < b.deviceId;
    });
    for (const OtaJob &job : std::as_const(jobs)) {
        const auto campaign = m_campaigns.find(job.campaignId);
        if (campaign == m_campaigns.end())
            continue;
        campaign->jobIds.append(job.id);
        m_jobs.insert(job.id, job);
        m_deviceJobs[job.deviceId].append(job.id);
        // What the device was told stays its CoAP state after the restart.
        if (isInFlight(job.state))
            m_latest.insert(job.deviceId, updateNotification(job, campaign->campaign));
    }
    qCInfo(lcOta) << "loaded" << m_campaigns.size() << "OTA campaign(s) with" << m_jobs.size() << "job(s)";
    expireDue();
    scheduleSoon();
    return true;
}

OtaManager::CreateResult OtaManager::create(const QJsonObject &request)
{
    using Error = CreateResult::Error;
    const auto bad = [](const QString &message) { return CreateResult{Error::BadRequest, message, {}}; };
    auto parsed = parseCampaignRequest(request, m_settings.maxConcurrent, m_settings.jobTimeout);
    if (const QString *refusal = std::get_if<QString>(&parsed))
        return bad(*refusal);
    OtaCampaign c = std::get<CampaignRequest>(parsed).campaign;
    const bool start = std::get<CampaignRequest>(parsed).start;
    if (!m_catalog)
        return {Error::NoCatalog, u"no firmware store is configured"_s, {}};
    const auto image = m_catalog->find(c.firmware, c.version);
    if (!image)
        return {Error::UnknownFirmware, u"no firmware image %1 %2"_s.arg(c.firmware, c.version), {}};
    if (!image->deviceType.isEmpty() && !c.target.type.isEmpty() && image->deviceType != c.target.type) {
        return bad(u"firmware %1 %2 is for devices of type '%3', not '%4'"_s.arg(c.firmware, c.version,
                                                                                 image->deviceType, c.target.type));
    }
    c.size = image->size;
    c.sha256 = image->sha256;

    // The devices, by id (the listing is sorted): every key given must match, approved ones only,
    // and never a device of another type than the image's.
    const QSet<QString> listed(c.target.devices.cbegin(), c.target.devices.cend());
    QStringList chosen;
    QStringList busy;
    for (const DeviceInfo &d : m_registry.list({}, {}, Approval::Approved)) {
        if (!c.target.type.isEmpty() && d.type != c.target.type)
            continue;
        if (!image->deviceType.isEmpty() && d.type != image->deviceType)
            continue;
        if (!listed.isEmpty() && !listed.contains(d.id))
            continue;
        const bool tagsMatch
            = std::all_of(c.target.tags.keyValueBegin(), c.target.tags.keyValueEnd(), [&d](const auto &tag) {
                  const auto it = d.metadata.constFind(tag.first);
                  return it != d.metadata.cend() && *it == tag.second;
              });
        if (!tagsMatch)
            continue;
        if (currentJob(d.id))
            busy.append(d.id);
        chosen.append(d.id);
    }
    if (chosen.isEmpty())
        return {Error::NoDevices, u"no approved device matches the target"_s, {}};
    if (!busy.isEmpty()) {
        return {Error::Conflict,
                u"%1 device(s) already have an unfinished OTA job: %2"_s.arg(busy.size())
                    .arg(QStringList(busy.mid(0, 10)).join(u", "_s)),
                {}};
    }

    const qsizetype n = chosen.size();
    if (c.batchPercent > 0)
        c.batchSize = std::max<int>(1, int((n * c.batchPercent + 99) / 100));
    else if (c.batchSize == 0 || c.batchSize > n)
        c.batchSize = int(n);
    c.batchCount = int((n + c.batchSize - 1) / c.batchSize);
    c.id = u"c%1"_s.arg(m_nextCampaign++);
    c.createdMs = now();
    c.updatedMs = c.createdMs;
    c.state = start ? OtaCampaignState::Running : OtaCampaignState::Paused;
    if (!start)
        c.pausedReason = u"operator"_s;

    CampaignEntry entry;
    entry.campaign = c;
    QList<OtaJob> jobs;
    for (qsizetype i = 0; i < n; ++i) {
        OtaJob job;
        job.deviceId = chosen.at(i);
        job.campaignId = c.id;
        job.id = c.id + u'-' + job.deviceId;
        job.batch = int(i / c.batchSize);
        job.history.append({OtaJobState::Pending, c.createdMs});
        jobs.append(job);
        entry.jobIds.append(job.id);
    }
    if (!m_store.save({c}, jobs)) {
        m_storeFailures.inc();
        qCWarning(lcOta).noquote() << "campaign not created, ota.db cannot be written:" << m_store.lastError();
        --m_nextCampaign;
        return {Error::StorageFailed, u"the campaign could not be stored: %1"_s.arg(m_store.lastError()), {}};
    }
    for (const OtaJob &job : std::as_const(jobs)) {
        m_jobs.insert(job.id, job);
        m_deviceJobs[job.deviceId].append(job.id);
    }
    m_campaigns.insert(c.id, entry);
    m_campaignOrder.append(c.id);
    qCInfo(lcOta).noquote() << "campaign" << c.id << "created:" << c.firmware << c.version << "for" << n
                            << "device(s) in" << c.batchCount << "batch(es)," << otaCampaignStateName(c.state);
    CampaignEntry &stored = m_campaigns[c.id];
    emit campaignChanged(withCounts(stored));
    for (const QString &id : std::as_const(stored.jobIds))
        emit jobChanged(m_jobs.value(id));
    startJobs(stored);
    return {Error::None, {}, withCounts(m_campaigns.value(c.id))};
}

OtaManager::ChangeResult OtaManager::moveCampaign(const QString &campaignId,
                                                  std::initializer_list<OtaCampaignState> from, OtaCampaignState to,
                                                  const QString &logged)
{
    const auto it = m_campaigns.find(campaignId);
    if (it == m_campaigns.end())
        return ChangeResult::NotFound;
    if (std::find(from.begin(), from.end(), it->campaign.state) == from.end())
        return ChangeResult::Conflict;
    it->campaign.state = to;
    // Only an operator's pause has a reason; whatever ends or resumes a campaign clears it.
    it->campaign.pausedReason = to == OtaCampaignState::Paused ? u"operator"_s : QString();
    if (to == OtaCampaignState::Cancelled)
        it->campaign.finishedMs = now();
    qCInfo(lcOta).noquote() << "campaign" << campaignId << logged;
    campaignUpdated(*it);
    return ChangeResult::Done;
}

OtaManager::ChangeResult OtaManager::pause(const QString &campaignId)
{
    return moveCampaign(campaignId, {OtaCampaignState::Running}, OtaCampaignState::Paused, u"paused by an operator"_s);
}

OtaManager::ChangeResult OtaManager::resume(const QString &campaignId)
{
    const ChangeResult result
        = moveCampaign(campaignId, {OtaCampaignState::Paused}, OtaCampaignState::Running, u"resumed"_s);
    if (result == ChangeResult::Done)
        startJobs(m_campaigns[campaignId]);
    return result;
}

OtaManager::ChangeResult OtaManager::cancel(const QString &campaignId)
{
    const ChangeResult result = moveCampaign(campaignId, {OtaCampaignState::Running, OtaCampaignState::Paused},
                                             OtaCampaignState::Cancelled, u"cancelled"_s);
    if (result != ChangeResult::Done)
        return result;
    const auto it = m_campaigns.find(campaignId);
    // A device already installing cannot stop halfway: its job ends as the device reports.
    for (const QString &id : std::as_const(it->jobIds)) {
        OtaJob &job = m_jobs[id];
        if (isFinal(job.state) || job.state == OtaJobState::Installing)
            continue;
        const bool told = job.state != OtaJobState::Pending;
        setJobState(job, OtaJobState::Cancelled);
        if (told)
            sendCancel(job.deviceId, job.id);
    }
    armDeadline();
    return ChangeResult::Done;
}

OtaCampaign OtaManager::withCounts(const CampaignEntry &entry) const
{
    OtaCampaign c = entry.campaign;
    c.jobCounts.clear();
    for (const QString &id : entry.jobIds)
        ++c.jobCounts[otaJobStateName(m_jobs.value(id).state)];
    return c;
}

std::optional<OtaCampaign> OtaManager::campaign(const QString &id) const
{
    const auto it = m_campaigns.constFind(id);
    if (it == m_campaigns.cend())
        return std::nullopt;
    return withCounts(*it);
}

QList<OtaCampaign> OtaManager::campaigns() const
{
    QList<OtaCampaign> out;
    for (const QString &id : m_campaignOrder)
        out.append(withCounts(m_campaigns.value(id)));
    return out;
}

std::optional<QString> OtaManager::imageInUse(const QString &name, const QString &version) const
{
    for (const QString &id : m_campaignOrder) {
        const OtaCampaign &c = m_campaigns.value(id).campaign;
        const bool open = c.state == OtaCampaignState::Running || c.state == OtaCampaignState::Paused;
        if (open && c.firmware == name && c.version == version)
            return u"campaign %1 (%2) uses it"_s.arg(c.id, otaCampaignStateName(c.state));
    }
    return std::nullopt;
}

QList<OtaJob> OtaManager::jobs(const QString &campaignId) const
{
    QList<OtaJob> out;
    for (const QString &id : m_campaigns.value(campaignId).jobIds)
        out.append(m_jobs.value(id));
    return out;
}

QList<OtaJob> OtaManager::deviceJobs(const QString &deviceId) const
{
    QList<OtaJob> out;
    const QStringList ids = m_deviceJobs.value(deviceId);
    for (qsizetype i = ids.size() - 1; i >= 0; --i)
        out.append(m_jobs.value(ids.at(i)));
    return out;
}

OtaJob *OtaManager::currentJob(const QString &deviceId)
{
    const auto ids = m_deviceJobs.constFind(deviceId);
    if (ids == m_deviceJobs.cend())
        return nullptr;
    for (qsizetype i = ids->size() - 1; i >= 0; --i) {
        const auto job = m_jobs.find(ids->at(i));
        if (job != m_jobs.end() && !isFinal(job->state))
            return &*job;
    }
    return nullptr;
}

void OtaManager::save(const OtaCampaign *campaign, const OtaJob *job)
{
    QList<OtaCampaign> campaigns;
    QList<OtaJob> jobs;
    if (campaign)
        campaigns.append(*campaign);
    if (job)
        jobs.append(*job);
    if (m_store.save(campaigns, jobs))
        return;
    // The change holds in memory; a restart would go back to what was last written.
    m_storeFailures.inc();
    if (const auto suppressed = m_warnings.allow(u"store"_s)) {
        qCWarning(lcOta).noquote() << "cannot write to ota.db:" << m_store.lastError()
                                   << (*suppressed ? u"(%1 more since the last report)"_s.arg(*suppressed) : QString());
    }
}

void OtaManager::campaignUpdated(CampaignEntry &entry)
{
    entry.campaign.updatedMs = now();
    save(&entry.campaign, nullptr);
    emit campaignChanged(withCounts(entry));
}

void OtaManager::setJobState(OtaJob &job, OtaJobState state)
{
    job.state = state;
    job.history.append({state, now()});
    save(nullptr, &job);
    emit jobChanged(job);
    qCInfo(lcOta).noquote() << "job" << job.id << otaJobStateName(state)
                            << (job.error.isEmpty() ? QString() : u"(%1)"_s.arg(loggable(job.error)));
    if (isFinal(state))
        jobEnded(job);
}

void OtaManager::jobEnded(OtaJob &job)
{
    const auto it = m_campaigns.find(job.campaignId);
    if (it == m_campaigns.end())
        return;
    OtaCampaign &c = it->campaign;
    if (c.state == OtaCampaignState::Running && c.failureThreshold > 0 && countsAsFailure(job.state)) {
        const auto failures = std::count_if(it->jobIds.cbegin(), it->jobIds.cend(), [this](const QString &id) {
            return countsAsFailure(m_jobs.value(id).state);
        });
        if (failures >= c.failureThreshold) {
            c.state = OtaCampaignState::Paused;
            c.pausedReason = u"failure_threshold"_s;
            qCWarning(lcOta).noquote() << "campaign" << c.id << "paused:" << failures
                                       << "job(s) failed, rolled back or timed out (threshold" << c.failureThreshold
                                       << ")";
            campaignUpdated(*it);
        }
    }
    const bool allFinal = std::all_of(it->jobIds.cbegin(), it->jobIds.cend(),
                                      [this](const QString &id) { return isFinal(m_jobs.value(id).state); });
    if (allFinal && (c.state == OtaCampaignState::Running || c.state == OtaCampaignState::Paused)) {
        c.state = OtaCampaignState::Completed;
        c.pausedReason.clear();
        c.finishedMs = now();
        qCInfo(lcOta).noquote() << "campaign" << c.id << "completed";
        campaignUpdated(*it);
        return;
    }
    emit campaignChanged(withCounts(*it)); // its counts changed
    if (c.state == OtaCampaignState::Running)
        scheduleSoon();
}

void OtaManager::scheduleSoon()
{
    if (!m_scheduleTimer.isActive())
        m_scheduleTimer.start();
}

void OtaManager::scheduleAll()
{
    // Cancels owed to devices that were unreachable go first: a new job for the device would supersede them.
    const QStringList owed = m_owedCancels.keys();
    for (const QString &deviceId : owed) {
        const QString jobId
            = QJsonDocument::fromJson(m_owedCancels.value(deviceId)).object().value(u"job"_s).toString();
        sendCancel(deviceId, jobId);
    }
    for (const QString &id : std::as_const(m_campaignOrder)) {
        const auto it = m_campaigns.find(id);
        if (it != m_campaigns.end() && it->campaign.state == OtaCampaignState::Running)
            startJobs(*it);
    }
}

void OtaManager::startJobs(CampaignEntry &entry)
{
    OtaCampaign &c = entry.campaign;
    if (c.state != OtaCampaignState::Running)
        return;
    // The next batch starts once every job of the current one is final.
    while (c.currentBatch + 1 < c.batchCount) {
        const bool batchDone = std::all_of(entry.jobIds.cbegin(), entry.jobIds.cend(), [&](const QString &id) {
            const OtaJob &job = m_jobs[id];
            return job.batch != c.currentBatch || isFinal(job.state);
        });
        if (!batchDone)
            break;
        ++c.currentBatch;
        qCInfo(lcOta).noquote() << "campaign" << c.id << "starts batch" << c.currentBatch + 1 << "of" << c.batchCount;
        campaignUpdated(entry);
    }
    int inFlight = int(std::count_if(entry.jobIds.cbegin(), entry.jobIds.cend(),
                                     [this](const QString &id) { return isInFlight(m_jobs[id].state); }));
    bool started = false;
    for (const QString &id : std::as_const(entry.jobIds)) {
        if (inFlight >= c.maxConcurrent)
            break;
        OtaJob &job = m_jobs[id];
        if (job.batch != c.currentBatch || job.state != OtaJobState::Pending)
            continue;
        if (notify(job, c)) {
            ++inFlight;
            started = true;
        }
    }
    if (started)
        armDeadline();
}

QByteArray OtaManager::updateNotification(const OtaJob &job, const OtaCampaign &c) const
{
    QString base = m_settings.baseUrl;
    while (base.endsWith(u'/'))
        base.chop(1);
    return jsonText(QJsonObject{
                        {u"action"_s, u"update"_s},
                        {u"job"_s, job.id},
                        {u"campaign"_s, c.id},
                        {u"firmware"_s, c.firmware},
                        {u"version"_s, c.version},
                        {u"size"_s, double(c.size)},
                        {u"sha256"_s, c.sha256},
                        {u"url"_s, u"%1/api/v1/firmware/%2/%3/image"_s.arg(base, c.firmware, c.version)},
                        {u"coap_path"_s, u"/firmware/%1/%2"_s.arg(c.firmware, c.version)},
                    })
        .toUtf8();
}

bool OtaManager::deliver(const QString &deviceId, const QByteArray &notification)
{
    return m_downlinks.push(deviceId, Downlink::Ota, notification).has_value();
}

bool OtaManager::notify(OtaJob &job, const OtaCampaign &campaign)
{
    const QByteArray notification = updateNotification(job, campaign);
    const QByteArray previous = m_latest.value(job.deviceId);
    // Set before the transport runs: CoAP serves it to the observers it notifies.
    m_latest.insert(job.deviceId, notification);
    if (!deliver(job.deviceId, notification)) {
        if (previous.isEmpty())
            m_latest.remove(job.deviceId);
        else
            m_latest.insert(job.deviceId, previous);
        return false;
    }
    m_owedCancels.remove(job.deviceId); // the new job supersedes an old cancel
    m_metrics.counter(u"edgegate_ota_notifications_total"_s, {}, {{u"action"_s, u"update"_s}}).inc();
    job.deadlineMs = now() + campaign.jobTimeoutMs;
    setJobState(job, OtaJobState::Notified);
    return true;
}

void OtaManager::sendCancel(const QString &deviceId, const QString &jobId)
{
    const QByteArray notification = jsonText({{u"action"_s, u"cancel"_s}, {u"job"_s, jobId}}).toUtf8();
    const QByteArray previous = m_latest.value(deviceId);
    m_latest.insert(deviceId, notification);
    if (deliver(deviceId, notification)) {
        m_metrics.counter(u"edgegate_ota_notifications_total"_s, {}, {{u"action"_s, u"cancel"_s}}).inc();
        m_owedCancels.remove(deviceId);
        return;
    }
    if (previous.isEmpty())
        m_latest.remove(deviceId);
    else
        m_latest.insert(deviceId, previous);
    m_owedCancels.insert(deviceId, notification);
}

void OtaManager::retry(const QString &deviceId)
{
    const OtaJob *job = currentJob(deviceId);
    if (m_owedCancels.contains(deviceId) || (job && job->state == OtaJobState::Pending))
        scheduleSoon();
}

void OtaManager::retryAll()
{
    scheduleSoon();
}

QByteArray OtaManager::takeNotification(const QString &deviceId)
{
    if (m_owedCancels.contains(deviceId)) {
        QByteArray notification = m_owedCancels.take(deviceId);
        m_latest.insert(deviceId, notification);
        m_metrics.counter(u"edgegate_ota_notifications_total"_s, {}, {{u"action"_s, u"cancel"_s}}).inc();
        return notification;
    }
    OtaJob *job = currentJob(deviceId);
    if (!job)
        return QByteArrayLiteral("{}");
    const auto entry = m_campaigns.find(job->campaignId);
    if (entry == m_campaigns.end())
        return QByteArrayLiteral("{}");
    // Asking again (a device that rebooted mid-download) gets the same job again.
    if (isInFlight(job->state))
        return updateNotification(*job, entry->campaign);
    const OtaCampaign &c = entry->campaign;
    const int inFlight = int(std::count_if(entry->jobIds.cbegin(), entry->jobIds.cend(),
                                           [this](const QString &id) { return isInFlight(m_jobs[id].state); }));
    if (c.state != OtaCampaignState::Running || job->batch != c.currentBatch || inFlight >= c.maxConcurrent)
        return QByteArrayLiteral("{}");
    QByteArray notification = updateNotification(*job, c);
    m_latest.insert(deviceId, notification);
    m_owedCancels.remove(deviceId);
    m_metrics.counter(u"edgegate_ota_notifications_total"_s, {}, {{u"action"_s, u"update"_s}}).inc();
    job->deadlineMs = now() + c.jobTimeoutMs;
    setJobState(*job, OtaJobState::Notified);
    armDeadline();
    return notification;
}

QByteArray OtaManager::latestNotification(const QString &deviceId) const
{
    return m_latest.value(deviceId, QByteArrayLiteral("{}"));
}

std::optional<QString> OtaManager::refuse(const QString &reason, const QString &deviceId, const QString &detail)
{
    m_metrics.counter(u"edgegate_ota_progress_refused_total"_s, {}, {{u"reason"_s, reason}}).inc();
    if (const auto suppressed = m_warnings.allow(reason)) {
        qCWarning(lcOta).noquote() << u"refused OTA progress from %1 (%2): %3%4"_s.arg(
            deviceId, reason, detail, *suppressed ? u" (%1 more since the last report)"_s.arg(*suppressed) : QString());
    }
    return reason;
}

std::optional<QString> OtaManager::progress(const QString &deviceId, const QByteArray &payload)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(payload, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return refuse(u"malformed_json"_s, deviceId, u"progress must be a JSON object"_s);
    const QJsonObject o = doc.object();
    const QString jobId = o.value(u"job"_s).toString();
    const auto state = otaJobStateFromName(o.value(u"state"_s).toString());
    if (jobId.isEmpty())
        return refuse(u"bad_field"_s, deviceId, u"job must be a non-empty string"_s);
    if (!state
        || !(*state == OtaJobState::Downloading || *state == OtaJobState::Downloaded
             || *state == OtaJobState::Installing || *state == OtaJobState::Failed
             || *state == OtaJobState::RolledBack)) {
        return refuse(u"bad_field"_s, deviceId,
                      u"state must be downloading, downloaded, installing, failed or rolled_back"_s);
    }
    const QJsonValue progressValue = o.value(u"progress"_s);
    int percent = -1;
    if (!progressValue.isUndefined()) {
        const double d = progressValue.toDouble(-1);
        if (!progressValue.isDouble() || d < 0 || d > 100)
            return refuse(u"bad_field"_s, deviceId, u"progress must be a number from 0 to 100"_s);
        percent = int(d);
    }
    const QJsonValue errorValue = o.value(u"error"_s);
    if (!errorValue.isUndefined() && !errorValue.isString() && !errorValue.isNull())
        return refuse(u"bad_field"_s, deviceId, u"error must be a string"_s);

    OtaJob *job = currentJob(deviceId);
    if (!job || job->id != jobId) {
        const QStringList ids = m_deviceJobs.value(deviceId);
        if (!job && ids.contains(jobId)) {
            return refuse(u"illegal_transition"_s, deviceId,
                          u"job %1 has ended (%2)"_s.arg(jobId, otaJobStateName(m_jobs.value(jobId).state)));
        }
        return refuse(u"wrong_job"_s, deviceId,
                      u"'%1' is not the device's current job%2"_s.arg(
                          loggable(jobId, 80), job ? u" (%1)"_s.arg(job->id) : u" (it has none)"_s));
    }
    if (!allowedByDevice(job->state, *state)) {
        return refuse(
            u"illegal_transition"_s, deviceId,
            u"job %1 cannot go from %2 to %3"_s.arg(job->id, otaJobStateName(job->state), otaJobStateName(*state)));
    }
    if (errorValue.isString())
        job->error = errorValue.toString().left(MaxErrorLength);
    if (*state == OtaJobState::Downloading && percent >= 0)
        job->progress = percent;
    else if (*state == OtaJobState::Downloaded || *state == OtaJobState::Installing)
        job->progress = 100;
    if (*state == job->state) {
        emit jobChanged(*job); // more progress; not a transition, so not written
        return std::nullopt;
    }
    setJobState(*job, *state);
    if (isFinal(job->state))
        armDeadline();
    return std::nullopt;
}

void OtaManager::firmwareAnnounced(const QString &deviceId, const QString &firmware)
{
    OtaJob *job = currentJob(deviceId);
    if (!job || job->state != OtaJobState::Installing)
        return;
    const auto it = m_campaigns.constFind(job->campaignId);
    if (it == m_campaigns.cend())
        return;
    job->reportedFirmware = firmware;
    if (firmware == it->campaign.version) {
        setJobState(*job, OtaJobState::Succeeded);
    } else {
        job->error = u"the device came back with firmware %1"_s.arg(loggable(firmware, 64));
        setJobState(*job, OtaJobState::RolledBack);
    }
    armDeadline();
}

void OtaManager::deviceRemoved(const QString &deviceId)
{
    OtaJob *job = currentJob(deviceId);
    if (!job)
        return;
    job->error = u"the device was removed"_s;
    setJobState(*job, OtaJobState::Cancelled);
    m_owedCancels.remove(deviceId);
    m_latest.remove(deviceId);
    armDeadline();
}

void OtaManager::armDeadline()
{
    qint64 earliest = std::numeric_limits<qint64>::max();
    for (const OtaJob &job : std::as_const(m_jobs)) {
        if (job.deadlineMs > 0 && !isFinal(job.state))
            earliest = std::min(earliest, job.deadlineMs);
    }
    if (earliest == std::numeric_limits<qint64>::max()) {
        m_deadlineTimer.stop();
        return;
    }
    m_deadlineTimer.start(std::chrono::milliseconds(std::max<qint64>(0, earliest - now() + 1)));
}

void OtaManager::expireDue()
{
    const qint64 t = now();
    QStringList due;
    for (const OtaJob &job : std::as_const(m_jobs)) {
        if (job.deadlineMs > 0 && job.deadlineMs <= t && !isFinal(job.state))
            due.append(job.id);
    }
    for (const QString &id : std::as_const(due)) {
        OtaJob &job = m_jobs[id];
        job.error = u"no final state by the deadline (last state %1)"_s.arg(otaJobStateName(job.state));
        setJobState(job, OtaJobState::TimedOut);
    }
    armDeadline();
}

} // namespace edgegate
