// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/app/config.h"

#include <QObject>
#include <QString>

#include <memory>

namespace edgegate {

class AlertStore;
class Analytics;
class CoapLink;
class CommandQueue;
class DeviceRegistry;
class HttpApi;
class HttpDeviceLink;
class Ingest;
class LocalRepublish;
class Metrics;
class MqttLink;
class SqliteDeviceStore;
class UiFeed;
class WsDeviceLink;

/// The service's object graph, built from a Config: storage, registry, analytics, ingest and
/// the links, wired together. main() only parses arguments and runs this.
class Gateway : public QObject
{
    Q_OBJECT
public:
    explicit Gateway(const Config &config, QObject *parent = nullptr);
    ~Gateway() override;

    /// Opens storage, listens for HTTP and starts the MQTT link; false with `error` set if
    /// the service cannot serve (the broker being away is not such a reason).
    bool start(QString *error);

    /// Stops taking input, writes what is pending and emits stopped().
    void stop();

    [[nodiscard]] quint16 httpPort() const { return m_httpPort; }

signals:
    void stopped();

private:
    void finishStop();
    void wireCommands();

    Config m_config;
    std::unique_ptr<Metrics> m_metrics;
    std::unique_ptr<SqliteDeviceStore> m_store;
    std::unique_ptr<DeviceRegistry> m_registry;
    std::unique_ptr<Analytics> m_analytics;
    std::unique_ptr<AlertStore> m_alerts;
    std::unique_ptr<Ingest> m_ingest;
    std::unique_ptr<UiFeed> m_feed;
    std::unique_ptr<MqttLink> m_mqtt;
    std::unique_ptr<CommandQueue> m_commands;
    std::unique_ptr<HttpApi> m_http;
    std::unique_ptr<HttpDeviceLink> m_httpDevices;
    std::unique_ptr<WsDeviceLink> m_wsDevices;
    std::unique_ptr<CoapLink> m_coap;
    std::unique_ptr<LocalRepublish> m_republish;
    quint16 m_httpPort = 0;
    bool m_stopping = false;
};

} // namespace edgegate
