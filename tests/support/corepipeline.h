// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/common/metrics.h"
#include "gateway/core/core.h"
#include "gateway/storage/chartfile.h"
#include "gateway/storage/sqlitedevicestore.h"

#include <QTemporaryDir>

#include <chrono>

/// The service's Core over a registry in a real SQLite file, without any link: for tests that
/// feed it directly or put one link in front. The references name its parts as the tests use them.
struct CorePipeline
{
    explicit CorePipeline(edgegate::RegistryPolicy policy, qsizetype maxPayloadBytes = 1024, int pendingBuffer = 100,
                          int maxDevices = 20000)
        : core({{policy, std::chrono::seconds(90), std::chrono::hours(1), {}, maxDevices},
                {10, 3.0, 5},
                {maxPayloadBytes, pendingBuffer},
                50},
               store, charts, metrics)
    {
        QString error;
        if (!store.open(dir.filePath(QStringLiteral("r.db"))) || !registry.load(nullptr)
            || !charts.open(dir.filePath(QStringLiteral("charts")), &error))
            qFatal("cannot open the registry or the charts: %s", qPrintable(error));
        core.telemetryHistory.load();
    }

    quint64 counter(const QString &name, const edgegate::MetricLabels &labels = {})
    {
        return metrics.counter(name, {}, labels).value();
    }

    QTemporaryDir dir;
    edgegate::Metrics metrics;
    edgegate::SqliteDeviceStore store;
    edgegate::ChartFile charts{1024, metrics};
    edgegate::Core core;
    edgegate::DeviceRegistry &registry = core.registry;
    edgegate::Analytics &analytics = core.analytics;
    edgegate::AlertStore &alerts = core.alerts;
    edgegate::Ingest &ingest = core.ingest;
};
