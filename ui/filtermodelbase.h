// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QQmlEngine>
#include <QSortFilterProxyModel>

/// What the dashboard's filter models share: `count` for QML, kept current as rows come and go, and
/// filter properties that filter the rows again when they change.
class FilterModelBase : public QSortFilterProxyModel
{
    Q_OBJECT
    QML_ANONYMOUS
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    explicit FilterModelBase(QObject *parent = nullptr);

    [[nodiscard]] int count() const { return rowCount(); }

signals:
    void countChanged();

protected:
    /// Sets a filter property: when `value` is new, filters again and emits `changed`, then countChanged.
    template<typename T, typename Model> void setFilter(T &member, const T &value, void (Model::*changed)())
    {
        if (value == member)
            return;
        member = value;
        invalidateFilter();
        emit(static_cast<Model *>(this)->*changed)();
        emit countChanged();
    }
};
