// SPDX-License-Identifier: Apache-2.0
#include "ui/otajobmodel.h"

#include "ui/apiclient.h"

#include <QJsonArray>

using namespace edgegate;
using namespace Qt::StringLiterals;

namespace {

QVariant updatedAt(const OtaJob &job)
{
    return timeOrNull(job.history.isEmpty() ? 0 : job.history.constLast().timeMs);
}

const ListRole<OtaJob> OtaJobRoles[] = {
    {OtaJobModel::JobIdRole, "jobId", roleField<&OtaJob::id>},
    {OtaJobModel::DeviceIdRole, "deviceId", roleField<&OtaJob::deviceId>},
    {OtaJobModel::StateRole, "state", [](const OtaJob &j) -> QVariant { return otaJobStateName(j.state); }},
    {OtaJobModel::ProgressRole, "progress", roleField<&OtaJob::progress>},
    {OtaJobModel::ErrorRole, "error", roleField<&OtaJob::error>},
    {OtaJobModel::UpdatedAtRole, "updatedAt", updatedAt},
};

} // namespace

OtaJobModel::OtaJobModel(QObject *parent)
    : KeyedListModel([](const OtaJob &j) { return j.id; }, nullptr, OtaJobRoles, DeviceIdRole, parent)
{
}

void OtaJobModel::setClient(ApiClient *client)
{
    if (client == m_client)
        return;
    if (m_client)
        m_client->disconnect(this);
    m_client = client;
    if (m_client) {
        connect(m_client, &ApiClient::sessionStarted, this, &OtaJobModel::reload);
        connect(m_client, &ApiClient::otaJobChanged, this, [this](const OtaJob &job) {
            if (job.campaignId == m_campaign)
                upsertRow(job);
        });
    }
    emit clientChanged();
    reload();
}

void OtaJobModel::setCampaign(const QString &campaign)
{
    if (campaign == m_campaign)
        return;
    m_campaign = campaign;
    emit campaignChanged();
    resetRows({});
    reload();
}

void OtaJobModel::reload()
{
    if (!m_client || m_campaign.isEmpty() || m_client->state() != ApiClient::Connected)
        return;
    const QString campaign = m_campaign;
    m_loading = m_client->request(wsapi::action::OtaJobs, QJsonObject{{u"campaign"_s, campaign}}, this,
                                  [this, campaign](const wsapi::Reply &reply) {
                                      if (reply.id != m_loading || campaign != m_campaign || !reply.ok)
                                          return;
                                      QList<OtaJob> jobs;
                                      for (const QJsonValue value : reply.result.toArray()) {
                                          if (auto job = otaJobFromJson(value.toObject()))
                                              jobs.append(std::move(*job));
                                      }
                                      resetRows(jobs);
                                  });
}
