// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/wsprotocol.h"
#include "ui/apiclient.h"

#include <QAbstractSeries>
#include <QHash>
#include <QList>
#include <QPointer>
#include <QPointF>
#include <QQmlEngine>
#include <QStringList>
#include <QVariantMap>

/// One device's numeric telemetry for charts: the history of the chosen range (`telemetry.history`)
/// plus live samples (the client subscribes for as long as this follows the device).
class DeviceTelemetry : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(ApiClient *client READ client WRITE setClient NOTIFY clientChanged)
    Q_PROPERTY(QString deviceId READ deviceId WRITE setDeviceId NOTIFY deviceIdChanged)
    /// 60, 300, 900 (default) or 3600.
    Q_PROPERTY(int rangeSeconds READ rangeSeconds WRITE setRangeSeconds NOTIFY rangeSecondsChanged)
    Q_PROPERTY(QStringList metrics READ metrics NOTIFY metricsChanged)
    /// metric -> {value, time}: the newest sample of each metric, strings and booleans included.
    Q_PROPERTY(QVariantMap latest READ latest NOTIFY latestChanged)
    Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)

public:
    explicit DeviceTelemetry(QObject *parent = nullptr);
    ~DeviceTelemetry() override;

    [[nodiscard]] ApiClient *client() const { return m_client; }
    void setClient(ApiClient *client);
    [[nodiscard]] QString deviceId() const { return m_deviceId; }
    void setDeviceId(const QString &deviceId);
    [[nodiscard]] int rangeSeconds() const { return m_rangeSeconds; }
    void setRangeSeconds(int seconds);
    [[nodiscard]] QStringList metrics() const { return m_metrics; }
    [[nodiscard]] QVariantMap latest() const { return m_latest; }
    [[nodiscard]] bool loading() const { return m_loading != 0; }
    [[nodiscard]] QList<QPointF> points(const QString &metric) const { return m_series.value(metric); }

    /// Replaces the points of a QtCharts XY series with the metric's (x = ms since epoch).
    Q_INVOKABLE void fill(QAbstractSeries *series, const QString &metric) const;
    /// {minX, maxX, minY, maxY} of the metric with a small margin; the range up to now when empty.
    Q_INVOKABLE [[nodiscard]] QVariantMap bounds(const QString &metric) const;
    /// Loads the history again.
    Q_INVOKABLE void reload();

signals:
    void clientChanged();
    void deviceIdChanged();
    void rangeSecondsChanged();
    void metricsChanged();
    void latestChanged();
    void loadingChanged();
    /// The points of a metric changed.
    void changed(const QString &metric);

private:
    void follow(bool on);
    void onTelemetry(const edgegate::wsapi::TelemetryUpdate &update);
    void dropOld(qint64 nowMs);
    void updateMetrics();
    void clearData();

    QPointer<ApiClient> m_client;
    QString m_deviceId;
    QString m_followed; ///< the device the client subscribed for on this object's behalf
    int m_rangeSeconds = 900;
    QHash<QString, QList<QPointF>> m_series;
    QStringList m_metrics;
    QVariantMap m_latest;
    int m_loading = 0; ///< id of the telemetry.history request in flight
};
