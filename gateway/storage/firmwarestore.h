// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/ota/firmware.h"

#include <QByteArrayView>
#include <QCryptographicHash>
#include <QFile>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace edgegate {

/// Firmware images on disk: `{directory}/{name}/{version}.bin` with its record `{version}.json`
/// beside it. An image is written through an Upload into a temporary file in the same folder and
/// appears only once committed (file synced, renamed, record written and renamed, folder synced);
/// leftovers of an interrupted upload or commit are removed by load().
class FirmwareStore : public QObject, public FirmwareCatalog
{
    Q_OBJECT
public:
    struct Settings
    {
        QString directory;
        qint64 maxImageBytes = 256LL * 1024 * 1024;
    };

    enum class Error {
        InvalidName,
        InvalidVersion,
        InvalidDeviceType,
        InvalidChecksum, ///< the expected SHA-256 given is not 64 hex digits
        Exists, ///< that version is stored, or being uploaded
        TooLarge,
        NotFound,
        ChecksumMismatch,
        LengthMismatch, ///< committed before every announced byte arrived
        InUse, ///< the removal veto refused
        DiskFull,
        Storage
    };
    struct Failure
    {
        Error error = Error::Storage;
        QString message;
    };

    struct UploadRequest
    {
        QString name;
        QString version;
        QString deviceType;
        qint64 length = 0;
        QString expectedSha256; ///< empty: not checked
    };

    /// One image being written. Destroying it before commit() removes what was written.
    class Upload
    {
    public:
        ~Upload();
        Upload(const Upload &) = delete;
        Upload &operator=(const Upload &) = delete;

        /// Appends bytes; a failure (more than announced, disk full) aborts the upload.
        [[nodiscard]] std::optional<Failure> write(QByteArrayView data);
        /// Checks length and checksum and makes the image visible; on failure nothing is left.
        [[nodiscard]] std::optional<FirmwareImage> commit(Failure *failure);
        void abort();
        [[nodiscard]] qint64 received() const { return m_received; }
        [[nodiscard]] qint64 expected() const { return m_request.length; }

    private:
        friend class FirmwareStore;
        Upload(FirmwareStore *store, UploadRequest request, const QString &tempPath);
        void finish();

        QPointer<FirmwareStore> m_store;
        UploadRequest m_request;
        QFile m_file;
        QCryptographicHash m_hash{QCryptographicHash::Sha256};
        qint64 m_received = 0;
        bool m_done = false;
    };

    explicit FirmwareStore(Settings settings, QObject *parent = nullptr);

    /// Creates the folder, removes leftovers of interrupted uploads and reads the records.
    bool load(QString *error);

    /// Starts an upload after every check that needs no byte of it (name, version, size, duplicate,
    /// free space); nullptr with `failure` set when refused.
    [[nodiscard]] std::unique_ptr<Upload> begin(const UploadRequest &request, Failure *failure);

    /// Deletes an image (unless the removal veto refuses).
    [[nodiscard]] std::optional<Failure> remove(const QString &name, const QString &version);

    /// Asked before an image is removed: a reason to refuse, or nullopt to allow it.
    using RemovalVeto = std::function<std::optional<QString>(const FirmwareImage &)>;
    void setRemovalVeto(RemovalVeto veto) { m_veto = std::move(veto); }

    [[nodiscard]] std::optional<FirmwareImage> find(const QString &name, const QString &version) const override;
    [[nodiscard]] QList<FirmwareImage> images() const override;

    /// The image's file (it exists while find() returns the image).
    [[nodiscard]] QString imagePath(const QString &name, const QString &version) const;
    [[nodiscard]] qint64 maxImageBytes() const { return m_settings.maxImageBytes; }

    /// 1-64 of [A-Za-z0-9._-], and neither "." nor "..".
    [[nodiscard]] static bool isValidName(const QString &name);

signals:
    void imageAdded(const edgegate::FirmwareImage &image);
    void imageRemoved(const QString &name, const QString &version);

private:
    [[nodiscard]] QString folder(const QString &name) const;
    [[nodiscard]] static QString key(const QString &name, const QString &version);
    void uploadEnded(const QString &name, const QString &version);
    [[nodiscard]] std::optional<Failure> install(Upload &upload, const FirmwareImage &image);

    Settings m_settings;
    QHash<QString, FirmwareImage> m_images;
    QSet<QString> m_uploading;
    RemovalVeto m_veto;
};

} // namespace edgegate
