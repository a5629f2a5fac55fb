// SPDX-License-Identifier: Apache-2.0
#include "gateway/links/httpfrontdoor.h"

#include <QLoggingCategory>
#include <QTcpSocket>

#include <memory>

namespace edgegate {

namespace {

// A request line longer than this is never one a claim wants: QHttpServer gets it.
constexpr qint64 MaxRequestLine = 8192;

bool isBlank(char c)
{
    return c == '\r' || c == '\n' || c == ' ' || c == '\t' || c == '\v';
}

} // namespace

/// What the door knows about one connection.
struct HttpFrontDoor::Watch
{
    QMetaObject::Connection connection;
    bool holding = false; ///< the bytes of an unfinished request line are hidden in a transaction of ours
};

HttpFrontDoor::HttpFrontDoor(QObject *httpServer, std::vector<Claim> claims, QObject *parent)
    : QTcpServer(parent)
    , m_httpServer(httpServer)
    , m_claims(std::move(claims))
{
}

void HttpFrontDoor::incomingConnection(qintptr socketDescriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    if (!m_claims.empty()) {
        // Connected before QHttpServer connects its own slot, so the door sees each readyRead first.
        auto watch = std::make_shared<Watch>();
        watch->connection
            = connect(socket, &QIODevice::readyRead, this, [this, socket, watch] { inspect(socket, *watch); });
    }
    addPendingConnection(socket); // QHttpServer takes it from here (pendingConnectionAvailable)
}

void HttpFrontDoor::inspect(QTcpSocket *socket, Watch &watch)
{
    if (watch.holding) {
        socket->rollbackTransaction();
        watch.holding = false;
    } else if (socket->isTransactionStarted()) {
        return; // QHttpServer is in the middle of a request
    }
    const QByteArray head = socket->peek(MaxRequestLine);
    qsizetype start = 0;
    while (start < head.size() && isBlank(head.at(start)))
        ++start;
    const QByteArrayView line = QByteArrayView(head).sliced(start);
    const qsizetype end = line.indexOf('\n');
    if (end < 0) {
        // Unfinished: hide it from QHttpServer while a claim may still want it (its slot, called
        // after this one, then reads nothing and waits for more).
        const bool mayBeClaimed
            = head.size() < MaxRequestLine && std::any_of(m_claims.cbegin(), m_claims.cend(), [&line](const Claim &c) {
                  const qsizetype n = std::min(line.size(), c.linePrefix.size());
                  return line.first(n) == QByteArrayView(c.linePrefix).first(n);
              });
        if (mayBeClaimed && !line.isEmpty()) {
            socket->startTransaction();
            socket->skip(socket->bytesAvailable());
            watch.holding = true;
        }
        return;
    }
    QByteArrayView requestLine = line.first(end);
    if (requestLine.endsWith('\r'))
        requestLine.chop(1);
    const qsizetype sp1 = requestLine.indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : requestLine.indexOf(' ', sp1 + 1);
    if (sp2 < 0)
        return;
    const QByteArrayView method = requestLine.first(sp1);
    const QByteArrayView target = requestLine.sliced(sp1 + 1, sp2 - sp1 - 1);
    for (const Claim &claim : m_claims) {
        if (!claim.wants(method, target))
            continue;
        disconnect(watch.connection);
        if (m_httpServer)
            disconnect(socket, &QIODevice::readyRead, m_httpServer, nullptr);
        socket->skip(start); // blank lines between requests
        claim.take(socket);
        return;
    }
}

} // namespace edgegate
