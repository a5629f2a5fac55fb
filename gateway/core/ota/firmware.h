// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace edgegate {

/// A firmware image the gateway keeps for devices to download.
struct FirmwareImage
{
    QString name; ///< 1-64 of [A-Za-z0-9._-]
    QString version; ///< semantic version
    QString deviceType; ///< the devices it is meant for; empty for any
    qint64 size = 0;
    QString sha256; ///< lower-case hex
    qint64 uploadedMs = 0;

    friend bool operator==(const FirmwareImage &, const FirmwareImage &) = default;
};

/// The image object of the REST API and of the record kept beside each image:
/// `{"name", "version", "device_type", "size", "sha256", "uploaded"}`.
[[nodiscard]] QJsonObject firmwareToJson(const FirmwareImage &image);
/// Inverse of firmwareToJson; nullopt when a field is missing or of the wrong type.
[[nodiscard]] std::optional<FirmwareImage> firmwareFromJson(const QJsonObject &json);

/// The images the gateway has, as OTA campaigns see them. storage/ implements it on disk.
class FirmwareCatalog
{
public:
    virtual ~FirmwareCatalog() = default;
    [[nodiscard]] virtual std::optional<FirmwareImage> find(const QString &name, const QString &version) const = 0;
    /// Sorted by name, then version.
    [[nodiscard]] virtual QList<FirmwareImage> images() const = 0;
};

} // namespace edgegate
