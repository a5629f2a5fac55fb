// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/api/http/http1parser.h"
#include "gateway/api/http/httpmessage.h"
#include "gateway/api/http/httprefusal.h"
#include "gateway/api/http/httptls.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QStringList>
#include <QWebSocketServer>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

class QTcpServer;
class QTcpSocket;
class QWebSocket;

namespace edgegate {

class Counter;
class Gauge;
class Metrics;

/// Takes a streamed request body, chunk by chunk, as it arrives (firmware uploads).
class HttpBodySink
{
public:
    virtual ~HttpBodySink() = default;
    /// Takes the next bytes of the body; an answer ends the request there (the connection closes).
    virtual std::optional<HttpResponse> write(QByteArrayView data) = 0;
    /// The whole body arrived.
    virtual HttpResponse finish() = 0;
};

/// The one HTTP server of the gateway: REST API, device telemetry and the WebSocket endpoints on one
/// port. Each request is parsed once (http1::parseHead); that parse is what the gate, the Host check
/// and the router see. Limits are checked before memory is spent: head size and field count while
/// reading the head, the route's body limit against Content-Length before any body byte is read,
/// connection caps at accept, a head and an idle timeout on every connection.
class HttpServer : public QObject
{
    Q_OBJECT
public:
    struct Limits
    {
        HttpHeadLimits head;
        qint64 maxBodyBytes = 65536; ///< for routes without a limit of their own
        std::chrono::milliseconds headTimeout{10000}; ///< from a request's first byte to its last header
        std::chrono::milliseconds idleTimeout{60000}; ///< no byte in or out for this long closes
        int maxConnections = 512;
        int maxConnectionsPerAddress = 64;
        quint32 maxHttp2Streams = 100; ///< concurrent streams on one HTTP/2 connection
        /// Dashboard WebSocket connections waiting to authenticate, in all and from one address.
        int maxWaitingAuth = 32;
        int maxWaitingAuthPerAddress = 4;
    };

    struct Settings
    {
        QList<QHostAddress> addresses{QHostAddress(QHostAddress::LocalHost)};
        quint16 port = 8080;
        Limits limits;
        /// Host header values (name or address, without port, lower case) accepted; empty: any.
        QStringList allowedHosts;
        /// With a certificate, the port speaks HTTPS and WSS only.
        HttpTls::Settings tls;
    };

    using Handler = std::function<HttpResponse(const HttpRequest &request, const QStringList &args)>;
    /// An answer (refused at once), or a sink for the body.
    using UploadHandler = std::function<std::variant<HttpResponse, std::unique_ptr<HttpBodySink>>(
        const HttpRequest &request, const QStringList &args, std::optional<qint64> contentLength)>;
    using WebSocketHandler
        = std::function<void(std::unique_ptr<QWebSocket> socket, const HttpRequest &request, const QStringList &args)>;
    /// Who may send a request: nullopt lets it through.
    using Gate = std::function<std::optional<HttpRefusal>(const HttpRequest &request)>;

    HttpServer(Settings settings, Metrics &metrics, QObject *parent = nullptr);
    ~HttpServer() override;

    /// Patterns are paths whose `<arg>` segments match any one non-empty segment, handed to the
    /// handler percent-decoded. Routes are tried in the order they were added.
    void route(const QString &pattern, Handler handler, std::optional<qint64> maxBodyBytes = std::nullopt);
    /// The same for a member function of `owner` that takes the pattern's `<arg>` segments in order,
    /// then the request: `HttpResponse Owner::handler(const QString &, ..., const HttpRequest &)`.
    template<class Owner, class... Params>
    void route(const QString &pattern, Owner *owner, HttpResponse (Owner::*handler)(Params...),
               std::optional<qint64> maxBodyBytes = std::nullopt)
    {
        static_assert(sizeof...(Params) >= 1, "the handler takes the request last");
        route(
            pattern,
            [owner, handler](const HttpRequest &request, const QStringList &args) {
                return [&]<std::size_t... I>(std::index_sequence<I...>)
                {
                    return (owner->*handler)(args[qsizetype(I)]..., request);
                }
                (std::make_index_sequence<sizeof...(Params) - 1>());
            },
            maxBodyBytes);
    }
    /// `method` requests on `pattern` stream their body to a sink; other methods go to plain routes.
    void uploadRoute(HttpMethod method, const QString &pattern, UploadHandler handler, qint64 maxBodyBytes);
    /// GET with `Upgrade: websocket` on `pattern` becomes a WebSocket with these frame and message caps;
    /// a plain GET gets 426.
    void webSocketRoute(const QString &pattern, WebSocketHandler handler, quint64 maxFrameBytes,
                        quint64 maxMessageBytes);
    void setGate(Gate gate) { m_gate = std::move(gate); }

    /// Loads the TLS files and binds every address; false with `error` set when the files cannot be
    /// used or no address can be bound.
    bool listen(QString *error);
    /// Loads the TLS certificate and key again (SIGHUP); the ones in use stay if the new ones are bad.
    void reloadTls();
    /// The TLS files of the port; null without TLS.
    [[nodiscard]] HttpTls *tls() const { return m_tls.get(); }
    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] const Settings &settings() const { return m_settings; }
    /// Open connections, WebSockets included.
    [[nodiscard]] int connectionCount() const { return m_connections; }

    // For the connections.
    struct Resolved
    {
        enum class Kind { NotFound, Plain, Upload, WebSocket } kind = Kind::NotFound;
        qsizetype index = -1;
        QStringList args;
        qint64 maxBodyBytes = 0;
    };
    [[nodiscard]] Resolved resolve(const HttpRequest &request) const;
    /// The largest body a route without an upload sink holds in memory.
    [[nodiscard]] qint64 maxBufferedBodyBytes() const;
    /// The Host check and the gate.
    [[nodiscard]] std::optional<HttpRefusal> admit(const HttpRequest &request) const;
    HttpResponse handle(const Resolved &target, const HttpRequest &request);
    std::variant<HttpResponse, std::unique_ptr<HttpBodySink>> upload(const Resolved &target, const HttpRequest &request,
                                                                     std::optional<qint64> contentLength);
    /// Hands a socket whose only unread bytes are the upgrade request to the WebSocket endpoint.
    void upgrade(QTcpSocket *socket, const Resolved &target, HttpRequest request);
    void count(HttpRefusal refusal);
    void connectionClosed(const QHostAddress &peer);

private:
    struct Pattern
    {
        QList<QByteArray> parts; ///< literal segments, or empty for `<arg>`
        [[nodiscard]] std::optional<QStringList> match(const QList<QByteArrayView> &segments) const;
    };
    struct PlainRoute
    {
        Pattern pattern;
        Handler handler;
        qint64 maxBodyBytes;
    };
    struct Upload
    {
        HttpMethod method;
        Pattern pattern;
        UploadHandler handler;
        qint64 maxBodyBytes;
    };
    struct WebSocketRoute
    {
        Pattern pattern;
        WebSocketHandler handler;
        quint64 maxFrameBytes;
        quint64 maxMessageBytes;
    };
    struct PendingUpgrade
    {
        qsizetype route = -1;
        HttpRequest request;
        QStringList args;
    };

    void accept(qintptr descriptor);
    void webSocketReady();

    Settings m_settings;
    Metrics &m_metrics;
    std::vector<PlainRoute> m_routes;
    std::vector<Upload> m_uploads;
    std::vector<WebSocketRoute> m_webSockets;
    Gate m_gate;
    std::vector<QTcpServer *> m_listeners;
    quint16 m_port = 0;
    int m_maxConnections = 0; ///< the configured cap, lowered to what the descriptor limit allows
    int m_connections = 0;
    QHash<QHostAddress, int> m_perAddress;
    std::map<HttpRefusal, Counter *> m_refused;
    Gauge &m_open;
    std::unique_ptr<HttpTls> m_tls;
    QWebSocketServer m_webSocketServer;
    /// Upgrades on their way through the WebSocket handshake, by peer address and port.
    QHash<QPair<QHostAddress, quint16>, PendingUpgrade> m_pending;
};

} // namespace edgegate
