// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "transport.h"

#include <QHash>
#include <QTimer>

#include <memory>

namespace edgegate {
class Metrics;
class MosquittoClient;
} // namespace edgegate

namespace edgegate::sim {

/// A device on the local broker: its own client id, a retained `offline` will on
/// devices/{id}/status, subscriptions to its commands and OTA topics.
class MqttTransport : public Transport
{
    Q_OBJECT
public:
    MqttTransport(const QString &deviceId, const QString &host, quint16 port, Metrics &metrics,
                  QObject *parent = nullptr);
    ~MqttTransport() override;

    void open() override;
    void close() override;
    void send(Channel channel, const QJsonObject &payload) override;
    [[nodiscard]] bool receivesOta() const override { return true; }

private:
    void publish(Channel channel, const QByteArray &topic, const QByteArray &payload, bool retain);
    void finishClose();

    QString m_id;
    QString m_host;
    quint16 m_port;
    Metrics &m_metrics;
    std::unique_ptr<MosquittoClient> m_client;
    QHash<int, Channel> m_inflight; // message id -> what it carried
    QTimer m_drainGuard;
    bool m_closing = false;
};

} // namespace edgegate::sim
