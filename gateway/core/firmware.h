// SPDX-License-Identifier: Apache-2.0
#pragma once

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
