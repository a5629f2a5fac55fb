// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/apigate.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QPointer>
#include <QTcpServer>

#include <functional>
#include <vector>

class QTcpSocket;

namespace edgegate {

/// The HTTP port's listening socket, bound to QHttpServer. QHttpServer 6.4 reads every request
/// body whole into memory, so requests that must stream (firmware uploads) are taken off it: at
/// each request boundary of each connection the door peeks at the request line, and a line a claim
/// recognises hands the socket, request still unread, to the claim's handler for good. Everything
/// else stays with QHttpServer untouched.
///
/// With a gate (API tokens configured) the door reads each request's whole head first (line and
/// headers, up to 16 KiB), asks the gate, and answers a refusal itself, closing the connection,
/// so neither QHttpServer nor a claim ever sees a refused request. One request at a time is
/// gated: bytes of a next request sent before the answer (pipelining) close the connection.
class HttpFrontDoor : public QTcpServer
{
    Q_OBJECT
public:
    struct Claim
    {
        /// Every request line it can want starts with this (e.g. "PUT /api/v1/firmware/").
        QByteArray linePrefix;
        /// Whether it takes a request, from its method and target.
        std::function<bool(QByteArrayView method, QByteArrayView target)> wants;
        /// Takes the socket; the request line is the next thing to read from it.
        std::function<void(QTcpSocket *socket)> take;
    };

    /// Who may send a request, from its method, target and Authorization header (empty when absent).
    using Gate
        = std::function<ApiGateVerdict(QByteArrayView method, QByteArrayView target, QByteArrayView authorization)>;

    /// `httpServer` is the QHttpServer the door is bound to: its reading slot is cut from a socket
    /// taken. Without a `gate` every request goes on.
    HttpFrontDoor(QObject *httpServer, std::vector<Claim> claims, Gate gate = {}, QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    struct Watch;
    void inspect(QTcpSocket *socket, Watch &watch);
    /// Gates one complete head; false when the request was refused (the connection is then closing).
    bool admit(QTcpSocket *socket, Watch &watch, QByteArrayView method, QByteArrayView target, QByteArrayView headers,
               qint64 headBytes);
    /// Answers `status` with a JSON error and closes: QHttpServer and the watch let go of the socket.
    /// With `drain` what the client still sends is read away for a while first.
    void refuse(QTcpSocket *socket, Watch &watch, int status, const QString &code, const QString &message, bool drain,
                bool headOnly = false, const QByteArray &extraHeaders = {});

    QPointer<QObject> m_httpServer;
    std::vector<Claim> m_claims;
    Gate m_gate;
};

} // namespace edgegate
