// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/api/http/http1parser.h"
#include "gateway/api/http/httpserver.h"

#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>

class QTcpSocket;

namespace edgegate {

class Http2Session;

/// One HTTP/1.1 connection: reads each request head once, checks it, reads its body within the
/// route's limit, answers, and reads the next one (keep-alive and pipelining alike go through
/// the same path, one request at a time).
class Http1Connection : public QObject
{
    Q_OBJECT
public:
    /// Takes `socket` (connected, and encrypted when TLS is on).
    Http1Connection(QTcpSocket *socket, HttpServer &server, QObject *parent = nullptr);
    ~Http1Connection() override;

private:
    enum class State { Head, Body, Sending, Lingering, Upgraded, Http2 };

    void onReadyRead();
    void readHead();
    /// At the start of a connection: h2 by ALPN, or the HTTP/2 preface (h2c with prior knowledge).
    /// Nullopt while the first bytes could still be the preface.
    std::optional<bool> speaksHttp2();
    void startRequest(HttpHead head, qsizetype headLength);
    void readBody();
    void bodyComplete();
    void respond(HttpResponse response);
    void pump();
    void next();
    /// Answers a refusal, counted, then closes.
    void refuse(HttpRefusal refusal);
    /// Answers and closes, reading away what the client still sends for a moment so it sees the answer.
    void respondAndClose(HttpResponse response);
    void close();
    void shutdownSending();
    void armIdle();

    QTcpSocket *m_socket;
    HttpServer &m_server;
    QHostAddress m_peer;
    State m_state = State::Head;
    QTimer m_timer; ///< the head, idle or linger deadline
    bool m_headTimerRunning = false;
    bool m_firstRequest = true;

    // The request being read.
    std::optional<HttpRequest> m_request;
    HttpServer::Resolved m_target;
    http1::Framing m_framing;
    qint64 m_bodyLeft = 0;
    QByteArray m_body;
    std::optional<http1::ChunkedDecoder> m_chunked;
    std::unique_ptr<HttpBodySink> m_sink;
    bool m_keepAlive = true;

    // The answer being sent from a device.
    std::unique_ptr<QIODevice> m_device;
    qint64 m_deviceLeft = 0;
    std::function<void(qint64)> m_deviceSent;
};

} // namespace edgegate
