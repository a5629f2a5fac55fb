// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/alert.h"

#include <QList>
#include <QObject>
#include <QString>

#include <deque>

namespace edgegate {

class Counter;
class Metrics;

/// Alerts kept in memory, newest last, bounded to a configured count (the oldest go first).
class AlertStore : public QObject
{
    Q_OBJECT
public:
    AlertStore(int maxKept, Metrics &metrics, QObject *parent = nullptr);

    /// Assigns the alert its id, keeps it and announces it.
    const Alert &raise(Alert alert);

    /// Newest first; `deviceId` empty for all devices; `total` gets the count of all matches.
    [[nodiscard]] QList<Alert> list(const QString &deviceId = {}, int limit = 100, qsizetype *total = nullptr) const;
    [[nodiscard]] qsizetype size() const { return static_cast<qsizetype>(m_alerts.size()); }

signals:
    void alertRaised(const edgegate::Alert &alert);

private:
    Counter &alertCounter(const QString &kind, const QString &severity);

    int m_maxKept;
    quint64 m_nextId = 1;
    std::deque<Alert> m_alerts;
    Metrics &m_metrics;
    Counter &m_evicted;
};

} // namespace edgegate
