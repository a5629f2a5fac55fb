// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ui/keyedlistmodel.h"

#include <QJsonArray>
#include <QQmlEngine>

struct FirmwareImage
{
    QString name;
    QString version;
    qint64 size = 0;
    QString sha256;
    QString deviceType;
    qint64 uploadedMs = 0;
};

/// The firmware images in the gateway's store, as `firmware.list` answers them. Owned by ApiClient.
class FirmwareModel : public KeyedListModel<FirmwareImage, QString>
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("FirmwareModel belongs to ApiClient (ApiClient.firmware)")

public:
    enum Role {
        NameRole = Qt::UserRole + 1,
        VersionRole,
        SizeRole,
        Sha256Role,
        DeviceTypeRole,
        UploadedAtRole,
    };
    Q_ENUM(Role)

    using Image = FirmwareImage;

    explicit FirmwareModel(QObject *parent = nullptr);

    [[nodiscard]] const QList<Image> &images() const { return rows(); }

    /// Replaces the list with the image objects of the array (entries without name or version are skipped).
    void setImages(const QJsonArray &images);
    void clear() { resetRows({}); }
};
