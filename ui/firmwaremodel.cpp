// SPDX-License-Identifier: Apache-2.0
#include "ui/firmwaremodel.h"

#include "shared/deviceinfo.h"

#include <QJsonObject>

namespace {

const ListRole<FirmwareImage> FirmwareRoles[] = {
    {FirmwareModel::NameRole, "name", roleField<&FirmwareImage::name>},
    {FirmwareModel::VersionRole, "version", roleField<&FirmwareImage::version>},
    {FirmwareModel::SizeRole, "size", roleField<&FirmwareImage::size>},
    {FirmwareModel::Sha256Role, "sha256", roleField<&FirmwareImage::sha256>},
    {FirmwareModel::DeviceTypeRole, "deviceType", roleField<&FirmwareImage::deviceType>},
    {FirmwareModel::UploadedAtRole, "uploadedAt", roleTime<&FirmwareImage::uploadedMs>},
};

} // namespace

FirmwareModel::FirmwareModel(QObject *parent)
    : KeyedListModel([](const Image &i) -> QString { return i.name + u'@' + i.version; }, nullptr, FirmwareRoles,
                     NameRole, parent)
{
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
