// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>

namespace edgegate {

/// Something an operator should look at, raised by the gateway (for now: analytics anomalies).
struct Alert
{
    quint64 id = 0;
    QString kind; ///< "anomaly"
    QString severity; ///< "warning" or "critical"
    QString deviceId;
    QString metric;
    double value = 0.0;
    double zScore = 0.0;
    double mean = 0.0;
    double stddev = 0.0;
    qint64 timeMs = 0;
    QString message;

    friend bool operator==(const Alert &, const Alert &) = default;
};

[[nodiscard]] QJsonObject alertToJson(const Alert &alert);
[[nodiscard]] std::optional<Alert> alertFromJson(const QJsonObject &json);

} // namespace edgegate
