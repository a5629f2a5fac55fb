// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/alerts/alertstore.h"
#include "gateway/core/analytics/analytics.h"
#include "gateway/core/common/metrics.h"
#include "gateway/core/devices/deviceregistry.h"
#include "gateway/core/ingest/ingest.h"
#include "gateway/storage/sqlitedevicestore.h"

#include <QTemporaryDir>

#include <chrono>

/// The core pipeline as the service builds it (registry over a real SQLite file, analytics,
/// alerts, ingest), without any link: for tests that feed it directly or put one link in front.
struct CorePipeline
{
    explicit CorePipeline(edgegate::RegistryPolicy policy, qsizetype maxPayloadBytes = 1024, int pendingBuffer = 100)
        : registry({policy, std::chrono::seconds(90), std::chrono::hours(1)}, store, metrics)
        , analytics({10, 3.0, 5})
        , alerts(50, metrics)
        , ingest({maxPayloadBytes, pendingBuffer}, registry, analytics, metrics)
    {
        if (!store.open(dir.filePath(QStringLiteral("r.db"))) || !registry.load(nullptr))
            qFatal("cannot open the registry");
    }

    quint64 counter(const QString &name, const edgegate::MetricLabels &labels = {})
    {
        return metrics.counter(name, {}, labels).value();
    }

    QTemporaryDir dir;
    edgegate::Metrics metrics;
    edgegate::SqliteDeviceStore store;
    edgegate::DeviceRegistry registry;
    edgegate::Analytics analytics;
    edgegate::AlertStore alerts;
    edgegate::Ingest ingest;
};
