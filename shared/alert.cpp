// SPDX-License-Identifier: Apache-2.0
#include "shared/alert.h"

#include "shared/deviceinfo.h"

#include <algorithm>

namespace edgegate {

using namespace Qt::StringLiterals;

bool isAlertSeverity(QStringView severity)
{
    return severity == u"info" || severity == u"warning" || severity == u"critical";
}

bool isAlertState(QStringView state)
{
    return state == alertstate::Active || state == alertstate::Acknowledged || state == alertstate::Cleared;
}

QJsonObject alertToJson(const Alert &alert)
{
    return QJsonObject{
        {u"id"_s, static_cast<qint64>(alert.id)},
        {u"rule"_s, alert.rule},
        {u"kind"_s, alert.kind},
        {u"severity"_s, alert.severity},
        {u"state"_s, alert.state},
        {u"device"_s, alert.deviceId},
        {u"metric"_s, alert.metric},
        {u"value"_s, alert.value},
        {u"z_score"_s, alert.zScore},
        {u"mean"_s, alert.mean},
        {u"stddev"_s, alert.stddev},
        {u"time"_s, timeToJson(alert.timeMs)},
        {u"first_at"_s, timeToJson(alert.timeMs)},
        {u"last_at"_s, timeToJson(alert.lastAtMs)},
        {u"count"_s, static_cast<qint64>(alert.count)},
        {u"message"_s, alert.message},
        {u"acknowledged_by"_s, textOrNull(alert.acknowledgedBy)},
        {u"acknowledged_at"_s, timeToJson(alert.acknowledgedAtMs)},
        {u"note"_s, textOrNull(alert.note)},
        {u"cleared_at"_s, timeToJson(alert.clearedAtMs)},
        {u"cleared_by"_s, textOrNull(alert.clearedBy)},
    };
}

std::optional<Alert> alertFromJson(const QJsonObject &json)
{
    Alert a;
    const qint64 id = json.value(u"id"_s).toInteger(-1);
    if (id < 0)
        return std::nullopt;
    a.id = static_cast<quint64>(id);
    a.rule = json.value(u"rule"_s).toString();
    a.kind = json.value(u"kind"_s).toString();
    a.severity = json.value(u"severity"_s).toString();
    // Alerts from before the lifecycle existed have no state: they were active.
    a.state = json.value(u"state"_s).toString(alertstate::Active.toString());
    if (!isAlertState(a.state))
        return std::nullopt;
    a.deviceId = json.value(u"device"_s).toString();
    a.metric = json.value(u"metric"_s).toString();
    a.value = json.value(u"value"_s).toDouble();
    a.zScore = json.value(u"z_score"_s).toDouble();
    a.mean = json.value(u"mean"_s).toDouble();
    a.stddev = json.value(u"stddev"_s).toDouble();
    a.timeMs = timeFromJson(json.value(u"first_at"_s));
    if (a.timeMs == 0)
        a.timeMs = timeFromJson(json.value(u"time"_s));
    a.lastAtMs = timeFromJson(json.value(u"last_at"_s));
    a.count = static_cast<quint64>(std::max<qint64>(1, json.value(u"count"_s).toInteger(1)));
    a.message = json.value(u"message"_s).toString();
    a.acknowledgedBy = json.value(u"acknowledged_by"_s).toString();
    a.acknowledgedAtMs = timeFromJson(json.value(u"acknowledged_at"_s));
    a.note = json.value(u"note"_s).toString();
    a.clearedAtMs = timeFromJson(json.value(u"cleared_at"_s));
    a.clearedBy = json.value(u"cleared_by"_s).toString();
    return a;
}

} // namespace edgegate
