// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <random>
#include <vector>

namespace edgegate::sim {

/// Plausible readings of one device: each metric is a base value with a daily cycle, a slow
/// random drift and noise; now and then (the anomaly rate) one metric spikes far off its course.
/// Deterministic for a given seed and sequence of timestamps.
class TelemetryModel
{
public:
    TelemetryModel(const QString &deviceType, quint64 seed, double anomalyRate);

    [[nodiscard]] QStringList metricNames() const;
    /// The next reading as flat JSON, `ts` included. `anomaly` tells whether it holds a spike.
    [[nodiscard]] QJsonObject next(qint64 tsMs, bool *anomaly = nullptr);

private:
    struct Metric
    {
        QString name;
        double base = 0;
        double dailyAmplitude = 0;
        double noise = 0;
        double driftStep = 0; ///< largest drift change per reading
        double spike = 0; ///< how far an anomaly throws the value
        double min = 0;
        double max = 0;
        int decimals = 1;
        bool monotonic = false; ///< a counter (energy): only grows
        double drift = 0;
        double last = 0;
    };

    std::vector<Metric> m_metrics;
    std::mt19937_64 m_random;
    double m_anomalyRate;
    double m_phase; ///< each device's day starts at another hour
};

} // namespace edgegate::sim
