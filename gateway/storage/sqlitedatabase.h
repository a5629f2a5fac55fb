// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <functional>

class QSqlQuery;

namespace edgegate {

/// One SQLite file of the gateway, on a connection of its own: WAL journal (readers and the batched
/// writer apart), NORMAL sync (durable at each checkpoint; a power loss loses at most the last
/// transactions, never corrupts), a 5 s busy timeout, and a schema brought up to date step by step
/// with `PRAGMA user_version`.
class SqliteDatabase
{
public:
    /// `name` tells the connection apart in Qt's list (`edgegate-{name}-{uuid}`).
    explicit SqliteDatabase(const QString &name);
    ~SqliteDatabase();
    SqliteDatabase(const SqliteDatabase &) = delete;
    SqliteDatabase &operator=(const SqliteDatabase &) = delete;

    /// Opens or creates the file and brings its schema to `schema.size()`: `schema[i]` holds the
    /// statements from version i to i + 1, run in one transaction with the new version, so any older
    /// file upgrades and a failure half way leaves the version before intact. A file of a newer
    /// version is refused.
    [[nodiscard]] bool open(const QString &path, const QList<QStringList> &schema);

    [[nodiscard]] QSqlDatabase database() const;
    /// Runs one statement; false with lastError() set when it fails.
    bool exec(const QString &sql);
    /// Runs a prepared query; false with lastError() set when it fails.
    bool exec(QSqlQuery &query);
    /// Runs `sql` on `query`, whose rows are read after; false with lastError() set when it fails.
    bool exec(QSqlQuery &query, const QString &sql);
    /// Runs `work` in one transaction: committed when it returns true, rolled back when it or the
    /// commit fails. False with lastError() set then (`work` sets it through exec() or fail()).
    bool transaction(const std::function<bool()> &work);
    /// Records `error` as lastError(); returns false, for `return m_db.fail(...)`.
    bool fail(const QString &error);
    [[nodiscard]] QString lastError() const { return m_lastError; }

private:
    QString m_connection;
    QString m_lastError;
};

/// JSON kept in a TEXT column: compact on the way in, read back leniently (anything else reads as empty).
[[nodiscard]] QString jsonColumnText(const QJsonObject &object);
[[nodiscard]] QString jsonColumnText(const QJsonArray &array);
[[nodiscard]] QJsonObject jsonColumnObject(const QString &text);
[[nodiscard]] QJsonArray jsonColumnArray(const QString &text);

} // namespace edgegate
