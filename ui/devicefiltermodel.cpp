// SPDX-License-Identifier: Apache-2.0
#include "ui/devicefiltermodel.h"

#include "ui/devicemodel.h"

#include <QDateTime>

#include <algorithm>

namespace {

/// Problems first when sorting by status.
int statusRank(const QString &status)
{
    static const QStringList order{QStringLiteral("error"), QStringLiteral("offline"), QStringLiteral("maintenance"),
                                   QStringLiteral("online")};
    const qsizetype rank = order.indexOf(status);
    return rank < 0 ? int(order.size()) : int(rank);
}

} // namespace

DeviceFilterModel::DeviceFilterModel(QObject *parent)
    : FilterModelBase(parent)
{
    setSortCaseSensitivity(Qt::CaseInsensitive);
    sort(0, Qt::AscendingOrder);
}

void DeviceFilterModel::setSearch(const QString &search)
{
    setFilter(m_search, search, &DeviceFilterModel::searchChanged);
}

void DeviceFilterModel::setStatus(const QString &status)
{
    setFilter(m_status, status, &DeviceFilterModel::statusChanged);
}

void DeviceFilterModel::setType(const QString &type)
{
    setFilter(m_type, type, &DeviceFilterModel::typeChanged);
}

void DeviceFilterModel::setSortBy(const QString &sortBy)
{
    const QString value = sortBy.isEmpty() ? QStringLiteral("name") : sortBy;
    if (value == m_sortBy)
        return;
    m_sortBy = value;
    resort();
    emit sortByChanged();
}

void DeviceFilterModel::setDescending(bool descending)
{
    if (descending == m_descending)
        return;
    m_descending = descending;
    resort();
    emit descendingChanged();
}

QString DeviceFilterModel::deviceIdAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return {};
    return data(index(row, 0), DeviceModel::DeviceIdRole).toString();
}

void DeviceFilterModel::resort()
{
    invalidate();
    sort(0, m_descending ? Qt::DescendingOrder : Qt::AscendingOrder);
}

bool DeviceFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *source = sourceModel();
    if (!source)
        return false;
    const QModelIndex at = source->index(sourceRow, 0, sourceParent);
    if (!m_status.isEmpty()) {
        if (m_status == u"pending") {
            if (at.data(DeviceModel::ApprovalRole).toString() != u"pending")
                return false;
        } else if (at.data(DeviceModel::StatusRole).toString() != m_status) {
            return false;
        }
    }
    if (!m_type.isEmpty() && at.data(DeviceModel::TypeRole).toString() != m_type)
        return false;
    const QString needle = m_search.trimmed();
    if (needle.isEmpty())
        return true;
    const std::initializer_list<int> roles{DeviceModel::DeviceIdRole, DeviceModel::NameRole, DeviceModel::TypeRole};
    return std::ranges::any_of(
        roles, [&](int role) { return at.data(role).toString().contains(needle, Qt::CaseInsensitive); });
}

bool DeviceFilterModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const auto byName = [&] {
        const int names = QString::compare(left.data(DeviceModel::DisplayNameRole).toString(),
                                           right.data(DeviceModel::DisplayNameRole).toString(), Qt::CaseInsensitive);
        if (names != 0)
            return names < 0;
        return left.data(DeviceModel::DeviceIdRole).toString() < right.data(DeviceModel::DeviceIdRole).toString();
    };
    if (m_sortBy == u"status") {
        const int l = statusRank(left.data(DeviceModel::StatusRole).toString());
        const int r = statusRank(right.data(DeviceModel::StatusRole).toString());
        return l != r ? l < r : byName();
    }
    if (m_sortBy == u"type") {
        const int types = QString::compare(left.data(DeviceModel::TypeRole).toString(),
                                           right.data(DeviceModel::TypeRole).toString(), Qt::CaseInsensitive);
        return types != 0 ? types < 0 : byName();
    }
    if (m_sortBy == u"lastSeen") {
        const QDateTime l = left.data(DeviceModel::LastSeenRole).toDateTime();
        const QDateTime r = right.data(DeviceModel::LastSeenRole).toDateTime();
        return l != r ? l < r : byName();
    }
    return byName();
}
