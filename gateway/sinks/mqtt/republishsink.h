// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/sinks/mqtt/mqttsink.h"

namespace edgegate {

class Metrics;
class MqttLink;

/// The local broker as an outbox's destination: each entry is published at QoS 1 through
/// MqttLink::republish (so the link does not ingest its own echo) on the topic the entry carries,
/// and confirmed on the broker's PUBACK, within an in-flight window. Up while the link is
/// connected. With MqttLink's default settings libmosquitto re-sends what was unconfirmed when the
/// connection broke, and so does the Forwarder: after a loss the local broker may see such an
/// entry twice (see MqttLink::Settings::discardUnconfirmedOnLoss).
class RepublishSink : public MqttSink
{
    Q_OBJECT
public:
    RepublishSink(MqttLink &mqtt, int inflightWindow, Metrics &metrics, QObject *parent = nullptr);

    [[nodiscard]] QString name() const override;

protected:
    std::optional<int> publishEntry(const OutboxEntry &entry, int *error) override;

private:
    MqttLink &m_mqtt;
};

} // namespace edgegate
