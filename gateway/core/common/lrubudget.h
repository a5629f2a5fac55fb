// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

#include <list>

namespace edgegate {

/// Bytes held per key within one budget: keys are kept in the order they were last used, and
/// the least recently used go first when the total passes the budget. The key just used always
/// stays, even alone past the budget.
class LruBudget
{
public:
    explicit LruBudget(qsizetype bytes);

    /// `key` was just used and now holds `bytes`: the keys to drop, least recently used first, for
    /// the rest to fit (they are forgotten here).
    [[nodiscard]] QStringList use(const QString &key, qsizetype bytes);
    void remove(const QString &key);

    [[nodiscard]] qsizetype budget() const { return m_budget; }
    [[nodiscard]] qsizetype used() const { return m_used; }
    [[nodiscard]] qsizetype count() const { return m_entries.size(); }

private:
    struct Entry
    {
        QString key;
        qsizetype bytes = 0;
    };
    qsizetype m_budget;
    qsizetype m_used = 0;
    std::list<Entry> m_order; ///< least recently used first
    QHash<QString, std::list<Entry>::iterator> m_entries;
};

} // namespace edgegate
