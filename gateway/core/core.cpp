// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/core.h"

namespace edgegate {

Core::Core(const Settings &settings, DeviceStore &store, Metrics &metrics)
    : registry(settings.registry, store, metrics)
    , analytics(settings.analytics)
    , alerts(settings.maxAlertsKept, metrics)
    , router([this](const QString &id) { return registry.typeOf(id); }, metrics)
    , ingest(settings.ingest, registry, analytics, router, metrics)
    , downlinks(registry)
    , commands(registry, downlinks, metrics)
    , alertEngine(alerts, registry)
{
    QObject::connect(&ingest, &Ingest::commandAckReceived, &commands, &CommandQueue::ackReceived);
    QObject::connect(&ingest, &Ingest::commandPublished, &commands, &CommandQueue::commandPublished);

    QObject::connect(&registry, &DeviceRegistry::statusChanged, &alertEngine, &AlertEngine::onStatus);
    QObject::connect(&ingest, &Ingest::telemetryAccepted, &alertEngine, &AlertEngine::onTelemetry);
    QObject::connect(&ingest, &Ingest::anomalyDetected, &alertEngine, &AlertEngine::onAnomaly);

    QObject::connect(&ingest, &Ingest::telemetryAccepted, &ingest,
                     [this](const Envelope &envelope) { telemetryHistory.add(envelope); });
    QObject::connect(&registry, &DeviceRegistry::deviceRemoved, &registry,
                     [this](const QString &id) { telemetryHistory.removeDevice(id); });
}

} // namespace edgegate
