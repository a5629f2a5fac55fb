// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/http/http1connection.h"

#include "gateway/api/http/http2session.h"

#include <QLoggingCategory>
#include <QSslSocket>
#include <QTcpSocket>

#include <sys/socket.h>

namespace edgegate {

Q_LOGGING_CATEGORY(lcHttp1, "edgegate.http.connection")

namespace {

constexpr qint64 ReadChunk = 64 * 1024;
constexpr qint64 MaxQueuedBytes = 256 * 1024; ///< written to the socket but not yet sent
// After a refusal, what the client still sends is read away this long so it sees the answer
// rather than a reset; then the connection is closed.
constexpr int LingerMs = 2000;

} // namespace

Http1Connection::Http1Connection(QTcpSocket *socket, HttpServer &server, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_server(server)
    , m_peer(socket->peerAddress())
{
    m_socket->setParent(this);
    // The head must fit; beyond that, what waits unread is bounded and TCP holds the sender back.
    m_socket->setReadBufferSize(std::max<qint64>(ReadChunk, server.settings().limits.head.maxHeadBytes + 1));
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        switch (m_state) {
        case State::Head:
            if (m_headTimerRunning) {
                refuse(HttpRefusal::HeadTimeout);
            } else {
                m_server.count(HttpRefusal::IdleTimeout);
                close();
            }
            return;
        case State::Body:
            refuse(HttpRefusal::IdleTimeout);
            return;
        case State::Sending:
            m_server.count(HttpRefusal::IdleTimeout);
            m_socket->abort();
            return;
        case State::Lingering:
            m_socket->abort();
            return;
        case State::Upgraded:
        case State::Http2:
            return;
        }
    });
    connect(m_socket, &QIODevice::readyRead, this, &Http1Connection::onReadyRead);
    connect(m_socket, &QIODevice::bytesWritten, this, [this] {
        if (m_state == State::Sending) {
            armIdle();
            pump();
        } else if (m_state == State::Lingering && m_socket->bytesToWrite() == 0) {
            shutdownSending();
        }
    });
    connect(m_socket, &QAbstractSocket::disconnected, this, &QObject::deleteLater);
    connect(m_socket, &QAbstractSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (error == QAbstractSocket::SslHandshakeFailedError) {
            m_server.count(HttpRefusal::TlsHandshake);
            qCDebug(lcHttp1).noquote() << "TLS handshake with" << m_peer.toString()
                                       << "failed:" << m_socket->errorString();
            m_socket->abort();
        }
    });
    armIdle();
    if (m_socket->bytesAvailable() > 0)
        onReadyRead();
}

Http1Connection::~Http1Connection()
{
    m_server.connectionClosed(m_peer);
}

void Http1Connection::armIdle()
{
    if (!m_headTimerRunning)
        m_timer.start(m_server.settings().limits.idleTimeout);
}

void Http1Connection::onReadyRead()
{
    switch (m_state) {
    case State::Head:
        readHead();
        return;
    case State::Body:
        readBody();
        return;
    case State::Lingering:
        m_socket->skip(m_socket->bytesAvailable());
        return;
    case State::Sending: // the next request waits until this answer is out
    case State::Upgraded:
    case State::Http2:
        return;
    }
}

void Http1Connection::readHead()
{
    if (m_socket->bytesAvailable() == 0)
        return;
    if (!m_headTimerRunning) {
        m_headTimerRunning = true;
        m_timer.start(m_server.settings().limits.headTimeout);
    }
    if (m_firstRequest) {
        const auto http2 = speaksHttp2();
        if (!http2)
            return;
        if (*http2) {
            m_state = State::Http2;
            m_timer.stop();
            m_socket->disconnect(this);
            connect(m_socket, &QAbstractSocket::disconnected, this, &QObject::deleteLater);
            new Http2Session(m_socket, m_server, m_peer, this);
            return;
        }
    }
    const QByteArray bytes = m_socket->peek(m_server.settings().limits.head.maxHeadBytes);
    auto parsed = http1::parseHead(bytes, m_server.settings().limits.head);
    if (const auto *refusal = std::get_if<HttpRefusal>(&parsed)) {
        refuse(*refusal);
        return;
    }
    if (auto *head = std::get_if<http1::Parsed>(&parsed))
        startRequest(std::move(head->head), head->length);
}

std::optional<bool> Http1Connection::speaksHttp2()
{
    if (auto *ssl = qobject_cast<QSslSocket *>(m_socket))
        return ssl->sslConfiguration().nextNegotiatedProtocol() == "h2";
    static constexpr QByteArrayView Preface("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    const QByteArray start = m_socket->peek(Preface.size());
    if (!Preface.startsWith(start))
        return false;
    if (start.size() < Preface.size())
        return std::nullopt;
    return true;
}

void Http1Connection::startRequest(HttpHead head, qsizetype headLength)
{
    m_firstRequest = false;
    m_headTimerRunning = false;
    armIdle();
    const auto framing = http1::framing(head);
    if (const auto *refusal = std::get_if<HttpRefusal>(&framing)) {
        refuse(*refusal);
        return;
    }
    m_framing = std::get<http1::Framing>(framing);
    m_keepAlive = m_framing.keepAlive;
    m_request.emplace(std::move(head), m_peer, qobject_cast<QSslSocket *>(m_socket) != nullptr);
    if (auto *ssl = qobject_cast<QSslSocket *>(m_socket); ssl && !ssl->peerCertificate().isNull())
        m_request->setPeerCertificate(ssl->peerCertificate().toDer());
    const HttpRequest &request = *m_request;
    if (const auto refusal = m_server.admit(request)) {
        refuse(*refusal);
        return;
    }
    m_target = m_server.resolve(request);
    const bool bodyAnnounced = m_framing.kind != http1::Framing::Kind::None;
    // An answer before the body is read ends the connection if a body was announced.
    const auto answerNow = [this, bodyAnnounced](HttpResponse response) {
        if (bodyAnnounced)
            respondAndClose(std::move(response));
        else
            respond(std::move(response));
    };
    using Kind = HttpServer::Resolved::Kind;
    if (m_target.kind == Kind::WebSocket) {
        if (!http1::hasToken(request.value("upgrade"), "websocket")
            || !http1::hasToken(request.value("connection"), "upgrade")) {
            m_socket->skip(headLength);
            HttpResponse response = jsonError(HttpStatus::UpgradeRequired, QStringLiteral("upgrade_required"),
                                              QStringLiteral("this endpoint speaks WebSocket"));
            response.setHeader("Upgrade", "websocket");
            answerNow(std::move(response));
            return;
        }
        // The WebSocket handshake reads exactly the head checked here, nothing after it.
        if (bodyAnnounced || m_socket->bytesAvailable() != headLength) {
            refuse(HttpRefusal::DataAfterUpgrade);
            return;
        }
        m_state = State::Upgraded;
        m_timer.stop();
        // QWebSocket waits for a whole frame in the socket's buffer: its own frame cap bounds it.
        m_socket->setReadBufferSize(0);
        m_socket->disconnect(this);
        connect(m_socket, &QObject::destroyed, this, &QObject::deleteLater);
        connect(m_socket, &QAbstractSocket::disconnected, this, [this] {
            if (!m_socket->parent()) // never taken by a WebSocket (a failed handshake)
                m_socket->deleteLater();
        });
        HttpRequest upgrade = std::move(*m_request);
        m_request.reset();
        m_server.upgrade(m_socket, m_target, std::move(upgrade));
        return;
    }
    m_socket->skip(headLength);
    // A client that asked to switch protocols and was not switched should not reuse the connection.
    if (!request.value("upgrade").isEmpty())
        m_keepAlive = false;
    if (m_framing.kind == http1::Framing::Kind::Length && m_framing.length > m_target.maxBodyBytes) {
        refuse(HttpRefusal::BodyTooLarge);
        return;
    }
    if (m_target.kind == Kind::Upload) {
        const std::optional<qint64> length
            = m_framing.kind == http1::Framing::Kind::Chunked ? std::nullopt : std::optional<qint64>(m_framing.length);
        auto taken = m_server.upload(m_target, request, length);
        if (auto *answer = std::get_if<HttpResponse>(&taken)) {
            answerNow(std::move(*answer));
            return;
        }
        m_sink = std::move(std::get<std::unique_ptr<HttpBodySink>>(taken));
    }
    if (m_framing.expectContinue)
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    m_state = State::Body;
    m_body.clear();
    m_bodyLeft = m_framing.length;
    if (m_framing.kind == http1::Framing::Kind::Chunked)
        m_chunked.emplace();
    if (!bodyAnnounced)
        bodyComplete();
    else
        readBody();
}

void Http1Connection::readBody()
{
    armIdle();
    const auto take = [this](QByteArrayView data) {
        if (!m_sink) {
            m_body.append(data);
            return true;
        }
        if (auto answer = m_sink->write(data)) {
            m_sink.reset();
            respondAndClose(std::move(*answer));
            return false;
        }
        return true;
    };
    if (m_chunked) {
        while (m_socket->bytesAvailable() > 0 && m_chunked->state() == http1::ChunkedDecoder::State::More) {
            const QByteArray bytes = m_socket->peek(ReadChunk);
            QByteArray decoded;
            m_socket->skip(m_chunked->feed(bytes, &decoded));
            if (m_chunked->state() == http1::ChunkedDecoder::State::Failed) {
                refuse(HttpRefusal::BadChunk);
                return;
            }
            if (m_chunked->decoded() > m_target.maxBodyBytes) {
                refuse(HttpRefusal::BodyTooLarge);
                return;
            }
            if (!decoded.isEmpty() && !take(decoded))
                return;
        }
        if (m_chunked->state() == http1::ChunkedDecoder::State::Done)
            bodyComplete();
        return;
    }
    while (m_bodyLeft > 0 && m_socket->bytesAvailable() > 0) {
        const QByteArray data = m_socket->read(std::min({m_bodyLeft, m_socket->bytesAvailable(), ReadChunk}));
        m_bodyLeft -= data.size();
        if (!take(data))
            return;
    }
    if (m_bodyLeft == 0)
        bodyComplete();
}

void Http1Connection::bodyComplete()
{
    m_chunked.reset();
    if (m_sink) {
        HttpResponse response = m_sink->finish();
        m_sink.reset();
        respond(std::move(response));
        return;
    }
    m_request->setBody(std::exchange(m_body, {}));
    respond(m_server.handle(m_target, *m_request));
}

void Http1Connection::respond(HttpResponse response)
{
    const bool headOnly = m_request && m_request->method() == HttpMethod::Head;
    QByteArray out = http1::responseHead(response, m_keepAlive);
    if (!headOnly && carriesBody(response.status()))
        out += response.body();
    m_socket->write(out);
    if (!headOnly && response.bodyDevice() && response.contentLength() > 0) {
        m_deviceLeft = response.contentLength();
        m_deviceSent = response.bodySent();
        m_device = response.takeBodyDevice();
        m_state = State::Sending;
        pump();
        return;
    }
    next();
}

void Http1Connection::pump()
{
    while (m_deviceLeft > 0 && m_socket->bytesToWrite() < MaxQueuedBytes) {
        const QByteArray chunk = m_device->read(std::min(m_deviceLeft, ReadChunk));
        if (chunk.isEmpty()) {
            // The source shrank: the promised length cannot be kept, so the connection ends.
            qCWarning(lcHttp1).noquote() << "cannot read the answer's body:" << m_device->errorString();
            m_socket->abort();
            return;
        }
        m_socket->write(chunk);
        m_deviceLeft -= chunk.size();
        if (m_deviceSent)
            m_deviceSent(chunk.size());
    }
    if (m_deviceLeft == 0) {
        m_device.reset();
        next();
    }
}

void Http1Connection::next()
{
    m_request.reset();
    m_sink.reset();
    m_chunked.reset();
    if (!m_keepAlive) {
        close();
        return;
    }
    m_state = State::Head;
    armIdle();
    // A request sent before this answer (pipelining) is read on the next turn of the loop.
    if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &Http1Connection::onReadyRead, Qt::QueuedConnection);
}

void Http1Connection::refuse(HttpRefusal refusal)
{
    m_server.count(refusal);
    qCDebug(lcHttp1).noquote() << "refused" << describe(refusal).code << "from" << m_peer.toString();
    respondAndClose(refusalResponse(refusal));
}

void Http1Connection::respondAndClose(HttpResponse response)
{
    m_keepAlive = false;
    m_sink.reset();
    m_headTimerRunning = false;
    respond(std::move(response)); // ends in close(), which lingers
}

void Http1Connection::close()
{
    m_state = State::Lingering;
    m_socket->skip(m_socket->bytesAvailable());
    m_timer.start(LingerMs);
    if (m_socket->bytesToWrite() == 0)
        shutdownSending();
}

void Http1Connection::shutdownSending()
{
    // The answer is out: tell the client it is complete while what it still sends is read away.
    // TLS ends with its close_notify, which Qt sends when it closes.
    if (qobject_cast<QSslSocket *>(m_socket))
        m_socket->disconnectFromHost();
    else
        ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
}

} // namespace edgegate
