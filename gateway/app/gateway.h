// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/app/config/config.h"
#include "gateway/core/routing/router.h"

#include <QObject>
#include <QString>

#include <memory>
#include <vector>

namespace edgegate {

class AlertEngine;
class AlertRuleBook;
class AlertStore;
class AlertWebhook;
class Analytics;
class ApiAccess;
class CoapFirmware;
class CoapLink;
class CoapResourceDirectory;
class CommandQueue;
class DeviceRegistry;
class Downlinks;
class FirmwareHttp;
class FirmwareStore;
class Forwarder;
class HealthApi;
class HealthHistory;
class HttpApi;
class HttpServer;
class HttpDeviceLink;
class InfluxSink;
class Ingest;
class MdnsAnnouncer;
class Metrics;
class MqttLink;
class OtaApi;
class Operations;
class OtaManager;
class Outbox;
class ResourceDirectory;
class OutboxTarget;
class RouteBook;
class Router;
class Sink;
class SqliteDeviceStore;
class SqliteHealthStore;
class SqliteOtaStore;
class TelemetryHistory;
class UpstreamSink;
class UiFeed;
class UiActions;
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
    /// What SIGHUP asks for: the TLS certificate and key are loaded again.
    void reload();

    [[nodiscard]] quint16 httpPort() const { return m_httpPort; }

    /// The firmware images (OTA campaigns read them; set its removal veto to keep images in use).
    [[nodiscard]] FirmwareStore &firmware() { return *m_firmware; }

signals:
    void stopped();

private:
    /// One sink with its outbox and what connects them.
    struct Channel
    {
        std::unique_ptr<Outbox> outbox;
        std::unique_ptr<OutboxTarget> target;
        std::unique_ptr<Sink> sink;
        std::unique_ptr<Forwarder> forwarder; ///< made once the outbox is open
        OutboxPolicy policy;
    };

    void finishStop();
    void stopSinks();
    void wireCommands();
    void wireDiscovery();
    void buildSinks();
    void addChannel(std::unique_ptr<Sink> sink, const OutboxPolicy &policy,
                    std::function<std::optional<RouteTarget::Record>(const Envelope &)> encoder);
    void wireRoutes();
    void wireUi();
    void wireHealth();
    bool startHealth(QString *error);
    void wireOta();
    void wireTelemetryHistory();
    [[nodiscard]] QString otaBaseUrl() const;
    [[nodiscard]] QString deviceType(const QString &id) const;

    Config m_config;
    std::unique_ptr<Metrics> m_metrics;
    std::unique_ptr<ApiAccess> m_apiAccess;
    std::unique_ptr<TelemetryHistory> m_telemetryHistory;
    std::unique_ptr<FirmwareStore> m_firmware; // before the links that serve it, so it outlives them
    std::unique_ptr<SqliteDeviceStore> m_store;
    std::unique_ptr<DeviceRegistry> m_registry;
    std::unique_ptr<Analytics> m_analytics;
    std::unique_ptr<AlertStore> m_alerts;
    std::unique_ptr<Router> m_router;
    std::unique_ptr<RouteBook> m_routeBook;
    std::unique_ptr<Ingest> m_ingest;
    std::unique_ptr<UiFeed> m_feed;
    std::unique_ptr<MqttLink> m_mqtt;
    std::unique_ptr<Downlinks> m_downlinks;
    std::unique_ptr<CommandQueue> m_commands;
    std::unique_ptr<Operations> m_operations;
    std::unique_ptr<HttpServer> m_httpServer;
    std::unique_ptr<HttpApi> m_http;
    std::unique_ptr<HttpDeviceLink> m_httpDevices;
    std::unique_ptr<WsDeviceLink> m_wsDevices;
    std::unique_ptr<CoapLink> m_coap;
    std::unique_ptr<FirmwareHttp> m_firmwareHttp;
    std::unique_ptr<CoapFirmware> m_coapFirmware;
    std::unique_ptr<SqliteHealthStore> m_healthStore;
    std::unique_ptr<HealthHistory> m_history;
    std::unique_ptr<AlertEngine> m_alertEngine;
    std::unique_ptr<AlertRuleBook> m_alertRules;
    std::unique_ptr<AlertWebhook> m_webhook;
    std::unique_ptr<HealthApi> m_healthApi;
    std::unique_ptr<ResourceDirectory> m_resourceDirectory;
    std::unique_ptr<CoapResourceDirectory> m_coapDirectory;
    std::unique_ptr<MdnsAnnouncer> m_mdns;
    std::unique_ptr<SqliteOtaStore> m_otaStore;
    std::unique_ptr<OtaManager> m_ota;
    std::unique_ptr<OtaApi> m_otaApi;
    std::unique_ptr<UiActions> m_uiActions;
    std::vector<Channel> m_channels;
    UpstreamSink *m_upstream = nullptr; // in m_channels
    quint16 m_httpPort = 0;
    bool m_stopping = false;
};

} // namespace edgegate
