// SPDX-License-Identifier: Apache-2.0
#pragma once

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

    /// `httpServer` is the QHttpServer the door is bound to: its reading slot is cut from a socket taken.
    HttpFrontDoor(QObject *httpServer, std::vector<Claim> claims, QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    struct Watch;
    void inspect(QTcpSocket *socket, Watch &watch);

    QPointer<QObject> m_httpServer;
    std::vector<Claim> m_claims;
};

} // namespace edgegate
