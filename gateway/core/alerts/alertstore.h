// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/common/writehealth.h"
#include "shared/alert.h"

#include <QHash>
#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QTimer>

#include <chrono>
#include <map>
#include <optional>
#include <set>

namespace edgegate {

class Counter;
class HealthStore;
class Metrics;

/// Alerts and their lifecycle: active, acknowledged, cleared. An alert still open (active or
/// acknowledged) for the same rule, device and metric takes a repeat as a count, not a new alert.
/// Bounded to a configured count: cleared alerts are evicted first, oldest first. With a store,
/// alerts are loaded from it and changes written to it in batches (a timer, or flush()).
class AlertStore : public QObject
{
    Q_OBJECT
public:
    struct Filter
    {
        QString state; ///< empty: any
        QString severity;
        QString deviceId;
    };

    enum class ChangeResult { Done, NotFound, Conflict };

    AlertStore(int maxKept, Metrics &metrics, QObject *parent = nullptr);
    ~AlertStore() override;

    /// Loads the kept alerts from `store` and writes every later change there.
    [[nodiscard]] bool load(HealthStore &store, QString *error,
                            std::chrono::milliseconds flushInterval = std::chrono::seconds(1));

    /// Opens a new alert (assigning its id), or counts a repeat of the open one with the same
    /// rule, device and metric (its value, message and last_at are updated). alertChanged() is
    /// emitted for a new alert only.
    const Alert &raise(Alert alert);

    /// Operator acknowledgement; Conflict when the alert is not active.
    ChangeResult acknowledge(quint64 id, const QString &by, const QString &note, qint64 nowMs);
    /// Clears an open alert; `by` empty when its condition ended. Conflict when already cleared.
    ChangeResult clear(quint64 id, const QString &by, qint64 nowMs);
    /// Clears the open alert of that rule, device and metric, if there is one.
    bool clearOpen(const QString &rule, const QString &deviceId, const QString &metric, qint64 nowMs);

    [[nodiscard]] const Alert *find(quint64 id) const;
    [[nodiscard]] const Alert *findOpen(const QString &rule, const QString &deviceId, const QString &metric) const;
    /// Open alerts, oldest first.
    [[nodiscard]] QList<Alert> openAlerts() const;

    /// Newest first; `total` gets the count of all matches.
    [[nodiscard]] QList<Alert> list(const Filter &filter = {}, int limit = 100, qsizetype *total = nullptr) const;
    /// Newest first for one device (empty for all).
    [[nodiscard]] QList<Alert> list(const QString &deviceId, int limit = 100, qsizetype *total = nullptr) const
    {
        return list(Filter{{}, {}, deviceId}, limit, total);
    }
    [[nodiscard]] qsizetype size() const { return static_cast<qsizetype>(m_alerts.size()); }

    /// Writes pending changes now (also done on a timer and at destruction).
    bool flush();

signals:
    /// Raised, acknowledged or cleared (not emitted for repeats).
    void alertChanged(const edgegate::Alert &alert);

private:
    static QString key(const QString &rule, const QString &deviceId, const QString &metric);
    Counter &alertCounter(const QString &kind, const QString &severity);
    void changed(const Alert &alert);
    void evict();

    int m_maxKept;
    quint64 m_nextId = 1;
    std::map<quint64, Alert> m_alerts; // by id, i.e. oldest first
    QHash<QString, quint64> m_open; // key() -> id of the open alert
    std::set<quint64> m_cleared;
    HealthStore *m_store = nullptr;
    QSet<quint64> m_dirty;
    QList<quint64> m_removed;
    QTimer m_flushTimer;
    WriteHealth m_writes;
    Metrics &m_metrics;
    Counter &m_evicted;
    Counter &m_flushFailures;
};

/// Who acknowledges or clears an alert, as the REST and WebSocket APIs take it: 1 to 128
/// characters once trimmed; nullopt when not.
[[nodiscard]] std::optional<QString> alertActorFrom(const QString &by);
/// An acknowledgement note: absent (empty) or a text of at most 1024 characters; nullopt when not.
[[nodiscard]] std::optional<QString> alertNoteFromJson(const QJsonValue &note);

} // namespace edgegate
