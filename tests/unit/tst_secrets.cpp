// SPDX-License-Identifier: Apache-2.0
// Secrets at rest: PSKs sealed with a key file of their own, so a copy of registry.db alone does
// not reveal them; sealed values bound to their device; key files private and checked.
#include "gateway/storage/secretbox.h"
#include "gateway/storage/sqlitedevicestore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace edgegate;
using namespace Qt::StringLiterals;

namespace {

const QByteArray Psk = QByteArrayLiteral("psk-secret-0123456789abcdef");

// Every byte the registry left on disk: the database and its journal files.
QByteArray filesOf(const QString &databasePath)
{
    QByteArray all;
    for (const QString &suffix : {u""_s, u"-wal"_s, u"-shm"_s, u"-journal"_s}) {
        QFile f(databasePath + suffix);
        if (f.open(QIODevice::ReadOnly))
            all += f.readAll();
    }
    return all;
}

mode_t modeOf(const QString &path)
{
    struct stat info = {};
    return ::stat(QFile::encodeName(path).constData(), &info) == 0 ? (info.st_mode & 0777) : 0;
}

} // namespace

class TestSecrets : public QObject
{
    Q_OBJECT

private slots:
    void sealedValueOpensOnlyForItsContext();
    void keyFileIsCreatedPrivateAndReused();
    void keyFileOfWrongSizeIsRefused();
    void readableKeyFileIsMadePrivate();
    void pskIsSealedAtRest();
    void clearPskOfOlderRegistryIsSealed();
    void otherKeyFileCannotOpenThePsks();
};

void TestSecrets::sealedValueOpensOnlyForItsContext()
{
    QTemporaryDir dir;
    QString error;
    const auto box = SecretBox::fromKeyFile(dir.filePath(u"k.key"_s), &error);
    QVERIFY2(box, qPrintable(error));
    const QByteArray sealed = box->seal(Psk, "dev-a");
    QVERIFY(!sealed.isEmpty());
    QVERIFY(!sealed.contains(Psk));
    QCOMPARE(box->open(sealed, "dev-a").value_or(QByteArray()), Psk);
    // Nonces differ: the same secret seals to different bytes.
    QVERIFY(box->seal(Psk, "dev-a") != sealed);
    QVERIFY(!box->open(sealed, "dev-b"));
    for (qsizetype i = 0; i < sealed.size(); ++i) {
        QByteArray tampered = sealed;
        tampered[i] = char(tampered[i] ^ 0x01);
        QVERIFY2(!box->open(tampered, "dev-a"), qPrintable(u"byte %1 changed"_s.arg(i)));
    }
    QVERIFY(!box->open(sealed.first(sealed.size() - 1), "dev-a"));
    QVERIFY(!box->open({}, "dev-a"));
}

void TestSecrets::keyFileIsCreatedPrivateAndReused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"k.key"_s);
    QString error;
    const auto first = SecretBox::fromKeyFile(path, &error);
    QVERIFY2(first, qPrintable(error));
    QCOMPARE(QFileInfo(path).size(), SecretBox::KeyBytes);
    QCOMPARE(modeOf(path), mode_t(0600));
    const auto second = SecretBox::fromKeyFile(path, &error);
    QVERIFY2(second, qPrintable(error));
    QCOMPARE(second->open(first->seal(Psk, "d"), "d").value_or(QByteArray()), Psk);
}

void TestSecrets::keyFileOfWrongSizeIsRefused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"k.key"_s);
    for (const QByteArray &content : {QByteArray(), QByteArray(31, 'x'), QByteArray(33, 'x')}) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(content);
        f.close();
        QString error;
        QVERIFY(!SecretBox::fromKeyFile(path, &error));
        QVERIFY2(error.contains(path), qPrintable(error));
    }
    // A directory where the key should be is refused too, and nothing is written over it.
    QVERIFY(QDir(dir.path()).mkdir(u"d.key"_s));
    QString error;
    QVERIFY(!SecretBox::fromKeyFile(dir.filePath(u"d.key"_s), &error));
}

void TestSecrets::readableKeyFileIsMadePrivate()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"k.key"_s);
    QString error;
    QVERIFY(SecretBox::fromKeyFile(path, &error));
    QVERIFY(::chmod(QFile::encodeName(path).constData(), 0644) == 0);
    QVERIFY2(SecretBox::fromKeyFile(path, &error), qPrintable(error));
    QCOMPARE(modeOf(path), mode_t(0600));
}

void TestSecrets::pskIsSealedAtRest()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"registry.db"_s);
    const DeviceCredentials credentials{"ident-1", Psk, QByteArray(32, '\x42')};
    {
        SqliteDeviceStore store;
        QVERIFY2(store.open(path), qPrintable(store.lastError()));
        QVERIFY2(store.saveCredentials(u"dev-1"_s, credentials), qPrintable(store.lastError()));
        QVERIFY(store.saveCredentials(u"dev-1"_s, credentials));
        const QByteArray onDisk = filesOf(path);
        QVERIFY(onDisk.contains("ident-1"));
        QVERIFY(!onDisk.contains(Psk));
    }
    QVERIFY(!filesOf(path).contains(Psk));
    QCOMPARE(modeOf(SqliteDeviceStore::keyFileFor(path)), mode_t(0600));
    SqliteDeviceStore reopened;
    QVERIFY2(reopened.open(path), qPrintable(reopened.lastError()));
    const auto loaded = reopened.loadCredentials();
    QVERIFY2(loaded, qPrintable(reopened.lastError()));
    QCOMPARE(loaded->value(u"dev-1"_s), credentials);
}

void TestSecrets::clearPskOfOlderRegistryIsSealed()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"registry.db"_s);
    {
        // A registry of the version before sealing, PSKs in clear.
        SqliteDeviceStore current;
        QVERIFY(current.open(path));
    }
    {
        QSqlDatabase old = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"old"_s);
        old.setDatabaseName(path);
        QVERIFY(old.open());
        QSqlQuery q(old);
        QVERIFY(q.exec(u"PRAGMA user_version=3"_s));
        QVERIFY(q.exec(u"ALTER TABLE credentials DROP COLUMN psk_sealed"_s));
        QVERIFY(q.exec(u"INSERT INTO credentials (device_id, psk_identity, psk_key) VALUES "
                       u"('dev-old', X'6964', X'%1')"_s.arg(QString::fromLatin1(Psk.toHex()))));
        q.finish();
        old.close();
    }
    QSqlDatabase::removeDatabase(u"old"_s);
    QVERIFY(filesOf(path).contains(Psk));
    {
        SqliteDeviceStore store;
        QVERIFY2(store.open(path), qPrintable(store.lastError()));
        const auto loaded = store.loadCredentials();
        QVERIFY2(loaded, qPrintable(store.lastError()));
        QCOMPARE(loaded->value(u"dev-old"_s).pskKey, Psk);
        QCOMPARE(loaded->value(u"dev-old"_s).pskIdentity, QByteArray("id"));
        QVERIFY(!filesOf(path).contains(Psk));
    }
    QVERIFY(!filesOf(path).contains(Psk));
}

void TestSecrets::otherKeyFileCannotOpenThePsks()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"registry.db"_s);
    {
        SqliteDeviceStore store;
        QVERIFY(store.open(path));
        QVERIFY(store.saveCredentials(u"dev-1"_s, {"ident-1", Psk, {}}));
    }
    const QString keyPath = SqliteDeviceStore::keyFileFor(path);
    QVERIFY(QFile::remove(keyPath));
    SqliteDeviceStore store;
    // A new key is made, but it opens none of the PSKs sealed with the lost one: refused, not empty.
    QVERIFY2(store.open(path), qPrintable(store.lastError()));
    QVERIFY(!store.loadCredentials());
    QVERIFY2(store.lastError().contains(keyPath), qPrintable(store.lastError()));
    QVERIFY(store.lastError().contains(u"dev-1"_s));
}

QTEST_GUILESS_MAIN(TestSecrets)
#include "tst_secrets.moc"
