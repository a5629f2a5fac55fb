// SPDX-License-Identifier: Apache-2.0
#include "httptransport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace edgegate::sim {

using namespace Qt::StringLiterals;

HttpTransport::HttpTransport(const QString &deviceId, const QUrl &base, const QString &token,
                             QNetworkAccessManager &network, QObject *parent)
    : Transport(parent)
    , m_id(deviceId)
    , m_base(base)
    , m_authorization(token.isEmpty() ? QByteArray() : "Bearer " + token.toUtf8())
    , m_network(network)
{
}

QUrl HttpTransport::url(const QString &suffix) const
{
    QUrl u = m_base;
    QString path = u.path();
    if (path.endsWith(u'/'))
        path.chop(1);
    u.setPath(path + u"/api/v1/devices/"_s + m_id + suffix);
    return u;
}

void HttpTransport::open()
{
    m_open = true;
    m_closing = false;
    // Nothing to set up: the device may send at once, and each answer tells whether the gateway is there.
    QMetaObject::invokeMethod(this, &HttpTransport::connected, Qt::QueuedConnection);
}

void HttpTransport::close()
{
    m_open = false;
    m_closing = true;
    maybeClosed();
}

void HttpTransport::maybeClosed()
{
    if (m_closing && m_pending == 0) {
        m_closing = false;
        emit closed();
    }
}

void HttpTransport::send(Channel channel, const QJsonObject &payload)
{
    if (!m_open) {
        emit sendDone(channel, false, u"not connected"_s);
        return;
    }
    switch (channel) {
    case Channel::Telemetry:
        post(channel, u"/telemetry"_s, payload);
        pollCommands();
        break;
    case Channel::Heartbeat:
        post(channel, u"/telemetry"_s, payload);
        break;
    case Channel::Meta:
        post(channel, u"/meta"_s, payload);
        break;
    case Channel::CommandAck:
        post(channel, u"/commands/ack"_s, payload);
        break;
    case Channel::OtaProgress:
        emit sendDone(channel, false, u"no OTA over HTTP"_s);
        break;
    }
}

void HttpTransport::post(Channel channel, const QString &suffix, const QJsonObject &payload)
{
    QNetworkRequest request(url(suffix));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (!m_authorization.isEmpty())
        request.setRawHeader("Authorization", m_authorization);
    QNetworkReply *reply = m_network.post(request, QJsonDocument(payload).toJson(QJsonDocument::Compact));
    ++m_pending;
    connect(reply, &QNetworkReply::finished, this, [this, reply, channel] { finished(reply, channel); });
}

void HttpTransport::pollCommands()
{
    QNetworkRequest request(url(u"/commands/pending"_s));
    if (!m_authorization.isEmpty())
        request.setRawHeader("Authorization", m_authorization);
    QNetworkReply *reply = m_network.get(request);
    ++m_pending;
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        --m_pending;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 200) {
            const QJsonArray commands
                = QJsonDocument::fromJson(reply->readAll()).object().value(u"commands"_s).toArray();
            for (const auto &c : commands)
                emit commandReceived(c.toObject());
        }
        maybeClosed();
    });
}

void HttpTransport::finished(QNetworkReply *reply, Channel channel)
{
    reply->deleteLater();
    --m_pending;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 0) {
        emit sendDone(channel, false, reply->errorString());
    } else {
        const bool ok = status >= 200 && status < 300;
        QString error;
        if (!ok) {
            const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
            error = u"HTTP %1 %2"_s.arg(status).arg(body.value(u"code"_s).toString());
        }
        emit sendDone(channel, ok, error);
    }
    maybeClosed();
}

} // namespace edgegate::sim
