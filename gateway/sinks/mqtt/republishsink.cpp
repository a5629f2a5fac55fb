// SPDX-License-Identifier: Apache-2.0
#include "gateway/sinks/mqtt/republishsink.h"

#include "gateway/devicelinks/mqtt/mqttlink.h"

#include <QLoggingCategory>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcRepublishSink, "edgegate.republish")

RepublishSink::RepublishSink(MqttLink &mqtt, int inflightWindow, Metrics &metrics, QObject *parent)
    : MqttSink(inflightWindow, u"edgegate_republish"_s, u"the local broker"_s, lcRepublishSink(), metrics, parent)
    , m_mqtt(mqtt)
{
    connect(&mqtt, &MqttLink::connectedChanged, this, &RepublishSink::onConnectedChanged);
    connect(&mqtt, &MqttLink::published, this, &RepublishSink::onPublished);
    if (mqtt.isConnected())
        onConnectedChanged(true);
}

QString RepublishSink::name() const
{
    return u"republish"_s;
}

std::optional<int> RepublishSink::publishEntry(const OutboxEntry &entry, int *error)
{
    return m_mqtt.republish(QString::fromUtf8(entry.key), entry.payload, 1, error);
}

} // namespace edgegate
