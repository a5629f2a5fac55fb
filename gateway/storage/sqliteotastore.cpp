// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/sqliteotastore.h"

#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

constexpr int SchemaVersion = 1;

QString toText(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QJsonObject fromText(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

} // namespace

SqliteOtaStore::SqliteOtaStore()
    : m_connection(u"edgegate-ota-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
}

SqliteOtaStore::~SqliteOtaStore()
{
    if (QSqlDatabase::contains(m_connection)) {
        QSqlDatabase::database(m_connection, false).close();
        QSqlDatabase::removeDatabase(m_connection);
    }
}

bool SqliteOtaStore::exec(const QString &sql)
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    if (!query.exec(sql)) {
        m_lastError = query.lastError().text();
        return false;
    }
    return true;
}

bool SqliteOtaStore::open(const QString &path)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_connection);
    db.setDatabaseName(path);
    if (!db.open()) {
        m_lastError = db.lastError().text();
        return false;
    }
    if (!exec(u"PRAGMA journal_mode=WAL"_s) || !exec(u"PRAGMA synchronous=NORMAL"_s)
        || !exec(u"PRAGMA busy_timeout=5000"_s))
        return false;
    QSqlQuery version(db);
    if (!version.exec(u"PRAGMA user_version"_s) || !version.next()) {
        m_lastError = version.lastError().text();
        return false;
    }
    const int current = version.value(0).toInt();
    if (current > SchemaVersion) {
        m_lastError = u"database schema version %1 is newer than this edgegated supports (%2)"_s.arg(current).arg(
            SchemaVersion);
        return false;
    }
    if (current < 1) {
        const bool ok = exec(uR"(CREATE TABLE IF NOT EXISTS campaigns (
                id TEXT PRIMARY KEY NOT NULL,
                record TEXT NOT NULL))"_s)
            && exec(uR"(CREATE TABLE IF NOT EXISTS jobs (
                id TEXT PRIMARY KEY NOT NULL,
                campaign TEXT NOT NULL,
                device TEXT NOT NULL,
                record TEXT NOT NULL))"_s)
            && exec(u"CREATE INDEX IF NOT EXISTS jobs_by_campaign ON jobs (campaign)"_s)
            && exec(u"PRAGMA user_version=1"_s);
        if (!ok)
            return false;
    }
    return true;
}

std::optional<OtaStore::Contents> SqliteOtaStore::load()
{
    Contents contents;
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    if (!query.exec(u"SELECT id, record FROM campaigns"_s)) {
        m_lastError = query.lastError().text();
        return std::nullopt;
    }
    while (query.next()) {
        const auto campaign = otaCampaignFromJson(fromText(query.value(1).toString()));
        if (!campaign) {
            m_lastError = u"campaign '%1' is unreadable"_s.arg(query.value(0).toString());
            return std::nullopt;
        }
        contents.campaigns.append(*campaign);
    }
    if (!query.exec(u"SELECT id, record FROM jobs"_s)) {
        m_lastError = query.lastError().text();
        return std::nullopt;
    }
    while (query.next()) {
        const auto job = otaJobFromJson(fromText(query.value(1).toString()));
        if (!job) {
            m_lastError = u"job '%1' is unreadable"_s.arg(query.value(0).toString());
            return std::nullopt;
        }
        contents.jobs.append(*job);
    }
    return contents;
}

bool SqliteOtaStore::save(const QList<OtaCampaign> &campaigns, const QList<OtaJob> &jobs)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    if (!db.transaction()) {
        m_lastError = db.lastError().text();
        return false;
    }
    QSqlQuery campaign(db);
    campaign.prepare(u"INSERT OR REPLACE INTO campaigns (id, record) VALUES (?, ?)"_s);
    for (OtaCampaign c : campaigns) {
        c.jobCounts.clear(); // derived from the jobs
        campaign.addBindValue(c.id);
        campaign.addBindValue(toText(otaCampaignToJson(c)));
        if (!campaign.exec()) {
            m_lastError = campaign.lastError().text();
            db.rollback();
            return false;
        }
    }
    QSqlQuery job(db);
    job.prepare(u"INSERT OR REPLACE INTO jobs (id, campaign, device, record) VALUES (?, ?, ?, ?)"_s);
    for (const OtaJob &j : jobs) {
        job.addBindValue(j.id);
        job.addBindValue(j.campaignId);
        job.addBindValue(j.deviceId);
        job.addBindValue(toText(otaJobToJson(j)));
        if (!job.exec()) {
            m_lastError = job.lastError().text();
            db.rollback();
            return false;
        }
    }
    if (!db.commit()) {
        m_lastError = db.lastError().text();
        db.rollback();
        return false;
    }
    return true;
}

} // namespace edgegate
