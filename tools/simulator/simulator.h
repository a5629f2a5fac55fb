// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "eventlog.h"
#include "simoptions.h"

#include "gateway/core/common/metrics.h"

#include <QNetworkAccessManager>
#include <QObject>
#include <QTimer>

#include <memory>
#include <vector>

namespace edgegate::sim {

class CoapClient;
class SimDevice;

/// The run: builds the devices from the options, starts them a few at a time, ends the run
/// (messages sent, duration over, or stop()), and prints the summary.
class Simulator : public QObject
{
    Q_OBJECT
public:
    /// Exit codes.
    static constexpr int ExitOk = 0;
    static constexpr int ExitBadOptions = 1;
    static constexpr int ExitUnreachable = 2;

    /// How long the devices have to reach the gateway (or broker) before the run gives up.
    static constexpr std::chrono::seconds ReachTimeout{15};

    Simulator(SimOptions options, EventLog &events, QObject *parent = nullptr);
    ~Simulator() override;

    /// Builds the devices; false (with `error`) when the options name devices that do not exist
    /// or the CoAP client cannot start.
    [[nodiscard]] bool start(QString *error);
    /// Ends the run: every device says offline, then finished().
    void stop(const QString &reason);

    [[nodiscard]] const SimStats &stats() const { return m_stats; }

signals:
    void finished(int exitCode);

private:
    [[nodiscard]] bool assignFailures(std::vector<struct DeviceConfig> &configs, QString *error) const;
    void startSome();
    void deviceStopped();
    void finish();

    SimOptions m_options;
    EventLog &m_events;
    SimStats m_stats;
    Metrics m_metrics; // the MQTT client's counters; not exposed
    QNetworkAccessManager m_network;
    std::unique_ptr<CoapClient> m_coap;
    std::vector<SimDevice *> m_devices;
    qsizetype m_nextToStart = 0;
    QTimer m_starter;
    QTimer m_duration;
    QTimer m_reachTimer;
    QTimer m_stopGuard;
    int m_messagesDone = 0;
    int m_stopped = 0;
    bool m_reached = false;
    bool m_stopping = false;
    bool m_finished = false;
    int m_exitCode = ExitOk;
    QString m_endReason;
};

} // namespace edgegate::sim
