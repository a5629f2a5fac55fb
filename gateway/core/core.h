// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/alerts/alertengine.h"
#include "gateway/core/alerts/alertstore.h"
#include "gateway/core/analytics/analytics.h"
#include "gateway/core/common/lrubudget.h"
#include "gateway/core/devices/deviceregistry.h"
#include "gateway/core/devices/telemetryhistory.h"
#include "gateway/core/downlink/commandqueue.h"
#include "gateway/core/downlink/downlinks.h"
#include "gateway/core/ingest/ingest.h"
#include "gateway/core/routing/router.h"

namespace edgegate {

class Counter;
class DeviceStore;
class Gauge;
class Metrics;

/// The core's object graph, connected: the device registry, analytics, alerts, the router, ingest,
/// the downlinks and the command queue, and what follows accepted telemetry. The service builds
/// its links, stores and sinks around one; tests build the same one. Analytics state and chart
/// history share analytics.memory_budget: the least recently seen devices' state goes first.
class Core
{
public:
    struct Settings
    {
        DeviceRegistry::Settings registry;
        Analytics::Settings analytics;
        Ingest::Settings ingest;
        int maxAlertsKept = 1000;
    };

    Core(const Settings &settings, DeviceStore &store, ChartStore &charts, Metrics &metrics);
    Core(const Core &) = delete;
    Core &operator=(const Core &) = delete;

    /// At a stop: writes the registry's and the alerts' pending changes and the chart bucket in
    /// progress, and sends out the aggregate windows in progress, stamped now. False when a write failed (everything is
    /// still tried).
    bool flush();

    DeviceRegistry registry;
    Analytics analytics;
    AlertStore alerts;
    Router router;
    Ingest ingest;
    /// Links register here; commands and OTA notifications go over the one a device last spoke on.
    Downlinks downlinks;
    CommandQueue commands;
    AlertEngine alertEngine;
    /// What the dashboard charts.
    TelemetryHistory telemetryHistory;

private:
    void keepWithinBudget(const QString &deviceId);

    LruBudget m_stateBudget;
    Gauge &m_stateBytes;
    Counter &m_stateEvicted;
};

} // namespace edgegate
