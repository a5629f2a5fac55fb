// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/common/metrics.h"

#include <QFile>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <variant>

#include <unistd.h>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

enum Type { CounterType, GaugeType, HistogramType };

QByteArray escapeLabelValue(const QString &value)
{
    QByteArray out;
    const QByteArray utf8 = value.toUtf8();
    out.reserve(utf8.size());
    for (const char c : utf8) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

QByteArray escapeHelp(const QString &help)
{
    QByteArray out = help.toUtf8();
    out.replace("\\", "\\\\");
    out.replace("\n", "\\n");
    return out;
}

QByteArray formatNumber(double value)
{
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    // Shortest text that reads back as the same double.
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return QByteArray(buffer, static_cast<qsizetype>(result.ptr - buffer));
}

QByteArray labelKey(const MetricLabels &labels, const std::pair<QString, QString> *extra = nullptr)
{
    if (labels.isEmpty() && !extra)
        return {};
    QByteArray out = "{";
    bool first = true;
    auto append = [&](const std::pair<QString, QString> &label) {
        if (!first)
            out += ',';
        first = false;
        out += label.first.toUtf8() + "=\"" + escapeLabelValue(label.second) + '"';
    };
    for (const auto &label : labels)
        append(label);
    if (extra)
        append(*extra);
    out += '}';
    return out;
}

} // namespace

Histogram::Histogram(std::vector<double> upperBounds)
    : m_bounds(std::move(upperBounds))
    , m_counts(m_bounds.size() + 1, 0)
{
    std::sort(m_bounds.begin(), m_bounds.end());
}

void Histogram::observe(double value)
{
    const auto it = std::lower_bound(m_bounds.begin(), m_bounds.end(), value);
    ++m_counts[static_cast<size_t>(it - m_bounds.begin())];
    ++m_count;
    m_sum += value;
}

struct Metrics::Family
{
    QString help;
    int type = CounterType;
    struct Series
    {
        MetricLabels labels;
        std::variant<std::unique_ptr<Counter>, std::unique_ptr<Gauge>, std::unique_ptr<Histogram>> metric;

        // The metric as an M, made from `args` with these labels the first time it is asked for.
        template<typename M, typename... Args> M &as(const MetricLabels &seriesLabels, const Args &...args)
        {
            auto *held = std::get_if<std::unique_ptr<M>>(&metric);
            if (!held || !*held) {
                labels = seriesLabels;
                metric = std::make_unique<M>(args...);
                held = std::get_if<std::unique_ptr<M>>(&metric);
            }
            return **held;
        }
    };
    std::map<QByteArray, Series> series; // by rendered label set, so the exposition order is stable
};

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

Metrics::Family &Metrics::family(const QString &name, const QString &help, int type)
{
    auto &slot = m_families[name];
    if (!slot) {
        slot = std::make_unique<Family>();
        slot->help = help;
        slot->type = type;
    }
    Q_ASSERT(slot->type == type);
    return *slot;
}

Counter &Metrics::counter(const QString &name, const QString &help, const MetricLabels &labels)
{
    return family(name, help, CounterType).series[labelKey(labels)].as<Counter>(labels);
}

Gauge &Metrics::gauge(const QString &name, const QString &help, const MetricLabels &labels)
{
    return family(name, help, GaugeType).series[labelKey(labels)].as<Gauge>(labels);
}

Histogram &Metrics::histogram(const QString &name, const QString &help, const std::vector<double> &upperBounds,
                              const MetricLabels &labels)
{
    return family(name, help, HistogramType).series[labelKey(labels)].as<Histogram>(labels, upperBounds);
}

void Metrics::addCollector(std::function<void()> collector)
{
    m_collectors.push_back(std::move(collector));
}

void Metrics::addGauge(const QString &name, const QString &help, std::function<double()> read)
{
    Gauge &g = gauge(name, help);
    addCollector([&g, read = std::move(read)] { g.set(read()); });
}

QByteArray Metrics::exposition()
{
    for (const auto &collect : m_collectors)
        collect();

    QByteArray out;
    out.reserve(8192);
    for (const auto &[name, family] : m_families) {
        const QByteArray n = name.toUtf8();
        static constexpr const char *typeNames[] = {"counter", "gauge", "histogram"};
        out += "# HELP " + n + ' ' + escapeHelp(family->help) + '\n';
        out += "# TYPE " + n + ' ' + typeNames[family->type] + '\n';
        for (const auto &[key, series] : family->series) {
            if (const auto *c = std::get_if<std::unique_ptr<Counter>>(&series.metric)) {
                out += n + key + ' ' + QByteArray::number((*c)->value()) + '\n';
            } else if (const auto *g = std::get_if<std::unique_ptr<Gauge>>(&series.metric)) {
                out += n + key + ' ' + formatNumber((*g)->value()) + '\n';
            } else if (const auto *h = std::get_if<std::unique_ptr<Histogram>>(&series.metric)) {
                const Histogram &hist = **h;
                quint64 cumulative = 0;
                for (size_t i = 0; i <= hist.upperBounds().size(); ++i) {
                    cumulative += hist.bucketCounts()[i];
                    const std::pair<QString, QString> le{u"le"_s,
                                                         i < hist.upperBounds().size()
                                                             ? QString::fromLatin1(formatNumber(hist.upperBounds()[i]))
                                                             : u"+Inf"_s};
                    out += n + "_bucket" + labelKey(series.labels, &le) + ' ' + QByteArray::number(cumulative) + '\n';
                }
                out += n + "_sum" + key + ' ' + formatNumber(hist.sum()) + '\n';
                out += n + "_count" + key + ' ' + QByteArray::number(hist.count()) + '\n';
            }
        }
    }
    return out;
}

qint64 residentMemoryBytes()
{
    QFile statm(u"/proc/self/statm"_s);
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    if (fields.size() < 2)
        return 0;
    return fields.at(1).toLongLong() * sysconf(_SC_PAGESIZE);
}

void addProcessMetrics(Metrics &metrics, const QString &version)
{
    metrics.gauge(u"edgegate_build_info"_s, u"Version of the running edgegated."_s, {{u"version"_s, version}}).set(1);
    metrics.addGauge(u"process_resident_memory_bytes"_s, u"Resident memory size in bytes."_s,
                     [] { return static_cast<double>(residentMemoryBytes()); });
}

} // namespace edgegate
