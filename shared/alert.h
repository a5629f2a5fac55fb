// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringView>

#include <optional>

namespace edgegate {

/// Where an alert is in its life: active, then acknowledged by an operator, then cleared.
namespace alertstate {
inline constexpr QStringView Active = u"active";
inline constexpr QStringView Acknowledged = u"acknowledged";
inline constexpr QStringView Cleared = u"cleared";
} // namespace alertstate

/// Something an operator should look at, raised by an alert rule (offline, threshold, no_data,
/// anomaly, outbox_overflow, certificate_expiry). A repeat of an open alert (same rule, device and metric) counts up
/// `count` and `lastAtMs` instead of making a new alert.
struct Alert
{
    quint64 id = 0;
    QString rule; ///< id of the rule that raised it
    QString kind; ///< the rule's kind: offline, threshold, no_data, anomaly, outbox_overflow, certificate_expiry
    QString severity; ///< info, warning or critical
    QString state = alertstate::Active.toString();
    QString deviceId;
    QString metric; ///< threshold, anomaly: the metric; outbox_overflow: the sink; certificate_expiry: the listener
    double value = 0.0;
    double zScore = 0.0;
    double mean = 0.0;
    double stddev = 0.0;
    qint64 timeMs = 0; ///< first raised
    qint64 lastAtMs = 0; ///< last raised or repeated
    quint64 count = 1;
    QString message;
    QString acknowledgedBy;
    qint64 acknowledgedAtMs = 0;
    QString note;
    qint64 clearedAtMs = 0;
    QString clearedBy; ///< empty when the condition ended by itself

    [[nodiscard]] bool isOpen() const { return state != alertstate::Cleared; }

    friend bool operator==(const Alert &, const Alert &) = default;
};

[[nodiscard]] bool isAlertSeverity(QStringView severity);
[[nodiscard]] bool isAlertState(QStringView state);

[[nodiscard]] QJsonObject alertToJson(const Alert &alert);
[[nodiscard]] std::optional<Alert> alertFromJson(const QJsonObject &json);

} // namespace edgegate
