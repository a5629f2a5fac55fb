// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/sqliteotastore.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariant>

namespace edgegate {

using namespace Qt::StringLiterals;

SqliteOtaStore::SqliteOtaStore()
    : SqliteStore(u"ota"_s,
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
                  })
{
}

namespace {

// Every record kept in `table` as JSON; nullopt with the error recorded when one is unreadable.
template<typename T>
std::optional<QList<T>> loadRecords(SqliteDatabase &db, const QString &table, const QString &what,
                                    std::optional<T> (*fromJson)(const QJsonObject &))
{
    QSqlQuery query(db.database());
    if (!db.exec(query, u"SELECT id, record FROM %1"_s.arg(table)))
        return std::nullopt;
    QList<T> records;
    while (query.next()) {
        auto record = fromJson(jsonColumnObject(query.value(1).toString()));
        if (!record) {
            db.fail(u"%1 '%2' is unreadable"_s.arg(what, query.value(0).toString()));
            return std::nullopt;
        }
        records.append(std::move(*record));
    }
    return records;
}

} // namespace

std::optional<OtaStore::Contents> SqliteOtaStore::load()
{
    auto campaigns = loadRecords(m_db, u"campaigns"_s, u"campaign"_s, &otaCampaignFromJson);
    if (!campaigns)
        return std::nullopt;
    auto jobs = loadRecords(m_db, u"jobs"_s, u"job"_s, &otaJobFromJson);
    if (!jobs)
        return std::nullopt;
    return Contents{std::move(*campaigns), std::move(*jobs)};
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
