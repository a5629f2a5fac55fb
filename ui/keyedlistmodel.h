// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QAbstractListModel>
#include <QList>
#include <QQmlEngine>
#include <QVariantMap>

#include <algorithm>
#include <span>

/// What every dashboard list model shares whatever its rows: `count` for QML, data() by role, and a
/// row's roles by name (what get() gives QML).
class ListModelBase : public QAbstractListModel
{
    Q_OBJECT
    QML_ANONYMOUS
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    using QAbstractListModel::QAbstractListModel;

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] int count() const { return size(); }

signals:
    /// The rows changed: their number, or what is counted from them.
    void countChanged();

protected:
    [[nodiscard]] virtual int size() const = 0;
    [[nodiscard]] virtual QVariant roleData(int row, int role) const = 0;
    /// The roles of `row` by name.
    [[nodiscard]] QVariantMap rowMap(int row) const;
};

/// A time in ms since the epoch as a UTC date-time role value; null for 0 (never).
[[nodiscard]] QVariant timeOrNull(qint64 ms);

/// One role of a list model of `Row`s: its number, its name in QML, and its value for a row.
template<typename Row> struct ListRole
{
    int role;
    const char *name;
    QVariant (*value)(const Row &row);
};

/// The value of a role that shows a member of the row as it is.
template<auto Member, typename Row> QVariant roleField(const Row &row)
{
    return QVariant::fromValue(row.*Member);
}

/// The value of a role that shows a time member (ms since the epoch) of the row.
template<auto Member, typename Row> QVariant roleTime(const Row &row)
{
    return timeOrNull(row.*Member);
}

/// A list model of rows with a key each: a snapshot replaces all rows, a change inserts or updates
/// the row with its key, a removal takes it out. With an order (`before(a, b)`: a comes first) rows
/// stay sorted; without one they keep their arrival order. The roles come from a table; Qt::DisplayRole
/// shows one of them.
template<typename Row, typename Key> class KeyedListModel : public ListModelBase
{
public:
    using KeyOf = Key (*)(const Row &);
    using Before = bool (*)(const Row &, const Row &);
    using RoleTable = std::span<const ListRole<Row>>;

    [[nodiscard]] QHash<int, QByteArray> roleNames() const final
    {
        QHash<int, QByteArray> names;
        names.reserve(m_roles.size());
        for (const ListRole<Row> &role : m_roles)
            names.insert(role.role, role.name);
        return names;
    }

    [[nodiscard]] const QList<Row> &rows() const { return m_rows; }
    [[nodiscard]] const Row *find(const Key &key) const
    {
        const int at = indexOf(key);
        return at < 0 ? nullptr : &m_rows.at(at);
    }

protected:
    KeyedListModel(KeyOf keyOf, Before before, RoleTable roles, int displayRole, QObject *parent)
        : ListModelBase(parent)
        , m_keyOf(keyOf)
        , m_before(before)
        , m_roles(roles)
        , m_displayRole(displayRole)
    {
    }

    void resetRows(QList<Row> rows)
    {
        beginResetModel();
        m_rows = std::move(rows);
        if (m_before)
            std::stable_sort(m_rows.begin(), m_rows.end(), m_before);
        endResetModel();
        changed(true);
    }

    void upsertRow(const Row &row)
    {
        const int at = indexOf(m_keyOf(row));
        if (at >= 0 && fitsAt(row, at)) {
            m_rows[at] = row;
            emit dataChanged(index(at), index(at));
            changed(false);
            return;
        }
        if (at >= 0) {
            beginRemoveRows({}, at, at);
            m_rows.removeAt(at);
            endRemoveRows();
        }
        const int to = m_before ? int(std::lower_bound(m_rows.cbegin(), m_rows.cend(), row, m_before) - m_rows.cbegin())
                                : int(m_rows.size());
        beginInsertRows({}, to, to);
        m_rows.insert(to, row);
        endInsertRows();
        changed(at < 0);
    }

    void removeRow(const Key &key)
    {
        const int at = indexOf(key);
        if (at < 0)
            return;
        beginRemoveRows({}, at, at);
        m_rows.removeAt(at);
        endRemoveRows();
        changed(true);
    }

    [[nodiscard]] int indexOf(const Key &key) const
    {
        for (int i = 0; i < m_rows.size(); ++i) {
            if (m_keyOf(m_rows.at(i)) == key)
                return i;
        }
        return -1;
    }

    /// How many rows `pred` holds for.
    template<typename Pred> [[nodiscard]] int countIf(Pred pred) const
    {
        return int(std::count_if(m_rows.cbegin(), m_rows.cend(), pred));
    }

    /// The roles of the row with `key` by name; empty when there is none.
    [[nodiscard]] QVariantMap mapOf(const Key &key) const
    {
        const int at = indexOf(key);
        return at < 0 ? QVariantMap() : rowMap(at);
    }

    /// After every change of the rows, `countChanged` when their number may have changed; a model
    /// that counts by content (online devices, open alerts) brings that up to date here.
    virtual void changed(bool rowCountChanged)
    {
        if (rowCountChanged)
            emit countChanged();
    }

private:
    [[nodiscard]] int size() const final { return int(m_rows.size()); }
    [[nodiscard]] QVariant roleData(int row, int role) const final
    {
        const int wanted = role == Qt::DisplayRole ? m_displayRole : role;
        for (const ListRole<Row> &entry : m_roles) {
            if (entry.role == wanted)
                return entry.value(m_rows.at(row));
        }
        return {};
    }
    /// Whether `row` may take place `at` without breaking the order.
    [[nodiscard]] bool fitsAt(const Row &row, int at) const
    {
        return !m_before
            || ((at == 0 || !m_before(row, m_rows.at(at - 1)))
                && (at + 1 == m_rows.size() || !m_before(m_rows.at(at + 1), row)));
    }

    QList<Row> m_rows;
    KeyOf m_keyOf;
    Before m_before;
    RoleTable m_roles;
    int m_displayRole;
};
