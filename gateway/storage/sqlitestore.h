// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/storage/sqlitedatabase.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <utility>

namespace edgegate {

/// A store behind one of core's interfaces, in an SQLite file of its own: the connection, opening
/// it with the store's schema steps, and the last error.
template<typename Interface> class SqliteStore : public Interface
{
public:
    SqliteStore(const SqliteStore &) = delete;
    SqliteStore &operator=(const SqliteStore &) = delete;

    /// Opens or creates the database file and its schema.
    [[nodiscard]] bool open(const QString &path) { return m_db.open(path, m_schema); }
    [[nodiscard]] QString lastError() const override { return m_db.lastError(); }

protected:
    /// `name` names the connection; `schema` holds the steps by version (see SqliteDatabase::open).
    SqliteStore(const QString &name, QList<QStringList> schema)
        : m_db(name)
        , m_schema(std::move(schema))
    {
    }

    SqliteDatabase m_db;

private:
    QList<QStringList> m_schema;
};

} // namespace edgegate
