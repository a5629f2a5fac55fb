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

} // namespace

AlertModel::AlertModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

int AlertModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant AlertModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    return roleData(m_rows.at(index.row()), role);
}

QVariant AlertModel::roleData(const Alert &alert, int role) const
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
    return int(std::count_if(m_rows.cbegin(), m_rows.cend(), [](const Alert &a) { return a.isOpen(); }));
}

QVariantMap AlertModel::get(int alertId) const
{
    const Alert *alert = alertId < 0 ? nullptr : find(quint64(alertId));
    if (!alert)
        return {};
    QVariantMap map;
    const QHash<int, QByteArray> names = roleNames();
    for (auto it = names.cbegin(); it != names.cend(); ++it)
        map.insert(QString::fromLatin1(it.value()), roleData(*alert, it.key()));
    return map;
}

const Alert *AlertModel::find(quint64 alertId) const
{
    const int row = indexOf(alertId);
    return row < 0 ? nullptr : &m_rows.at(row);
}

int AlertModel::indexOf(quint64 alertId) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).id == alertId)
            return i;
    }
    return -1;
}

int AlertModel::insertionRow(const Alert &alert) const
{
    return int(std::lower_bound(m_rows.cbegin(), m_rows.cend(), alert, newer) - m_rows.cbegin());
}

void AlertModel::setAlerts(const QList<Alert> &alerts)
{
    beginResetModel();
    m_rows = alerts;
    std::stable_sort(m_rows.begin(), m_rows.end(), newer);
    endResetModel();
    emit countsChanged();
}

void AlertModel::upsert(const Alert &alert)
{
    const int row = indexOf(alert.id);
    if (row >= 0 && m_rows.at(row).timeMs == alert.timeMs) {
        m_rows[row] = alert;
        const QModelIndex at = index(row);
        emit dataChanged(at, at);
    } else {
        if (row >= 0) {
            beginRemoveRows({}, row, row);
            m_rows.removeAt(row);
            endRemoveRows();
        }
        const int to = insertionRow(alert);
        beginInsertRows({}, to, to);
        m_rows.insert(to, alert);
        endInsertRows();
    }
    emit countsChanged();
}

void AlertModel::clear()
{
    setAlerts({});
}
