// SPDX-License-Identifier: Apache-2.0
#include "telemetrymodel.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace edgegate::sim {

using namespace Qt::StringLiterals;

TelemetryModel::TelemetryModel(const QString &deviceType, quint64 seed, double anomalyRate)
    : m_random(seed)
    , m_anomalyRate(anomalyRate)
    , m_phase(std::uniform_real_distribution<double>(0.0, 2.0 * std::numbers::pi)(m_random))
{
    //               name            base  daily noise drift spike  min    max  dec monotonic
    if (deviceType == u"meter") {
        m_metrics = {{u"power_w"_s, 800, 400, 40, 5, 6000, 0, 20000, 0, false},
                     {u"voltage"_s, 230, 3, 0.8, 0.2, 60, 180, 260, 1, false},
                     {u"energy_kwh"_s, 1500, 0, 0, 0, 0, 0, 1e9, 3, true}};
    } else if (deviceType == u"tracker") {
        m_metrics = {{u"speed_kmh"_s, 35, 25, 4, 1, 150, 0, 250, 1, false},
                     {u"latitude"_s, 48.137, 0, 0.0002, 0.0005, 0.5, -90, 90, 5, false},
                     {u"longitude"_s, 11.575, 0, 0.0002, 0.0005, 0.5, -180, 180, 5, false},
                     {u"battery"_s, 90, 0, 0.1, 0.05, -60, 0, 100, 1, false}};
    } else {
        m_metrics = {{u"temperature"_s, 21, 3, 0.15, 0.05, 25, -40, 85, 2, false},
                     {u"humidity"_s, 45, 10, 0.8, 0.2, 40, 0, 100, 1, false},
                     {u"battery"_s, 95, 0, 0.05, 0.02, -60, 0, 100, 1, false}};
    }
    for (Metric &m : m_metrics)
        m.last = m.base;
}

QStringList TelemetryModel::metricNames() const
{
    QStringList names;
    for (const Metric &m : m_metrics)
        names.append(m.name);
    return names;
}

QJsonObject TelemetryModel::next(qint64 tsMs, bool *anomaly)
{
    std::normal_distribution<double> gauss(0.0, 1.0);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    constexpr double DayMs = 86'400'000.0;
    const double cycle = std::sin(2.0 * std::numbers::pi * (double(tsMs) / DayMs) + m_phase);

    int spiked = -1;
    if (m_anomalyRate > 0.0 && unit(m_random) < m_anomalyRate)
        spiked = int(std::uniform_int_distribution<std::size_t>(0, m_metrics.size() - 1)(m_random));
    if (anomaly)
        *anomaly = spiked >= 0;

    QJsonObject out;
    for (std::size_t i = 0; i < m_metrics.size(); ++i) {
        Metric &m = m_metrics[i];
        double value = 0;
        if (m.monotonic) {
            value = m.last + std::abs(gauss(m_random)) * 0.01 + 0.001;
        } else {
            m.drift = std::clamp(m.drift + gauss(m_random) * m.driftStep, -m.dailyAmplitude - 5 * m.driftStep,
                                 m.dailyAmplitude + 5 * m.driftStep);
            value = m.base + m.dailyAmplitude * cycle + m.drift + gauss(m_random) * m.noise;
            if (int(i) == spiked)
                value += m.spike;
        }
        // A spike may leave the metric's normal range: that is what anomaly detection should see.
        if (int(i) != spiked)
            value = std::clamp(value, m.min, m.max);
        m.last = value;
        const double scale = std::pow(10.0, m.decimals);
        out.insert(m.name, std::round(value * scale) / scale);
    }
    out.insert(u"ts"_s, double(tsMs));
    return out;
}

} // namespace edgegate::sim
