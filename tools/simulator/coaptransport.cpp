// SPDX-License-Identifier: Apache-2.0
#include "coaptransport.h"

#include <QJsonDocument>

#include <coap3/coap.h>

#include <algorithm>

namespace edgegate::sim {

using namespace Qt::StringLiterals;

CoapTransport::CoapTransport(const QString &deviceId, CoapClient &client, QObject *parent)
    : Transport(parent)
    , m_id(deviceId)
    , m_client(client)
{
    // Answers may take a minute of retransmissions to fail: a device going away does not wait that long.
    m_closeGuard.setSingleShot(true);
    m_closeGuard.setInterval(std::chrono::seconds(3));
    connect(&m_closeGuard, &QTimer::timeout, this, [this] {
        m_pending = 0;
        maybeClosed();
    });
}

CoapTransport::~CoapTransport()
{
    m_client.releaseSession(m_session);
}

void CoapTransport::open()
{
    m_closing = false;
    m_pending = 0;
    m_client.releaseSession(m_session);
    m_session = m_client.newSession();
    if (!m_session) {
        emit disconnected(u"cannot create a CoAP session"_s);
        return;
    }
    m_observeAttempts[0] = 0;
    m_observeAttempts[1] = 0;
    observe(false);
    observe(true);
    // Connectionless: the device may send at once; each answer tells whether the gateway is there.
    QMetaObject::invokeMethod(this, &CoapTransport::connected, Qt::QueuedConnection);
}

void CoapTransport::observe(bool ota)
{
    if (!m_session)
        return;
    const QByteArray path = "devices/" + m_id.toUtf8() + (ota ? "/ota" : "/commands");
    coap_session_t *session = m_session;
    const bool sent = m_client.request(
        m_session, COAP_REQUEST_CODE_GET, path, {}, true, [this, ota, session](const CoapClient::Response &r) {
            if (session != m_session)
                return;
            if (r.code != 205) {
                // The gateway makes a device's resources when it first hears from it, so the first
                // attempts may find none: try again, less and less often.
                const int attempt = std::min(++m_observeAttempts[ota ? 1 : 0], 6);
                QTimer::singleShot(std::chrono::seconds(1 << (attempt - 1)), this, [this, ota, session] {
                    if (session == m_session)
                        observe(ota);
                });
                return;
            }
            const QJsonObject body = QJsonDocument::fromJson(r.payload).object();
            // "{}" is the resource's state before anything was posted.
            if (body.isEmpty())
                return;
            if (ota)
                emit otaReceived(body);
            else
                emit commandReceived(body);
        });
    if (!sent)
        qCWarning(lcSimCoap).noquote() << m_id << "cannot send its observe request for" << path;
}

void CoapTransport::close()
{
    m_closing = true;
    m_closeGuard.start();
    maybeClosed();
}

void CoapTransport::maybeClosed()
{
    if (!m_closing || m_pending > 0)
        return;
    m_closing = false;
    m_closeGuard.stop();
    // Dropping the session ends the observations: the gateway's next notification gets a reset.
    m_client.releaseSession(m_session);
    m_session = nullptr;
    emit closed();
}

void CoapTransport::send(Channel channel, const QJsonObject &payload)
{
    const QByteArray base = "devices/" + m_id.toUtf8();
    switch (channel) {
    case Channel::Telemetry:
    case Channel::Heartbeat:
        post(channel, base + "/telemetry", payload);
        break;
    case Channel::Meta:
        post(channel, base + "/meta", payload);
        break;
    case Channel::CommandAck:
        post(channel, base + "/commands/ack", payload);
        break;
    case Channel::OtaProgress:
        post(channel, base + "/ota/progress", payload);
        break;
    }
}

void CoapTransport::post(Channel channel, const QByteArray &path, const QJsonObject &payload)
{
    const auto answered = [this, channel](const CoapClient::Response &r) {
        --m_pending;
        const bool ok = r.code >= 200 && r.code < 300;
        QString error;
        if (r.code == 0) {
            error = u"no answer from the gateway"_s;
        } else if (!ok) {
            error = u"CoAP %1.%2"_s.arg(r.code / 100).arg(r.code % 100, 2, 10, QChar(u'0'));
        }
        emit sendDone(channel, ok, error);
        maybeClosed();
    };
    const QByteArray body = QJsonDocument(payload).toJson(QJsonDocument::Compact);
    if (m_session && m_client.request(m_session, COAP_REQUEST_CODE_POST, path, body, false, answered))
        ++m_pending;
    else
        emit sendDone(channel, false, u"cannot send the CoAP request"_s);
}

bool CoapTransport::download(const QByteArray &path, CoapClient::Handler block)
{
    QByteArray p = path;
    while (p.startsWith('/'))
        p.remove(0, 1);
    return m_session && m_client.request(m_session, COAP_REQUEST_CODE_GET, p, {}, false, std::move(block));
}

} // namespace edgegate::sim
