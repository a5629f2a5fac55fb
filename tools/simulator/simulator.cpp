// SPDX-License-Identifier: Apache-2.0
#include "simulator.h"

#include "coaptransport.h"
#include "httptransport.h"
#include "mqtttransport.h"
#include "simdevice.h"
#include "wstransport.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcSim, "edgegate.sim")

namespace edgegate::sim {

using namespace Qt::StringLiterals;

namespace {
// Devices started per tick: thousands of connections at once would look like an attack.
constexpr int StartBatch = 20;
constexpr std::chrono::milliseconds StartTick{10};
constexpr std::chrono::seconds StopGuard{8};
} // namespace

Simulator::Simulator(SimOptions options, EventLog &events, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_events(events)
{
    connect(&m_starter, &QTimer::timeout, this, &Simulator::startSome);
    m_duration.setSingleShot(true);
    connect(&m_duration, &QTimer::timeout, this, [this] { stop(u"duration reached"_s); });
    m_reachTimer.setSingleShot(true);
    connect(&m_reachTimer, &QTimer::timeout, this, [this] {
        if (m_reached)
            return;
        qCCritical(lcSim).noquote() << "no device could reach the gateway within" << ReachTimeout.count() << "s"
                                    << (m_stats.lastError.isEmpty() ? QString()
                                                                    : u"(last error: %1)"_s.arg(m_stats.lastError));
        m_exitCode = ExitUnreachable;
        stop(u"gateway unreachable"_s);
    });
    m_stopGuard.setSingleShot(true);
    connect(&m_stopGuard, &QTimer::timeout, this, [this] {
        qCWarning(lcSim) << m_devices.size() - qsizetype(m_stopped) << "devices did not finish saying goodbye in time";
        finish();
    });
}

Simulator::~Simulator()
{
    // Devices hold CoAP sessions of m_coap, a member that would otherwise go before the children.
    qDeleteAll(m_devices);
    m_devices.clear();
}

bool Simulator::assignFailures(std::vector<DeviceConfig> &configs, QString *error) const
{
    QSet<QString> known;
    for (const DeviceConfig &c : configs)
        known.insert(c.id);
    struct Failure
    {
        const char *option;
        const DeviceSelection &selection;
        bool DeviceConfig::*flag;
        bool exclusive; // counts skip devices an earlier exclusive failure took
    };
    const Failure failures[] = {
        {"fail-corrupt", m_options.failCorrupt, &DeviceConfig::failCorrupt, true},
        {"fail-install", m_options.failInstall, &DeviceConfig::failInstall, true},
        {"fail-rollback", m_options.failRollback, &DeviceConfig::failRollback, true},
        {"fail-never-return", m_options.failNeverReturn, &DeviceConfig::failNeverReturn, true},
        {"cut-download", m_options.cutDownload, &DeviceConfig::cutDownload, false},
    };
    std::vector<bool> taken(configs.size(), false);
    for (const Failure &f : failures) {
        for (const QString &id : f.selection.ids) {
            if (!known.contains(id)) {
                *error = u"--%1 names '%2', which is not one of the simulated devices"_s.arg(
                    QLatin1StringView(f.option), id);
                return false;
            }
        }
        int left = f.selection.count;
        for (std::size_t i = 0; i < configs.size(); ++i) {
            DeviceConfig &c = configs[i];
            bool pick = f.selection.ids.contains(c.id);
            if (!pick && left > 0 && !(f.exclusive && taken[i])) {
                pick = true;
                --left;
            }
            if (pick) {
                c.*f.flag = true;
                if (f.exclusive)
                    taken[i] = true;
            }
        }
        if (left > 0) {
            *error = u"--%1 %2: only %3 devices are left to pick from"_s.arg(QLatin1StringView(f.option))
                         .arg(f.selection.count)
                         .arg(f.selection.count - left);
            return false;
        }
    }
    return true;
}

bool Simulator::start(QString *error)
{
    std::vector<DeviceConfig> configs;
    configs.reserve(std::size_t(m_options.devices));
    for (int i = 0; i < m_options.devices; ++i) {
        DeviceConfig c;
        c.id = m_options.idPrefix + QString::number(i + 1);
        c.type = m_options.type;
        c.model = m_options.model;
        c.firmware = m_options.firmware;
        c.interval = m_options.interval;
        c.heartbeat = m_options.heartbeat;
        c.anomalyRate = m_options.anomalyRate;
        c.messages = m_options.messages;
        c.commandFailRate = m_options.commandFailRate;
        c.installTime = m_options.installTime;
        c.rebootTime = m_options.rebootTime;
        // Distinct, repeatable streams per device (splitmix-style spreading of the seed).
        c.seed = (m_options.seed + quint64(i + 1)) * 0x9E3779B97F4A7C15ULL;
        configs.push_back(c);
    }
    if (!assignFailures(configs, error))
        return false;

    if (m_options.protocol == SimProtocol::Coap) {
        m_coap = std::make_unique<CoapClient>(m_options.coapHost, m_options.coapPort);
        if (!m_coap->start(error))
            return false;
    }
    for (DeviceConfig &c : configs) {
        std::unique_ptr<Transport> transport;
        switch (m_options.protocol) {
        case SimProtocol::Mqtt:
            transport = std::make_unique<MqttTransport>(c.id, m_options.brokerHost, m_options.brokerPort, m_metrics);
            break;
        case SimProtocol::Coap:
            transport = std::make_unique<CoapTransport>(c.id, *m_coap);
            break;
        case SimProtocol::Http:
            transport = std::make_unique<HttpTransport>(c.id, m_options.http, m_options.token, m_network);
            break;
        case SimProtocol::WebSocket:
            transport = std::make_unique<WsTransport>(c.id, m_options.http, m_options.token);
            break;
        }
        auto *device = new SimDevice(std::move(c), std::move(transport), m_network, m_events, m_stats, this);
        connect(device, &SimDevice::reachedGateway, this, [this] {
            m_reached = true;
            m_reachTimer.stop();
        });
        connect(device, &SimDevice::messagesDone, this, [this] {
            if (++m_messagesDone == qsizetype(m_devices.size()))
                stop(u"all messages sent"_s);
        });
        connect(device, &SimDevice::stopped, this, &Simulator::deviceStopped);
        m_devices.push_back(device);
    }
    qCInfo(lcSim).noquote() << "starting" << m_devices.size() << "devices over" << protocolName(m_options.protocol);
    m_reachTimer.start(ReachTimeout);
    if (m_options.duration.count() > 0)
        m_duration.start(m_options.duration);
    m_starter.start(StartTick);
    startSome();
    return true;
}

void Simulator::startSome()
{
    for (int n = 0; n < StartBatch && m_nextToStart < qsizetype(m_devices.size()); ++n)
        m_devices[std::size_t(m_nextToStart++)]->start();
    if (m_nextToStart >= qsizetype(m_devices.size()))
        m_starter.stop();
}

void Simulator::stop(const QString &reason)
{
    if (m_stopping)
        return;
    m_stopping = true;
    m_endReason = reason;
    qCInfo(lcSim).noquote() << "stopping:" << reason;
    m_starter.stop();
    m_duration.stop();
    m_reachTimer.stop();
    m_stopGuard.start(StopGuard);
    // Devices never started count as stopped at once.
    m_stopped += int(qsizetype(m_devices.size()) - m_nextToStart);
    for (qsizetype i = 0; i < m_nextToStart; ++i)
        m_devices[std::size_t(i)]->stop();
    if (m_stopped == qsizetype(m_devices.size()))
        finish();
}

void Simulator::deviceStopped()
{
    if (++m_stopped == qsizetype(m_devices.size()))
        finish();
}

void Simulator::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_stopGuard.stop();
    if (!m_reached && m_exitCode == ExitOk) {
        // However the run ended, nothing got through: that is not a normal end.
        qCCritical(lcSim).noquote() << "no device reached the gateway during the run"
                                    << (m_stats.lastError.isEmpty() ? QString()
                                                                    : u"(last error: %1)"_s.arg(m_stats.lastError));
        m_exitCode = ExitUnreachable;
    }
    QJsonObject summary = m_stats.toJson();
    summary.insert(u"devices"_s, qsizetype(m_devices.size()));
    summary.insert(u"protocol"_s, protocolName(m_options.protocol));
    summary.insert(u"reason"_s, m_endReason);
    summary.insert(u"exit_code"_s, m_exitCode);
    m_events.write(u"summary"_s, summary);
    emit finished(m_exitCode);
}

} // namespace edgegate::sim
