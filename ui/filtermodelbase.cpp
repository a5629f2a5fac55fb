// SPDX-License-Identifier: Apache-2.0
#include "ui/filtermodelbase.h"

FilterModelBase::FilterModelBase(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
    connect(this, &QAbstractItemModel::rowsInserted, this, &FilterModelBase::countChanged);
    connect(this, &QAbstractItemModel::rowsRemoved, this, &FilterModelBase::countChanged);
    connect(this, &QAbstractItemModel::modelReset, this, &FilterModelBase::countChanged);
    connect(this, &QAbstractItemModel::layoutChanged, this, &FilterModelBase::countChanged);
}
