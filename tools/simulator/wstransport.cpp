// SPDX-License-Identifier: Apache-2.0
#include "wstransport.h"

#include <QJsonDocument>
#include <QNetworkRequest>

namespace edgegate::sim {

using namespace Qt::StringLiterals;

WsTransport::WsTransport(const QString &deviceId, const QUrl &httpBase, const QString &token, QObject *parent)
    : Transport(parent)
    , m_id(deviceId)
    , m_url(httpBase)
    , m_authorization(token.isEmpty() ? QByteArray() : "Bearer " + token.toUtf8())
{
    m_url.setScheme(u"ws"_s);
    QString path = m_url.path();
    if (path.endsWith(u'/'))
        path.chop(1);
    m_url.setPath(path + u"/ws/device/"_s + deviceId);

    m_reconnect.setSingleShot(true);
    m_reconnect.setInterval(std::chrono::seconds(2));
    connect(&m_reconnect, &QTimer::timeout, this, &WsTransport::open);
    m_closeGuard.setSingleShot(true);
    m_closeGuard.setInterval(std::chrono::seconds(3));
    connect(&m_closeGuard, &QTimer::timeout, this, [this] { m_socket.abort(); });

    connect(&m_socket, &QWebSocket::connected, this, [this] {
        m_open = true;
        emit connected();
    });
    connect(&m_socket, &QWebSocket::disconnected, this, &WsTransport::lost);
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &WsTransport::frameReceived);
}

void WsTransport::open()
{
    m_wanted = true;
    if (m_socket.state() != QAbstractSocket::UnconnectedState)
        return;
    QNetworkRequest request(m_url);
    if (!m_authorization.isEmpty())
        request.setRawHeader("Authorization", m_authorization);
    m_socket.open(request);
}

void WsTransport::close()
{
    m_wanted = false;
    m_reconnect.stop();
    if (m_socket.state() == QAbstractSocket::UnconnectedState) {
        emit closed();
        return;
    }
    m_closeGuard.start();
    m_socket.close(QWebSocketProtocol::CloseCodeGoingAway, u"device going offline"_s);
}

void WsTransport::lost()
{
    m_closeGuard.stop();
    const QString reason = m_socket.closeReason().isEmpty() ? m_socket.errorString() : m_socket.closeReason();
    const bool wasOpen = m_open;
    m_open = false;
    if (!m_wanted) {
        emit closed();
        return;
    }
    if (wasOpen)
        emit disconnected(reason);
    m_reconnect.start();
}

void WsTransport::send(Channel channel, const QJsonObject &payload)
{
    if (!m_open) {
        emit sendDone(channel, false, u"not connected"_s);
        return;
    }
    QJsonObject frame = payload;
    switch (channel) {
    case Channel::Telemetry:
    case Channel::Heartbeat:
        break; // telemetry frames carry no type
    case Channel::Meta:
        // The announcement goes in `meta`: the frame's own `type` would hide the device's.
        frame = QJsonObject{{u"type"_s, u"meta"_s}, {u"meta"_s, payload}};
        break;
    case Channel::CommandAck:
        frame.insert(u"type"_s, u"command_ack"_s);
        break;
    case Channel::OtaProgress:
        frame.insert(u"type"_s, u"ota_progress"_s);
        break;
    }
    m_socket.sendTextMessage(QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
    emit sendDone(channel, true, {});
}

void WsTransport::frameReceived(const QString &text)
{
    const QJsonObject frame = QJsonDocument::fromJson(text.toUtf8()).object();
    const QString type = frame.value(u"type"_s).toString();
    if (type == u"command") {
        emit commandReceived(frame);
    } else if (type == u"ota") {
        emit otaReceived(frame);
    } else if (type == u"error" || type == u"busy") {
        // Answers do not name the frame they answer; nearly all frames are telemetry.
        emit sendDone(Channel::Telemetry, false, frame.value(u"code"_s).toString());
    }
}

} // namespace edgegate::sim
