// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QString>

namespace edgegate::sim {

/// What a simulated device sends; each link maps it to its topic, path or frame.
enum class Channel { Telemetry, Heartbeat, Meta, CommandAck, OtaProgress };

/// One device's connection to the gateway over one protocol. It reports what arrives (commands,
/// OTA notifications) and whether its sends were taken, and hides how the link says so.
class Transport : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    /// Connects (or, for request/response links, announces itself); connected() follows.
    virtual void open() = 0;
    /// Says goodbye (offline), waits briefly for what is still on its way, then closed().
    virtual void close() = 0;
    virtual void send(Channel channel, const QJsonObject &payload) = 0;
    /// Whether firmware update notifications can reach the device over this link.
    [[nodiscard]] virtual bool receivesOta() const = 0;
    /// The firmware download the link prefers: true for CoAP block-wise, false for HTTP.
    [[nodiscard]] virtual bool downloadsOverCoap() const { return false; }

signals:
    void connected();
    void disconnected(const QString &reason);
    void closed();
    void commandReceived(const QJsonObject &command);
    void otaReceived(const QJsonObject &notification);
    /// The gateway (or broker) confirmed a send, or refused / lost it (`error` says why).
    void sendDone(edgegate::sim::Channel channel, bool ok, const QString &error);
};

} // namespace edgegate::sim
