// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

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
    /// Records `error` as lastError(); returns false, for `return m_db.fail(...)`.
    bool fail(const QString &error);
    [[nodiscard]] QString lastError() const { return m_lastError; }

private:
    QString m_connection;
    QString m_lastError;
};

} // namespace edgegate
