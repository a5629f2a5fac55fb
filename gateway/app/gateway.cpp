// SPDX-License-Identifier: Apache-2.0
#include "gateway/app/gateway.h"

#include "gateway/api/http/httpserver.h"
#include "gateway/api/operations/operations.h"
#include "gateway/api/rest/firmwarehttp.h"
#include "gateway/api/rest/healthapi.h"
#include "gateway/api/rest/httpapi.h"
#include "gateway/api/rest/otaapi.h"
#include "gateway/api/ws/uiactions.h"
#include "gateway/api/ws/uifeed.h"
#include "gateway/core/alerts/alertengine.h"
#include "gateway/core/alerts/alertstore.h"
#include "gateway/core/analytics/analytics.h"
#include "gateway/core/common/apiaccess.h"
#include "gateway/core/common/metrics.h"
#include "gateway/core/devices/deviceregistry.h"
#include "gateway/core/devices/healthhistory.h"
#include "gateway/core/devices/telemetryhistory.h"
#include "gateway/core/discovery/resourcedirectory.h"
#include "gateway/core/downlink/commandqueue.h"
#include "gateway/core/downlink/downlinks.h"
#include "gateway/core/ingest/ingest.h"
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
#include "gateway/sinks/forwarder.h"
#include "gateway/sinks/influxsink.h"
#include "gateway/sinks/outbox.h"
#include "gateway/sinks/outboxtarget.h"
#include "gateway/sinks/republishsink.h"
#include "gateway/sinks/upstreamsink.h"
#include "gateway/storage/alertrulebook.h"
#include "gateway/storage/firmwarestore.h"
#include "gateway/storage/routebook.h"
#include "gateway/storage/sqlitedevicestore.h"
#include "gateway/storage/sqlitehealthstore.h"
#include "gateway/storage/sqliteotastore.h"

#include "gateway/api/http/httpserver.h"

#include <QDir>
#include <QHostInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QWebSocket>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcGateway, "edgegate.gateway")

Gateway::Gateway(const Config &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_metrics(std::make_unique<Metrics>())
    , m_apiAccess(std::make_unique<ApiAccess>(config.http.tokens))
    , m_telemetryHistory(std::make_unique<TelemetryHistory>())
    , m_store(std::make_unique<SqliteDeviceStore>())
{
    Metrics &metrics = *m_metrics;
    m_registry = std::make_unique<DeviceRegistry>(
        DeviceRegistry::Settings{config.registry.policy, config.registry.offlineAfter, config.registry.flushInterval,
                                 config.registry.offlineAfterByType},
        *m_store, metrics);
    m_analytics = std::make_unique<Analytics>(
        Analytics::Settings{config.analytics.window, config.analytics.anomalyZ, config.analytics.minSamples});
    m_alerts = std::make_unique<AlertStore>(config.alerts.maxKept, metrics);
    m_router = std::make_unique<Router>([this](const QString &id) { return deviceType(id); }, metrics);
    m_ingest = std::make_unique<Ingest>(Ingest::Settings{config.ingest.maxPayloadBytes, config.registry.pendingBuffer},
                                        *m_registry, *m_analytics, metrics, m_router.get());
    m_feed = std::make_unique<UiFeed>(config.gateway.id, *m_apiAccess, *m_registry, *m_alerts, *m_ingest, metrics);
    m_feed->setWaitingLimits({config.http.limits.maxWaitingAuth, config.http.limits.maxWaitingAuthPerAddress});

    MqttLink::Settings mqtt;
    mqtt.host = config.mqtt.host;
    mqtt.port = config.mqtt.port;
    mqtt.v5 = config.mqtt.protocol == MqttProtocol::V5;
    mqtt.clientId = config.effectiveClientId();
    mqtt.username = config.mqtt.username;
    mqtt.password = config.mqtt.password;
    mqtt.gatewayId = config.gateway.id;
    mqtt.keepalive = config.mqtt.keepalive;
    mqtt.reconnectMin = config.mqtt.reconnectMin;
    mqtt.reconnectMax = config.mqtt.reconnectMax;
    mqtt.sessionExpiry = static_cast<quint32>(config.mqtt.sessionExpiry.count());
    mqtt.sessionFile = QDir(config.gateway.dataDir).absoluteFilePath(u"mqtt-session"_s);
    m_mqtt = std::make_unique<MqttLink>(mqtt, *m_ingest, metrics);
    connect(m_mqtt.get(), &MqttLink::stopped, this, &Gateway::finishStop);

    HttpApi::Health health{[this] { return m_mqtt->isConnected(); }};
    m_downlinks = std::make_unique<Downlinks>(*m_registry);
    m_commands = std::make_unique<CommandQueue>(*m_registry, *m_downlinks, metrics);
    m_operations = std::make_unique<Operations>(*m_registry, *m_alerts, *m_commands, *m_ingest);
    m_httpServer
        = std::make_unique<HttpServer>(HttpServer::Settings{config.http.addresses, config.http.port, config.http.limits,
                                                            config.http.allowedHosts, config.http.tls},
                                       metrics);
    m_http = std::make_unique<HttpApi>(*m_httpServer, *m_operations, *m_registry, *m_analytics, *m_alerts, *m_commands,
                                       metrics, *m_feed, std::move(health));
    m_http->setAccess(*m_apiAccess);

    m_httpDevices = std::make_unique<HttpDeviceLink>(*m_httpServer, *m_ingest, *m_registry, *m_commands);
    m_wsDevices = std::make_unique<WsDeviceLink>(*m_ingest, *m_registry, metrics, config.ingest.maxPayloadBytes);
    m_httpServer->webSocketRoute(
        u"/ws/device/<arg>"_s,
        [this](std::unique_ptr<QWebSocket> socket, const HttpRequest &request, const QStringList &args) {
            m_wsDevices->addConnection(std::move(socket), args.at(0), request.value("authorization"));
        },
        quint64(config.ingest.maxPayloadBytes), quint64(config.ingest.maxPayloadBytes));
    CoapLink::Settings coap;
    coap.enabled = config.coap.enabled;
    coap.host = config.coap.host;
    coap.port = config.coap.port;
    coap.dtls = config.coap.dtlsPort != 0;
    coap.dtlsHost = config.coap.dtlsHost.isEmpty() ? config.coap.host : config.coap.dtlsHost;
    coap.dtlsPort = config.coap.dtlsPort;
    coap.maxPayloadBytes = config.ingest.maxPayloadBytes;
    coap.maxSessions = config.coap.maxSessions;
    m_coap = std::make_unique<CoapLink>(
        coap, *m_ingest,
        [this](const QByteArray &identity) -> std::optional<CoapLink::Psk> {
            const auto psk = m_registry->pskForIdentity(identity);
            if (!psk)
                return std::nullopt;
            return CoapLink::Psk{psk->first, psk->second};
        },
        metrics);
    m_coap->setCredentialCheck([this](const QString &id) { return m_registry->credentials(id) != nullptr; });
    m_firmware = std::make_unique<FirmwareStore>(FirmwareStore::Settings{
        QDir(config.gateway.dataDir).absoluteFilePath(u"firmware"_s), config.firmware.maxImageBytes});
    m_firmwareHttp = std::make_unique<FirmwareHttp>(*m_httpServer, *m_firmware, metrics, config.firmware.maxImageBytes);
    m_coapFirmware = std::make_unique<CoapFirmware>(*m_firmware, metrics);
    m_coap->addHandler(QByteArrayLiteral("firmware"), {{"ct", "42"}, {"rt", "\"edgegate.firmware\""}},
                       [this](coap_session_t *session, const coap_pdu_t *request, coap_pdu_t *response) {
                           m_coapFirmware->handle(session, request, response);
                       });
    wireHealth();
    wireCommands();
    wireDiscovery();
    wireOta();
    wireTelemetryHistory();
    buildSinks();
    wireRoutes();
    wireUi();

    metrics
        .gauge(u"edgegate_build_info"_s, u"Version of the running edgegated."_s,
               {{u"version"_s, QStringLiteral(EDGEGATE_VERSION)}})
        .set(1);
    metrics.addCollector([&metrics] {
        metrics.gauge(u"process_resident_memory_bytes"_s, u"Resident memory size in bytes."_s)
            .set(static_cast<double>(residentMemoryBytes()));
    });
}

Gateway::~Gateway() = default;

QString Gateway::deviceType(const QString &id) const
{
    const DeviceInfo *device = m_registry->find(id);
    return device ? device->type : QString();
}

void Gateway::addChannel(std::unique_ptr<Sink> sink, const OutboxPolicy &policy,
                         std::function<std::optional<RouteTarget::Record>(const Envelope &)> encoder)
{
    Channel channel;
    OutboxSettings outbox;
    outbox.directory = QDir(m_config.gateway.dataDir).absoluteFilePath(u"outbox/"_s + sink->name());
    outbox.maxBytes = policy.maxBytes;
    outbox.overflow = policy.overflow == OverflowPolicy::DropOldest ? OutboxSettings::Overflow::DropOldest
                                                                    : OutboxSettings::Overflow::RejectNew;
    outbox.commitInterval = m_config.outbox.commitInterval;
    channel.outbox = std::make_unique<Outbox>(sink->name(), outbox, *m_metrics);
    channel.target = std::make_unique<OutboxTarget>(*channel.outbox, std::move(encoder));
    channel.policy = policy;
    m_router->addTarget(sink->name(), *channel.target);

    // Drops feed the outbox_overflow alert rules; repeats only count up the open alert.
    const QString name = sink->name();
    connect(channel.outbox.get(), &Outbox::dropped, this, [this, name](quint64 count, const QString &reason) {
        m_alertEngine->onOutboxDropped(name, count, reason);
    });
    channel.sink = std::move(sink);
    m_channels.push_back(std::move(channel));
}

void Gateway::buildSinks()
{
    const Config &c = m_config;
    if (c.upstream.enabled()) {
        UpstreamSink::Settings up;
        up.host = c.upstream.host;
        up.port = c.upstream.port;
        up.clientId = c.effectiveUpstreamClientId();
        up.username = c.upstream.username;
        up.password = c.upstream.password;
        up.v5 = c.upstream.protocol == MqttProtocol::V5;
        up.keepalive = c.upstream.keepalive;
        up.reconnectMin = c.upstream.reconnectMin;
        up.reconnectMax = c.upstream.reconnectMax;
        up.tls.enabled = c.upstream.tls;
        up.tls.caFile = c.upstream.caFile;
        up.tls.certFile = c.upstream.certFile;
        up.tls.keyFile = c.upstream.keyFile;
        up.tls.insecure = c.upstream.tlsInsecure;
        up.prefix = c.upstream.prefix;
        up.gatewayId = c.gateway.id;
        up.inflightWindow = c.upstream.inflight;
        auto sink = std::make_unique<UpstreamSink>(up, *m_metrics);
        m_upstream = sink.get();
        addChannel(std::move(sink), c.upstream.outbox, OutboxTarget::upstream(c.upstream.prefix, c.gateway.id));
    }
    if (c.influxdb.enabled()) {
        InfluxSink::Settings influx;
        influx.url = QUrl(c.influxdb.url);
        influx.database = c.influxdb.database;
        influx.retentionPolicy = c.influxdb.retentionPolicy;
        influx.username = c.influxdb.username;
        influx.password = c.influxdb.password;
        influx.org = c.influxdb.org;
        influx.bucket = c.influxdb.bucket;
        influx.token = c.influxdb.token;
        influx.batchPoints = c.influxdb.batchPoints;
        influx.flushInterval = c.influxdb.flushInterval;
        influx.requestTimeout = c.influxdb.timeout;
        influx.measurement = c.influxdb.measurement;
        addChannel(std::make_unique<InfluxSink>(influx, *m_metrics), c.influxdb.outbox,
                   [influx, this](const Envelope &e) -> std::optional<RouteTarget::Record> {
                       if (e.kind != MessageKind::Telemetry)
                           return std::nullopt;
                       const QString type = deviceType(e.deviceId);
                       // With one measurement for all, the type becomes a tag so it can still be told apart.
                       InfluxSink::Settings point = influx;
                       if (!influx.measurement.isEmpty() && !type.isEmpty())
                           point.tags.append({u"type"_s, type});
                       QByteArray lines = InfluxSink::lines(point, e, type);
                       if (lines.isEmpty())
                           return std::nullopt;
                       return RouteTarget::Record{{}, std::move(lines)};
                   });
    }
    if (c.translate.republish) {
        constexpr int RepublishWindow = 100; // PUBACKs awaited at once from the local broker
        addChannel(std::make_unique<RepublishSink>(*m_mqtt, RepublishWindow, *m_metrics), c.translate.outbox,
                   OutboxTarget::republish());
    }
}

void Gateway::wireHealth()
{
    Metrics &metrics = *m_metrics;
    m_healthStore = std::make_unique<SqliteHealthStore>();
    m_history = std::make_unique<HealthHistory>(HealthHistory::Settings{m_config.registry.historyDays}, *m_healthStore,
                                                metrics);
    m_alertEngine = std::make_unique<AlertEngine>(*m_alerts, *m_registry);
    m_alertRules = std::make_unique<AlertRuleBook>(
        QDir(m_config.gateway.dataDir).absoluteFilePath(u"alert-rules.json"_s),
        m_config.alerts.rules.isEmpty() ? defaultAlertRules() : m_config.alerts.rules);
    connect(m_registry.get(), &DeviceRegistry::statusChanged, m_history.get(), &HealthHistory::record);
    connect(m_registry.get(), &DeviceRegistry::statusChanged, m_alertEngine.get(), &AlertEngine::onStatus);
    connect(m_ingest.get(), &Ingest::telemetryAccepted, m_alertEngine.get(), &AlertEngine::onTelemetry);
    connect(m_ingest.get(), &Ingest::anomalyDetected, m_alertEngine.get(), &AlertEngine::onAnomaly);

    // Every lifecycle change goes to the gateway's alert topic through the local broker.
    const QString topic = u"gateway/%1/alerts"_s.arg(m_config.gateway.id);
    Counter &unpublished = metrics.counter(u"edgegate_alerts_unpublished_total"_s,
                                           u"Alert changes not published on MQTT (the broker was not connected)."_s);
    connect(m_alerts.get(), &AlertStore::alertChanged, this, [this, topic, &unpublished](const Alert &alert) {
        if (!m_mqtt->publish(topic, QJsonDocument(alertToJson(alert)).toJson(QJsonDocument::Compact), 1, false))
            unpublished.inc();
    });
    if (!m_config.alerts.webhook.url.isEmpty()) {
        const auto &hook = m_config.alerts.webhook;
        m_webhook = std::make_unique<AlertWebhook>(
            AlertWebhook::Settings{QUrl(hook.url), hook.timeout, hook.retryMin, hook.retryMax, hook.maxQueued},
            metrics);
        connect(m_alerts.get(), &AlertStore::alertChanged, m_webhook.get(), &AlertWebhook::post);
    }
    m_healthApi = std::make_unique<HealthApi>(*m_httpServer, *m_operations, *m_registry, *m_history, *m_alerts,
                                              *m_alertEngine, *m_alertRules);
}

bool Gateway::startHealth(QString *error)
{
    const QString path = QDir(m_config.gateway.dataDir).absoluteFilePath(u"health.db"_s);
    if (!m_healthStore->open(path)) {
        *error = u"cannot open %1: %2"_s.arg(path, m_healthStore->lastError());
        return false;
    }
    QString loadError;
    if (!m_alerts->load(*m_healthStore, &loadError)) {
        *error = u"cannot read the alerts in %1: %2"_s.arg(path, loadError);
        return false;
    }
    if (const auto since = m_healthStore->lastOnline())
        m_registry->restoreOnlineSince(*since);
    m_history->start();
    if (!m_alertRules->load(&loadError))
        qCCritical(lcGateway).noquote() << loadError << "- using the alert rules of the config file";
    m_alertEngine->setRules(m_alertRules->rules());
    if (HttpTls *tls = m_httpServer->tls()) {
        connect(tls, &HttpTls::expiryChecked, m_alertEngine.get(),
                [this](const QString &listener, const QDateTime &at) {
                    m_alertEngine->onCertificateExpiry(listener, at.toMSecsSinceEpoch());
                });
    }
    return true;
}

void Gateway::wireRoutes()
{
    m_routeBook = std::make_unique<RouteBook>(QDir(m_config.gateway.dataDir).absoluteFilePath(u"routes.json"_s),
                                              m_config.routes);
    using Refusal = HttpApi::RouteControl::Refusal;
    HttpApi::RouteControl control;
    control.list = [this] {
        return QJsonObject{{u"routes"_s, routesToJson(m_router->routes())},
                           {u"source"_s, m_routeBook->source()},
                           {u"sinks"_s, QJsonArray::fromStringList(m_router->sinkNames())}};
    };
    control.replace = [this](const QJsonArray &json) -> std::optional<Refusal> {
        QString error;
        const auto routes = routesFromJson(json, &error);
        if (!routes)
            return Refusal{false, error};
        const QList<Route> previous = m_router->routes();
        if (!m_router->setRoutes(*routes, &error))
            return Refusal{false, error};
        if (!m_routeBook->save(*routes, &error)) {
            QString ignored;
            m_router->setRoutes(previous, &ignored);
            return Refusal{true, error};
        }
        qCInfo(lcGateway) << "routes replaced through the API:" << routes->size() << "route(s)";
        return std::nullopt;
    };
    control.reset = [this]() -> std::optional<Refusal> {
        QString error;
        if (!m_routeBook->reset(&error))
            return Refusal{true, error};
        if (!m_router->setRoutes(m_routeBook->routes(), &error))
            return Refusal{false, error};
        qCInfo(lcGateway) << "routes reset to the config file's";
        return std::nullopt;
    };
    m_http->setRouteControl(std::move(control));
}

void Gateway::wireDiscovery()
{
    m_resourceDirectory = std::make_unique<ResourceDirectory>();
    m_coapDirectory = std::make_unique<CoapResourceDirectory>(*m_coap, *m_resourceDirectory, *m_ingest, *m_registry,
                                                              m_config.ingest.maxPayloadBytes);
}

void Gateway::wireCommands()
{
    // Commands and OTA notifications go over the link each device last spoke on.
    for (DeviceLink *link :
         std::initializer_list<DeviceLink *>{m_mqtt.get(), m_coap.get(), m_httpDevices.get(), m_wsDevices.get()})
        m_downlinks->add(*link);
    connect(m_ingest.get(), &Ingest::commandAckReceived, m_commands.get(),
            [this](const QString &id, const QByteArray &payload, Protocol protocol) {
                if (!m_commands->acknowledge(id, payload, protocol))
                    qCWarning(lcGateway).noquote() << "ack from" << id << "matches no command waiting for one";
            });
    // A command another MQTT client published: an MQTT device already has it from the broker;
    // a device on another link gets it through that link.
    connect(m_ingest.get(), &Ingest::commandPublished, m_commands.get(),
            [this](const QString &id, const QByteArray &payload) {
                const CommandRequest request = parseCommandRequest(QJsonDocument::fromJson(payload).object());
                const DeviceInfo *device = m_registry->find(id);
                if (!request.error.isEmpty() || !device) {
                    qCWarning(lcGateway).noquote() << "ignoring command published for" << id << ":"
                                                   << (device ? request.error : u"unknown device"_s);
                    return;
                }
                if (!request.id.isEmpty() && m_commands->contains(id, request.id))
                    return; // the same command again (a client retrying): it is known already
                const bool mqttDevice = device->protocol == protocolName(Protocol::Mqtt);
                m_commands->submit(id, request.name, request.params, request.ttl, request.id,
                                   mqttDevice ? std::optional(Protocol::Mqtt) : std::nullopt);
            });
}

void Gateway::wireOta()
{
    m_otaStore = std::make_unique<SqliteOtaStore>();
    m_ota = std::make_unique<OtaManager>(
        OtaManager::Settings{m_config.ota.jobTimeout, m_config.ota.maxConcurrent, m_config.ota.baseUrl}, *m_registry,
        *m_downlinks, *m_otaStore, *m_metrics);
    m_otaApi = std::make_unique<OtaApi>(*m_httpServer, *m_ota, *m_registry, m_config.http.limits.maxBodyBytes);
    m_httpDevices->serveOta(*m_ota);
    m_feed->followOta(*m_ota);
    // Images come from the firmware store; one that a running or paused campaign uses stays.
    m_ota->setCatalog(m_firmware.get());
    m_firmware->setRemovalVeto(
        [this](const FirmwareImage &image) { return m_ota->imageInUse(image.name, image.version); });
    // The CoAP OTA resource's state is the manager's latest notification.
    m_coap->setOtaState([this](const QString &id) { return m_ota->latestNotification(id); });
    connect(m_ingest.get(), &Ingest::otaProgressReceived, m_ota.get(),
            [this](const QString &id, const QByteArray &payload) { m_ota->progress(id, payload); });
    connect(m_ingest.get(), &Ingest::firmwareAnnounced, m_ota.get(), &OtaManager::firmwareAnnounced);
}

void Gateway::wireTelemetryHistory()
{
    connect(m_ingest.get(), &Ingest::telemetryAccepted, this,
            [this](const Envelope &envelope) { m_telemetryHistory->add(envelope); });
    connect(m_registry.get(), &DeviceRegistry::deviceRemoved, this,
            [this](const QString &id) { m_telemetryHistory->removeDevice(id); });
}

QString Gateway::otaBaseUrl() const
{
    if (!m_config.ota.baseUrl.isEmpty())
        return m_config.ota.baseUrl;
    QString host = m_config.http.host;
    const QHostAddress address(host);
    if (address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6 || address == QHostAddress::Any)
        host = QHostInfo::localHostName();
    else if (address.protocol() == QAbstractSocket::IPv6Protocol)
        host = u'[' + host + u']';
    return u"%1://%2:%3"_s.arg(m_config.http.tls.enabled() ? u"https"_s : u"http"_s, host).arg(m_httpPort);
}

void Gateway::wireUi()
{
    // The WebSocket API's requests run against the same objects as REST; its status frame reads
    // the links and outboxes through this provider, so UiFeed knows no sink classes.
    m_uiActions = std::make_unique<UiActions>(*m_operations, *m_registry, *m_history, *m_telemetryHistory, m_ota.get(),
                                              m_firmware.get());
    m_feed->setActions(m_uiActions.get());
    m_feed->setStatusProvider([this] {
        using namespace wsapi::linkstate;
        wsapi::GatewayStatus status;
        status.broker = (m_mqtt->isConnected() ? Connected : Disconnected).toString();
        status.upstream = (!m_upstream ? Disabled : m_upstream->isUp() ? Connected : Disconnected).toString();
        for (const Channel &c : m_channels)
            status.outbox.append(
                {c.sink->name(), c.outbox->depthMessages(), c.outbox->depthBytes(), c.policy.maxBytes});
        return status;
    });
}

bool Gateway::start(QString *error)
{
    const QString dataDir = m_config.gateway.dataDir;
    if (!QDir().mkpath(dataDir)) {
        *error = u"cannot create data_dir '%1'"_s.arg(dataDir);
        return false;
    }
    const QString dbPath = QDir(dataDir).absoluteFilePath(u"registry.db"_s);
    if (!m_store->open(dbPath)) {
        *error = u"cannot open %1: %2"_s.arg(dbPath, m_store->lastError());
        return false;
    }
    QString loadError;
    if (!m_registry->load(&loadError)) {
        *error = u"cannot read the registry in %1: %2"_s.arg(dbPath, loadError);
        return false;
    }
    if (!startHealth(error))
        return false;
    QString routeError;
    if (!m_routeBook->load(&routeError))
        qCCritical(lcGateway).noquote() << routeError << "- using the routes of the config file";
    if (!m_router->setRoutes(m_routeBook->routes(), &routeError)) {
        // Saved routes naming a sink since turned off: the config file's routes were checked at load.
        qCCritical(lcGateway).noquote() << "the saved routes cannot be used:" << routeError
                                        << "- using the routes of the config file";
        if (!m_router->setRoutes(m_config.routes, &routeError)) {
            *error = routeError;
            return false;
        }
    }
    if (!m_firmware->load(error))
        return false;
    for (Channel &channel : m_channels) {
        if (!channel.outbox->open(error))
            return false;
        ForwarderSettings forwarding;
        forwarding.drain = channel.policy.drain == DrainOrder::Fifo ? ForwarderSettings::Drain::Fifo
                                                                    : ForwarderSettings::Drain::LiveFirst;
        forwarding.drainRate = channel.policy.drainRate;
        channel.forwarder = std::make_unique<Forwarder>(*channel.outbox, *channel.sink, forwarding, *m_metrics);
    }
    const QString otaPath = QDir(dataDir).absoluteFilePath(u"ota.db"_s);
    if (!m_otaStore->open(otaPath) || !m_ota->load(error)) {
        *error = u"cannot open %1: %2"_s.arg(otaPath, m_otaStore->lastError());
        return false;
    }
    if (!m_httpServer->listen(error))
        return false;
    m_httpPort = m_httpServer->port();
    const bool tls = m_config.http.tls.enabled();
    m_ota->setBaseUrl(otaBaseUrl());
    if ((m_config.coap.enabled || m_config.coap.dtlsPort != 0) && !m_coap->start(error))
        return false;
    qCInfo(lcGateway).noquote()
        << "gateway" << m_config.gateway.id << "serving REST on"
        << u"%1://%2:%3/api/v1"_s.arg(tls ? u"https"_s : u"http"_s, m_config.http.host).arg(m_httpPort)
        << "and WebSocket on" << u"%1://%2:%3/ws"_s.arg(tls ? u"wss"_s : u"ws"_s, m_config.http.host).arg(m_httpPort)
        << "with data in" << QDir(dataDir).absolutePath();
    if (m_coap->port() != 0)
        qCInfo(lcGateway).noquote() << "CoAP on" << u"coap://%1:%2"_s.arg(m_config.coap.host).arg(m_coap->port());
    if (m_coap->dtlsPort() != 0)
        qCInfo(lcGateway).noquote() << "CoAP over DTLS (PSK) on"
                                    << u"coaps://%1:%2"_s
                                           .arg(m_config.coap.dtlsHost.isEmpty() ? m_config.coap.host
                                                                                 : m_config.coap.dtlsHost)
                                           .arg(m_coap->dtlsPort());
    if (m_config.discovery.mdns.enabled) {
        m_mdns = std::make_unique<MdnsAnnouncer>(
            MdnsAnnouncer::Settings{m_config.effectiveMdnsName(), m_config.gateway.id, QStringLiteral(EDGEGATE_VERSION),
                                    m_httpPort, m_coap->port()});
        m_mdns->start();
    }
    m_mqtt->start();
    if (m_upstream)
        m_upstream->start();
    return true;
}

void Gateway::reload()
{
    m_httpServer->reloadTls();
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
    if (!m_registry->flush())
        qCWarning(lcGateway) << "the last registry changes could not be written";
    if (!m_history->flush() || !m_alerts->flush())
        qCWarning(lcGateway) << "the last status history or alert changes could not be written";
    // Aggregate windows in progress go out now, stamped with the time of the stop.
    m_router->flushAggregates(wallClockNs(), true);
    for (Channel &channel : m_channels)
        channel.outbox->sync();
    // Whatever is still unconfirmed stays in the outboxes for the next start.
    if (m_upstream) {
        connect(m_upstream, &UpstreamSink::stopped, this, &Gateway::stopSinks, Qt::SingleShotConnection);
        m_upstream->stop();
        return;
    }
    stopSinks();
}

void Gateway::stopSinks()
{
    qCInfo(lcGateway) << "stopped";
    emit stopped();
}

} // namespace edgegate
