// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/ota/campaignrequest.h"

#include "gateway/core/common/duration.h"
#include "gateway/core/common/ratelimitedlog.h"
#include "shared/deviceid.h"

#include <QJsonArray>

#include <cmath>

namespace edgegate {

using namespace Qt::StringLiterals;

std::variant<CampaignRequest, QString> parseCampaignRequest(const QJsonObject &request, int maxConcurrent,
                                                            std::chrono::milliseconds jobTimeout)
{
    const auto refuse = [](const QString &message) { return std::variant<CampaignRequest, QString>(message); };
    CampaignRequest out;
    OtaCampaign &c = out.campaign;
    c.maxConcurrent = maxConcurrent;
    c.jobTimeoutMs = jobTimeout.count();
    for (auto it = request.begin(); it != request.end(); ++it) {
        const QString key = it.key();
        const QJsonValue v = it.value();
        const auto positive = [&v](int min, int max) -> std::optional<int> {
            const double d = v.toDouble(-1);
            if (!v.isDouble() || d != std::floor(d) || d < min || d > max)
                return std::nullopt;
            return int(d);
        };
        if (key == u"name") {
            c.name = v.toString();
            if (!v.isString() || c.name.size() > CampaignRequest::MaxNameLength)
                return refuse(u"name must be a string of at most %1 characters"_s.arg(CampaignRequest::MaxNameLength));
        } else if (key == u"firmware" || key == u"version") {
            if (!v.isString() || v.toString().isEmpty())
                return refuse(u"%1 must be a non-empty string"_s.arg(key));
            (key == u"firmware" ? c.firmware : c.version) = v.toString();
        } else if (key == u"target") {
            if (!v.isObject())
                return refuse(u"target must be an object (type, tags, devices)"_s);
            const QJsonObject t = v.toObject();
            for (auto ti = t.begin(); ti != t.end(); ++ti) {
                if (ti.key() == u"type") {
                    if (!ti.value().isString() || ti.value().toString().isEmpty())
                        return refuse(u"target.type must be a non-empty string"_s);
                    c.target.type = ti.value().toString();
                } else if (ti.key() == u"tags") {
                    if (!ti.value().isObject())
                        return refuse(u"target.tags must be an object of strings"_s);
                    const QJsonObject tags = ti.value().toObject();
                    for (auto tag = tags.begin(); tag != tags.end(); ++tag) {
                        if (!tag.value().isString())
                            return refuse(u"target.tags.%1 must be a string"_s.arg(tag.key()));
                        c.target.tags.insert(tag.key(), tag.value().toString());
                    }
                } else if (ti.key() == u"devices") {
                    const QJsonArray devices = ti.value().toArray();
                    if (!ti.value().isArray() || devices.size() > CampaignRequest::MaxTargetDevices)
                        return refuse(u"target.devices must be a list of at most %1 device ids"_s.arg(
                            CampaignRequest::MaxTargetDevices));
                    for (const auto &d : devices) {
                        if (!isValidDeviceId(d.toString()))
                            return refuse(u"target.devices: '%1' is not a valid device id"_s.arg(
                                loggable(d.toVariant().toString(), 80)));
                        c.target.devices.append(d.toString());
                    }
                } else {
                    return refuse(u"unknown field 'target.%1' (type, tags, devices)"_s.arg(ti.key()));
                }
            }
        } else if (key == u"batch_size") {
            const auto n = positive(1, CampaignRequest::MaxTargetDevices);
            if (!n)
                return refuse(u"batch_size must be an integer from 1 to %1"_s.arg(CampaignRequest::MaxTargetDevices));
            c.batchSize = *n;
        } else if (key == u"batch_percent") {
            const auto n = positive(1, 100);
            if (!n)
                return refuse(u"batch_percent must be an integer from 1 to 100"_s);
            c.batchPercent = *n;
        } else if (key == u"max_concurrent") {
            const auto n = positive(1, CampaignRequest::MaxTargetDevices);
            if (!n)
                return refuse(
                    u"max_concurrent must be an integer from 1 to %1"_s.arg(CampaignRequest::MaxTargetDevices));
            c.maxConcurrent = *n;
        } else if (key == u"failure_threshold") {
            const auto n = positive(0, CampaignRequest::MaxTargetDevices);
            if (!n)
                return refuse(u"failure_threshold must be an integer from 0 (never) to %1"_s.arg(
                    CampaignRequest::MaxTargetDevices));
            c.failureThreshold = *n;
        } else if (key == u"job_timeout") {
            const auto timeout = v.isDouble() ? std::optional(std::chrono::milliseconds(qint64(v.toDouble() * 1000)))
                                              : parseDuration(v.toString());
            if (!timeout || *timeout < std::chrono::seconds(1) || *timeout > CampaignRequest::MaxJobTimeout)
                return refuse(u"job_timeout must be a duration (e.g. 30m) from 1s to 7d"_s);
            c.jobTimeoutMs = timeout->count();
        } else if (key == u"start") {
            if (!v.isBool())
                return refuse(u"start must be true or false"_s);
            out.start = v.toBool();
        } else {
            return refuse(u"unknown field '%1'"_s.arg(key));
        }
    }
    if (c.firmware.isEmpty() || c.version.isEmpty())
        return refuse(u"firmware and version are required"_s);
    if (c.target.type.isEmpty() && c.target.tags.isEmpty() && c.target.devices.isEmpty())
        return refuse(u"target needs at least one of type, tags, devices"_s);
    if (c.batchSize > 0 && c.batchPercent > 0)
        return refuse(u"give batch_size or batch_percent, not both"_s);
    return out;
}

} // namespace edgegate
