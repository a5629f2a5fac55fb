// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/common/writehealth.h"
#include "gateway/core/devices/healthstore.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <optional>

namespace edgegate {

class Counter;
class DeviceRegistry;
class Metrics;

/// The status history of every device: transitions are buffered and written to the store in one
/// transaction a second (a burst of devices going offline together costs one write), and pruned
/// to `keepDays` at start and once a day.
class HealthHistory : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        int keepDays = 30;
        std::chrono::milliseconds flushInterval{1000};
        /// Transitions buffered at most while the store fails; beyond that the oldest are dropped (counted).
        qsizetype maxPending = 10000;
    };

    HealthHistory(const Settings &settings, HealthStore &store, Metrics &metrics, QObject *parent = nullptr);
    ~HealthHistory() override;

    /// Prunes old entries and starts the timers.
    void start();

    void record(const StatusTransition &transition);

    /// Newest first; pending transitions are written first so they are included.
    [[nodiscard]] std::optional<QList<StatusTransition>> query(const QString &deviceId, qint64 sinceMs, qint64 untilMs,
                                                               int limit, qsizetype *total);

    bool flush();
    void prune();

private:
    Settings m_settings;
    HealthStore &m_store;
    QList<StatusTransition> m_pending;
    QTimer m_flushTimer;
    QTimer m_pruneTimer;
    WriteHealth m_writes;
    Counter &m_recorded;
    Counter &m_dropped;
    Counter &m_pruned;
};

/// A transition as the APIs show it: time, from (null when just registered), to, reason.
[[nodiscard]] QJsonObject statusTransitionToJson(const StatusTransition &transition);

/// One device's status history as the REST and WebSocket APIs answer it.
struct DeviceHistoryPage
{
    enum class Result { Ok, UnknownDevice, StorageFailed };
    static constexpr int MaxLimit = 1000;

    Result result = Result::Ok;
    QJsonArray transitions; ///< newest first, as statusTransitionToJson
    qsizetype total = 0; ///< transitions in the range, beyond `limit` too
};

/// Up to `limit` (0..DeviceHistoryPage::MaxLimit) transitions of `deviceId` in [sinceMs, untilMs].
/// A removed device still has its history: only an id with none that `registry` does not know is unknown.
[[nodiscard]] DeviceHistoryPage deviceHistoryPage(HealthHistory &history, const DeviceRegistry &registry,
                                                  const QString &deviceId, qint64 sinceMs, qint64 untilMs, int limit);

} // namespace edgegate
