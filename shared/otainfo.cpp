// SPDX-License-Identifier: Apache-2.0
#include "shared/otainfo.h"

#include "shared/deviceinfo.h"

#include <QJsonArray>

#include <cmath>

namespace edgegate {

using namespace Qt::StringLiterals;

QString otaJobStateName(OtaJobState state)
{
    return OtaJobStateNames.nameOf(state);
}

std::optional<OtaJobState> otaJobStateFromName(QStringView name)
{
    return OtaJobStateNames.valueOf(name);
}

QString otaCampaignStateName(OtaCampaignState state)
{
    return OtaCampaignStateNames.nameOf(state);
}

std::optional<OtaCampaignState> otaCampaignStateFromName(QStringView name)
{
    return OtaCampaignStateNames.valueOf(name);
}

bool isFinal(OtaJobState state)
{
    switch (state) {
    case OtaJobState::Succeeded:
    case OtaJobState::Failed:
    case OtaJobState::RolledBack:
    case OtaJobState::TimedOut:
    case OtaJobState::Cancelled:
        return true;
    default:
        return false;
    }
}

bool isInFlight(OtaJobState state)
{
    return state != OtaJobState::Pending && !isFinal(state);
}

QJsonObject otaJobToJson(const OtaJob &job)
{
    QJsonArray history;
    for (const OtaTransition &t : job.history)
        history.append(QJsonObject{{u"state"_s, otaJobStateName(t.state)}, {u"time"_s, timeToJson(t.timeMs)}});
    return QJsonObject{
        {u"id"_s, job.id},
        {u"campaign"_s, job.campaignId},
        {u"device"_s, job.deviceId},
        {u"batch"_s, job.batch},
        {u"state"_s, otaJobStateName(job.state)},
        {u"progress"_s, job.progress},
        {u"error"_s, textOrNull(job.error)},
        {u"reported_firmware"_s, textOrNull(job.reportedFirmware)},
        {u"deadline"_s, timeToJson(job.deadlineMs)},
        {u"updated"_s, timeToJson(job.history.isEmpty() ? 0 : job.history.constLast().timeMs)},
        {u"history"_s, history},
    };
}

std::optional<OtaJob> otaJobFromJson(const QJsonObject &json)
{
    OtaJob job;
    job.id = json.value(u"id"_s).toString();
    job.campaignId = json.value(u"campaign"_s).toString();
    job.deviceId = json.value(u"device"_s).toString();
    const auto state = otaJobStateFromName(json.value(u"state"_s).toString());
    if (job.id.isEmpty() || job.campaignId.isEmpty() || job.deviceId.isEmpty() || !state)
        return std::nullopt;
    job.state = *state;
    job.batch = json.value(u"batch"_s).toInt();
    job.progress = json.value(u"progress"_s).toInt();
    job.error = json.value(u"error"_s).toString();
    job.reportedFirmware = json.value(u"reported_firmware"_s).toString();
    job.deadlineMs = timeFromJson(json.value(u"deadline"_s));
    const QJsonArray history = json.value(u"history"_s).toArray();
    for (const auto &v : history) {
        const QJsonObject o = v.toObject();
        const auto s = otaJobStateFromName(o.value(u"state"_s).toString());
        if (!s)
            return std::nullopt;
        job.history.append({*s, timeFromJson(o.value(u"time"_s))});
    }
    return job;
}

QJsonObject otaCampaignToJson(const OtaCampaign &c)
{
    QJsonObject tags;
    for (auto it = c.target.tags.cbegin(); it != c.target.tags.cend(); ++it)
        tags.insert(it.key(), it.value());
    QJsonObject target;
    if (!c.target.type.isEmpty())
        target.insert(u"type"_s, c.target.type);
    if (!c.target.tags.isEmpty())
        target.insert(u"tags"_s, tags);
    if (!c.target.devices.isEmpty())
        target.insert(u"devices"_s, QJsonArray::fromStringList(c.target.devices));
    QJsonObject counts;
    for (auto it = c.jobCounts.cbegin(); it != c.jobCounts.cend(); ++it)
        counts.insert(it.key(), it.value());
    return QJsonObject{
        {u"id"_s, c.id},
        {u"name"_s, c.name},
        {u"firmware"_s, c.firmware},
        {u"version"_s, c.version},
        {u"size"_s, double(c.size)},
        {u"sha256"_s, c.sha256},
        {u"target"_s, target},
        {u"batch_size"_s, c.batchSize},
        {u"batch_percent"_s, c.batchPercent == 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(c.batchPercent)},
        {u"batches"_s, c.batchCount},
        {u"current_batch"_s, c.currentBatch},
        {u"max_concurrent"_s, c.maxConcurrent},
        {u"failure_threshold"_s, c.failureThreshold},
        {u"job_timeout"_s, double(c.jobTimeoutMs) / 1000.0},
        {u"state"_s, otaCampaignStateName(c.state)},
        {u"paused_reason"_s, textOrNull(c.pausedReason)},
        {u"created"_s, timeToJson(c.createdMs)},
        {u"updated"_s, timeToJson(c.updatedMs)},
        {u"finished"_s, timeToJson(c.finishedMs)},
        {u"counts"_s, counts},
    };
}

std::optional<OtaCampaign> otaCampaignFromJson(const QJsonObject &json)
{
    OtaCampaign c;
    c.id = json.value(u"id"_s).toString();
    const auto state = otaCampaignStateFromName(json.value(u"state"_s).toString());
    if (c.id.isEmpty() || !state)
        return std::nullopt;
    c.state = *state;
    c.name = json.value(u"name"_s).toString();
    c.firmware = json.value(u"firmware"_s).toString();
    c.version = json.value(u"version"_s).toString();
    c.size = qint64(json.value(u"size"_s).toDouble());
    c.sha256 = json.value(u"sha256"_s).toString();
    const QJsonObject target = json.value(u"target"_s).toObject();
    c.target.type = target.value(u"type"_s).toString();
    const QJsonObject tags = target.value(u"tags"_s).toObject();
    for (auto it = tags.begin(); it != tags.end(); ++it)
        c.target.tags.insert(it.key(), it.value().toString());
    const QJsonArray devices = target.value(u"devices"_s).toArray();
    for (const auto &v : devices)
        c.target.devices.append(v.toString());
    c.batchSize = json.value(u"batch_size"_s).toInt();
    c.batchPercent = json.value(u"batch_percent"_s).toInt();
    c.batchCount = json.value(u"batches"_s).toInt(1);
    c.currentBatch = json.value(u"current_batch"_s).toInt();
    c.maxConcurrent = json.value(u"max_concurrent"_s).toInt();
    c.failureThreshold = json.value(u"failure_threshold"_s).toInt();
    c.jobTimeoutMs = std::llround(json.value(u"job_timeout"_s).toDouble() * 1000.0);
    c.pausedReason = json.value(u"paused_reason"_s).toString();
    c.createdMs = timeFromJson(json.value(u"created"_s));
    c.updatedMs = timeFromJson(json.value(u"updated"_s));
    c.finishedMs = timeFromJson(json.value(u"finished"_s));
    const QJsonObject counts = json.value(u"counts"_s).toObject();
    for (auto it = counts.begin(); it != counts.end(); ++it)
        c.jobCounts.insert(it.key(), it.value().toInt());
    return c;
}

} // namespace edgegate
