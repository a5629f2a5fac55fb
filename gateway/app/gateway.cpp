// SPDX-License-Identifier: Apache-2.0
#include "gateway/app/gateway.h"

#include "gateway/api/http/httpserver.h"
#include "gateway/api/operations/operations.h"
#include "gateway/api/rest/caapi.h"
#include "gateway/api/rest/firmwarehttp.h"
#include "gateway/api/rest/healthapi.h"
#include "gateway/api/rest/httpapi.h"
#include "gateway/api/rest/otaapi.h"
#include "gateway/api/ws/uiactions.h"
#include "gateway/api/ws/uifeed.h"
#include "gateway/core/common/apiaccess.h"
#include "gateway/core/common/metrics.h"
#include "gateway/core/core.h"
#include "gateway/core/devices/healthhistory.h"
#include "gateway/core/discovery/resourcedirectory.h"
#include "gateway/core/ota/otamanager.h"
#include "gateway/devicelinks/coap/coapfirmware.h"
#include "gateway/devicelinks/coap/coaplink.h"
#include "gateway/devicelinks/coap/coapresourcedirectory.h"
#include "gateway/devicelinks/coap/coapservercertificate.h"
#include "gateway/devicelinks/http/httpdevicelink.h"
#include "gateway/devicelinks/mqtt/mqttlink.h"
#include "gateway/devicelinks/ws/wsdevicelink.h"
#include "gateway/notify/alertwebhook.h"
#include "gateway/notify/mdnsannouncer.h"
#include "gateway/sinks/mqtt/upstreamsink.h"
#include "gateway/sinks/sinkchannels.h"
#include "gateway/storage/books.h"
#include "gateway/storage/certauthority.h"
#include "gateway/storage/chartfile.h"
#include "gateway/storage/devicecertificates.h"
#include "gateway/storage/firmwarestore.h"
#include "gateway/storage/privatefiles.h"
#include "gateway/storage/sqlitedevicestore.h"
#include "gateway/storage/sqlitehealthstore.h"
#include "gateway/storage/sqliteotastore.h"

#include <QDir>
#include <QLoggingCategory>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcGateway, "edgegate.gateway")

Gateway::Gateway(const Config &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_metrics(std::make_unique<Metrics>())
    , m_apiAccess(std::make_unique<ApiAccess>(config.http.tokens))
    , m_firmware(std::make_unique<FirmwareStore>(config.firmware))
    , m_store(std::make_unique<SqliteDeviceStore>())
    , m_charts(std::make_unique<ChartFile>(config.analytics.chartSeries, *m_metrics))
    , m_core(std::make_unique<Core>(
          Core::Settings{config.registry, config.analytics, config.ingest, config.alerts.maxKept}, *m_store, *m_charts,
          *m_metrics))
    , m_routeBook(std::make_unique<RouteBook>(config.dataFile(u"routes.json"_s), config.routes))
{
    Metrics &metrics = *m_metrics;
    Core &core = *m_core;
    m_feed
        = std::make_unique<UiFeed>(config.gateway.id, *m_apiAccess, core.registry, core.alerts, core.ingest, metrics);
    m_feed->setWaitingLimits({config.http.limits.maxWaitingAuth, config.http.limits.maxWaitingAuthPerAddress});
    m_mqtt = std::make_unique<MqttLink>(config.mqtt, core.ingest, metrics);
    connect(m_mqtt.get(), &MqttLink::stopped, this, &Gateway::finishStop);
    m_mqtt->publishAlerts(core.alerts);

    m_operations = std::make_unique<Operations>(core.registry, core.alerts, core.commands, core.ingest);
    m_httpServer = std::make_unique<HttpServer>(config.http, metrics);
    m_http = std::make_unique<HttpApi>(*m_httpServer, *m_operations, core.registry, core.analytics, core.alerts,
                                       core.commands, metrics, *m_feed,
                                       HttpApi::Health{[this] { return m_mqtt->isConnected(); }});
    m_http->setAccess(*m_apiAccess);
    m_http->serveRoutes(core.router, *m_routeBook);

    // The device links; commands and OTA notifications go over the one each device last spoke on.
    m_httpDevices = std::make_unique<HttpDeviceLink>(*m_httpServer, core.ingest, core.registry, core.commands);
    m_wsDevices = std::make_unique<WsDeviceLink>(core.ingest, core.registry, metrics, config.ingest.maxPayloadBytes);
    m_wsDevices->serve(*m_httpServer);
    m_coap = std::make_unique<CoapLink>(
        config.coap, core.ingest, [&core](const QByteArray &id) { return core.registry.pskForIdentity(id); }, metrics);
    m_coap->setCredentialCheck([&core](const QString &id) { return core.registry.hasCredential(id); });
    core.downlinks.add({m_mqtt.get(), m_coap.get(), m_httpDevices.get(), m_wsDevices.get()});
    m_resourceDirectory = std::make_unique<ResourceDirectory>();
    m_coapDirectory = std::make_unique<CoapResourceDirectory>(*m_coap, *m_resourceDirectory, core.ingest, core.registry,
                                                              config.ingest.maxPayloadBytes);

    m_firmwareHttp = std::make_unique<FirmwareHttp>(*m_httpServer, *m_firmware, metrics, config.firmware.maxImageBytes);
    m_coapFirmware = std::make_unique<CoapFirmware>(*m_firmware, metrics);
    m_coapFirmware->serve(*m_coap);
    buildHealth();
    buildOta();
    buildSinks();

    // The WebSocket API's requests run against the same objects as REST.
    m_uiActions = std::make_unique<UiActions>(*m_operations, core.registry, *m_history, core.telemetryHistory,
                                              m_ota.get(), m_firmware.get());
    m_feed->setActions(m_uiActions.get());
    m_feed->setStatusProvider([this] {
        using namespace wsapi::linkstate;
        wsapi::GatewayStatus status;
        status.broker = (m_mqtt->isConnected() ? Connected : Disconnected).toString();
        status.upstream = (!m_upstream ? Disabled : m_upstream->isUp() ? Connected : Disconnected).toString();
        status.outbox = m_sinks->status();
        return status;
    });

    addProcessMetrics(metrics, QStringLiteral(EDGEGATE_VERSION));
}

Gateway::~Gateway() = default;

void Gateway::buildHealth()
{
    Core &core = *m_core;
    m_healthStore = std::make_unique<SqliteHealthStore>();
    m_history = std::make_unique<HealthHistory>(m_config.history, *m_healthStore, *m_metrics);
    connect(&core.registry, &DeviceRegistry::statusChanged, m_history.get(), &HealthHistory::record);
    m_alertRules = std::make_unique<AlertRuleBook>(m_config.dataFile(u"alert-rules.json"_s),
                                                   m_config.alerts.rules.isEmpty() ? defaultAlertRules()
                                                                                   : m_config.alerts.rules);
    if (!m_config.alerts.webhook.url.isEmpty()) {
        m_webhook = std::make_unique<AlertWebhook>(m_config.alerts.webhook, *m_metrics);
        connect(&core.alerts, &AlertStore::alertChanged, m_webhook.get(), &AlertWebhook::post);
    }
    if (HttpTls *tls = m_httpServer->tls()) {
        connect(tls, &HttpTls::expiryChecked, &core.alertEngine, &AlertEngine::onListenerExpiry);
    }
    m_healthApi = std::make_unique<HealthApi>(*m_httpServer, *m_operations, core.registry, *m_history, core.alerts,
                                              core.alertEngine, *m_alertRules);
    m_ca = std::make_unique<CertificateAuthority>(m_config.dataFile(u"ca"_s), m_config.gateway.id);
    m_deviceCertificates = std::make_unique<DeviceCertificates>(*m_ca, *m_metrics);
    connect(m_deviceCertificates.get(), &DeviceCertificates::certifiedChanged, &core.registry,
            &DeviceRegistry::setCertified);
    connect(m_deviceCertificates.get(), &DeviceCertificates::expiryChecked, &core.alertEngine,
            &AlertEngine::onCertificatesExpiry);
    m_caApi = std::make_unique<CaApi>(*m_httpServer, *m_deviceCertificates);
    // Devices may prove themselves with a certificate of the CA on the TLS port, instead of their token.
    const CertificateCheck check = [certificates = m_deviceCertificates.get()](const QByteArray &der) {
        return certificates->certificateDevice(der);
    };
    m_httpDevices->setCertificateCheck(check);
    m_wsDevices->setCertificateCheck(check);
    if (HttpTls *tls = m_httpServer->tls())
        connect(m_deviceCertificates.get(), &DeviceCertificates::authorityChanged, tls, &HttpTls::setDeviceCa);
    m_coap->setCertificateCheck(check);
    if (m_config.coap.dtls) {
        m_coapCertificate = std::make_unique<CoapServerCertificate>(*m_ca, *m_coap, m_config.coap.dtlsHost);
        const CoapServerCertificate *served = m_coapCertificate.get();
        connect(m_deviceCertificates.get(), &DeviceCertificates::authorityChanged, served,
                &CoapServerCertificate::serve);
        connect(m_deviceCertificates.get(), &DeviceCertificates::expiryChecked, served,
                &CoapServerCertificate::renewIfDue);
    }
}

void Gateway::buildOta()
{
    Core &core = *m_core;
    m_otaStore = std::make_unique<SqliteOtaStore>();
    m_ota = std::make_unique<OtaManager>(m_config.ota, core.registry, core.downlinks, *m_otaStore, *m_metrics);
    m_otaApi = std::make_unique<OtaApi>(*m_httpServer, *m_ota, core.registry, m_config.http.limits.maxBodyBytes);
    m_httpDevices->serveOta(*m_ota);
    m_feed->followOta(*m_ota);
    // Images come from the firmware store; one that a running or paused campaign uses stays.
    m_ota->setCatalog(m_firmware.get());
    m_firmware->setRemovalVeto(
        [this](const FirmwareImage &image) { return m_ota->imageInUse(image.name, image.version); });
    m_coap->setOtaState([this](const QString &id) { return m_ota->latestNotification(id); });
    connect(&core.ingest, &Ingest::otaProgressReceived, m_ota.get(), &OtaManager::progress);
    connect(&core.ingest, &Ingest::firmwareAnnounced, m_ota.get(), &OtaManager::firmwareAnnounced);
}

void Gateway::buildSinks()
{
    Core &core = *m_core;
    const Config &c = m_config;
    m_sinks = std::make_unique<SinkChannels>(core.router, *m_metrics);
    // Drops feed the outbox_overflow alert rules; repeats only count up the open alert.
    connect(m_sinks.get(), &SinkChannels::dropped, &core.alertEngine, &AlertEngine::onOutboxDropped);
    if (c.upstream.enabled())
        m_upstream = &m_sinks->addUpstream(c.upstream, c.upstream.outbox);
    if (c.influxdb.enabled())
        m_sinks->addInflux(c.influxdb, c.influxdb.outbox,
                           [&core](const QString &id) { return core.registry.typeOf(id); });
    if (c.translate.republish)
        m_sinks->addRepublish(*m_mqtt, c.translate.outbox);
}

bool Gateway::openStores(QString *error)
{
    Core &core = *m_core;
    const auto cannot = [error](const QString &path, const QString &what, const QString &why) {
        *error = u"cannot %1 %2: %3"_s.arg(what, path, why);
        return false;
    };
    const QString registryPath = m_config.dataFile(u"registry.db"_s);
    if (!m_store->open(registryPath))
        return cannot(registryPath, u"open"_s, m_store->lastError());
    QString loadError;
    if (!core.registry.load(&loadError))
        return cannot(registryPath, u"read the registry in"_s, loadError);
    const QString healthPath = m_config.dataFile(u"health.db"_s);
    if (!m_healthStore->open(healthPath))
        return cannot(healthPath, u"open"_s, m_healthStore->lastError());
    if (!core.alerts.load(*m_healthStore, &loadError))
        return cannot(healthPath, u"read the alerts in"_s, loadError);
    if (!m_charts->open(m_config.dataFile(u"charts"_s), error))
        return false;
    core.telemetryHistory.load();
    if (const auto since = m_healthStore->lastOnline())
        core.registry.restoreOnlineSince(*since);
    m_history->start();
    m_alertRules->apply(core.alertEngine);
    m_deviceCertificates->reload();
    if (!m_routeBook->apply(core.router, error) || !m_firmware->load(error) || !m_sinks->open(error))
        return false;
    const QString otaPath = m_config.dataFile(u"ota.db"_s);
    if (!m_otaStore->open(otaPath) || !m_ota->load(error))
        return cannot(otaPath, u"open"_s, m_otaStore->lastError());
    return true;
}

bool Gateway::start(QString *error)
{
    // Keys, PSKs, firmware and queued data are the service's alone, whatever the folder was made with.
    int loosened = 0;
    if (!makePrivate(m_config.gateway.dataDir, &loosened, error))
        return false;
    if (loosened > 0)
        qCWarning(lcGateway).noquote() << "made" << loosened << "entries of data_dir private (mode 0600/0700)";
    if (!openStores(error) || !listen(error))
        return false;
    if (const auto &mdns = m_config.discovery.mdns; mdns.enabled) {
        const QString version = QStringLiteral(EDGEGATE_VERSION);
        m_mdns = std::make_unique<MdnsAnnouncer>(
            MdnsAnnouncer::Settings{mdns.name, m_config.gateway.id, version, m_httpPort, m_coap->port()});
        m_mdns->start();
    }
    m_mqtt->start();
    if (m_upstream)
        m_upstream->start();
    return true;
}

bool Gateway::listen(QString *error)
{
    if (!m_httpServer->listen(error))
        return false;
    m_httpPort = m_httpServer->port();
    m_ota->setBaseUrl(m_config.otaBaseUrl(m_httpPort));
    if ((m_config.coap.enabled || m_config.coap.dtls) && !m_coap->start(error))
        return false;
    qCInfo(lcGateway).noquote() << u"gateway %1 serving REST on http%2://%3:%4/api/v1 and WebSocket on ws%2://%3:%4/ws "
                                   "with data in %5"_s.arg(m_config.gateway.id,
                                                           m_config.http.tls.enabled() ? u"s"_s : u""_s,
                                                           m_config.http.host, QString::number(m_httpPort),
                                                           QDir(m_config.gateway.dataDir).absolutePath());
    return true;
}

void Gateway::reload()
{
    m_httpServer->reloadTls();
    m_deviceCertificates->reload();
}

void Gateway::stop()
{
    if (m_stopping)
        return;
    m_stopping = true;
    qCInfo(lcGateway) << "stopping";
    if (m_mdns)
        m_mdns->stop();
    // Input stops first (device links, then the broker link), then everything received is written.
    m_coap->stop();
    m_wsDevices->closeAll();
    m_mqtt->stop();
}

void Gateway::finishStop()
{
    m_feed->closeAll();
    if (const bool written = m_core->flush(); !m_history->flush() || !written)
        qCWarning(lcGateway) << "the last registry, alert or status history changes could not be written";
    m_sinks->sync();
    // Whatever is still unconfirmed stays in the outboxes for the next start.
    const auto done = [this] {
        qCInfo(lcGateway) << "stopped";
        emit stopped();
    };
    if (!m_upstream) {
        done();
        return;
    }
    connect(m_upstream, &UpstreamSink::stopped, this, done, Qt::SingleShotConnection);
    m_upstream->stop();
}

} // namespace edgegate
