// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>
#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace edgegate {

using MetricLabels = QList<std::pair<QString, QString>>;

class Counter
{
public:
    void inc(quint64 n = 1) { m_value += n; }
    [[nodiscard]] quint64 value() const { return m_value; }

private:
    quint64 m_value = 0;
};

class Gauge
{
public:
    void set(double value) { m_value = value; }
    void add(double delta) { m_value += delta; }
    [[nodiscard]] double value() const { return m_value; }

private:
    double m_value = 0.0;
};

class Histogram
{
public:
    explicit Histogram(std::vector<double> upperBounds);
    void observe(double value);
    [[nodiscard]] const std::vector<double> &upperBounds() const { return m_bounds; }
    [[nodiscard]] const std::vector<quint64> &bucketCounts() const { return m_counts; } ///< not cumulative
    [[nodiscard]] quint64 count() const { return m_count; }
    [[nodiscard]] double sum() const { return m_sum; }

private:
    std::vector<double> m_bounds;
    std::vector<quint64> m_counts; // one per bound, plus +Inf
    quint64 m_count = 0;
    double m_sum = 0.0;
};

/// Registry of the service's metrics and their Prometheus text exposition (format 0.0.4).
/// Components look up their series once and keep the reference: lookups are for set-up and
/// rare events, increments are plain integer adds on the hot path. References stay valid for
/// the registry's lifetime.
class Metrics
{
public:
    Metrics();
    ~Metrics();
    Metrics(const Metrics &) = delete;
    Metrics &operator=(const Metrics &) = delete;

    Counter &counter(const QString &name, const QString &help, const MetricLabels &labels = {});
    Gauge &gauge(const QString &name, const QString &help, const MetricLabels &labels = {});
    Histogram &histogram(const QString &name, const QString &help, const std::vector<double> &upperBounds,
                         const MetricLabels &labels = {});

    /// Runs before each exposition, to refresh gauges that are cheaper to read than to track.
    void addCollector(std::function<void()> collector);
    /// A gauge whose value `read` gives at each exposition.
    void addGauge(const QString &name, const QString &help, std::function<double()> read);

    [[nodiscard]] QByteArray exposition();

private:
    struct Family;
    Family &family(const QString &name, const QString &help, int type);
    std::map<QString, std::unique_ptr<Family>> m_families;
    std::vector<std::function<void()>> m_collectors;
};

/// Resident set size of this process in bytes, read from /proc; 0 where unavailable.
[[nodiscard]] qint64 residentMemoryBytes();

/// edgegate_build_info{version} and process_resident_memory_bytes (read at each scrape).
void addProcessMetrics(Metrics &metrics, const QString &version);

} // namespace edgegate
