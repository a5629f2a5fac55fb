// SPDX-License-Identifier: Apache-2.0
#include "gateway/sinks/localrepublish.h"

#include "gateway/core/ingest.h"
#include "gateway/core/metrics.h"
#include "gateway/core/normalize.h"
#include "gateway/links/mqttlink.h"

#include <QLoggingCategory>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcRepublish, "edgegate.republish")

LocalRepublish::LocalRepublish(int qos, Ingest &ingest, MqttLink &mqtt, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_qos(qos)
    , m_mqtt(mqtt)
    , m_unavailable(
          metrics.counter(u"edgegate_messages_dropped_total"_s, {}, {{u"reason"_s, u"republish_broker_unavailable"_s}}))
{
    for (Protocol p : {Protocol::Coap, Protocol::Http, Protocol::WebSocket}) {
        const MetricLabels labels{{u"protocol"_s, protocolName(p)}};
        m_latency[static_cast<size_t>(p)] = &metrics.histogram(
            u"edgegate_translation_latency_seconds"_s,
            u"Time from receiving a message to republishing it on the local broker, by source protocol."_s,
            {0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.1, 1.0}, labels);
        m_published[static_cast<size_t>(p)]
            = &metrics.counter(u"edgegate_republished_total"_s,
                               u"Messages translated to MQTT and published on the local broker, by source."_s, labels);
    }
    connect(&ingest, &Ingest::telemetryAccepted, this, &LocalRepublish::republish);
}

void LocalRepublish::republish(const Envelope &envelope)
{
    if (envelope.source == Protocol::Mqtt)
        return;
    const size_t source = static_cast<size_t>(envelope.source);
    // Without a durable outbox yet, a message that finds the broker away is not republished;
    // it is counted, and everything else (registry, analytics) has it.
    if (!m_mqtt.republish(deviceTopic(envelope.deviceId, MessageKind::Telemetry), normalizedJson(envelope), m_qos)) {
        m_unavailable.inc();
        if (const auto suppressed = m_warnings.allow(u"unavailable"_s)) {
            qCWarning(lcRepublish).noquote()
                << "broker unavailable: telemetry of" << envelope.deviceId << "not republished"
                << (*suppressed ? u"(%1 more since the last report)"_s.arg(*suppressed) : QString());
        }
        return;
    }
    m_published[source]->inc();
    m_latency[source]->observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - envelope.receivedMono).count());
}

} // namespace edgegate
