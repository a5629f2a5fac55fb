// SPDX-License-Identifier: Apache-2.0
#include "ui/campaignmodel.h"

#include <algorithm>

using namespace edgegate;

namespace {

/// Campaign ids are c1, c2, ...: the number orders them when created in the same millisecond.
qint64 idNumber(const QString &id)
{
    return QStringView(id).mid(1).toLongLong();
}

bool newer(const OtaCampaign &a, const OtaCampaign &b)
{
    return a.createdMs != b.createdMs ? a.createdMs > b.createdMs : idNumber(a.id) > idNumber(b.id);
}

int countOf(const OtaCampaign &campaign, std::initializer_list<OtaJobState> states)
{
    int sum = 0;
    for (const OtaJobState state : states)
        sum += campaign.jobCounts.value(otaJobStateName(state));
    return sum;
}

int total(const OtaCampaign &campaign)
{
    int sum = 0;
    for (const int n : campaign.jobCounts)
        sum += n;
    return sum;
}

/// The share of jobs that ended, 0 .. 1.
QVariant progress(const OtaCampaign &campaign)
{
    const int all = total(campaign);
    const int ended = countOf(campaign,
                              {OtaJobState::Succeeded, OtaJobState::Failed, OtaJobState::RolledBack,
                               OtaJobState::TimedOut, OtaJobState::Cancelled});
    return all > 0 ? double(ended) / all : 0.0;
}

const ListRole<OtaCampaign> CampaignRoles[] = {
    {CampaignModel::CampaignIdRole, "campaignId", roleField<&OtaCampaign::id>},
    {CampaignModel::NameRole, "name", roleField<&OtaCampaign::name>},
    {CampaignModel::FirmwareRole, "firmware", roleField<&OtaCampaign::firmware>},
    {CampaignModel::VersionRole, "version", roleField<&OtaCampaign::version>},
    {CampaignModel::StateRole, "state", [](const OtaCampaign &c) -> QVariant { return otaCampaignStateName(c.state); }},
    {CampaignModel::PausedReasonRole, "pausedReason", roleField<&OtaCampaign::pausedReason>},
    {CampaignModel::TotalRole, "total", [](const OtaCampaign &c) -> QVariant { return total(c); }},
    {CampaignModel::SucceededRole, "succeeded",
     [](const OtaCampaign &c) -> QVariant { return countOf(c, {OtaJobState::Succeeded}); }},
    {CampaignModel::FailedRole, "failed",
     [](const OtaCampaign &c) -> QVariant {
         return countOf(c, {OtaJobState::Failed, OtaJobState::RolledBack, OtaJobState::TimedOut});
     }},
    {CampaignModel::ActiveRole, "active",
     [](const OtaCampaign &c) -> QVariant {
         return countOf(
             c, {OtaJobState::Notified, OtaJobState::Downloading, OtaJobState::Downloaded, OtaJobState::Installing});
     }},
    {CampaignModel::PendingRole, "pending",
     [](const OtaCampaign &c) -> QVariant { return countOf(c, {OtaJobState::Pending}); }},
    {CampaignModel::ProgressRole, "progress", progress},
    {CampaignModel::CreatedAtRole, "createdAt", roleTime<&OtaCampaign::createdMs>},
};

} // namespace

CampaignModel::CampaignModel(QObject *parent)
    : KeyedListModel([](const OtaCampaign &c) { return c.id; }, newer, CampaignRoles, NameRole, parent)
{
}
