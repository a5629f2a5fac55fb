// SPDX-License-Identifier: Apache-2.0
#include "ui/alertmodel.h"

#include <QDateTime>

#include <algorithm>

using namespace edgegate;

namespace {

QVariant timeOrNull(qint64 ms)
{
    return ms > 0 ? QVariant(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC)) : QVariant();
}

/// Newest first: by the time first raised, then by id.
bool newer(const Alert &a, const Alert &b)
{
    return a.timeMs != b.timeMs ? a.timeMs > b.timeMs : a.id > b.id;
}

quint64 alertKey(const Alert &alert)
{
    return alert.id;
}

} // namespace

AlertModel::AlertModel(QObject *parent)
    : KeyedListModel(alertKey, newer, parent)
{
}

QVariant AlertModel::rowData(const Alert &alert, int role) const
{
    switch (role) {
    case AlertIdRole:
        return int(alert.id);
    case DeviceIdRole:
        return alert.deviceId;
    case KindRole:
        return alert.kind;
    case RuleRole:
        return alert.rule;
    case SeverityRole:
        return alert.severity;
    case StateRole:
        return alert.state;
    case Qt::DisplayRole:
    case MessageRole:
        return alert.message;
    case MetricRole:
        return alert.metric;
    case ValueRole:
        return alert.value;
    case CountRole:
        return int(std::min<quint64>(alert.count, std::numeric_limits<int>::max()));
    case FirstAtRole:
        return timeOrNull(alert.timeMs);
    case LastAtRole:
        return timeOrNull(alert.lastAtMs);
    case AcknowledgedByRole:
        return alert.acknowledgedBy;
    case AcknowledgedAtRole:
        return timeOrNull(alert.acknowledgedAtMs);
    case NoteRole:
        return alert.note;
    case ClearedAtRole:
        return timeOrNull(alert.clearedAtMs);
    case ClearedByRole:
        return alert.clearedBy;
    default:
        return {};
    }
}

QHash<int, QByteArray> AlertModel::roleNames() const
{
    return {
        {AlertIdRole, "alertId"},
        {DeviceIdRole, "deviceId"},
        {KindRole, "kind"},
        {RuleRole, "rule"},
        {SeverityRole, "severity"},
        {StateRole, "state"},
        {MessageRole, "message"},
        {MetricRole, "metric"},
        {ValueRole, "value"},
        {CountRole, "count"},
        {FirstAtRole, "firstAt"},
        {LastAtRole, "lastAt"},
        {AcknowledgedByRole, "acknowledgedBy"},
        {AcknowledgedAtRole, "acknowledgedAt"},
        {NoteRole, "note"},
        {ClearedAtRole, "clearedAt"},
        {ClearedByRole, "clearedBy"},
    };
}

int AlertModel::openCount() const
{
    return int(std::count_if(rows().cbegin(), rows().cend(), [](const Alert &a) { return a.isOpen(); }));
}

QVariantMap AlertModel::get(int alertId) const
{
    return alertId < 0 ? QVariantMap() : mapOf(quint64(alertId));
}
