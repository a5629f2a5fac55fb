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
#include "gateway/core/ingest/receiveclock.h"
#include "gateway/core/ota/otamanager.h"
#include "gateway/devicelinks/coap/coapfirmware.h"
#include "gateway/devicelinks/coap/coaplink.h"
#include "gateway/devicelinks/coap/coapresourcedirectory.h"
#include "gateway/devicelinks/http/httpdevicelink.h"
#include "gateway/devicelinks/mqtt/mqttlink.h"
#include "gateway/devicelinks/ws/wsdevicelink.h"
#include "gateway/notify/alertwebhook.h"
#include "gateway/notify/mdnsannouncer.h"
#include "gateway/sinks/mqtt/upstreamsink.h"
#include "gateway/sinks/sinkchannels.h"
#include "gateway/storage/books.h"
#include "gateway/storage/certauthority.h"
#include "gateway/storage/devicecertificates.h"
#include "gateway/storage/firmwarestore.h"
#include "gateway/storage/privatefiles.h"
#include "gateway/storage/sqlitedevicestore.h"
#include "gateway/storage/sqlitehealthstore.h"
#include "gateway/storage/sqliteotastore.h"

#include <QDir>
#include <QHostAddress>
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
    , m_core(std::make_unique<Core>(
          Core::Settings{config.registry, config.analytics, config.ingest, config.alerts.maxKept}, *m_store,
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
        config.coap, core.ingest,
        [&core](const QByteArray &identity) -> std::optional<CoapLink::Psk> {
            const auto psk = core.registry.pskForIdentity(identity);
            return psk ? std::optional(CoapLink::Psk{psk->first, psk->second}) : std::nullopt;
        },
        metrics);
    m_coap->setCredentialCheck([&core](const QString &id) { return core.registry.hasCredential(id); });
    for (DeviceLink *link :
         std::initializer_list<DeviceLink *>{m_mqtt.get(), m_coap.get(), m_httpDevices.get(), m_wsDevices.get()})
        core.downlinks.add(*link);
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
        connect(tls, &HttpTls::expiryChecked, &core.alertEngine, [&core](const QString &listener, const QDateTime &at) {
            core.alertEngine.onCertificateExpiry(listener, at.toMSecsSinceEpoch());
        });
    }
    m_healthApi = std::make_unique<HealthApi>(*m_httpServer, *m_operations, core.registry, *m_history, core.alerts,
                                              core.alertEngine, *m_alertRules);
    m_ca = std::make_unique<CertificateAuthority>(m_config.dataFile(u"ca"_s), m_config.gateway.id);
    m_deviceCertificates = std::make_unique<DeviceCertificates>(*m_ca, *m_metrics);
    connect(m_deviceCertificates.get(), &DeviceCertificates::certifiedChanged, &core.registry,
            &DeviceRegistry::setCertified);
    connect(m_deviceCertificates.get(), &DeviceCertificates::expiryChecked, &core.alertEngine,
            [&core](const QString &name, const QDateTime &at, const QString &what) {
                core.alertEngine.onCertificateExpiry(name, at.toMSecsSinceEpoch(), what);
            });
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
        connect(m_deviceCertificates.get(), &DeviceCertificates::authorityChanged, this,
                &Gateway::serveCoapCertificates);
        // Checked hourly with the devices' certificates.
        connect(m_deviceCertificates.get(), &DeviceCertificates::expiryChecked, this, [this] {
            if (!m_caPem.isEmpty() && QDateTime::currentDateTimeUtc() >= m_coapCertificateRenewal)
                serveCoapCertificates(m_caPem);
        });
    }
}

void Gateway::serveCoapCertificates(const QByteArray &caPem)
{
    constexpr int Days = 90;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QStringList hosts{u"localhost"_s, u"127.0.0.1"_s, u"::1"_s};
    if (const QHostAddress host(m_config.coap.dtlsHost);
        host != QHostAddress::AnyIPv4 && host != QHostAddress::AnyIPv6 && !hosts.contains(m_config.coap.dtlsHost))
        hosts.append(m_config.coap.dtlsHost);
    CaError caError;
    const auto issued = m_ca->issueServer(u"EdgeGate CoAP"_s, hosts, Days, now, &caError);
    QString error;
    if (!issued || !m_coap->setCertificates(caPem, issued->certificatePem, issued->keyPem, &error)) {
        qCCritical(lcGateway).noquote() << "CoAP over DTLS takes no certificates:"
                                        << (issued ? error : caError.message);
        return;
    }
    m_caPem = caPem;
    m_coapCertificateRenewal = now.addDays(Days / 2);
    qCInfo(lcGateway) << "CoAP over DTLS takes device certificates of the gateway CA";
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
    if (const auto since = m_healthStore->lastOnline())
        core.registry.restoreOnlineSince(*since);
    m_history->start();
    if (!m_alertRules->load(&loadError))
        qCCritical(lcGateway).noquote() << loadError << "- using the alert rules of the config file";
    core.alertEngine.setRules(m_alertRules->rules());
    m_deviceCertificates->reload();
    if (!m_routeBook->load(&loadError))
        qCCritical(lcGateway).noquote() << loadError << "- using the routes of the config file";
    if (!core.router.setRoutes(m_routeBook->routes(), &loadError)) {
        // Saved routes naming a sink since turned off: the config file's routes were checked at load.
        qCCritical(lcGateway).noquote() << "the saved routes cannot be used:" << loadError
                                        << "- using the routes of the config file";
        if (!core.router.setRoutes(m_config.routes, error))
            return false;
    }
    if (!m_firmware->load(error) || !m_sinks->open(error))
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
    const bool tls = m_config.http.tls.enabled();
    const QString where = u"%1:%2"_s.arg(m_config.http.host).arg(m_httpPort);
    qCInfo(lcGateway).noquote() << "gateway" << m_config.gateway.id << "serving REST on"
                                << (tls ? u"https://"_s : u"http://"_s) + where + u"/api/v1"_s << "and WebSocket on"
                                << (tls ? u"wss://"_s : u"ws://"_s) + where + u"/ws"_s << "with data in"
                                << QDir(m_config.gateway.dataDir).absolutePath();
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
    if (!m_core->registry.flush())
        qCWarning(lcGateway) << "the last registry changes could not be written";
    if (!m_history->flush() || !m_core->alerts.flush())
        qCWarning(lcGateway) << "the last status history or alert changes could not be written";
    // Aggregate windows in progress go out now, stamped with the time of the stop.
    m_core->router.flushAggregates(wallClockNs(), true);
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
