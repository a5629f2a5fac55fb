// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/http/http2session.h"

#include "gateway/api/http/http1parser.h"

#include <QLoggingCategory>
#include <QSslSocket>
#include <QTcpSocket>

#include <nghttp2/nghttp2.h>

#include <cstring>

namespace edgegate {

Q_LOGGING_CATEGORY(lcHttp2, "edgegate.http2")

namespace {

constexpr qint64 MaxQueuedBytes = 256 * 1024; ///< written to the socket but not yet sent
constexpr qint64 ReadChunk = 64 * 1024;
/// Request bodies held at once on one connection, in stream windows: the connection window.
constexpr qint64 BodyWindowsPerConnection = 4;

Http2Session *sessionOf(void *userData)
{
    return static_cast<Http2Session *>(userData);
}

int onBeginHeaders(nghttp2_session *, const nghttp2_frame *frame, void *user)
{
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0;
    return sessionOf(user)->beginHeaders(frame->hd.stream_id);
}

int onHeader(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name, size_t nameLength,
             const uint8_t *value, size_t valueLength, uint8_t, void *user)
{
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0;
    return sessionOf(user)->header(frame->hd.stream_id,
                                   QByteArrayView(reinterpret_cast<const char *>(name), qsizetype(nameLength)),
                                   QByteArrayView(reinterpret_cast<const char *>(value), qsizetype(valueLength)));
}

int onFrameReceived(nghttp2_session *, const nghttp2_frame *frame, void *user)
{
    const bool endStream = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    switch (frame->hd.type) {
    case NGHTTP2_HEADERS:
        if (frame->headers.cat == NGHTTP2_HCAT_REQUEST)
            return sessionOf(user)->headersDone(frame->hd.stream_id, endStream);
        // Trailers: the body ends with them.
        return endStream ? sessionOf(user)->bodyDone(frame->hd.stream_id) : 0;
    case NGHTTP2_DATA:
        return endStream ? sessionOf(user)->bodyDone(frame->hd.stream_id) : 0;
    default:
        return 0;
    }
}

int onData(nghttp2_session *, uint8_t, int32_t streamId, const uint8_t *data, size_t length, void *user)
{
    return sessionOf(user)->data(streamId, QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(length)));
}

int onFrameSent(nghttp2_session *, const nghttp2_frame *frame, void *user)
{
    if (frame->hd.type == NGHTTP2_GOAWAY && frame->goaway.error_code != NGHTTP2_NO_ERROR)
        sessionOf(user)->protocolError();
    if ((frame->hd.type == NGHTTP2_DATA || frame->hd.type == NGHTTP2_HEADERS)
        && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0)
        sessionOf(user)->answerSent(frame->hd.stream_id);
    return 0;
}

int onStreamClose(nghttp2_session *, int32_t streamId, uint32_t, void *user)
{
    sessionOf(user)->streamClosed(streamId);
    return 0;
}

bool isOriginForm(QByteArrayView path)
{
    return path.startsWith('/') && !path.contains('#')
        && std::all_of(path.cbegin(), path.cend(), [](char c) { return c > 0x20 && c < 0x7f; });
}

} // namespace

struct Http2Session::Stream
{
    int id = 0;
    HttpHead head;
    QByteArray path;
    QByteArray authority;
    qsizetype headBytes = 0;
    std::optional<HttpRefusal> refused;
    bool dispatched = false; ///< the head went through the checks
    bool answered = false;
    std::optional<HttpRequest> request;
    HttpServer::Resolved target;
    QByteArray body;
    qint64 received = 0;
    qint64 held = 0; ///< DATA bytes received and not yet given back to flow control
    std::unique_ptr<HttpBodySink> sink;
    // The answer's body: bytes, or a device.
    QByteArray out;
    qsizetype outAt = 0;
    std::unique_ptr<QIODevice> device;
    qint64 deviceLeft = 0;
    std::function<void(qint64)> sent;
};

namespace {

ssize_t readBody(nghttp2_session *, int32_t, uint8_t *buffer, size_t length, uint32_t *flags,
                 nghttp2_data_source *source, void *)
{
    auto *s = static_cast<Http2Session::Stream *>(source->ptr);
    qint64 n = 0;
    if (s->device) {
        n = s->device->read(reinterpret_cast<char *>(buffer), std::min<qint64>(qint64(length), s->deviceLeft));
        if (n <= 0)
            return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; // the file shrank: the stream is reset
        s->deviceLeft -= n;
        if (s->sent)
            s->sent(n);
        if (s->deviceLeft == 0)
            *flags |= NGHTTP2_DATA_FLAG_EOF;
        return ssize_t(n);
    }
    n = std::min<qint64>(qint64(length), s->out.size() - s->outAt);
    std::memcpy(buffer, s->out.constData() + s->outAt, size_t(n));
    s->outAt += n;
    if (s->outAt == s->out.size())
        *flags |= NGHTTP2_DATA_FLAG_EOF;
    return ssize_t(n);
}

} // namespace

Http2Session::Http2Session(QTcpSocket *socket, HttpServer &server, QHostAddress peer, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_server(server)
    , m_peer(std::move(peer))
{
    nghttp2_session_callbacks *callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, onBeginHeaders);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, onHeader);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, onFrameReceived);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, onData);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, onStreamClose);
    nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, onFrameSent);
    // Flow control gives a window back only when its bytes have left memory (see give()), so what a
    // connection holds of request bodies is bounded by the connection window, not by the stream count.
    nghttp2_option *option = nullptr;
    nghttp2_option_new(&option);
    nghttp2_option_set_no_auto_window_update(option, 1);
    nghttp2_session_server_new2(&m_session, callbacks, this, option);
    nghttp2_option_del(option);
    nghttp2_session_callbacks_del(callbacks);
    // One byte over the largest buffered body, so that a body over its limit is seen and refused.
    constexpr qint64 MinWindow = 65535;
    constexpr qint64 MaxWindow = 0x7fffffff;
    const qint64 streamWindow = std::clamp(server.maxBufferedBodyBytes() + 1, MinWindow, MaxWindow);
    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, server.settings().limits.maxHttp2Streams},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, quint32(server.settings().limits.head.maxHeadBytes)},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, quint32(streamWindow)},
    };
    nghttp2_submit_settings(m_session, NGHTTP2_FLAG_NONE, settings, std::size(settings));
    nghttp2_session_set_local_window_size(m_session, NGHTTP2_FLAG_NONE, 0,
                                          int32_t(std::min(streamWindow * BodyWindowsPerConnection, MaxWindow)));

    m_idle.setSingleShot(true);
    connect(&m_idle, &QTimer::timeout, this, [this] {
        m_server.count(HttpRefusal::IdleTimeout);
        nghttp2_session_terminate_session(m_session, NGHTTP2_NO_ERROR);
        flush();
        m_socket->disconnectFromHost();
    });
    m_idle.start(server.settings().limits.idleTimeout);
    connect(m_socket, &QIODevice::readyRead, this, &Http2Session::onReadyRead);
    connect(m_socket, &QIODevice::bytesWritten, this, &Http2Session::flush);
    onReadyRead();
}

Http2Session::~Http2Session()
{
    m_streams.clear(); // sinks go before the session they belong to
    nghttp2_session_del(m_session);
}

void Http2Session::onReadyRead()
{
    while (m_socket->bytesAvailable() > 0) {
        m_idle.start();
        const QByteArray bytes = m_socket->read(ReadChunk);
        const ssize_t used = nghttp2_session_mem_recv(m_session, reinterpret_cast<const uint8_t *>(bytes.constData()),
                                                      size_t(bytes.size()));
        if (used < 0) {
            qCDebug(lcHttp2).noquote() << "HTTP/2 error from" << m_peer.toString() << ":"
                                       << nghttp2_strerror(int(used));
            fail();
            return;
        }
    }
    unblock();
    flush();
}

void Http2Session::give(Stream &s, qint64 bytes)
{
    if (bytes <= 0)
        return;
    s.held -= bytes;
    nghttp2_session_consume(m_session, s.id, size_t(bytes));
}

void Http2Session::unblock()
{
    // The client can send no more DATA on any stream, and no held body is complete: without a refusal
    // each would wait for the others. The stream holding most is refused until the window opens.
    while (nghttp2_session_get_local_window_size(m_session) <= 0) {
        Stream *largest = nullptr;
        for (const auto &[id, s] : m_streams) {
            if (!s->answered && s->held > 0 && (!largest || s->held > largest->held))
                largest = s.get();
        }
        if (!largest)
            return;
        refuse(*largest, HttpRefusal::Http2BodiesInFlight);
    }
}

void Http2Session::flush()
{
    while (m_socket->bytesToWrite() < MaxQueuedBytes) {
        const uint8_t *data = nullptr;
        const ssize_t n = nghttp2_session_mem_send(m_session, &data);
        if (n < 0) {
            fail();
            return;
        }
        if (n == 0)
            break;
        m_idle.start();
        m_socket->write(reinterpret_cast<const char *>(data), n);
    }
    if (!nghttp2_session_want_read(m_session) && !nghttp2_session_want_write(m_session)
        && m_socket->bytesToWrite() == 0)
        m_socket->disconnectFromHost();
}

void Http2Session::protocolError()
{
    if (!std::exchange(m_failed, true))
        m_server.count(HttpRefusal::BadHttp2);
}

void Http2Session::fail()
{
    protocolError();
    nghttp2_session_terminate_session(m_session, NGHTTP2_PROTOCOL_ERROR);
    const uint8_t *data = nullptr;
    for (ssize_t n; (n = nghttp2_session_mem_send(m_session, &data)) > 0;)
        m_socket->write(reinterpret_cast<const char *>(data), n);
    m_socket->disconnectFromHost();
}

Http2Session::Stream *Http2Session::stream(int id)
{
    const auto it = m_streams.find(id);
    return it == m_streams.end() ? nullptr : it->second.get();
}

int Http2Session::beginHeaders(int streamId)
{
    auto s = std::make_unique<Stream>();
    s->id = streamId;
    s->head.minorVersion = 1;
    m_streams[streamId] = std::move(s);
    return 0;
}

int Http2Session::header(int streamId, QByteArrayView name, QByteArrayView value)
{
    Stream *s = stream(streamId);
    if (!s || s->refused)
        return 0;
    const HttpHeadLimits &limits = m_server.settings().limits.head;
    s->headBytes += name.size() + value.size() + 4;
    if (s->headBytes > limits.maxHeadBytes) {
        s->refused = HttpRefusal::HeadTooLarge;
        return 0;
    }
    if (name.startsWith(':')) {
        if (name == ":method")
            s->head.method = value.toByteArray();
        else if (name == ":path")
            s->path = value.toByteArray();
        else if (name == ":authority")
            s->authority = value.toByteArray();
        return 0;
    }
    if (s->head.headers.size() >= limits.maxFields) {
        s->refused = HttpRefusal::TooManyFields;
        return 0;
    }
    s->head.headers.append({name.toByteArray(), value.toByteArray()});
    return 0;
}

int Http2Session::headersDone(int streamId, bool endStream)
{
    Stream *s = stream(streamId);
    if (!s)
        return 0;
    dispatch(*s);
    if (endStream)
        return bodyDone(streamId);
    return 0;
}

void Http2Session::dispatch(Stream &s)
{
    s.dispatched = true;
    if (s.refused) {
        refuse(s, *s.refused);
        return;
    }
    const bool tokenMethod
        = !s.head.method.isEmpty() && std::all_of(s.head.method.cbegin(), s.head.method.cend(), http1::isTokenChar);
    if (!tokenMethod || !isOriginForm(s.path)) {
        refuse(s, HttpRefusal::BadRequestLine);
        return;
    }
    s.head.target = s.path;
    const bool hasHost = std::any_of(s.head.headers.cbegin(), s.head.headers.cend(),
                                     [](const HttpHeader &h) { return h.name == "host"; });
    if (!hasHost && !s.authority.isEmpty())
        s.head.headers.append({"host", s.authority});
    std::optional<qint64> length;
    for (const HttpHeader &h : s.head.headers) {
        if (h.name == "content-length")
            length = h.value.toLongLong(); // nghttp2 checked it is a number and matches the DATA frames
    }
    s.request.emplace(s.head, m_peer, qobject_cast<QSslSocket *>(m_socket) != nullptr);
    if (auto *ssl = qobject_cast<QSslSocket *>(m_socket); ssl && !ssl->peerCertificate().isNull())
        s.request->setPeerCertificate(ssl->peerCertificate().toDer());
    if (const auto refusal = m_server.admit(*s.request)) {
        refuse(s, *refusal);
        return;
    }
    s.target = m_server.resolve(*s.request);
    using Kind = HttpServer::Resolved::Kind;
    if (s.target.kind == Kind::WebSocket) {
        HttpResponse response = jsonError(HttpStatus::UpgradeRequired, QStringLiteral("upgrade_required"),
                                          QStringLiteral("WebSocket is served over HTTP/1.1 only"));
        respond(s, std::move(response));
        return;
    }
    if (length && *length > s.target.maxBodyBytes) {
        refuse(s, HttpRefusal::BodyTooLarge);
        return;
    }
    if (s.target.kind == Kind::Upload) {
        auto taken = m_server.upload(s.target, *s.request, length);
        if (auto *answer = std::get_if<HttpResponse>(&taken)) {
            respond(s, std::move(*answer));
            return;
        }
        s.sink = std::move(std::get<std::unique_ptr<HttpBodySink>>(taken));
    }
}

int Http2Session::data(int streamId, QByteArrayView chunk)
{
    Stream *s = stream(streamId);
    if (!s) {
        nghttp2_session_consume(m_session, streamId, size_t(chunk.size()));
        return 0;
    }
    s->held += chunk.size();
    if (s->answered || !s->dispatched) {
        give(*s, chunk.size()); // dropped
        return 0;
    }
    s->received += chunk.size();
    if (s->received > s->target.maxBodyBytes) {
        refuse(*s, HttpRefusal::BodyTooLarge);
        return 0;
    }
    if (!s->sink) {
        s->body.append(chunk); // given back when the body has been handled
        return 0;
    }
    auto answer = s->sink->write(chunk);
    give(*s, chunk.size());
    if (answer) {
        s->sink.reset();
        respond(*s, std::move(*answer));
    }
    return 0;
}

int Http2Session::bodyDone(int streamId)
{
    Stream *s = stream(streamId);
    if (!s || s->answered)
        return 0;
    if (s->sink) {
        HttpResponse response = s->sink->finish();
        s->sink.reset();
        respond(*s, std::move(response));
        return 0;
    }
    s->request->setBody(std::exchange(s->body, {}));
    respond(*s, m_server.handle(s->target, *s->request));
    return 0;
}

void Http2Session::streamClosed(int streamId)
{
    const auto it = m_streams.find(streamId);
    if (it == m_streams.end())
        return;
    if (it->second->held > 0)
        nghttp2_session_consume_connection(m_session, size_t(it->second->held));
    m_streams.erase(it);
}

void Http2Session::refuse(Stream &s, HttpRefusal refusal)
{
    m_server.count(refusal);
    respond(s, refusalResponse(refusal));
}

void Http2Session::respond(Stream &s, HttpResponse response)
{
    if (s.answered)
        return;
    s.answered = true;
    s.sink.reset();
    s.body = {};
    give(s, s.held);
    const bool headOnly = s.head.method == "HEAD";
    const QByteArray status = QByteArray::number(int(response.status()));
    const QByteArray length = QByteArray::number(response.contentLength());
    std::vector<QByteArray> names;
    names.reserve(size_t(response.headers().size()));
    std::vector<nghttp2_nv> nva;
    const auto add = [&nva](const QByteArray &name, const QByteArray &value) {
        nva.push_back({reinterpret_cast<uint8_t *>(const_cast<char *>(name.constData())),
                       reinterpret_cast<uint8_t *>(const_cast<char *>(value.constData())), size_t(name.size()),
                       size_t(value.size()), NGHTTP2_NV_FLAG_NONE});
    };
    static const QByteArray StatusName = ":status";
    static const QByteArray LengthName = "content-length";
    add(StatusName, status);
    for (const HttpHeader &h : response.headers()) {
        names.push_back(h.name.toLower());
        const QByteArray &name = names.back();
        // Connection-specific fields do not exist in HTTP/2 (RFC 9113 8.2.2).
        if (name == "content-length" || name == "connection" || name == "keep-alive" || name == "upgrade"
            || name == "transfer-encoding")
            continue;
        add(name, h.value);
    }
    const bool body = carriesBody(response.status());
    if (body)
        add(LengthName, length);
    nghttp2_data_provider provider{};
    const bool sendBody = body && !headOnly && response.contentLength() > 0;
    if (sendBody) {
        if (response.bodyDevice()) {
            s.deviceLeft = response.contentLength();
            s.sent = response.bodySent();
            s.device = response.takeBodyDevice();
        } else {
            s.out = response.body();
        }
        provider.source.ptr = &s;
        provider.read_callback = readBody;
    }
    nghttp2_submit_response(m_session, s.id, nva.data(), nva.size(), sendBody ? &provider : nullptr);
}

void Http2Session::answerSent(int streamId)
{
    // Answered before the whole request body came: the client may stop sending it (RFC 9113 8.1).
    if (nghttp2_session_get_stream_remote_close(m_session, streamId) == 0)
        nghttp2_submit_rst_stream(m_session, NGHTTP2_FLAG_NONE, streamId, NGHTTP2_NO_ERROR);
}

} // namespace edgegate
