// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/firmwarestore.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using edgegate::FirmwareImage;
using edgegate::FirmwareStore;
using Error = FirmwareStore::Error;

using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(FirmwareStore::Error)

namespace {

QByteArray pattern(qsizetype size)
{
    QByteArray data(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        data[i] = char((i * 31 + i / 7) & 0xff);
    return data;
}

QString sha256(const QByteArray &data)
{
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

} // namespace

class TestFirmwareStore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void commit();
    void abortLeavesNothing();
    void destroyedUploadLeavesNothing();
    void duplicate();
    void refusedRequests_data();
    void refusedRequests();
    void checksum();
    void checksumMismatchLeavesNothing();
    void moreThanAnnounced();
    void commitBeforeTheEnd();
    void leftoversRemovedAtLoad();
    void reload();
    void removeAndVeto();
    void sortedByNameThenVersion();
    void emptyImage();

private:
    /// Every file under the store's folder, relative to it.
    [[nodiscard]] QStringList files() const;
    [[nodiscard]] std::optional<FirmwareImage> store(FirmwareStore &s, const QString &name, const QString &version,
                                                     const QByteArray &data);
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_root;
};

void TestFirmwareStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_root = m_dir->filePath(u"firmware"_s);
}

QStringList TestFirmwareStore::files() const
{
    QStringList out;
    QDirIterator it(m_root, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        out.append(QDir(m_root).relativeFilePath(it.next()));
    out.sort();
    return out;
}

std::optional<FirmwareImage> TestFirmwareStore::store(FirmwareStore &s, const QString &name, const QString &version,
                                                      const QByteArray &data)
{
    FirmwareStore::Failure failure;
    auto upload = s.begin({name, version, u"sensor"_s, data.size(), {}}, &failure);
    if (!upload)
        return std::nullopt;
    if (upload->write(data))
        return std::nullopt;
    return upload->commit(&failure);
}

void TestFirmwareStore::commit()
{
    FirmwareStore s({m_root, 1 << 20});
    QString error;
    QVERIFY(s.load(&error));
    QSignalSpy added(&s, &FirmwareStore::imageAdded);
    const QByteArray data = pattern(300000);
    FirmwareStore::Failure failure;
    auto upload = s.begin({u"sensor-fw"_s, u"1.2.0"_s, u"sensor"_s, data.size(), {}}, &failure);
    QVERIFY(upload);
    // Written in uneven chunks, as a socket delivers them.
    for (qsizetype at = 0; at < data.size(); at += 65537)
        QVERIFY(!upload->write(QByteArrayView(data).sliced(at, std::min<qsizetype>(65537, data.size() - at))));
    QVERIFY(!s.find(u"sensor-fw"_s, u"1.2.0"_s)); // not before commit
    const auto image = upload->commit(&failure);
    QVERIFY2(image, qPrintable(failure.message));
    QCOMPARE(image->size, data.size());
    QCOMPARE(image->sha256, sha256(data));
    QCOMPARE(image->deviceType, u"sensor"_s);
    QVERIFY(image->uploadedMs > 0);
    QCOMPARE(s.find(u"sensor-fw"_s, u"1.2.0"_s), image);
    QCOMPARE(s.images(), QList<FirmwareImage>{*image});
    QCOMPARE(added.size(), 1);
    QCOMPARE(files(), (QStringList{u"sensor-fw"_s, u"sensor-fw/1.2.0.bin"_s, u"sensor-fw/1.2.0.json"_s}));
    QFile bin(s.imagePath(u"sensor-fw"_s, u"1.2.0"_s));
    QVERIFY(bin.open(QIODevice::ReadOnly));
    QCOMPARE(bin.readAll(), data);
}

void TestFirmwareStore::abortLeavesNothing()
{
    FirmwareStore s({m_root, 1 << 20});
    QString error;
    QVERIFY(s.load(&error));
    FirmwareStore::Failure failure;
    auto upload = s.begin({u"a"_s, u"1.0.0"_s, {}, 1000, {}}, &failure);
    QVERIFY(upload);
    QVERIFY(!upload->write(pattern(500)));
    QVERIFY(!files().isEmpty()); // the temporary file
    upload->abort();
    QCOMPARE(files(), QStringList());
    QVERIFY(s.images().isEmpty());
    // The version is free again.
    QVERIFY(store(s, u"a"_s, u"1.0.0"_s, pattern(10)));
}

void TestFirmwareStore::destroyedUploadLeavesNothing()
{
    FirmwareStore s({m_root, 1 << 20});
    QString error;
    QVERIFY(s.load(&error));
    QVERIFY(store(s, u"a"_s, u"1.0.0"_s, pattern(10)));
    {
        FirmwareStore::Failure failure;
        auto upload = s.begin({u"a"_s, u"2.0.0"_s, {}, 1000, {}}, &failure);
        QVERIFY(upload);
        QVERIFY(!upload->write(pattern(999)));
    }
    QCOMPARE(files(), (QStringList{u"a"_s, u"a/1.0.0.bin"_s, u"a/1.0.0.json"_s}));
}

void TestFirmwareStore::duplicate()
{
    FirmwareStore s({m_root, 1 << 20});
    QString error;
    QVERIFY(s.load(&error));
    FirmwareStore::Failure failure;
    auto first = s.begin({u"a"_s, u"1.0.0"_s, {}, 10, {}}, &failure);
    QVERIFY(first);
    // Refused while the first is under way, and after it is stored, before any byte is written.
    QVERIFY(!s.begin({u"a"_s, u"1.0.0"_s, {}, 10, {}}, &failure));
    QCOMPARE(failure.error, Error::Exists);
    QVERIFY(!first->write(pattern(10)));
    QVERIFY(first->commit(&failure));
    QVERIFY(!s.begin({u"a"_s, u"1.0.0"_s, {}, 10, {}}, &failure));
    QCOMPARE(failure.error, Error::Exists);
    // Another version of the same name is fine.
    QVERIFY(store(s, u"a"_s, u"1.0.1"_s, pattern(10)));
}

void TestFirmwareStore::refusedRequests_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("version");
    QTest::addColumn<QString>("deviceType");
    QTest::addColumn<qint64>("length");
    QTest::addColumn<QString>("sha");
    QTest::addColumn<Error>("error");

    const QString v = u"1.0.0"_s;
    QTest::addRow("empty name") << QString() << v << QString() << 10LL << QString() << Error::InvalidName;
    QTest::addRow("name too long") << QString(65, u'a') << v << QString() << 10LL << QString() << Error::InvalidName;
    QTest::addRow("dot") << u"."_s << v << QString() << 10LL << QString() << Error::InvalidName;
    QTest::addRow("dot dot") << u".."_s << v << QString() << 10LL << QString() << Error::InvalidName;
    QTest::addRow("slash") << u"a/b"_s << v << QString() << 10LL << QString() << Error::InvalidName;
    QTest::addRow("space") << u"a b"_s << v << QString() << 10LL << QString() << Error::InvalidName;
    QTest::addRow("non-ASCII") << u"f\u00fcr"_s << v << QString() << 10LL << QString() << Error::InvalidName;
    QTest::addRow("NUL") << u"a\0b"_s << v << QString() << 10LL << QString() << Error::InvalidName;
    QTest::addRow("bad version") << u"a"_s << u"1.0"_s << QString() << 10LL << QString() << Error::InvalidVersion;
    QTest::addRow("version traversal") << u"a"_s << u"../../x"_s << QString() << 10LL << QString()
                                       << Error::InvalidVersion;
    QTest::addRow("bad device type") << u"a"_s << v << u"x/y"_s << 10LL << QString() << Error::InvalidDeviceType;
    QTest::addRow("short sha") << u"a"_s << v << QString() << 10LL << u"abc"_s << Error::InvalidChecksum;
    QTest::addRow("non-hex sha") << u"a"_s << v << QString() << 10LL << QString(64, u'g') << Error::InvalidChecksum;
    QTest::addRow("over the limit") << u"a"_s << v << QString() << 1025LL << QString() << Error::TooLarge;
    QTest::addRow("negative length") << u"a"_s << v << QString() << -1LL << QString() << Error::TooLarge;
}

void TestFirmwareStore::refusedRequests()
{
    QFETCH(QString, name);
    QFETCH(QString, version);
    QFETCH(QString, deviceType);
    QFETCH(qint64, length);
    QFETCH(QString, sha);
    QFETCH(Error, error);
    FirmwareStore s({m_root, 1024});
    QString loadError;
    QVERIFY(s.load(&loadError));
    FirmwareStore::Failure failure;
    QVERIFY(!s.begin({name, version, deviceType, length, sha}, &failure));
    QCOMPARE(failure.error, error);
    QVERIFY(!failure.message.isEmpty());
    QCOMPARE(files(), QStringList());
}

void TestFirmwareStore::checksum()
{
    FirmwareStore s({m_root, 1 << 20});
    QString error;
    QVERIFY(s.load(&error));
    const QByteArray data = pattern(5000);
    FirmwareStore::Failure failure;
    // Upper-case hex is accepted.
    auto upload = s.begin({u"a"_s, u"1.0.0"_s, {}, data.size(), sha256(data).toUpper()}, &failure);
    QVERIFY(upload);
    QVERIFY(!upload->write(data));
    QVERIFY2(upload->commit(&failure), qPrintable(failure.message));
}

void TestFirmwareStore::checksumMismatchLeavesNothing()
{
    FirmwareStore s({m_root, 1 << 20});
    QString error;
    QVERIFY(s.load(&error));
    const QByteArray data = pattern(5000);
    FirmwareStore::Failure failure;
    auto upload = s.begin({u"a"_s, u"1.0.0"_s, {}, data.size(), sha256(pattern(4999))}, &failure);
    QVERIFY(upload);
    QVERIFY(!upload->write(data));
    QVERIFY(!upload->commit(&failure));
    QCOMPARE(failure.error, Error::ChecksumMismatch);
    QCOMPARE(files(), QStringList());
    QVERIFY(!s.find(u"a"_s, u"1.0.0"_s));
}

void TestFirmwareStore::moreThanAnnounced()
{
    FirmwareStore s({m_root, 1 << 20});
    QString error;
    QVERIFY(s.load(&error));
    FirmwareStore::Failure failure;
    auto upload = s.begin({u"a"_s, u"1.0.0"_s, {}, 10, {}}, &failure);
    QVERIFY(upload);
    const auto refused = upload->write(pattern(11));
    QVERIFY(refused);
    QCOMPARE(refused->error, Error::LengthMismatch);
    QCOMPARE(files(), QStringList());
}

void TestFirmwareStore::commitBeforeTheEnd()
{
    FirmwareStore s({m_root, 1 << 20});
    QString error;
    QVERIFY(s.load(&error));
    FirmwareStore::Failure failure;
    auto upload = s.begin({u"a"_s, u"1.0.0"_s, {}, 10, {}}, &failure);
    QVERIFY(upload);
    QVERIFY(!upload->write(pattern(9)));
    QVERIFY(!upload->commit(&failure));
    QCOMPARE(failure.error, Error::LengthMismatch);
    QCOMPARE(files(), QStringList());
}

void TestFirmwareStore::leftoversRemovedAtLoad()
{
    {
        FirmwareStore s({m_root, 1 << 20});
        QString error;
        QVERIFY(s.load(&error));
        QVERIFY(store(s, u"a"_s, u"1.0.0"_s, pattern(100)));
    }
    // What a crash leaves: a temporary file mid-upload, an image renamed whose record was never
    // written, a record's temporary file, a folder with nothing but a temporary file.
    const auto touch = [this](const QString &path) {
        QVERIFY(QDir(m_root).mkpath(QFileInfo(path).path()));
        QFile f(QDir(m_root).filePath(path));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("junk");
    };
    touch(u"a/2.0.0.bin.part"_s);
    touch(u"a/3.0.0.bin"_s);
    touch(u"a/3.0.0.json.part"_s);
    touch(u"b/1.0.0.bin.part"_s);
    FirmwareStore s({m_root, 1 << 20});
    QString error;
    QVERIFY(s.load(&error));
    QCOMPARE(files(), (QStringList{u"a"_s, u"a/1.0.0.bin"_s, u"a/1.0.0.json"_s}));
    QCOMPARE(s.images().size(), 1);
}

void TestFirmwareStore::reload()
{
    QList<FirmwareImage> before;
    {
        FirmwareStore s({m_root, 1 << 20});
        QString error;
        QVERIFY(s.load(&error));
        QVERIFY(store(s, u"a"_s, u"1.0.0"_s, pattern(100)));
        QVERIFY(store(s, u"a"_s, u"1.0.0-rc.1"_s, pattern(50)));
        QVERIFY(store(s, u"b"_s, u"0.1.0+build.7"_s, pattern(0)));
        before = s.images();
    }
    FirmwareStore s({m_root, 1 << 20});
    QString error;
    QVERIFY(s.load(&error));
    QCOMPARE(s.images(), before);
    // A record whose image is of another size is not served.
    QFile bin(s.imagePath(u"a"_s, u"1.0.0"_s));
    QVERIFY(bin.open(QIODevice::Append));
    bin.write("x");
    bin.close();
    FirmwareStore again({m_root, 1 << 20});
    QVERIFY(again.load(&error));
    QCOMPARE(again.images().size(), 2);
    QVERIFY(!again.find(u"a"_s, u"1.0.0"_s));
}

void TestFirmwareStore::removeAndVeto()
{
    FirmwareStore s({m_root, 1 << 20});
    QString error;
    QVERIFY(s.load(&error));
    QVERIFY(store(s, u"a"_s, u"1.0.0"_s, pattern(100)));
    QSignalSpy removed(&s, &FirmwareStore::imageRemoved);
    bool inUse = true;
    s.setRemovalVeto([&inUse](const FirmwareImage &image) -> std::optional<QString> {
        if (inUse)
            return u"campaign c1 uses %1 %2"_s.arg(image.name, image.version);
        return std::nullopt;
    });
    auto refused = s.remove(u"a"_s, u"1.0.0"_s);
    QVERIFY(refused);
    QCOMPARE(refused->error, Error::InUse);
    QCOMPARE(refused->message, u"campaign c1 uses a 1.0.0"_s);
    QVERIFY(s.find(u"a"_s, u"1.0.0"_s));
    inUse = false;
    QVERIFY(!s.remove(u"a"_s, u"1.0.0"_s));
    QCOMPARE(removed.size(), 1);
    QVERIFY(!s.find(u"a"_s, u"1.0.0"_s));
    QCOMPARE(files(), QStringList());
    refused = s.remove(u"a"_s, u"1.0.0"_s);
    QVERIFY(refused);
    QCOMPARE(refused->error, Error::NotFound);
}

void TestFirmwareStore::sortedByNameThenVersion()
{
    FirmwareStore s({m_root, 1 << 20});
    QString error;
    QVERIFY(s.load(&error));
    for (const auto &[name, version] :
         {std::pair{u"b"_s, u"1.0.0"_s}, {u"a"_s, u"1.10.0"_s}, {u"a"_s, u"1.2.0"_s}, {u"a"_s, u"1.2.0-rc.1"_s}})
        QVERIFY(store(s, name, version, pattern(1)));
    QStringList order;
    for (const FirmwareImage &image : s.images())
        order.append(image.name + u' ' + image.version);
    QCOMPARE(order, (QStringList{u"a 1.2.0-rc.1"_s, u"a 1.2.0"_s, u"a 1.10.0"_s, u"b 1.0.0"_s}));
}

void TestFirmwareStore::emptyImage()
{
    FirmwareStore s({m_root, 1 << 20});
    QString error;
    QVERIFY(s.load(&error));
    const auto image = store(s, u"a"_s, u"1.0.0"_s, {});
    QVERIFY(image);
    QCOMPARE(image->size, 0);
    QCOMPARE(image->sha256, sha256({}));
}

QTEST_GUILESS_MAIN(TestFirmwareStore)
#include "tst_firmwarestore.moc"
