// SPDX-License-Identifier: Apache-2.0
#include "ui/campaignmodel.h"

#include <QDateTime>

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

} // namespace

CampaignModel::CampaignModel(QObject *parent)
    : KeyedListModel([](const OtaCampaign &c) { return c.id; }, newer, parent)
{
}

QVariant CampaignModel::rowData(const OtaCampaign &campaign, int role) const
{
    int total = 0;
    for (const int n : campaign.jobCounts)
        total += n;
    switch (role) {
    case CampaignIdRole:
        return campaign.id;
    case Qt::DisplayRole:
    case NameRole:
        return campaign.name;
    case FirmwareRole:
        return campaign.firmware;
    case VersionRole:
        return campaign.version;
    case StateRole:
        return otaCampaignStateName(campaign.state);
    case PausedReasonRole:
        return campaign.pausedReason;
    case TotalRole:
        return total;
    case SucceededRole:
        return countOf(campaign, {OtaJobState::Succeeded});
    case FailedRole:
        return countOf(campaign, {OtaJobState::Failed, OtaJobState::RolledBack, OtaJobState::TimedOut});
    case ActiveRole:
        return countOf(
            campaign,
            {OtaJobState::Notified, OtaJobState::Downloading, OtaJobState::Downloaded, OtaJobState::Installing});
    case PendingRole:
        return countOf(campaign, {OtaJobState::Pending});
    case ProgressRole: {
        const int ended = countOf(campaign,
                                  {OtaJobState::Succeeded, OtaJobState::Failed, OtaJobState::RolledBack,
                                   OtaJobState::TimedOut, OtaJobState::Cancelled});
        return total > 0 ? double(ended) / total : 0.0;
    }
    case CreatedAtRole:
        return campaign.createdMs > 0 ? QVariant(QDateTime::fromMSecsSinceEpoch(campaign.createdMs, Qt::UTC))
                                      : QVariant();
    default:
        return {};
    }
}

QHash<int, QByteArray> CampaignModel::roleNames() const
{
    return {
        {CampaignIdRole, "campaignId"}, {NameRole, "name"},           {FirmwareRole, "firmware"},
        {VersionRole, "version"},       {StateRole, "state"},         {PausedReasonRole, "pausedReason"},
        {TotalRole, "total"},           {SucceededRole, "succeeded"}, {FailedRole, "failed"},
        {ActiveRole, "active"},         {PendingRole, "pending"},     {ProgressRole, "progress"},
        {CreatedAtRole, "createdAt"},
    };
}
