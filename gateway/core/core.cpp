// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/core.h"

#include "gateway/core/common/metrics.h"
#include "gateway/core/ingest/receiveclock.h"

using namespace Qt::StringLiterals;

namespace edgegate {

Core::Core(const Settings &settings, DeviceStore &store, ChartStore &charts, Metrics &metrics)
    : registry(settings.registry, store, metrics)
    , analytics(settings.analytics)
    , alerts(settings.maxAlertsKept, metrics)
    , router([this](const QString &id) { return registry.typeOf(id); }, metrics)
    , ingest(settings.ingest, registry, analytics, router, metrics)
    , downlinks(registry)
    , commands(registry, downlinks, metrics)
    , alertEngine(alerts, registry)
    , telemetryHistory(charts)
    , m_stateBudget(settings.analytics.memoryBudgetBytes)
    , m_stateBytes(metrics.gauge(u"edgegate_analytics_state_bytes"_s,
                                 u"Analytics state and chart history of all devices, estimated, against "
                                 "analytics.memory_budget."_s))
    , m_stateEvicted(metrics.counter(u"edgegate_analytics_evicted_total"_s,
                                     u"Devices whose analytics state and chart history were dropped, least recently "
                                     "seen first, to stay within analytics.memory_budget."_s))
{
    QObject::connect(&ingest, &Ingest::commandAckReceived, &commands, &CommandQueue::ackReceived);
    QObject::connect(&ingest, &Ingest::commandPublished, &commands, &CommandQueue::commandPublished);

    QObject::connect(&registry, &DeviceRegistry::statusChanged, &alertEngine, &AlertEngine::onStatus);
    QObject::connect(&ingest, &Ingest::telemetryAccepted, &alertEngine, &AlertEngine::onTelemetry);
    QObject::connect(&ingest, &Ingest::anomalyDetected, &alertEngine, &AlertEngine::onAnomaly);

    QObject::connect(&ingest, &Ingest::telemetryAccepted, &ingest, [this](const Envelope &envelope) {
        telemetryHistory.add(envelope);
        keepWithinBudget(envelope.deviceId);
    });
    QObject::connect(&registry, &DeviceRegistry::deviceRemoved, &registry, [this](const QString &id) {
        telemetryHistory.removeDevice(id);
        m_stateBudget.remove(id);
        m_stateBytes.set(double(m_stateBudget.used()));
    });
}

bool Core::flush()
{
    const bool devices = registry.flush();
    const bool alertsWritten = alerts.flush();
    telemetryHistory.flush();
    router.flushAggregates(wallClockNs(), true);
    return devices && alertsWritten;
}

void Core::keepWithinBudget(const QString &deviceId)
{
    // The device just seen stays; its statistics restart if it was dropped before.
    const QStringList dropped
        = m_stateBudget.use(deviceId, analytics.bytes(deviceId) + telemetryHistory.bytes(deviceId));
    for (const QString &id : dropped) {
        analytics.removeDevice(id);
        telemetryHistory.removeDevice(id);
    }
    if (!dropped.isEmpty())
        m_stateEvicted.inc(dropped.size());
    m_stateBytes.set(double(m_stateBudget.used()));
}

} // namespace edgegate
