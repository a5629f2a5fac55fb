// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/analytics/metricwindow.h"
#include "gateway/core/ingest/envelope.h"

#include <QHash>
#include <QList>
#include <QString>

#include <optional>
#include <vector>

namespace edgegate {

class Counter;

/// The latest value of one metric of one device, and its window statistics when it is numeric.
struct MetricState
{
    Value last;
    qint64 lastTimeMs = 0;
    std::optional<MetricWindow> window;
};

/// The metrics of one device in the order they first came: a flat list searched by name, because
/// a device has a handful of metrics (at most Settings::maxMetricsPerDevice) and a hash per device
/// would cost more than the metrics themselves.
class DeviceMetrics
{
public:
    struct Entry
    {
        QString name;
        MetricState state;
    };

    [[nodiscard]] const MetricState *find(const QString &name) const;
    /// A copy of the metric's state, or an empty one.
    [[nodiscard]] MetricState value(const QString &name) const;
    [[nodiscard]] bool contains(const QString &name) const { return find(name) != nullptr; }
    [[nodiscard]] qsizetype size() const { return qsizetype(m_entries.size()); }
    [[nodiscard]] auto begin() const { return m_entries.cbegin(); }
    [[nodiscard]] auto end() const { return m_entries.cend(); }

private:
    friend class Analytics;
    std::vector<Entry> m_entries;
};

struct Anomaly
{
    QString deviceId;
    QString metric;
    double value = 0.0;
    double zScore = 0.0;
    double mean = 0.0;
    double stddev = 0.0;
    qint64 timeMs = 0;
};

/// Edge analytics per device and metric: sliding-window statistics and z-score anomalies.
/// A sample is judged against the window as it stood before the sample, then joins it.
class Analytics
{
public:
    struct Settings
    {
        int window = 60;
        double anomalyZ = 3.0;
        int minSamples = 10; ///< samples the window needs before anomalies are flagged
        int maxMetricsPerDevice = 256; ///< distinct names tracked per device; further ones are not
        /// Analytics state and chart history of all devices together (see Core); past it the least
        /// recently seen devices' state goes.
        qsizetype memoryBudgetBytes = 128LL * 1024 * 1024;
        /// Series (device × metric) the chart history keeps on disk, 8 bytes a bucket, 360 buckets each.
        int chartSeries = 32768;
    };

    explicit Analytics(const Settings &settings);

    /// Counts samples left out because their device already has maxMetricsPerDevice metrics.
    void setOverflowCounter(Counter *counter) { m_overflow = counter; }

    /// Updates the device's metrics from a telemetry envelope; returns the anomalies it found.
    [[nodiscard]] QList<Anomaly> process(const Envelope &envelope);

    /// Metrics of one device by name, or nullptr when it has sent no telemetry.
    [[nodiscard]] const DeviceMetrics *device(const QString &deviceId) const;

    void removeDevice(const QString &deviceId);
    /// What the device's state takes on the heap, estimated (its entry, names, text values).
    [[nodiscard]] qsizetype bytes(const QString &deviceId) const;
    [[nodiscard]] qsizetype deviceCount() const { return m_devices.size(); }

    [[nodiscard]] const Settings &settings() const { return m_settings; }

private:
    struct DeviceState
    {
        DeviceMetrics metrics;
        qsizetype bytes = 0; ///< what its metrics hold outside the list: names, text values
    };
    Settings m_settings;
    Counter *m_overflow = nullptr;
    QHash<QString, DeviceState> m_devices;
};

} // namespace edgegate
