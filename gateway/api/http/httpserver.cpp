// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/http/httpserver.h"

#include "gateway/api/http/http1connection.h"
#include "gateway/api/http/http1parser.h"
#include "gateway/core/common/apigate.h"
#include "gateway/core/common/metrics.h"

#include <QLoggingCategory>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QWebSocket>

#include <sys/resource.h>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcHttpServer, "edgegate.http")

namespace {

// Descriptors kept free for everything else the service opens (files, databases, the broker).
constexpr int ReservedDescriptors = 128;

/// The listening socket: hands each accepted descriptor to the server.
class Listener : public QTcpServer
{
public:
    using Accept = std::function<void(qintptr)>;
    Listener(Accept accept, QObject *parent)
        : QTcpServer(parent)
        , m_accept(std::move(accept))
    {
    }

protected:
    void incomingConnection(qintptr descriptor) override { m_accept(descriptor); }

private:
    Accept m_accept;
};

QHostAddress normalized(const QHostAddress &address)
{
    bool ok = false;
    const quint32 v4 = address.toIPv4Address(&ok);
    return ok ? QHostAddress(v4) : address;
}

/// The host of a Host header value, lower case, without port, brackets or a final dot.
QString hostName(const QByteArray &value)
{
    QByteArray host = value.toLower();
    if (host.startsWith('[')) {
        const qsizetype close = host.indexOf(']');
        host = close < 0 ? QByteArray() : host.mid(1, close - 1);
    } else if (const qsizetype colon = host.lastIndexOf(':'); colon >= 0) {
        host.truncate(colon);
    }
    if (host.endsWith('.'))
        host.chop(1);
    return QString::fromLatin1(host);
}

QList<QByteArrayView> targetSegments(QByteArrayView target)
{
    const qsizetype query = target.indexOf('?');
    return pathSegments((query < 0 ? target : target.first(query)).sliced(1));
}

} // namespace

std::optional<QStringList> HttpServer::Pattern::match(const QList<QByteArrayView> &segments) const
{
    if (segments.size() != parts.size())
        return std::nullopt;
    QStringList args;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        if (parts[i].isEmpty()) {
            if (segments[i].isEmpty())
                return std::nullopt;
            args.append(QString::fromUtf8(QByteArray::fromPercentEncoding(segments[i].toByteArray())));
        } else if (segments[i] != parts[i]) {
            return std::nullopt;
        }
    }
    return args;
}

namespace {

QList<QByteArray> patternParts(const QString &pattern)
{
    Q_ASSERT(pattern.startsWith(u'/'));
    QList<QByteArray> parts;
    for (const QString &part : pattern.mid(1).split(u'/'))
        parts.append(part == u"<arg>" ? QByteArray() : part.toUtf8());
    return parts;
}

} // namespace

HttpServer::HttpServer(Settings settings, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_metrics(metrics)
    , m_open(
          metrics.gauge(u"edgegate_http_connections"_s, u"Open connections on the HTTP port, WebSockets included."_s))
    , m_webSocketServer(u"edgegated"_s, QWebSocketServer::NonSecureMode)
{
    for (const HttpRefusal r : allHttpRefusals()) {
        m_refused[r] = &metrics.counter(u"edgegate_http_refused_total"_s,
                                        u"Requests and connections the HTTP layer refused, by reason."_s,
                                        {{u"reason"_s, describe(r).code}});
    }
    connect(&m_webSocketServer, &QWebSocketServer::newConnection, this, &HttpServer::webSocketReady);
    if (m_settings.tls.enabled())
        m_tls = std::make_unique<HttpTls>(m_settings.tls, u"http"_s, metrics);
}

void HttpServer::reloadTls()
{
    if (m_tls)
        m_tls->reload();
}

HttpServer::~HttpServer()
{
    // Connections report their end to members that must still be there.
    qDeleteAll(findChildren<Http1Connection *>(Qt::FindDirectChildrenOnly));
}

void HttpServer::route(const QString &pattern, Handler handler, std::optional<qint64> maxBodyBytes)
{
    m_routes.push_back(
        {{patternParts(pattern)}, std::move(handler), maxBodyBytes.value_or(m_settings.limits.maxBodyBytes)});
}

void HttpServer::uploadRoute(HttpMethod method, const QString &pattern, UploadHandler handler, qint64 maxBodyBytes)
{
    m_uploads.push_back({method, {patternParts(pattern)}, std::move(handler), maxBodyBytes});
}

void HttpServer::webSocketRoute(const QString &pattern, WebSocketHandler handler, quint64 maxFrameBytes,
                                quint64 maxMessageBytes)
{
    m_webSockets.push_back({{patternParts(pattern)}, std::move(handler), maxFrameBytes, maxMessageBytes});
}

bool HttpServer::listen(QString *error)
{
    if (m_tls && !m_tls->load(error))
        return false;
    rlimit limit{};
    m_maxConnections = m_settings.limits.maxConnections;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
        const int room = std::max(16, int(std::min<rlim_t>(limit.rlim_cur, 1 << 20)) - ReservedDescriptors);
        if (room < m_maxConnections) {
            qCWarning(lcHttpServer) << "the descriptor limit" << limit.rlim_cur << "allows" << room
                                    << "HTTP connections, not" << m_maxConnections;
            m_maxConnections = room;
        }
    }
    quint16 port = m_settings.port;
    QStringList failures;
    for (const QHostAddress &address : m_settings.addresses) {
        auto *listener = new Listener([this](qintptr d) { accept(d); }, this);
        if (!listener->listen(address, port)) {
            failures.append(u"%1 port %2: %3"_s.arg(address.toString()).arg(port).arg(listener->errorString()));
            delete listener;
            continue;
        }
        port = listener->serverPort(); // with port 0, every address gets the port the first one got
        m_listeners.push_back(listener);
    }
    // A name may stand for an address family the machine does not have (::1 without IPv6).
    if (m_listeners.empty()) {
        if (error)
            *error = u"cannot listen on "_s + failures.join(u"; "_s);
        return false;
    }
    for (const QString &f : failures)
        qCWarning(lcHttpServer).noquote() << "cannot listen on" << f;
    m_port = port;
    return true;
}

void HttpServer::accept(qintptr descriptor)
{
    QTcpSocket *socket = m_tls ? new QSslSocket : new QTcpSocket;
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    const QHostAddress peer = normalized(socket->peerAddress());
    std::optional<HttpRefusal> refusal;
    if (m_connections >= m_maxConnections)
        refusal = HttpRefusal::TooManyConnections;
    else if (m_perAddress.value(peer) >= m_settings.limits.maxConnectionsPerAddress)
        refusal = HttpRefusal::TooManyFromAddress;
    if (refusal) {
        // Answered and dropped at once: nothing is kept for a connection over the caps. A TLS client
        // could not read a plain answer: it only sees the connection closed.
        count(*refusal);
        if (!m_tls) {
            const HttpResponse answer = refusalResponse(*refusal);
            socket->write(http1::responseHead(answer, false) + answer.body());
            socket->flush();
        }
        socket->abort();
        delete socket;
        return;
    }
    ++m_connections;
    ++m_perAddress[peer];
    m_open.set(m_connections);
    if (auto *ssl = qobject_cast<QSslSocket *>(socket)) {
        ssl->setSslConfiguration(m_tls->configuration());
        ssl->startServerEncryption();
    }
    new Http1Connection(socket, *this, this);
}

void HttpServer::connectionClosed(const QHostAddress &peer)
{
    --m_connections;
    m_open.set(m_connections);
    const QHostAddress key = normalized(peer);
    if (auto it = m_perAddress.find(key); it != m_perAddress.end() && --it.value() <= 0)
        m_perAddress.erase(it);
}

void HttpServer::count(HttpRefusal refusal)
{
    m_refused.at(refusal)->inc();
}

std::optional<HttpRefusal> HttpServer::admit(const HttpRequest &request) const
{
    if (!m_settings.allowedHosts.isEmpty() && !m_settings.allowedHosts.contains(hostName(request.value("host"))))
        return HttpRefusal::HostNotAllowed;
    return m_gate ? m_gate(request) : std::nullopt;
}

HttpServer::Resolved HttpServer::resolve(const HttpRequest &request) const
{
    const QList<QByteArrayView> segments = targetSegments(request.target());
    for (qsizetype i = 0; i < qsizetype(m_uploads.size()); ++i) {
        if (m_uploads[i].method != request.method())
            continue;
        if (auto args = m_uploads[i].pattern.match(segments))
            return {Resolved::Kind::Upload, i, std::move(*args), m_uploads[i].maxBodyBytes};
    }
    if (request.method() == HttpMethod::Get) {
        for (qsizetype i = 0; i < qsizetype(m_webSockets.size()); ++i) {
            if (auto args = m_webSockets[i].pattern.match(segments))
                return {Resolved::Kind::WebSocket, i, std::move(*args), 0};
        }
    }
    for (qsizetype i = 0; i < qsizetype(m_routes.size()); ++i) {
        if (auto args = m_routes[i].pattern.match(segments))
            return {Resolved::Kind::Plain, i, std::move(*args), m_routes[i].maxBodyBytes};
    }
    Resolved notFound;
    notFound.maxBodyBytes = m_settings.limits.maxBodyBytes;
    return notFound;
}

qint64 HttpServer::maxBufferedBodyBytes() const
{
    qint64 largest = m_settings.limits.maxBodyBytes;
    for (const auto &r : m_routes)
        largest = std::max(largest, r.maxBodyBytes);
    return largest;
}

HttpResponse HttpServer::handle(const Resolved &target, const HttpRequest &request)
{
    if (target.kind != Resolved::Kind::Plain) {
        return jsonError(HttpStatus::NotFound, u"not_found"_s, u"no such endpoint: "_s + request.url().path());
    }
    return m_routes[target.index].handler(request, target.args);
}

std::variant<HttpResponse, std::unique_ptr<HttpBodySink>>
HttpServer::upload(const Resolved &target, const HttpRequest &request, std::optional<qint64> contentLength)
{
    return m_uploads[target.index].handler(request, target.args, contentLength);
}

void HttpServer::upgrade(QTcpSocket *socket, const Resolved &target, HttpRequest request)
{
    const auto key = qMakePair(normalized(socket->peerAddress()), socket->peerPort());
    m_pending.insert(key, PendingUpgrade{target.index, std::move(request), target.args});
    connect(socket, &QObject::destroyed, this, [this, key] { m_pending.remove(key); });
    socket->setParent(nullptr);
    m_webSocketServer.handleConnection(socket);
}

void HttpServer::webSocketReady()
{
    while (QWebSocket *raw = m_webSocketServer.nextPendingConnection()) {
        std::unique_ptr<QWebSocket> socket(raw);
        const auto pending = m_pending.take(qMakePair(normalized(socket->peerAddress()), socket->peerPort()));
        if (pending.route < 0 || pending.route >= qsizetype(m_webSockets.size())) {
            socket->abort();
            continue;
        }
        const WebSocketRoute &route = m_webSockets[pending.route];
        socket->setMaxAllowedIncomingFrameSize(route.maxFrameBytes);
        socket->setMaxAllowedIncomingMessageSize(route.maxMessageBytes);
        route.handler(std::move(socket), pending.request, pending.args);
    }
}

} // namespace edgegate
