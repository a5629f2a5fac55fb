// SPDX-License-Identifier: Apache-2.0
#include "ui/otajobmodel.h"

#include "ui/apiclient.h"

#include <QDateTime>
#include <QJsonArray>

using namespace edgegate;
using namespace Qt::StringLiterals;

OtaJobModel::OtaJobModel(QObject *parent)
    : KeyedListModel([](const OtaJob &j) { return j.id; }, nullptr, parent)
{
}

QVariant OtaJobModel::rowData(const OtaJob &job, int role) const
{
    switch (role) {
    case JobIdRole:
        return job.id;
    case Qt::DisplayRole:
    case DeviceIdRole:
        return job.deviceId;
    case StateRole:
        return otaJobStateName(job.state);
    case ProgressRole:
        return job.progress;
    case ErrorRole:
        return job.error;
    case UpdatedAtRole: {
        const qint64 ms = job.history.isEmpty() ? 0 : job.history.constLast().timeMs;
        return ms > 0 ? QVariant(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC)) : QVariant();
    }
    default:
        return {};
    }
}

QHash<int, QByteArray> OtaJobModel::roleNames() const
{
    return {
        {JobIdRole, "jobId"},       {DeviceIdRole, "deviceId"}, {StateRole, "state"},
        {ProgressRole, "progress"}, {ErrorRole, "error"},       {UpdatedAtRole, "updatedAt"},
    };
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
