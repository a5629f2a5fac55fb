// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "transport.h"

#include <QTimer>
#include <QUrl>
#include <QWebSocket>

namespace edgegate::sim {

/// A device on ws://host:port/ws/device/{id}: telemetry, meta, command acks and OTA progress as
/// text frames; commands and update notifications arrive as frames. A frame counts as sent once
/// written; the gateway's `error` and `busy` answers count as refusals. Reconnects after a loss.
class WsTransport : public Transport
{
    Q_OBJECT
public:
    WsTransport(const QString &deviceId, const QUrl &httpBase, const QString &token, QObject *parent = nullptr);

    void open() override;
    void close() override;
    void send(Channel channel, const QJsonObject &payload) override;
    [[nodiscard]] bool receivesOta() const override { return true; }

private:
    void frameReceived(const QString &text);
    void lost();

    QString m_id;
    QUrl m_url;
    QByteArray m_authorization;
    QWebSocket m_socket;
    QTimer m_reconnect;
    QTimer m_closeGuard;
    bool m_wanted = false;
    bool m_open = false;
};

} // namespace edgegate::sim
