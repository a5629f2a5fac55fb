// SPDX-License-Identifier: Apache-2.0
#include "ui/firmwaremodel.h"

#include "shared/deviceinfo.h"

#include <QDateTime>
#include <QJsonObject>

FirmwareModel::FirmwareModel(QObject *parent)
    : KeyedListModel([](const Image &i) -> QString { return i.name + u'@' + i.version; }, nullptr, parent)
{
}

QVariant FirmwareModel::rowData(const Image &image, int role) const
{
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return image.name;
    case VersionRole:
        return image.version;
    case SizeRole:
        return image.size;
    case Sha256Role:
        return image.sha256;
    case DeviceTypeRole:
        return image.deviceType;
    case UploadedAtRole:
        return image.uploadedMs > 0 ? QVariant(QDateTime::fromMSecsSinceEpoch(image.uploadedMs, Qt::UTC)) : QVariant();
    default:
        return {};
    }
}

QHash<int, QByteArray> FirmwareModel::roleNames() const
{
    return {
        {NameRole, "name"},     {VersionRole, "version"},       {SizeRole, "size"},
        {Sha256Role, "sha256"}, {DeviceTypeRole, "deviceType"}, {UploadedAtRole, "uploadedAt"},
    };
}

void FirmwareModel::setImages(const QJsonArray &images)
{
    QList<Image> rows;
    rows.reserve(images.size());
    for (const QJsonValue value : images) {
        const QJsonObject json = value.toObject();
        Image image;
        image.name = json.value(u"name").toString();
        image.version = json.value(u"version").toString();
        if (image.name.isEmpty() || image.version.isEmpty())
            continue;
        image.size = json.value(u"size").toInteger();
        image.sha256 = json.value(u"sha256").toString();
        image.deviceType = json.value(u"device_type").toString();
        image.uploadedMs = edgegate::timeFromJson(json.value(u"uploaded"));
        rows.append(std::move(image));
    }
    resetRows(std::move(rows));
}
