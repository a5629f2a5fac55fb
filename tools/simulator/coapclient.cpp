// SPDX-License-Identifier: Apache-2.0
#include "coapclient.h"

#include <QHostAddress>
#include <QHostInfo>
#include <QLoggingCategory>

#include <coap3/coap.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <cstring>

Q_LOGGING_CATEGORY(lcSimCoap, "edgegate.sim.coap")

namespace edgegate::sim {

using namespace Qt::StringLiterals;

namespace {

constexpr int ContentFormatJson = 50;

bool makeAddress(const QString &host, quint16 port, coap_address_t *out)
{
    QHostAddress address(host);
    if (address.isNull()) {
        // A name is looked up once, at start, before any device runs.
        const QHostInfo info = QHostInfo::fromName(host);
        if (info.addresses().isEmpty())
            return false;
        address = info.addresses().constFirst();
    }
    coap_address_init(out);
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        out->addr.sin.sin_family = AF_INET;
        out->addr.sin.sin_port = htons(port);
        out->addr.sin.sin_addr.s_addr = htonl(address.toIPv4Address());
        out->size = sizeof(out->addr.sin);
        return true;
    }
    const Q_IPV6ADDR v6 = address.toIPv6Address();
    out->addr.sin6.sin6_family = AF_INET6;
    out->addr.sin6.sin6_port = htons(port);
    std::memcpy(&out->addr.sin6.sin6_addr, v6.c, sizeof(v6.c));
    out->size = sizeof(out->addr.sin6);
    return true;
}

// Keys of m_pending start with the session's address, so a session's entries can be found.
QByteArray sessionKey(const coap_session_t *session)
{
    const auto address = reinterpret_cast<quintptr>(session);
    return QByteArray(reinterpret_cast<const char *>(&address), qsizetype(sizeof(address)));
}

void logFromLibcoap(coap_log_t level, const char *message)
{
    const QString text = QString::fromUtf8(message).trimmed();
    if (level <= LOG_WARNING)
        qCWarning(lcSimCoap).noquote() << text;
    else
        qCDebug(lcSimCoap).noquote() << text;
}

} // namespace

/// libcoap's C callbacks: they find the client through the context's app data.
struct CoapClientCallbacks
{
    static CoapClient *client(const coap_session_t *session)
    {
        return static_cast<CoapClient *>(coap_get_app_data(coap_session_get_context(session)));
    }
    static coap_response_t response(coap_session_t *session, const coap_pdu_t * /*sent*/, const coap_pdu_t *received,
                                    const coap_mid_t /*mid*/)
    {
        client(session)->responseReceived(session, received);
        return COAP_RESPONSE_OK;
    }
    static void nack(coap_session_t *session, const coap_pdu_t *sent, const coap_nack_reason_t /*reason*/,
                     const coap_mid_t /*mid*/)
    {
        if (sent)
            client(session)->requestFailed(session, sent);
    }
};

CoapClient::CoapClient(const QString &host, quint16 port, QObject *parent)
    : QObject(parent)
    , m_host(host)
    , m_port(port)
{
    static const bool libInit = [] {
        coap_startup();
        coap_set_log_handler(&logFromLibcoap);
        coap_set_log_level(lcSimCoap().isDebugEnabled() ? LOG_INFO : LOG_WARNING);
        return true;
    }();
    Q_UNUSED(libInit);
    m_ioTimer.setSingleShot(true);
    connect(&m_ioTimer, &QTimer::timeout, this, &CoapClient::process);
}

CoapClient::~CoapClient()
{
    m_notifier.reset();
    if (m_ctx)
        coap_free_context(m_ctx);
}

bool CoapClient::start(QString *error)
{
    coap_address_t probe;
    if (!makeAddress(m_host, m_port, &probe)) {
        *error = u"cannot resolve the CoAP host '%1'"_s.arg(m_host);
        return false;
    }
    m_ctx = coap_new_context(nullptr);
    if (!m_ctx) {
        *error = u"cannot create a CoAP context"_s;
        return false;
    }
    coap_set_app_data(m_ctx, this);
    // libcoap asks for the next block of a Block2 answer itself; each block reaches the handler.
    coap_context_set_block_mode(m_ctx, COAP_BLOCK_USE_LIBCOAP);
    coap_register_response_handler(m_ctx, &CoapClientCallbacks::response);
    coap_register_nack_handler(m_ctx, &CoapClientCallbacks::nack);
    const int fd = coap_context_get_coap_fd(m_ctx);
    if (fd < 0) {
        *error = u"libcoap was built without epoll: it cannot run inside the event loop"_s;
        return false;
    }
    m_notifier = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, &CoapClient::process);
    return true;
}

coap_session_t *CoapClient::newSession()
{
    coap_address_t destination;
    if (!m_ctx || !makeAddress(m_host, m_port, &destination))
        return nullptr;
    return coap_new_client_session(m_ctx, nullptr, &destination, COAP_PROTO_UDP);
}

void CoapClient::releaseSession(coap_session_t *session)
{
    if (!session)
        return;
    const QByteArray prefix = sessionKey(session);
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        if (it.key().startsWith(prefix))
            it = m_pending.erase(it);
        else
            ++it;
    }
    coap_session_release(session);
}

QByteArray CoapClient::key(const coap_session_t *session, const coap_pdu_t *pdu)
{
    const coap_bin_const_t token = coap_pdu_get_token(pdu);
    return sessionKey(session) + QByteArray(reinterpret_cast<const char *>(token.s), qsizetype(token.length));
}

bool CoapClient::request(coap_session_t *session, int method, const QByteArray &path, const QByteArray &payload,
                         bool observe, Handler handler)
{
    if (!m_ctx || !session)
        return false;
    coap_pdu_t *pdu = coap_new_pdu(COAP_MESSAGE_CON, coap_pdu_code_t(method), session);
    if (!pdu)
        return false;
    std::array<uint8_t, 8> token{};
    size_t tokenLength = 0;
    coap_session_new_token(session, &tokenLength, token.data());
    coap_add_token(pdu, tokenLength, token.data());
    std::array<uint8_t, 4> buffer{};
    if (observe)
        coap_add_option(pdu, COAP_OPTION_OBSERVE,
                        coap_encode_var_safe(buffer.data(), buffer.size(), COAP_OBSERVE_ESTABLISH), buffer.data());
    for (const QByteArray &segment : path.split('/')) {
        if (!segment.isEmpty())
            coap_add_option(pdu, COAP_OPTION_URI_PATH, size_t(segment.size()),
                            reinterpret_cast<const uint8_t *>(segment.constData()));
    }
    if (!payload.isEmpty()) {
        coap_add_option(pdu, COAP_OPTION_CONTENT_FORMAT,
                        coap_encode_var_safe(buffer.data(), buffer.size(), ContentFormatJson), buffer.data());
        coap_add_data(pdu, size_t(payload.size()), reinterpret_cast<const uint8_t *>(payload.constData()));
    }
    m_pending.insert(key(session, pdu), Pending{std::move(handler), observe});
    if (coap_send(session, pdu) == COAP_INVALID_MID) {
        m_pending.remove(sessionKey(session)
                         + QByteArray(reinterpret_cast<const char *>(token.data()), qsizetype(tokenLength)));
        return false;
    }
    rearm();
    return true;
}

void CoapClient::responseReceived(coap_session_t *session, const coap_pdu_t *received)
{
    const auto it = m_pending.find(key(session, received));
    if (it == m_pending.end())
        return;
    const coap_pdu_code_t code = coap_pdu_get_code(received);
    Response response;
    response.code = int(COAP_RESPONSE_CLASS(code)) * 100 + int(code & 0x1f);
    size_t length = 0;
    const uint8_t *data = nullptr;
    size_t offset = 0;
    size_t total = 0;
    if (coap_get_data_large(received, &length, &data, &offset, &total))
        response.payload = QByteArray(reinterpret_cast<const char *>(data), qsizetype(length));
    response.offset = qsizetype(offset);
    coap_block_b_t block{};
    response.more = coap_get_block_b(session, received, COAP_OPTION_BLOCK2, &block) && block.m;
    // The handler may send requests (and so change m_pending): take a copy first.
    const Handler handler = it->handler;
    // A refused observation ends like any request; an accepted one stays for its notifications.
    if ((!it->observe || response.code >= 300) && !response.more)
        m_pending.erase(it);
    handler(response);
}

void CoapClient::requestFailed(coap_session_t *session, const coap_pdu_t *sent)
{
    const auto it = m_pending.find(key(session, sent));
    if (it == m_pending.end())
        return;
    const Handler handler = it->handler;
    m_pending.erase(it);
    handler(Response{});
}

void CoapClient::process()
{
    if (!m_ctx || m_inLibcoap)
        return;
    m_inLibcoap = true;
    if (coap_io_process(m_ctx, COAP_IO_NO_WAIT) < 0)
        qCWarning(lcSimCoap) << "CoAP I/O failed";
    m_inLibcoap = false;
    rearm();
}

void CoapClient::rearm()
{
    if (!m_ctx || m_inLibcoap)
        return;
    coap_tick_t now = 0;
    coap_ticks(&now);
    m_inLibcoap = true;
    const unsigned int nextMs = coap_io_prepare_epoll(m_ctx, now);
    m_inLibcoap = false;
    if (nextMs > 0)
        m_ioTimer.start(std::chrono::milliseconds(nextMs));
    else
        m_ioTimer.stop();
}

} // namespace edgegate::sim
