// SPDX-License-Identifier: Apache-2.0
#include "ui/keyedlistmodel.h"

#include <QDateTime>

QVariant timeOrNull(qint64 ms)
{
    return ms > 0 ? QVariant(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC)) : QVariant();
}

int ListModelBase::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : size();
}

QVariant ListModelBase::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    return roleData(index.row(), role);
}

QVariantMap ListModelBase::rowMap(int row) const
{
    QVariantMap map;
    const QHash<int, QByteArray> names = roleNames();
    for (auto it = names.cbegin(); it != names.cend(); ++it)
        map.insert(QString::fromLatin1(it.value()), roleData(row, it.key()));
    return map;
}
