// SPDX-License-Identifier: Apache-2.0
#include "ui/alertfiltermodel.h"

#include "ui/alertmodel.h"

AlertFilterModel::AlertFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
    connect(this, &QAbstractItemModel::rowsInserted, this, &AlertFilterModel::countChanged);
    connect(this, &QAbstractItemModel::rowsRemoved, this, &AlertFilterModel::countChanged);
    connect(this, &QAbstractItemModel::modelReset, this, &AlertFilterModel::countChanged);
    connect(this, &QAbstractItemModel::layoutChanged, this, &AlertFilterModel::countChanged);
}

void AlertFilterModel::setSeverity(const QString &severity)
{
    if (severity == m_severity)
        return;
    m_severity = severity;
    invalidateFilter();
    emit severityChanged();
    emit countChanged();
}

void AlertFilterModel::setShowCleared(bool showCleared)
{
    if (showCleared == m_showCleared)
        return;
    m_showCleared = showCleared;
    invalidateFilter();
    emit showClearedChanged();
    emit countChanged();
}

bool AlertFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *source = sourceModel();
    if (!source)
        return false;
    const QModelIndex at = source->index(sourceRow, 0, sourceParent);
    if (!m_severity.isEmpty() && at.data(AlertModel::SeverityRole).toString() != m_severity)
        return false;
    return m_showCleared || at.data(AlertModel::StateRole).toString() != u"cleared";
}
