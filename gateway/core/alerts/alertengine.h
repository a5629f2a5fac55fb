// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/alerts/alertrule.h"
#include "gateway/core/analytics/analytics.h"
#include "gateway/core/common/duequeue.h"
#include "gateway/core/devices/healthstore.h"
#include "gateway/core/ingest/envelope.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>

namespace edgegate {

class AlertStore;
class DeviceRegistry;

/// Applies the alert rules to what happens: device status changes, accepted telemetry, analytics
/// anomalies and outbox drops raise alerts in the AlertStore and clear them when the condition
/// ends. Everything that must happen later (a `for` elapsing, a `clear_after` quiet time, a
/// no_data silence) is a deadline in one ordered set, with one timer armed for the earliest.
/// Time comes from a clock function, so tests drive it and call tick().
class AlertEngine : public QObject
{
    Q_OBJECT
public:
    using Clock = std::function<qint64()>;

    AlertEngine(AlertStore &alerts, DeviceRegistry &registry, Clock nowMs = {}, QObject *parent = nullptr);

    /// Replaces the rules; pending deadlines and threshold state of the old rules are dropped, and
    /// open anomaly and outbox_overflow alerts get their clear_after deadline again.
    void setRules(const QList<AlertRule> &rules);
    [[nodiscard]] const QList<AlertRule> &rules() const { return m_rules; }

    void onStatus(const StatusTransition &transition);
    /// The per-message path: nothing is done unless threshold or no_data rules exist.
    void onTelemetry(const Envelope &envelope);
    void onAnomaly(const Anomaly &anomaly);
    void onOutboxDropped(const QString &sink, quint64 count, const QString &reason);
    /// A certificate and when it expires (ms since the epoch); called on every load and now and then:
    /// the alert is open while the expiry is within the rule's `before`. `name` keys the alert (a TLS
    /// listener, "device_ca", "devices"); `what` words it, by default as the listener's certificate.
    void onCertificateExpiry(const QString &name, qint64 expiryMs, const QString &what = {});
    /// The same as a TLS listener (HttpTls::expiryChecked) and the device CA (DeviceCertificates) report it.
    void onListenerExpiry(const QString &listener, const QDateTime &expiry)
    {
        onCertificateExpiry(listener, expiry.toMSecsSinceEpoch());
    }
    void onCertificatesExpiry(const QString &name, const QDateTime &expiry, const QString &what)
    {
        onCertificateExpiry(name, expiry.toMSecsSinceEpoch(), what);
    }

    /// Runs the deadlines that are due and re-arms the timer.
    void tick();
    /// The earliest pending deadline (ms since the epoch), if any.
    [[nodiscard]] std::optional<qint64> nextDeadline() const;

private:
    enum class Action { Raise, Clear };
    struct Deadline
    {
        qint64 due = 0;
        Action action = Action::Raise;
        int rule = 0; // index in m_rules
        QString deviceId;
        QString metric;
        double value = 0.0;
    };
    struct Outside
    {
        qint64 sinceMs = 0;
        double value = 0.0;
    };

    static QString key(int rule, const QString &deviceId, const QString &metric);
    void schedule(const Deadline &deadline);
    void cancel(int rule, const QString &deviceId, const QString &metric);
    void fire(const Deadline &deadline);
    void arm();
    void raise(int rule, const QString &deviceId, const QString &metric, double value, const QString &message);
    [[nodiscard]] QString typeOf(const QString &deviceId) const;
    void threshold(int rule, const QString &deviceId, double value, qint64 now);

    AlertStore &m_alerts;
    DeviceRegistry &m_registry;
    Clock m_now;
    QList<AlertRule> m_rules;
    /// Indexes into m_rules by kind, thresholds by metric instead.
    [[nodiscard]] QList<int> rulesOf(AlertRule::Kind kind) const { return m_byKind.value(kind); }
    /// The rules of `kind` whose selector takes `deviceId`.
    [[nodiscard]] QList<int> rulesFor(AlertRule::Kind kind, const QString &deviceId) const;
    QHash<AlertRule::Kind, QList<int>> m_byKind;
    QHash<QString, QList<int>> m_thresholdByMetric;
    QHash<QString, Deadline> m_deadlines; // key() -> deadline
    DueQueue<qint64> m_queue;
    QHash<QString, Outside> m_outside; // threshold conditions in progress, by key()
    QTimer m_timer;
    qint64 m_armedFor = 0;
};

} // namespace edgegate
