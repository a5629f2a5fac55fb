// SPDX-License-Identifier: Apache-2.0
#include "shared/alert.h"

#include "shared/deviceinfo.h"

namespace edgegate {

using namespace Qt::StringLiterals;

QJsonObject alertToJson(const Alert &alert)
{
    return QJsonObject{
        {u"id"_s, static_cast<qint64>(alert.id)},
        {u"kind"_s, alert.kind},
        {u"severity"_s, alert.severity},
        {u"device"_s, alert.deviceId},
        {u"metric"_s, alert.metric},
        {u"value"_s, alert.value},
        {u"z_score"_s, alert.zScore},
        {u"mean"_s, alert.mean},
        {u"stddev"_s, alert.stddev},
        {u"time"_s, timeToJson(alert.timeMs)},
        {u"message"_s, alert.message},
    };
}

std::optional<Alert> alertFromJson(const QJsonObject &json)
{
    Alert a;
    const qint64 id = json.value(u"id"_s).toInteger(-1);
    if (id < 0)
        return std::nullopt;
    a.id = static_cast<quint64>(id);
    a.kind = json.value(u"kind"_s).toString();
    a.severity = json.value(u"severity"_s).toString();
    a.deviceId = json.value(u"device"_s).toString();
    a.metric = json.value(u"metric"_s).toString();
    a.value = json.value(u"value"_s).toDouble();
    a.zScore = json.value(u"z_score"_s).toDouble();
    a.mean = json.value(u"mean"_s).toDouble();
    a.stddev = json.value(u"stddev"_s).toDouble();
    a.timeMs = timeFromJson(json.value(u"time"_s));
    a.message = json.value(u"message"_s).toString();
    return a;
}

} // namespace edgegate
