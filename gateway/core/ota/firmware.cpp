// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/ota/firmware.h"

#include "shared/deviceinfo.h"

namespace edgegate {

using namespace Qt::StringLiterals;

QJsonObject firmwareToJson(const FirmwareImage &image)
{
    return QJsonObject{
        {u"name"_s, image.name}, {u"version"_s, image.version}, {u"device_type"_s, image.deviceType},
        {u"size"_s, image.size}, {u"sha256"_s, image.sha256},   {u"uploaded"_s, timeToJson(image.uploadedMs)}};
}

std::optional<FirmwareImage> firmwareFromJson(const QJsonObject &json)
{
    const QJsonValue size = json.value(u"size"_s);
    if (!json.value(u"name"_s).isString() || !json.value(u"version"_s).isString()
        || !json.value(u"device_type"_s).isString() || !size.isDouble() || !json.value(u"sha256"_s).isString())
        return std::nullopt;
    FirmwareImage image;
    image.name = json.value(u"name"_s).toString();
    image.version = json.value(u"version"_s).toString();
    image.deviceType = json.value(u"device_type"_s).toString();
    image.size = size.toInteger(-1);
    image.sha256 = json.value(u"sha256"_s).toString();
    image.uploadedMs = timeFromJson(json.value(u"uploaded"_s));
    if (image.size < 0)
        return std::nullopt;
    return image;
}

} // namespace edgegate
