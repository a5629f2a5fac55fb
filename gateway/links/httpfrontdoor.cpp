// SPDX-License-Identifier: Apache-2.0
#include "gateway/links/httpfrontdoor.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTimer>

#include <memory>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcFrontDoor, "edgegate.http.door")

namespace {

// A request line longer than this is never one a claim wants: QHttpServer gets it.
constexpr qint64 MaxRequestLine = 8192;
// With a gate, a head (request line and headers) longer than this is refused.
constexpr qint64 MaxHeadBytes = 16384;
// After a refusal, what the client still sends is read away this long, so it sees the answer
// rather than a reset; then the connection is closed.
constexpr int DrainMs = 2000;

bool isBlank(char c)
{
    return c == '\r' || c == '\n' || c == ' ' || c == '\t' || c == '\v';
}

/// Bytes up to and including the empty line that ends the head, or -1 while it is incomplete.
qsizetype headLength(QByteArrayView text)
{
    qsizetype from = 0;
    for (qsizetype end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', from)) {
        QByteArrayView line = text.sliced(from, end - from);
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.isEmpty() && from > 0)
            return end + 1;
        from = end + 1;
    }
    return -1;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 411:
        return "Length Required";
    case 431:
        return "Request Header Fields Too Large";
    default:
        return "Error";
    }
}

/// Reads away what a refused client still sends, then closes; it goes away with the socket.
class Drain : public QObject
{
public:
    explicit Drain(QTcpSocket *socket)
        : QObject(socket)
    {
        connect(socket, &QIODevice::readyRead, this, [socket] { socket->skip(socket->bytesAvailable()); });
        QTimer::singleShot(DrainMs, this, [socket] { socket->disconnectFromHost(); });
    }
};

} // namespace

/// What the door knows about one connection.
struct HttpFrontDoor::Watch
{
    QMetaObject::Connection connection;
    bool holding = false; ///< the bytes of an unfinished request line are hidden in a transaction of ours
    qint64 bodyLeft = 0; ///< with a gate: body bytes of the request QHttpServer is reading still to come
};

HttpFrontDoor::HttpFrontDoor(QObject *httpServer, std::vector<Claim> claims, Gate gate, QObject *parent)
    : QTcpServer(parent)
    , m_httpServer(httpServer)
    , m_claims(std::move(claims))
    , m_gate(std::move(gate))
{
}

void HttpFrontDoor::incomingConnection(qintptr socketDescriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    if (!m_claims.empty() || m_gate) {
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
        // QHttpServer is in the middle of a request. With a gate, bytes past its body would be a
        // next request QHttpServer reads without the door seeing its head.
        if (m_gate) {
            const qint64 arrived = socket->bytesAvailable();
            if (arrived > watch.bodyLeft) {
                refuse(socket, watch, 400, u"bad_request"_s,
                       u"send each request after the answer to the one before (no pipelining)"_s, false);
                return;
            }
            watch.bodyLeft -= arrived;
        }
        return;
    }
    const QByteArray head = socket->peek(m_gate ? MaxHeadBytes : MaxRequestLine);
    qsizetype start = 0;
    while (start < head.size() && isBlank(head.at(start)))
        ++start;
    const QByteArrayView line = QByteArrayView(head).sliced(start);
    const qsizetype end = line.indexOf('\n');
    const qsizetype headBytes = m_gate ? headLength(line) : -1;
    if (end < 0 || (m_gate && headBytes < 0)) {
        if (m_gate && head.size() >= MaxHeadBytes) {
            refuse(socket, watch, 431, u"header_too_large"_s, u"the request head is over %1 bytes"_s.arg(MaxHeadBytes),
                   true);
            return;
        }
        // Unfinished: hide it from QHttpServer while a claim may still want it or the gate has
        // not seen all of it (QHttpServer's slot, called after this one, then reads nothing and
        // waits for more).
        const bool mayBeClaimed
            = head.size() < MaxRequestLine && std::any_of(m_claims.cbegin(), m_claims.cend(), [&line](const Claim &c) {
                  const qsizetype n = std::min(line.size(), c.linePrefix.size());
                  return line.first(n) == QByteArrayView(c.linePrefix).first(n);
              });
        if ((mayBeClaimed || m_gate) && !line.isEmpty()) {
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
    if (sp2 < 0) {
        if (m_gate)
            refuse(socket, watch, 400, u"bad_request"_s, u"malformed request line"_s, true);
        return;
    }
    const QByteArrayView method = requestLine.first(sp1);
    const QByteArrayView target = requestLine.sliced(sp1 + 1, sp2 - sp1 - 1);
    if (m_gate && !admit(socket, watch, method, target, line.sliced(end + 1, headBytes - end - 1), start + headBytes))
        return;
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

bool HttpFrontDoor::admit(QTcpSocket *socket, Watch &watch, QByteArrayView method, QByteArrayView target,
                          QByteArrayView headers, qint64 headBytes)
{
    QByteArrayView authorization;
    bool hasAuthorization = false;
    std::optional<qint64> contentLength;
    bool chunked = false;
    bool badLength = false;
    bool malformed = false;
    qsizetype from = 0;
    for (qsizetype end = headers.indexOf('\n'); end >= 0; end = headers.indexOf('\n', from)) {
        QByteArrayView header = headers.sliced(from, end - from);
        from = end + 1;
        if (header.endsWith('\r'))
            header.chop(1);
        if (header.isEmpty())
            break; // the end of the head
        // Read as QHttpServer's parser would or refused: no folded lines (a leading SP or HT
        // continues the line before there), no bare CR, a name without blanks before the colon.
        const qsizetype colon = header.indexOf(':');
        const auto blank = [](char c) { return c == ' ' || c == '\t'; };
        if (colon <= 0 || header.contains('\r') || std::any_of(header.cbegin(), header.cbegin() + colon, blank)) {
            malformed = true;
            break;
        }
        const QByteArrayView name = header.first(colon);
        const QByteArrayView value = header.sliced(colon + 1).trimmed();
        if (name.compare("authorization", Qt::CaseInsensitive) == 0 && !hasAuthorization) {
            authorization = value;
            hasAuthorization = true;
        } else if (name.compare("transfer-encoding", Qt::CaseInsensitive) == 0) {
            chunked = true;
        } else if (name.compare("content-length", Qt::CaseInsensitive) == 0) {
            bool ok = !value.isEmpty()
                && std::all_of(value.cbegin(), value.cend(), [](char c) { return c >= '0' && c <= '9'; });
            const qint64 length = ok ? value.toLongLong(&ok) : -1;
            badLength = badLength || !ok || contentLength.has_value();
            contentLength = length;
        }
    }
    const bool headOnly = method == "HEAD";
    if (malformed) {
        refuse(socket, watch, 400, u"bad_request"_s, u"malformed header line"_s, true, headOnly);
        return false;
    }
    const qint64 past = socket->bytesAvailable() - headBytes - contentLength.value_or(0);
    const bool drain = chunked || badLength || past < 0;
    switch (m_gate(method, target, authorization)) {
    case ApiGateVerdict::Allow:
        break;
    case ApiGateVerdict::MissingToken:
        refuse(socket, watch, 401, u"unauthorized"_s, u"this endpoint needs an API token (Authorization: Bearer)"_s,
               drain, headOnly, "WWW-Authenticate: Bearer\r\n");
        return false;
    case ApiGateVerdict::WrongToken:
        refuse(socket, watch, 401, u"unauthorized"_s, u"the API token is not valid"_s, drain, headOnly,
               "WWW-Authenticate: Bearer\r\n");
        return false;
    case ApiGateVerdict::Forbidden:
        refuse(socket, watch, 403, u"forbidden"_s, u"viewer tokens cannot change anything"_s, drain, headOnly);
        return false;
    }
    // The door has to know where each request ends to gate the next one.
    if (chunked) {
        refuse(socket, watch, 411, u"length_required"_s,
               u"send the body with a Content-Length (chunked bodies are not accepted)"_s, drain, headOnly);
        return false;
    }
    if (badLength) {
        refuse(socket, watch, 400, u"bad_request"_s, u"invalid Content-Length"_s, drain, headOnly);
        return false;
    }
    if (past > 0) {
        refuse(socket, watch, 400, u"bad_request"_s,
               u"send each request after the answer to the one before (no pipelining)"_s, false, headOnly);
        return false;
    }
    watch.bodyLeft = -past;
    return true;
}

void HttpFrontDoor::refuse(QTcpSocket *socket, Watch &watch, int status, const QString &code, const QString &message,
                           bool drain, bool headOnly, const QByteArray &extraHeaders)
{
    qCDebug(lcFrontDoor).noquote() << "refused with" << status << "from" << socket->peerAddress().toString() << ":"
                                   << message;
    disconnect(watch.connection);
    if (m_httpServer)
        disconnect(socket, &QIODevice::readyRead, m_httpServer, nullptr);
    if (socket->isTransactionStarted())
        socket->commitTransaction();
    const QByteArray json
        = QJsonDocument(QJsonObject{{u"code"_s, code}, {u"error"_s, message}}).toJson(QJsonDocument::Compact);
    socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status)
                  + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(json.size())
                  + "\r\nConnection: close\r\n" + extraHeaders + "\r\n" + (headOnly ? QByteArray() : json));
    socket->skip(socket->bytesAvailable());
    if (drain)
        new Drain(socket);
    else
        socket->disconnectFromHost();
}

} // namespace edgegate
