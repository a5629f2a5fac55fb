// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QHash>
#include <QLoggingCategory>
#include <QObject>
#include <QSocketNotifier>
#include <QString>
#include <QTimer>

#include <functional>
#include <memory>

struct coap_context_t;
struct coap_session_t;
struct coap_pdu_t;

Q_DECLARE_LOGGING_CATEGORY(lcSimCoap)

namespace edgegate::sim {

/// One libcoap client context for all simulated CoAP devices, driven from the Qt event loop: a
/// notifier on libcoap's epoll descriptor and a timer for what libcoap has due (retransmissions,
/// the next block of a block-wise transfer). Each device has its own session (its own UDP port),
/// so the gateway sees separate peers.
class CoapClient : public QObject
{
    Q_OBJECT
public:
    /// One response: `code` as class*100+detail (205, 404...), 0 when the request timed out.
    /// For a block-wise (Block2) answer it is called once per block: `offset` is where the block
    /// goes and `more` whether blocks follow. An observation calls it for every notification.
    struct Response
    {
        int code = 0;
        QByteArray payload;
        qsizetype offset = 0;
        bool more = false;
    };
    using Handler = std::function<void(const Response &response)>;

    CoapClient(const QString &host, quint16 port, QObject *parent = nullptr);
    ~CoapClient() override;

    [[nodiscard]] bool start(QString *error);
    [[nodiscard]] coap_session_t *newSession();
    void releaseSession(coap_session_t *session);

    /// Sends a CON request on `path` ("devices/x/telemetry"); JSON content format when there is a
    /// payload. With `observe`, the handler stays registered for the notifications that follow.
    /// False when libcoap refused to send it.
    bool request(coap_session_t *session, int method, const QByteArray &path, const QByteArray &payload, bool observe,
                 Handler handler);

private:
    friend struct CoapClientCallbacks;
    void process();
    void rearm();
    void responseReceived(coap_session_t *session, const coap_pdu_t *received);
    void requestFailed(coap_session_t *session, const coap_pdu_t *sent);
    [[nodiscard]] static QByteArray key(const coap_session_t *session, const coap_pdu_t *pdu);

    struct Pending
    {
        Handler handler;
        bool observe = false;
    };

    QString m_host;
    quint16 m_port;
    coap_context_t *m_ctx = nullptr;
    std::unique_ptr<QSocketNotifier> m_notifier;
    QTimer m_ioTimer;
    QHash<QByteArray, Pending> m_pending; // session and token -> who waits for the answer
    bool m_inLibcoap = false;
};

} // namespace edgegate::sim
