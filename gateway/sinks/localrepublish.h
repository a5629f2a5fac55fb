// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/envelope.h"
#include "gateway/core/ratelimitedlog.h"

#include <QObject>

#include <array>

namespace edgegate {

class Counter;
class Histogram;
class Ingest;
class Metrics;
class MqttLink;

/// Protocol translation: telemetry accepted from CoAP, HTTP or WebSocket devices is published,
/// normalized to JSON, on the local broker at `devices/{id}/telemetry`, so MQTT consumers see
/// every device alike. Messages that came over MQTT are already there and are left alone.
class LocalRepublish : public QObject
{
    Q_OBJECT
public:
    LocalRepublish(int qos, Ingest &ingest, MqttLink &mqtt, Metrics &metrics, QObject *parent = nullptr);

private:
    void republish(const Envelope &envelope);

    int m_qos;
    MqttLink &m_mqtt;
    std::array<Histogram *, 4> m_latency{}; // by source protocol
    std::array<Counter *, 4> m_published{};
    Counter &m_unavailable;
    RateLimitedLog m_warnings;
};

} // namespace edgegate
