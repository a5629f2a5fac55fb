// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/sqlitehealthstore.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

QVariant statusOrNull(const std::optional<DeviceStatus> &status)
{
    return status ? QVariant(deviceStatusName(*status)) : QVariant(QMetaType::fromType<QString>());
}

} // namespace

SqliteHealthStore::SqliteHealthStore()
    : SqliteStore(u"health"_s,
                  {
                      // Alerts are kept as their JSON: the shape is shared/alert's, and only
                      // looked up by id.
                      {uR"(CREATE TABLE IF NOT EXISTS transitions (
                                      seq INTEGER PRIMARY KEY AUTOINCREMENT,
                                      device TEXT NOT NULL,
                                      time INTEGER NOT NULL,
                                      from_status TEXT,
                                      to_status TEXT NOT NULL,
                                      reason TEXT NOT NULL DEFAULT ''))"_s,
                       u"CREATE INDEX IF NOT EXISTS transitions_device_time ON transitions (device, time)"_s,
                       u"CREATE INDEX IF NOT EXISTS transitions_time ON transitions (time)"_s,
                       uR"(CREATE TABLE IF NOT EXISTS alerts (
                                      id INTEGER PRIMARY KEY NOT NULL,
                                      json TEXT NOT NULL))"_s},
                  })
{
}

bool SqliteHealthStore::appendTransitions(const QList<StatusTransition> &transitions)
{
    return m_db.transaction([&] {
        QSqlQuery insert(m_db.database());
        insert.prepare(u"INSERT INTO transitions (device, time, from_status, to_status, reason) "
                       "VALUES (?,?,?,?,COALESCE(?,''))"_s);
        for (const StatusTransition &t : transitions) {
            insert.bindValue(0, t.deviceId);
            insert.bindValue(1, t.timeMs);
            insert.bindValue(2, statusOrNull(t.from));
            insert.bindValue(3, deviceStatusName(t.to));
            insert.bindValue(4, t.reason);
            if (!m_db.exec(insert))
                return false;
        }
        return true;
    });
}

std::optional<QList<StatusTransition>> SqliteHealthStore::transitions(const QString &deviceId, qint64 sinceMs,
                                                                      qint64 untilMs, int limit, qsizetype *total)
{
    QSqlDatabase db = m_db.database();
    if (total) {
        QSqlQuery count(db);
        count.prepare(u"SELECT COUNT(*) FROM transitions WHERE device = ? AND time >= ? AND time <= ?"_s);
        count.addBindValue(deviceId);
        count.addBindValue(sinceMs);
        count.addBindValue(untilMs);
        if (!count.exec() || !count.next()) {
            m_db.fail(count.lastError().text());
            return std::nullopt;
        }
        *total = count.value(0).toLongLong();
    }
    QSqlQuery query(db);
    query.setForwardOnly(true);
    query.prepare(u"SELECT time, from_status, to_status, reason FROM transitions "
                  "WHERE device = ? AND time >= ? AND time <= ? ORDER BY time DESC, seq DESC LIMIT ?"_s);
    query.addBindValue(deviceId);
    query.addBindValue(sinceMs);
    query.addBindValue(untilMs);
    query.addBindValue(limit);
    if (!m_db.exec(query))
        return std::nullopt;
    QList<StatusTransition> out;
    while (query.next()) {
        StatusTransition t;
        t.deviceId = deviceId;
        t.timeMs = query.value(0).toLongLong();
        if (!query.value(1).isNull())
            t.from = deviceStatusFromName(query.value(1).toString());
        t.to = deviceStatusFromName(query.value(2).toString()).value_or(DeviceStatus::Offline);
        t.reason = query.value(3).toString();
        out.append(std::move(t));
    }
    return out;
}

std::optional<qint64> SqliteHealthStore::pruneTransitions(qint64 beforeMs)
{
    QSqlQuery query(m_db.database());
    query.prepare(u"DELETE FROM transitions WHERE time < ?"_s);
    query.addBindValue(beforeMs);
    if (!m_db.exec(query))
        return std::nullopt;
    return query.numRowsAffected();
}

std::optional<QHash<QString, qint64>> SqliteHealthStore::lastOnline()
{
    QSqlQuery query(m_db.database());
    query.setForwardOnly(true);
    if (!m_db.exec(query,
                   u"SELECT device, MAX(time) FROM transitions "
                   "WHERE to_status IN ('online', 'error') AND (from_status IS NULL OR from_status NOT IN "
                   "('online', 'error')) GROUP BY device"_s))
        return std::nullopt;
    QHash<QString, qint64> out;
    while (query.next())
        out.insert(query.value(0).toString(), query.value(1).toLongLong());
    return out;
}

std::optional<QList<Alert>> SqliteHealthStore::loadAlerts()
{
    QSqlQuery query(m_db.database());
    query.setForwardOnly(true);
    if (!m_db.exec(query, u"SELECT json FROM alerts ORDER BY id"_s))
        return std::nullopt;
    QList<Alert> out;
    while (query.next()) {
        // A row that does not parse is skipped rather than failing the start.
        if (auto a = alertFromJson(jsonColumnObject(query.value(0).toString())))
            out.append(std::move(*a));
    }
    return out;
}

bool SqliteHealthStore::saveAlerts(const QList<Alert> &upserts, const QList<quint64> &removals)
{
    return m_db.transaction([&] {
        const QSqlDatabase db = m_db.database();
        QSqlQuery remove(db);
        remove.prepare(u"DELETE FROM alerts WHERE id = ?"_s);
        for (const quint64 id : removals) {
            remove.bindValue(0, static_cast<qint64>(id));
            if (!m_db.exec(remove))
                return false;
        }
        QSqlQuery upsert(db);
        upsert.prepare(
            u"INSERT INTO alerts (id, json) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET json=excluded.json"_s);
        for (const Alert &a : upserts) {
            upsert.bindValue(0, static_cast<qint64>(a.id));
            upsert.bindValue(1, jsonColumnText(alertToJson(a)));
            if (!m_db.exec(upsert))
                return false;
        }
        return true;
    });
}

} // namespace edgegate
