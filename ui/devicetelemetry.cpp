// SPDX-License-Identifier: Apache-2.0
#include "ui/devicetelemetry.h"

#include "ui/apiclient.h"

#include <QDateTime>
#include <QJsonArray>
#include <QXYSeries>

#include <algorithm>
#include <cmath>

using namespace edgegate;
using namespace Qt::StringLiterals;

namespace {

/// Live points kept per metric beyond the history: plenty for an hour of one sample a second.
constexpr qsizetype MaxPoints = 4000;

std::optional<double> chartValue(const Value &value)
{
    if (const bool *flag = std::get_if<bool>(&value))
        return *flag ? 1.0 : 0.0;
    return numericValue(value);
}

} // namespace

DeviceTelemetry::DeviceTelemetry(QObject *parent)
    : QObject(parent)
{
}

DeviceTelemetry::~DeviceTelemetry()
{
    follow(false);
}

void DeviceTelemetry::setClient(ApiClient *client)
{
    if (client == m_client)
        return;
    follow(false);
    if (m_client)
        m_client->disconnect(this);
    m_client = client;
    if (m_client) {
        connect(m_client, &ApiClient::telemetryReceived, this, &DeviceTelemetry::onTelemetry);
        connect(m_client, &ApiClient::sessionStarted, this, &DeviceTelemetry::reload);
    }
    emit clientChanged();
    follow(true);
    reload();
}

void DeviceTelemetry::setDeviceId(const QString &deviceId)
{
    if (deviceId == m_deviceId)
        return;
    follow(false);
    m_deviceId = deviceId;
    clearData();
    emit deviceIdChanged();
    follow(true);
    reload();
}

void DeviceTelemetry::setRangeSeconds(int seconds)
{
    const int value = std::clamp(seconds, 60, 3600);
    if (value == m_rangeSeconds)
        return;
    m_rangeSeconds = value;
    emit rangeSecondsChanged();
    reload();
}

void DeviceTelemetry::follow(bool on)
{
    if (!on && !m_followed.isEmpty()) {
        if (m_client)
            m_client->unsubscribeTelemetry(m_followed);
        m_followed.clear();
    } else if (on && m_followed.isEmpty() && m_client && !m_deviceId.isEmpty()) {
        m_followed = m_deviceId;
        m_client->subscribeTelemetry(m_followed);
    }
}

void DeviceTelemetry::reload()
{
    if (!m_client || m_deviceId.isEmpty() || m_client->state() != ApiClient::Connected)
        return;
    const QString device = m_deviceId;
    const int range = m_rangeSeconds;
    m_loading
        = m_client->request(wsapi::action::TelemetryHistory, QJsonObject{{u"device"_s, device}, {u"range_s"_s, range}},
                            this, [this, device, range](const wsapi::Reply &reply) {
                                if (reply.id != m_loading)
                                    return;
                                m_loading = 0;
                                emit loadingChanged();
                                if (!reply.ok || device != m_deviceId || range != m_rangeSeconds)
                                    return;
                                // History first, then the live points newer than its last bucket.
                                const QJsonObject series = reply.result.toObject().value(u"series").toObject();
                                QHash<QString, QList<QPointF>> merged;
                                for (auto it = series.constBegin(); it != series.constEnd(); ++it) {
                                    QList<QPointF> points;
                                    for (const QJsonValue pair : it.value().toArray()) {
                                        const QJsonArray point = pair.toArray();
                                        if (point.size() == 2 && point.at(0).isDouble() && point.at(1).isDouble())
                                            points.append(QPointF(point.at(0).toDouble(), point.at(1).toDouble()));
                                    }
                                    merged.insert(it.key(), points);
                                }
                                for (auto it = m_series.cbegin(); it != m_series.cend(); ++it) {
                                    QList<QPointF> &points = merged[it.key()];
                                    const double last = points.isEmpty() ? 0.0 : points.constLast().x();
                                    for (const QPointF &point : it.value()) {
                                        if (point.x() > last)
                                            points.append(point);
                                    }
                                }
                                m_series = std::move(merged);
                                dropOld(QDateTime::currentMSecsSinceEpoch());
                                updateMetrics();
                                for (auto it = m_series.cbegin(); it != m_series.cend(); ++it)
                                    emit changed(it.key());
                            });
    emit loadingChanged();
}

void DeviceTelemetry::onTelemetry(const wsapi::TelemetryUpdate &update)
{
    if (update.deviceId != m_deviceId)
        return;
    QStringList touched;
    for (const wsapi::TelemetrySample &sample : update.samples) {
        const qint64 time = sample.timeMs > 0 ? sample.timeMs : update.receivedAtMs;
        m_latest.insert(sample.name,
                        QVariantMap{{u"value"_s, valueToJson(sample.value).toVariant()},
                                    {u"time"_s, QDateTime::fromMSecsSinceEpoch(time, Qt::UTC)}});
        const auto value = chartValue(sample.value);
        if (!value || !std::isfinite(*value))
            continue;
        QList<QPointF> &points = m_series[sample.name];
        points.append(QPointF(double(time), *value));
        if (points.size() > MaxPoints)
            points.remove(0, points.size() - MaxPoints);
        touched.append(sample.name);
    }
    emit latestChanged();
    dropOld(QDateTime::currentMSecsSinceEpoch());
    updateMetrics();
    for (const QString &metric : std::as_const(touched))
        emit changed(metric);
}

void DeviceTelemetry::dropOld(qint64 nowMs)
{
    const auto oldest = double(nowMs - qint64(m_rangeSeconds) * 1000);
    for (auto it = m_series.begin(); it != m_series.end(); ++it) {
        QList<QPointF> &points = it.value();
        const auto keep = std::find_if(points.begin(), points.end(), [&](const QPointF &p) { return p.x() >= oldest; });
        points.erase(points.begin(), keep);
    }
}

void DeviceTelemetry::updateMetrics()
{
    QStringList metrics = m_series.keys();
    metrics.sort();
    if (metrics != m_metrics) {
        m_metrics = metrics;
        emit metricsChanged();
    }
}

void DeviceTelemetry::clearData()
{
    m_series.clear();
    m_latest.clear();
    m_loading = 0;
    updateMetrics();
    emit latestChanged();
    emit loadingChanged();
}

void DeviceTelemetry::fill(QAbstractSeries *series, const QString &metric) const
{
    if (auto *xy = qobject_cast<QXYSeries *>(series))
        xy->replace(m_series.value(metric));
}

QVariantMap DeviceTelemetry::bounds(const QString &metric) const
{
    const QList<QPointF> points = m_series.value(metric);
    const auto now = double(QDateTime::currentMSecsSinceEpoch());
    double minX = now - m_rangeSeconds * 1000.0;
    double maxX = now;
    double minY = 0.0;
    double maxY = 1.0;
    if (!points.isEmpty()) {
        minX = std::min(minX, points.constFirst().x());
        maxX = std::max(maxX, points.constLast().x());
        const auto [low, high] = std::minmax_element(points.cbegin(), points.cend(),
                                                     [](const QPointF &a, const QPointF &b) { return a.y() < b.y(); });
        minY = low->y();
        maxY = high->y();
        const double margin = maxY > minY ? (maxY - minY) * 0.05 : std::max(std::abs(maxY) * 0.05, 1.0);
        minY -= margin;
        maxY += margin;
    }
    return {{u"minX"_s, minX}, {u"maxX"_s, maxX}, {u"minY"_s, minY}, {u"maxY"_s, maxY}};
}
