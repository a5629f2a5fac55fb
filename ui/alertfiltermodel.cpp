// SPDX-License-Identifier: Apache-2.0
#include "ui/alertfiltermodel.h"

#include "ui/alertmodel.h"

void AlertFilterModel::setSeverity(const QString &severity)
{
    setFilter(m_severity, severity, &AlertFilterModel::severityChanged);
}

void AlertFilterModel::setShowCleared(bool showCleared)
{
    setFilter(m_showCleared, showCleared, &AlertFilterModel::showClearedChanged);
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
