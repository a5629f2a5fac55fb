// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/sqlitedatabase.h"

#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>

namespace edgegate {

using namespace Qt::StringLiterals;

SqliteDatabase::SqliteDatabase(const QString &name)
    : m_connection(u"edgegate-%1-%2"_s.arg(name, QUuid::createUuid().toString(QUuid::WithoutBraces)))
{
}

SqliteDatabase::~SqliteDatabase()
{
    if (QSqlDatabase::contains(m_connection)) {
        QSqlDatabase::database(m_connection, false).close();
        QSqlDatabase::removeDatabase(m_connection);
    }
}

QSqlDatabase SqliteDatabase::database() const
{
    return QSqlDatabase::database(m_connection, false);
}

bool SqliteDatabase::exec(const QString &sql)
{
    QSqlQuery query(database());
    return exec(query, sql);
}

bool SqliteDatabase::exec(QSqlQuery &query)
{
    if (!query.exec())
        return fail(query.lastError().text());
    return true;
}

bool SqliteDatabase::exec(QSqlQuery &query, const QString &sql)
{
    if (!query.exec(sql))
        return fail(query.lastError().text());
    return true;
}

bool SqliteDatabase::transaction(const std::function<bool()> &work)
{
    QSqlDatabase db = database();
    if (!db.transaction())
        return fail(db.lastError().text());
    const bool done = work();
    if (!done || !db.commit()) {
        if (done)
            fail(db.lastError().text());
        db.rollback();
        return false;
    }
    return true;
}

bool SqliteDatabase::fail(const QString &error)
{
    m_lastError = error;
    return false;
}

bool SqliteDatabase::open(const QString &path, const QList<QStringList> &schema)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_connection);
    db.setDatabaseName(path);
    if (!db.open())
        return fail(db.lastError().text());
    if (!exec(u"PRAGMA journal_mode=WAL"_s) || !exec(u"PRAGMA synchronous=NORMAL"_s)
        || !exec(u"PRAGMA busy_timeout=5000"_s))
        return false;
    QSqlQuery version(db);
    if (!version.exec(u"PRAGMA user_version"_s) || !version.next())
        return fail(version.lastError().text());
    const qsizetype current = version.value(0).toInt();
    version.finish();
    if (current > schema.size()) {
        return fail(
            u"database schema version %1 is newer than this edgegated supports (%2)"_s.arg(current).arg(schema.size()));
    }
    for (qsizetype step = current; step < schema.size(); ++step) {
        const bool upgraded = transaction([&] {
            for (const QString &sql : schema[step]) {
                if (!exec(sql))
                    return false;
            }
            return exec(u"PRAGMA user_version=%1"_s.arg(step + 1));
        });
        if (!upgraded)
            return false;
    }
    return true;
}

QString jsonColumnText(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QString jsonColumnText(const QJsonArray &array)
{
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

QJsonObject jsonColumnObject(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

QJsonArray jsonColumnArray(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).array();
}

} // namespace edgegate
