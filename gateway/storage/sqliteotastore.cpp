// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/sqliteotastore.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariant>

namespace edgegate {

using namespace Qt::StringLiterals;

SqliteOtaStore::SqliteOtaStore()
    : m_db(u"ota"_s)
{
}

bool SqliteOtaStore::open(const QString &path)
{
    return m_db.open(path,
                     {
                         {uR"(CREATE TABLE IF NOT EXISTS campaigns (
                                      id TEXT PRIMARY KEY NOT NULL,
                                      record TEXT NOT NULL))"_s,
                          uR"(CREATE TABLE IF NOT EXISTS jobs (
                                      id TEXT PRIMARY KEY NOT NULL,
                                      campaign TEXT NOT NULL,
                                      device TEXT NOT NULL,
                                      record TEXT NOT NULL))"_s,
                          u"CREATE INDEX IF NOT EXISTS jobs_by_campaign ON jobs (campaign)"_s},
                     });
}

std::optional<OtaStore::Contents> SqliteOtaStore::load()
{
    Contents contents;
    QSqlQuery query(m_db.database());
    if (!m_db.exec(query, u"SELECT id, record FROM campaigns"_s))
        return std::nullopt;
    while (query.next()) {
        const auto campaign = otaCampaignFromJson(jsonColumnObject(query.value(1).toString()));
        if (!campaign) {
            m_db.fail(u"campaign '%1' is unreadable"_s.arg(query.value(0).toString()));
            return std::nullopt;
        }
        contents.campaigns.append(*campaign);
    }
    if (!m_db.exec(query, u"SELECT id, record FROM jobs"_s))
        return std::nullopt;
    while (query.next()) {
        const auto job = otaJobFromJson(jsonColumnObject(query.value(1).toString()));
        if (!job) {
            m_db.fail(u"job '%1' is unreadable"_s.arg(query.value(0).toString()));
            return std::nullopt;
        }
        contents.jobs.append(*job);
    }
    return contents;
}

bool SqliteOtaStore::save(const QList<OtaCampaign> &campaigns, const QList<OtaJob> &jobs)
{
    return m_db.transaction([&] {
        const QSqlDatabase db = m_db.database();
        QSqlQuery campaign(db);
        campaign.prepare(u"INSERT OR REPLACE INTO campaigns (id, record) VALUES (?, ?)"_s);
        for (OtaCampaign c : campaigns) {
            c.jobCounts.clear(); // derived from the jobs
            campaign.addBindValue(c.id);
            campaign.addBindValue(jsonColumnText(otaCampaignToJson(c)));
            if (!m_db.exec(campaign))
                return false;
        }
        QSqlQuery job(db);
        job.prepare(u"INSERT OR REPLACE INTO jobs (id, campaign, device, record) VALUES (?, ?, ?, ?)"_s);
        for (const OtaJob &j : jobs) {
            job.addBindValue(j.id);
            job.addBindValue(j.campaignId);
            job.addBindValue(j.deviceId);
            job.addBindValue(jsonColumnText(otaJobToJson(j)));
            if (!m_db.exec(job))
                return false;
        }
        return true;
    });
}

} // namespace edgegate
