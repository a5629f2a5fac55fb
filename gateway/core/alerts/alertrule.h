// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>

namespace edgegate {

/// When an alert is raised and when it clears; see docs/rest-api.md (alert rules).
struct AlertRule
{
    enum class Kind { Offline, Threshold, NoData, Anomaly, OutboxOverflow, CertificateExpiry };

    QString id;
    Kind kind = Kind::Offline;
    QString severity = QStringLiteral("warning");
    /// Selector: both empty matches every device.
    QString deviceType;
    QStringList devices;
    QString metric; ///< threshold
    std::optional<double> above; ///< threshold: alert while the value is above this
    std::optional<double> below; ///< threshold: alert while the value is below this
    std::chrono::milliseconds forDuration{0}; ///< offline, threshold, no_data: how long before it fires
    std::chrono::milliseconds clearAfter{std::chrono::minutes(5)}; ///< anomaly, outbox_overflow: quiet time
    /// certificate_expiry: how long before a TLS certificate expires the alert is raised
    std::chrono::milliseconds before{std::chrono::hours(24 * 14)};

    [[nodiscard]] bool matches(const QString &deviceId, const QString &type) const;
    /// Whether the selector looks at device types (so callers can skip the registry lookup).
    [[nodiscard]] bool hasSelector() const { return !deviceType.isEmpty() || !devices.isEmpty(); }

    friend bool operator==(const AlertRule &, const AlertRule &) = default;
};

[[nodiscard]] QString alertRuleKindName(AlertRule::Kind kind);

/// `error` gets the problem, prefixed with the key at fault.
[[nodiscard]] std::optional<AlertRule> alertRuleFromJson(const QJsonObject &json, QString *error);
[[nodiscard]] QJsonObject alertRuleToJson(const AlertRule &rule);
/// A list of rules with unique ids; `error` names the rule at fault (`[2].kind: ...`).
[[nodiscard]] std::optional<QList<AlertRule>> alertRulesFromJson(const QJsonArray &json, QString *error);
[[nodiscard]] QJsonArray alertRulesToJson(const QList<AlertRule> &rules);

/// The rules in force when none are configured: anomaly (warning), outbox_overflow (critical),
/// offline (warning), certificate_expiry (warning, 14 days before).
[[nodiscard]] QList<AlertRule> defaultAlertRules();

} // namespace edgegate
