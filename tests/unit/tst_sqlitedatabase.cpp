// SPDX-License-Identifier: Apache-2.0
// The one SQLite helper: schema steps, upgrades of older files, and files it must refuse.
#include "gateway/storage/sqlitedatabase.h"
#include "gateway/storage/sqlitedevicestore.h"

#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace edgegate;
using namespace Qt::StringLiterals;

namespace {

const QList<QStringList> Schema{
    {u"CREATE TABLE a (x INTEGER)"_s},
    {u"CREATE TABLE b (y INTEGER)"_s, u"ALTER TABLE a ADD COLUMN z TEXT NOT NULL DEFAULT ''"_s},
};

int userVersion(SqliteDatabase &db)
{
    QSqlQuery q(db.database());
    return q.exec(u"PRAGMA user_version"_s) && q.next() ? q.value(0).toInt() : -1;
}

bool hasTable(SqliteDatabase &db, const QString &name)
{
    return db.database().tables().contains(name);
}

} // namespace

class TestSqliteDatabase : public QObject
{
    Q_OBJECT

private slots:
    void newFileGetsTheWholeSchema();
    void olderFileIsUpgradedKeepingRows();
    void newerFileIsRefused();
    void failingStepLeavesTheVersionBefore();
    void fileThatIsNotSqliteIsRefused();
    void registryOfVersionTwoUpgrades();
};

void TestSqliteDatabase::newFileGetsTheWholeSchema()
{
    QTemporaryDir dir;
    SqliteDatabase db(u"t"_s);
    QVERIFY2(db.open(dir.filePath(u"x.db"_s), Schema), qPrintable(db.lastError()));
    QCOMPARE(userVersion(db), 2);
    QVERIFY(hasTable(db, u"a"_s) && hasTable(db, u"b"_s));
    QSqlQuery q(db.database());
    QVERIFY(q.exec(u"PRAGMA journal_mode"_s) && q.next());
    QCOMPARE(q.value(0).toString(), u"wal"_s);
}

void TestSqliteDatabase::olderFileIsUpgradedKeepingRows()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"x.db"_s);
    {
        SqliteDatabase v1(u"t"_s);
        QVERIFY(v1.open(path, Schema.first(1)));
        QVERIFY(v1.exec(u"INSERT INTO a (x) VALUES (7)"_s));
    }
    SqliteDatabase db(u"t"_s);
    QVERIFY2(db.open(path, Schema), qPrintable(db.lastError()));
    QCOMPARE(userVersion(db), 2);
    QSqlQuery q(db.database());
    QVERIFY(q.exec(u"SELECT x, z FROM a"_s) && q.next());
    QCOMPARE(q.value(0).toInt(), 7);
    QCOMPARE(q.value(1).toString(), QString());
}

void TestSqliteDatabase::newerFileIsRefused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"x.db"_s);
    {
        SqliteDatabase newer(u"t"_s);
        QVERIFY(newer.open(path, Schema + QList<QStringList>{{u"CREATE TABLE c (w INTEGER)"_s}}));
    }
    SqliteDatabase db(u"t"_s);
    QVERIFY(!db.open(path, Schema));
    QVERIFY2(db.lastError().contains(u"version 3 is newer than this edgegated supports (2)"_s),
             qPrintable(db.lastError()));
}

void TestSqliteDatabase::failingStepLeavesTheVersionBefore()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"x.db"_s);
    const QList<QStringList> broken{Schema[0], {u"CREATE TABLE b (y INTEGER)"_s, u"ALTER TABLE nowhere ADD z"_s}};
    {
        SqliteDatabase db(u"t"_s);
        QVERIFY(!db.open(path, broken));
        QVERIFY(!db.lastError().isEmpty());
    }
    // Step 1 stayed; step 2 left nothing behind, so the right schema upgrades the file.
    SqliteDatabase db(u"t"_s);
    QVERIFY2(db.open(path, Schema.first(1)), qPrintable(db.lastError()));
    QCOMPARE(userVersion(db), 1);
    QVERIFY(!hasTable(db, u"b"_s));
}

void TestSqliteDatabase::fileThatIsNotSqliteIsRefused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"x.db"_s);
    QFile garbage(path);
    QVERIFY(garbage.open(QIODevice::WriteOnly));
    garbage.write(QByteArray(8192, '\xa5'));
    garbage.close();
    SqliteDatabase db(u"t"_s);
    QVERIFY(!db.open(path, Schema));
    QVERIFY(!db.lastError().isEmpty());
}

void TestSqliteDatabase::registryOfVersionTwoUpgrades()
{
    // A registry written before devices announced model, capabilities and metrics.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"registry.db"_s);
    {
        SqliteDatabase v2(u"t"_s);
        QVERIFY(v2.open(path,
                        {{u"CREATE TABLE devices (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL DEFAULT '', "
                          u"type TEXT NOT NULL DEFAULT '', firmware TEXT NOT NULL DEFAULT '', protocol TEXT NOT "
                          u"NULL DEFAULT '', status TEXT NOT NULL, approval TEXT NOT NULL, first_seen INTEGER "
                          u"NOT NULL, last_seen INTEGER NOT NULL, metadata TEXT NOT NULL DEFAULT '{}', "
                          u"last_error TEXT NOT NULL DEFAULT '', last_error_at INTEGER NOT NULL DEFAULT 0)"_s},
                         {u"CREATE TABLE credentials (device_id TEXT PRIMARY KEY NOT NULL, psk_identity BLOB "
                          u"UNIQUE, psk_key BLOB, token_sha256 BLOB)"_s}}));
        QVERIFY(v2.exec(u"INSERT INTO devices (id, status, approval, first_seen, last_seen) "
                        u"VALUES ('old-1', 'offline', 'approved', 1, 2)"_s));
    }
    SqliteDeviceStore store;
    QVERIFY2(store.open(path), qPrintable(store.lastError()));
    const auto devices = store.loadAll();
    QVERIFY2(devices.has_value(), qPrintable(store.lastError()));
    QCOMPARE(devices->size(), 1);
    QCOMPARE(devices->first().id, u"old-1"_s);
}

QTEST_GUILESS_MAIN(TestSqliteDatabase)
#include "tst_sqlitedatabase.moc"
