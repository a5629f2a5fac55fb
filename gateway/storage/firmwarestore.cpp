// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/firmwarestore.h"

#include "gateway/core/ota/semver.h"

#include <QDateTime>
#include <QDir>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QStorageInfo>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcFirmware, "edgegate.firmware")

namespace {

const QString ImageSuffix = u".bin"_s;
const QString RecordSuffix = u".json"_s;
const QString PartSuffix = u".part"_s;
constexpr qsizetype MaxNameLength = 64;

bool isNameChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'.' || c == u'_'
        || c == u'-';
}

bool isHex(const QString &s)
{
    return std::all_of(s.cbegin(), s.cend(), [](QChar c) {
        return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F');
    });
}

/// fsync of a file or folder by path: what makes a rename survive a power cut.
bool syncPath(const QString &path)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

bool renameOver(const QString &from, const QString &to)
{
    return std::rename(QFile::encodeName(from).constData(), QFile::encodeName(to).constData()) == 0;
}

/// Writes a small file next to its final place and renames it there, synced.
bool writeAtomically(const QString &path, const QByteArray &data, QString *error)
{
    const QString temp = path + PartSuffix;
    QFile file(temp);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(data) != data.size() || !file.flush()
        || ::fsync(file.handle()) != 0) {
        *error = u"cannot write %1: %2"_s.arg(temp, file.errorString());
        file.close();
        QFile::remove(temp);
        return false;
    }
    file.close();
    if (!renameOver(temp, path)) {
        *error = u"cannot rename %1: %2"_s.arg(temp, QString::fromLocal8Bit(std::strerror(errno)));
        QFile::remove(temp);
        return false;
    }
    return true;
}

} // namespace

FirmwareStore::Upload::Upload(FirmwareStore *store, UploadRequest request, const QString &tempPath)
    : m_store(store)
    , m_request(std::move(request))
    , m_file(tempPath)
{
}

FirmwareStore::Upload::~Upload()
{
    abort();
}

void FirmwareStore::Upload::finish()
{
    m_done = true;
    if (m_store)
        m_store->uploadEnded(m_request.name, m_request.version);
}

void FirmwareStore::Upload::abort()
{
    if (m_done)
        return;
    m_file.close();
    if (!m_file.fileName().isEmpty() && QFile::exists(m_file.fileName()) && !QFile::remove(m_file.fileName()))
        qCWarning(lcFirmware).noquote() << "cannot remove" << m_file.fileName() << ":" << m_file.errorString();
    finish();
}

std::optional<FirmwareStore::Failure> FirmwareStore::Upload::write(QByteArrayView data)
{
    if (m_done)
        return Failure{Error::Storage, u"the upload has ended"_s};
    if (m_received + data.size() > m_request.length) {
        abort();
        return Failure{Error::LengthMismatch, u"more than the announced %1 bytes"_s.arg(m_request.length)};
    }
    errno = 0;
    const qint64 written = m_file.write(data.data(), data.size());
    if (written != data.size()) {
        const int writeErrno = errno;
        const QString reason = m_file.errorString();
        abort();
        if (writeErrno == ENOSPC || writeErrno == EDQUOT)
            return Failure{Error::DiskFull, u"no space left for the image"_s};
        return Failure{Error::Storage, u"cannot write the image: "_s + reason};
    }
    m_hash.addData(data);
    m_received += data.size();
    return std::nullopt;
}

std::optional<FirmwareImage> FirmwareStore::Upload::commit(Failure *failure)
{
    const auto fail = [this, failure](Error error, const QString &message) -> std::optional<FirmwareImage> {
        abort();
        *failure = Failure{error, message};
        return std::nullopt;
    };
    if (m_done || !m_store)
        return fail(Error::Storage, u"the upload has ended"_s);
    if (m_received != m_request.length)
        return fail(Error::LengthMismatch,
                    u"%1 bytes received of the %2 announced"_s.arg(m_received).arg(m_request.length));
    FirmwareImage image;
    image.name = m_request.name;
    image.version = m_request.version;
    image.deviceType = m_request.deviceType;
    image.size = m_received;
    image.sha256 = QString::fromLatin1(m_hash.result().toHex());
    image.uploadedMs = QDateTime::currentMSecsSinceEpoch();
    if (!m_request.expectedSha256.isEmpty() && m_request.expectedSha256.toLower() != image.sha256)
        return fail(Error::ChecksumMismatch,
                    u"the image's SHA-256 is %1, not %2"_s.arg(image.sha256, m_request.expectedSha256.toLower()));
    if (::fsync(m_file.handle()) != 0) {
        const int syncErrno = errno;
        return fail(syncErrno == ENOSPC ? Error::DiskFull : Error::Storage,
                    u"cannot sync the image: "_s + QString::fromLocal8Bit(std::strerror(syncErrno)));
    }
    m_file.close();
    if (auto refused = m_store->install(*this, image)) {
        *failure = *refused;
        abort();
        return std::nullopt;
    }
    finish();
    return image;
}

FirmwareStore::FirmwareStore(Settings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
{
}

bool FirmwareStore::isValidName(const QString &name)
{
    return !name.isEmpty() && name.size() <= MaxNameLength && name != u"." && name != u".."
        && std::all_of(name.cbegin(), name.cend(), isNameChar);
}

QString FirmwareStore::key(const QString &name, const QString &version)
{
    return name + u'/' + version;
}

QString FirmwareStore::folder(const QString &name) const
{
    return QDir(m_settings.directory).filePath(name);
}

QString FirmwareStore::imagePath(const QString &name, const QString &version) const
{
    return QDir(folder(name)).filePath(version + ImageSuffix);
}

bool FirmwareStore::load(QString *error)
{
    m_images.clear();
    QDir root(m_settings.directory);
    if (!root.mkpath(u"."_s)) {
        *error = u"cannot create %1"_s.arg(m_settings.directory);
        return false;
    }
    int leftovers = 0;
    for (const QString &name : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        if (!isValidName(name)) {
            qCWarning(lcFirmware).noquote() << "ignoring" << root.filePath(name) << ": not a firmware name";
            continue;
        }
        QDir dir(root.filePath(name));
        // An interrupted upload leaves a .part; a commit cut before its record was written leaves a .bin alone.
        for (const QString &file : dir.entryList(QDir::Files | QDir::Hidden)) {
            const bool part = file.endsWith(PartSuffix);
            const bool orphan
                = file.endsWith(ImageSuffix) && !dir.exists(file.chopped(ImageSuffix.size()) + RecordSuffix);
            if (part || orphan) {
                if (dir.remove(file))
                    ++leftovers;
                else
                    qCWarning(lcFirmware).noquote() << "cannot remove the leftover" << dir.filePath(file);
            }
        }
        for (const QString &file : dir.entryList({u"*"_s + RecordSuffix}, QDir::Files)) {
            const QString version = file.chopped(RecordSuffix.size());
            QFile record(dir.filePath(file));
            std::optional<FirmwareImage> image;
            if (record.open(QIODevice::ReadOnly) && record.size() < 65536)
                image = firmwareFromJson(QJsonDocument::fromJson(record.readAll()).object());
            const QFileInfo bin(dir.filePath(version + ImageSuffix));
            if (!image || image->name != name || image->version != version || !bin.exists()
                || bin.size() != image->size) {
                qCWarning(lcFirmware).noquote() << "ignoring the firmware record" << record.fileName()
                                                << ": unreadable, or its image is missing or of another size";
                continue;
            }
            m_images.insert(key(name, version), *image);
        }
        if (dir.isEmpty())
            root.rmdir(name);
    }
    if (leftovers > 0)
        qCInfo(lcFirmware) << "removed" << leftovers << "leftover file(s) of interrupted uploads";
    qCInfo(lcFirmware).noquote() << m_images.size() << "firmware image(s) in" << root.absolutePath();
    return true;
}

std::unique_ptr<FirmwareStore::Upload> FirmwareStore::begin(const UploadRequest &request, Failure *failure)
{
    const auto refuse = [failure](Error error, const QString &message) {
        *failure = Failure{error, message};
        return nullptr;
    };
    if (!isValidName(request.name))
        return refuse(Error::InvalidName, u"the name must be 1-64 of A-Z a-z 0-9 . _ - (not . or ..)"_s);
    if (!SemVer::parse(request.version))
        return refuse(Error::InvalidVersion, u"the version must be a semantic version such as 1.2.0 or 2.0.0-rc.1"_s);
    if (!request.deviceType.isEmpty() && !isValidName(request.deviceType))
        return refuse(Error::InvalidDeviceType, u"device_type must be 1-64 of A-Z a-z 0-9 . _ -"_s);
    if (!request.expectedSha256.isEmpty() && (request.expectedSha256.size() != 64 || !isHex(request.expectedSha256)))
        return refuse(Error::InvalidChecksum, u"the expected SHA-256 must be 64 hex digits"_s);
    if (request.length < 0 || request.length > m_settings.maxImageBytes)
        return refuse(Error::TooLarge, u"an image may have at most %1 bytes"_s.arg(m_settings.maxImageBytes));
    const QString k = key(request.name, request.version);
    if (m_images.contains(k))
        return refuse(Error::Exists, u"%1 %2 exists"_s.arg(request.name, request.version));
    if (m_uploading.contains(k))
        return refuse(Error::Exists, u"%1 %2 is being uploaded"_s.arg(request.name, request.version));

    if (!QDir(m_settings.directory).mkpath(request.name))
        return refuse(Error::Storage, u"cannot create the folder for %1"_s.arg(request.name));
    const QStorageInfo volume(folder(request.name));
    if (volume.isValid() && volume.bytesAvailable() >= 0 && volume.bytesAvailable() < request.length)
        return refuse(Error::DiskFull,
                      u"%1 bytes free, the image has %2"_s.arg(volume.bytesAvailable()).arg(request.length));
    const QString temp = imagePath(request.name, request.version) + PartSuffix;
    auto upload = std::unique_ptr<Upload>(new Upload(this, request, temp));
    if (!upload->m_file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Unbuffered)) {
        upload->m_done = true;
        return refuse(Error::Storage, u"cannot create %1: %2"_s.arg(temp, upload->m_file.errorString()));
    }
    m_uploading.insert(k);
    return upload;
}

std::optional<FirmwareStore::Failure> FirmwareStore::install(Upload &upload, const FirmwareImage &image)
{
    const QString bin = imagePath(image.name, image.version);
    const QString record = QDir(folder(image.name)).filePath(image.version + RecordSuffix);
    if (!renameOver(upload.m_file.fileName(), bin))
        return Failure{Error::Storage,
                       u"cannot rename the image into place: "_s + QString::fromLocal8Bit(std::strerror(errno))};
    QString error;
    // The record comes last: its presence is what makes the image complete after a crash.
    if (!writeAtomically(record, QJsonDocument(firmwareToJson(image)).toJson(QJsonDocument::Compact), &error)) {
        QFile::remove(bin);
        return Failure{Error::Storage, error};
    }
    if (!syncPath(folder(image.name)) || !syncPath(m_settings.directory))
        qCWarning(lcFirmware).noquote() << "cannot sync the folder of" << bin;
    m_images.insert(key(image.name, image.version), image);
    qCInfo(lcFirmware).noquote() << "stored firmware" << image.name << image.version << image.size << "bytes, sha256"
                                 << image.sha256;
    emit imageAdded(image);
    return std::nullopt;
}

void FirmwareStore::uploadEnded(const QString &name, const QString &version)
{
    m_uploading.remove(key(name, version));
    // The folder made for a first version goes again when that upload leaves nothing (rmdir keeps a non-empty one).
    if (!m_images.contains(key(name, version)))
        QDir(m_settings.directory).rmdir(name);
}

std::optional<FirmwareStore::Failure> FirmwareStore::remove(const QString &name, const QString &version)
{
    const auto it = m_images.constFind(key(name, version));
    if (it == m_images.cend())
        return Failure{Error::NotFound, u"no firmware %1 %2"_s.arg(name, version)};
    if (m_veto) {
        if (const auto reason = m_veto(*it))
            return Failure{Error::InUse, *reason};
    }
    QDir dir(folder(name));
    // The record goes first: an image without one is a leftover the next start removes.
    if (!dir.remove(version + RecordSuffix))
        return Failure{Error::Storage, u"cannot remove the record of %1 %2"_s.arg(name, version)};
    m_images.erase(it);
    if (!dir.remove(version + ImageSuffix))
        qCWarning(lcFirmware).noquote() << "cannot remove" << dir.filePath(version + ImageSuffix)
                                        << "(removed at the next start)";
    syncPath(dir.absolutePath());
    if (dir.isEmpty())
        QDir(m_settings.directory).rmdir(name);
    qCInfo(lcFirmware).noquote() << "removed firmware" << name << version;
    emit imageRemoved(name, version);
    return std::nullopt;
}

std::optional<FirmwareImage> FirmwareStore::find(const QString &name, const QString &version) const
{
    const auto it = m_images.constFind(key(name, version));
    if (it == m_images.cend())
        return std::nullopt;
    return *it;
}

QList<FirmwareImage> FirmwareStore::images() const
{
    QList<FirmwareImage> list = m_images.values();
    std::sort(list.begin(), list.end(), [](const FirmwareImage &a, const FirmwareImage &b) {
        if (a.name != b.name)
            return a.name < b.name;
        return SemVer::compareText(a.version, b.version) < 0;
    });
    return list;
}

} // namespace edgegate
