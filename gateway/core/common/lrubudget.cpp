// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/common/lrubudget.h"

namespace edgegate {

LruBudget::LruBudget(qsizetype bytes)
    : m_budget(bytes)
{
}

QStringList LruBudget::use(const QString &key, qsizetype bytes)
{
    auto found = m_entries.find(key);
    if (found == m_entries.end()) {
        found = m_entries.insert(key, m_order.insert(m_order.end(), Entry{key, 0}));
    } else {
        m_order.splice(m_order.end(), m_order, *found);
    }
    Entry &entry = **found;
    m_used += bytes - entry.bytes;
    entry.bytes = bytes;

    QStringList dropped;
    while (m_used > m_budget && m_order.front().key != key) {
        const Entry &oldest = m_order.front();
        m_used -= oldest.bytes;
        dropped.append(oldest.key);
        m_entries.remove(oldest.key);
        m_order.pop_front();
    }
    return dropped;
}

void LruBudget::remove(const QString &key)
{
    const auto found = m_entries.constFind(key);
    if (found == m_entries.cend())
        return;
    m_used -= (*found)->bytes;
    m_order.erase(*found);
    m_entries.erase(found);
}

} // namespace edgegate
