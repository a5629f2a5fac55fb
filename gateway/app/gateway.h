// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/app/config/config.h"

#include <QDateTime>
#include <QObject>
#include <QString>

#include <memory>

namespace edgegate {

class AlertRuleBook;
class AlertWebhook;
class ApiAccess;
class CaApi;
class ChartFile;
class CertificateAuthority;
class CoapFirmware;
class CoapLink;
class CoapResourceDirectory;
class CoapServerCertificate;
class Core;
class DeviceCertificates;
class FirmwareHttp;
class FirmwareStore;
class HealthApi;
class HealthHistory;
class HttpApi;
class HttpDeviceLink;
class HttpServer;
class MdnsAnnouncer;
class Metrics;
class MqttLink;
class Operations;
class OtaApi;
class OtaManager;
class ResourceDirectory;
class RouteBook;
class SinkChannels;
class SqliteDeviceStore;
class SqliteHealthStore;
class SqliteOtaStore;
class UiActions;
class UiFeed;
class UpstreamSink;
class WsDeviceLink;

/// The service's object graph, built from a Config: the core, storage, the links, the APIs and
/// the sinks around it, connected. main() only parses arguments and runs this.
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
    /// What SIGHUP asks for: the TLS certificate and key, and the CA's index, are loaded again.
    void reload();

    [[nodiscard]] quint16 httpPort() const { return m_httpPort; }
    /// The firmware images, as OTA campaigns and downloads see them.
    [[nodiscard]] FirmwareStore &firmware() { return *m_firmware; }

signals:
    void stopped();

private:
    void buildSinks();
    void buildHealth();
    void buildOta();
    bool openStores(QString *error);
    bool listen(QString *error);
    void finishStop();

    Config m_config;
    std::unique_ptr<Metrics> m_metrics;
    std::unique_ptr<ApiAccess> m_apiAccess;
    std::unique_ptr<FirmwareStore> m_firmware; // before the links that serve it, so it outlives them
    std::unique_ptr<SqliteDeviceStore> m_store;
    std::unique_ptr<ChartFile> m_charts;
    std::unique_ptr<Core> m_core;
    std::unique_ptr<RouteBook> m_routeBook;
    std::unique_ptr<UiFeed> m_feed;
    std::unique_ptr<MqttLink> m_mqtt;
    std::unique_ptr<Operations> m_operations;
    std::unique_ptr<HttpServer> m_httpServer;
    std::unique_ptr<HttpApi> m_http;
    std::unique_ptr<HttpDeviceLink> m_httpDevices;
    std::unique_ptr<WsDeviceLink> m_wsDevices;
    std::unique_ptr<CoapLink> m_coap;
    std::unique_ptr<FirmwareHttp> m_firmwareHttp;
    std::unique_ptr<CoapFirmware> m_coapFirmware;
    std::unique_ptr<ResourceDirectory> m_resourceDirectory;
    std::unique_ptr<CoapResourceDirectory> m_coapDirectory;
    std::unique_ptr<SqliteHealthStore> m_healthStore;
    std::unique_ptr<HealthHistory> m_history;
    std::unique_ptr<AlertRuleBook> m_alertRules;
    std::unique_ptr<AlertWebhook> m_webhook;
    std::unique_ptr<HealthApi> m_healthApi;
    std::unique_ptr<CertificateAuthority> m_ca;
    std::unique_ptr<DeviceCertificates> m_deviceCertificates;
    std::unique_ptr<CaApi> m_caApi;
    std::unique_ptr<CoapServerCertificate> m_coapCertificate;
    std::unique_ptr<SqliteOtaStore> m_otaStore;
    std::unique_ptr<OtaManager> m_ota;
    std::unique_ptr<OtaApi> m_otaApi;
    std::unique_ptr<UiActions> m_uiActions;
    std::unique_ptr<SinkChannels> m_sinks;
    UpstreamSink *m_upstream = nullptr; // in m_sinks
    std::unique_ptr<MdnsAnnouncer> m_mdns;
    quint16 m_httpPort = 0;
    bool m_stopping = false;
};

} // namespace edgegate
