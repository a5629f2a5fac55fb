// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/api/http/httpserver.h"

#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include <map>
#include <memory>
#include <optional>

class QTcpSocket;
struct nghttp2_session;

namespace edgegate {

/// One HTTP/2 connection (RFC 9113): h2 chosen by ALPN over TLS, or h2c with prior knowledge on a
/// plain port. nghttp2 does the framing, HPACK and flow control; each stream's request goes through
/// the same checks as an HTTP/1.1 one (head limits, Host check, gate, route, body limit before the
/// body) and to the same routes. At most 100 streams at a time.
class Http2Session : public QObject
{
    Q_OBJECT
public:
    /// Takes over `socket`, whose next bytes are the client's connection preface; `socket` must outlive this.
    Http2Session(QTcpSocket *socket, HttpServer &server, QHostAddress peer, QObject *parent = nullptr);
    ~Http2Session() override;

    // For nghttp2's callbacks.
    struct Stream;
    int beginHeaders(int streamId);
    int header(int streamId, QByteArrayView name, QByteArrayView value);
    int headersDone(int streamId, bool endStream);
    int data(int streamId, QByteArrayView chunk);
    int bodyDone(int streamId);
    void streamClosed(int streamId);
    void answerSent(int streamId);
    /// Counted once per connection: nghttp2 found a protocol error, or sent GOAWAY for one.
    void protocolError();

private:
    void onReadyRead();
    /// Hands nghttp2's output to the socket while the socket has room.
    void flush();
    void fail();
    /// Gives `bytes` of a stream's DATA back to flow control: they have left memory.
    void give(Stream &s, qint64 bytes);
    /// Refuses held bodies while the connection window is closed (see the .cpp).
    void unblock();
    void dispatch(Stream &s);
    void refuse(Stream &s, HttpRefusal refusal);
    void respond(Stream &s, HttpResponse response);
    Stream *stream(int id);

    QTcpSocket *m_socket;
    HttpServer &m_server;
    QHostAddress m_peer;
    nghttp2_session *m_session = nullptr;
    std::map<int, std::unique_ptr<Stream>> m_streams;
    QTimer m_idle;
    bool m_failed = false;
};

} // namespace edgegate
