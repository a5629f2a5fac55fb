// SPDX-License-Identifier: Apache-2.0
#include "gateway/devicelinks/coap/coaplink.h"

#include "gateway/devicelinks/coap/coapcallbacks.h"

#include "gateway/core/common/metrics.h"
#include "gateway/core/ingest/receiveclock.h"
#include "shared/deviceid.h"

#include <QHostAddress>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QtEndian>

#include <coap3/coap.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace edgegate {

using namespace Qt::StringLiterals;
using coapdetail::remoteAddress;
using coapdetail::shownId;

Q_LOGGING_CATEGORY(lcCoap, "edgegate.coap")

namespace {

// RFC 7252 EXCHANGE_LIFETIME (247 s with the default transmission parameters): a retransmitted CON
// cannot arrive later than this. The per-session cap keeps one peer cycling message ids from taking
// the whole answer budget (coap.dedup_memory).
constexpr auto ExchangeLifetime = std::chrono::seconds(247);
constexpr int MaxRememberedExchanges = 250;

const QByteArray DevicesSegment = QByteArrayLiteral("devices");
const QByteArray TelemetrySegment = QByteArrayLiteral("telemetry");
const QByteArray AckSegment = QByteArrayLiteral("ack");
const QByteArray CommandsSegment = QByteArrayLiteral("commands");
const QByteArray OtaSegment = QByteArrayLiteral("ota");
const QByteArray ProgressSegment = QByteArrayLiteral("progress");
const QByteArray MetaSegment = QByteArrayLiteral("meta");

/// Where devices send their messages: /devices/{id}/ and then `below`, with POST (and PUT where `put`).
struct DeviceMessageResource
{
    QList<QByteArray> below;
    MessageKind kind;
    bool put;
};

const DeviceMessageResource DeviceMessageResources[] = {
    {{MetaSegment}, MessageKind::Meta, true},
    {{TelemetrySegment}, MessageKind::Telemetry, true},
    {{CommandsSegment, AckSegment}, MessageKind::CommandAck, false},
    {{OtaSegment, ProgressSegment}, MessageKind::OtaProgress, false},
};

// The one place a link-level or ingest outcome becomes a CoAP response code (as e.g. 404 for 4.04).
int codeFor(const IngestResult &result, int successCode)
{
    switch (result.outcome) {
    case IngestResult::Outcome::Accepted:
    case IngestResult::Outcome::Held:
        return successCode;
    case IngestResult::Outcome::Denied:
        return 403;
    case IngestResult::Outcome::Busy:
    case IngestResult::Outcome::Overloaded:
        return 503;
    case IngestResult::Outcome::Throttled:
        return 429;
    case IngestResult::Outcome::BadInput:
        break;
    }
    switch (result.bad) {
    case BadInput::TooLarge:
    case BadInput::BlockwiseUnsupported:
        return 413;
    case BadInput::UnsupportedContentFormat:
    case BadInput::UnsupportedFormat:
        return 415;
    case BadInput::Unauthorized: // over plain CoAP or DTLS, a device without the right key may do nothing
    case BadInput::ForbiddenDevice:
        return 403;
    case BadInput::UnknownResource:
    case BadInput::UnknownRegistration:
        return 404;
    case BadInput::MethodNotAllowed:
        return 405;
    default:
        return 400;
    }
}

QString codeText(int code)
{
    return u"%1.%2"_s.arg(code / 100).arg(code % 100, 2, 10, QChar(u'0'));
}

QList<QByteArray> optionValues(const coap_pdu_t *request, coap_option_num_t number)
{
    QList<QByteArray> segments;
    coap_opt_filter_t filter;
    coap_option_filter_clear(&filter);
    coap_option_filter_set(&filter, number);
    coap_opt_iterator_t it;
    if (!coap_option_iterator_init(request, &it, &filter))
        return segments;
    while (const coap_opt_t *opt = coap_option_next(&it)) {
        segments.append(
            QByteArray(reinterpret_cast<const char *>(coap_opt_value(opt)), qsizetype(coap_opt_length(opt))));
    }
    return segments;
}

QString methodDetail(coap_pdu_code_t method, const QList<QByteArray> &path)
{
    return u"CoAP method %1 on '/%2'"_s.arg(codeText(int(method)), shownId(path.join('/')));
}

QString addressText(const QByteArray &address)
{
    if (address.size() == 4)
        return QHostAddress(qFromBigEndian<quint32>(address.constData())).toString();
    if (address.size() == 16)
        return QHostAddress(reinterpret_cast<const quint8 *>(address.constData())).toString();
    return {};
}

bool makeAddress(const QString &host, quint16 port, coap_address_t *out)
{
    QHostAddress address(host);
    if (address.isNull() && host == u"localhost")
        address = QHostAddress(QHostAddress::LocalHost);
    if (address.isNull())
        return false;
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

// libcoap reports an endpoint as "address:port" (the address bracketed for IPv6) and its protocol,
// with the port the socket really got: the only public way to learn the port picked for port 0.
quint16 boundPort(const coap_endpoint_t *endpoint)
{
    const QByteArray text(coap_endpoint_str(endpoint));
    const QByteArray address = text.left(text.indexOf(' '));
    return quint16(address.mid(address.lastIndexOf(':') + 1).toUInt());
}

void logFromLibcoap(coap_log_t level, const char *message)
{
    const QString text = QString::fromUtf8(message).trimmed();
    // Its warnings are about peers (bad packets, failed handshakes): the link counts and reports those
    // itself at a limited rate, so only libcoap's own critical conditions are warnings here. A reset
    // is a peer's (libcoap 4.3.1 logs each as an alert), and even critical lines come at a limited rate.
    static RateLimitedLog critical;
    if (level > LOG_CRIT || text.startsWith(u"got RST"_s)) {
        qCDebug(lcCoap).noquote() << "libcoap:" << text;
    } else if (const auto suppressed = critical.allow(u"libcoap"_s)) {
        qCWarning(lcCoap).noquote() << "libcoap:" << loggable(text, 300) << moreSince(*suppressed);
    }
}

void setAttribute(coap_resource_t *resource, const char *name, const QByteArray &value)
{
    coap_add_attr(resource, coap_new_str_const(reinterpret_cast<const uint8_t *>(name), std::strlen(name)),
                  coap_new_str_const(reinterpret_cast<const uint8_t *>(value.constData()), size_t(value.size())),
                  COAP_ATTR_FLAGS_RELEASE_NAME | COAP_ATTR_FLAGS_RELEASE_VALUE);
}

coap_resource_t *newResource(const QByteArray &path, int flags)
{
    coap_str_const_t *uri
        = coap_new_str_const(reinterpret_cast<const uint8_t *>(path.constData()), size_t(path.size()));
    return coap_resource_init(uri, flags | COAP_RESOURCE_FLAGS_RELEASE_URI);
}

} // namespace

namespace coapdetail {

QString shownId(const QByteArray &raw)
{
    QString out = QString::fromUtf8(raw.left(80));
    for (QChar &c : out) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            c = u'?';
    }
    return out;
}

QByteArray remoteAddress(const coap_session_t *session)
{
    const coap_address_t *address = coap_session_get_addr_remote(session);
    if (!address)
        return {};
    if (address->addr.sa.sa_family == AF_INET)
        return QByteArray(reinterpret_cast<const char *>(&address->addr.sin.sin_addr), sizeof(in_addr));
    if (address->addr.sa.sa_family == AF_INET6) {
        const auto *bytes = reinterpret_cast<const char *>(&address->addr.sin6.sin6_addr);
        // An IPv4 peer on a dual-stack socket counts as that IPv4 address.
        if (IN6_IS_ADDR_V4MAPPED(&address->addr.sin6.sin6_addr))
            return QByteArray(bytes + 12, 4);
        return QByteArray(bytes, sizeof(in6_addr));
    }
    return {};
}

} // namespace coapdetail

CoapLink::CoapLink(const Settings &settings, Ingest &ingest, PskLookup pskLookup, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_ingest(ingest)
    , m_pskLookup(std::move(pskLookup))
    , m_metrics(metrics)
    , m_pskKeyView(std::make_unique<coap_bin_const_t>())
    , m_sessionsGauge(metrics.gauge(u"edgegate_coap_sessions"_s, u"CoAP and DTLS peers with a session."_s))
    , m_handshakesGauge(metrics.gauge(u"edgegate_coap_dtls_handshakes"_s,
                                      u"DTLS sessions whose handshake has not completed (coap.max_handshakes)."_s))
    , m_handshakesDropped(metrics.counter(u"edgegate_coap_dtls_handshakes_dropped_total"_s,
                                          u"DTLS handshakes ended unfinished, oldest first, to stay within "
                                          "coap.max_handshakes."_s))
    , m_dtlsFailures(metrics.counter(u"edgegate_coap_dtls_failures_total"_s,
                                     u"DTLS handshakes or records that failed (wrong key, unknown identity)."_s))
    , m_duplicates(metrics.counter(u"edgegate_coap_duplicates_total"_s,
                                   u"Retransmitted CON requests answered again without ingesting them twice."_s))
    , m_dedupEvicted(metrics.counter(u"edgegate_coap_dedup_evicted_total"_s,
                                     u"Answers to CON requests forgotten before their exchange lifetime because "
                                     "coap.dedup_memory was full."_s))
{
    static const bool libInit = [] {
        coap_startup();
        coap_set_log_handler(&logFromLibcoap);
        // libcoap's detail (sessions, handshake steps; not PDU dumps) only when our debug output is on.
        coap_set_log_level(lcCoap().isDebugEnabled() ? LOG_INFO : LOG_WARNING);
        return true;
    }();
    Q_UNUSED(libInit);

    m_ioTimer.setSingleShot(true);
    connect(&m_ioTimer, &QTimer::timeout, this, &CoapLink::process);
    // Any device the gateway accepted (on whichever protocol) can observe its commands and OTA over CoAP.
    connect(&m_ingest, &Ingest::telemetryAccepted, this, [this](const Envelope &envelope) {
        if (m_ctx) {
            observable(envelope.deviceId, Downlink::Command);
            observable(envelope.deviceId, Downlink::Ota);
        }
    });
}

CoapLink::~CoapLink()
{
    stop();
}

bool CoapLink::start(QString *error)
{
    stop();
    m_ctx = coap_new_context(nullptr);
    if (!m_ctx) {
        if (error)
            *error = u"cannot create a CoAP context"_s;
        return false;
    }
    coap_set_app_data(m_ctx, this);
    coap_register_event_handler(m_ctx, &CoapCallbacks::event);
    // libcoap ends the least recently used idle session to make room for a new one, so junk from
    // many ports cannot keep a real device out; sessions with observers are not idle.
    coap_context_set_max_idle_sessions(m_ctx, unsigned(m_settings.maxSessions));
    coap_context_set_session_timeout(
        m_ctx, unsigned(std::max<qint64>(1, std::chrono::ceil<std::chrono::seconds>(m_settings.sessionIdle).count())));
    // libcoap ignores new peers past its own limit; the link drops the oldest handshake first
    // (dropOldestHandshake), so libcoap's limit is only reached by hellos that never answered.
    coap_context_set_max_handshake_sessions(m_ctx, unsigned(m_settings.maxHandshakes) + 1);

    if (m_settings.dtls) {
        if (!applyCertificates(error) || !applyPsk(error)) {
            stop();
            return false;
        }
    }
    if ((m_settings.enabled && !bind(false, error)) || (m_settings.dtls && !bind(true, error))) {
        stop();
        return false;
    }

    // Discovery templates: they make /.well-known/core describe the per-device resources, which
    // libcoap cannot register with a wildcard. Their "{id}" is never a valid id, so using them is 4.00.
    const auto addTemplate = [this](const QByteArray &path, coap_method_handler_t handler,
                                    const QByteArray &contentFormats, const QByteArray &resourceType) {
        coap_resource_t *resource = newResource(path, 0);
        coap_register_request_handler(resource, COAP_REQUEST_POST, handler);
        coap_register_request_handler(resource, COAP_REQUEST_PUT, handler);
        setAttribute(resource, "ct", contentFormats);
        setAttribute(resource, "rt", resourceType);
        coap_add_resource(m_ctx, resource);
    };
    addTemplate(QByteArrayLiteral("devices/{id}/telemetry"), &CoapCallbacks::deviceMessage<MessageKind::Telemetry>,
                QByteArrayLiteral("\"50 60 110 112\""), QByteArrayLiteral("\"edgegate.telemetry\""));
    addTemplate(QByteArrayLiteral("devices/{id}/meta"), &CoapCallbacks::deviceMessage<MessageKind::Meta>,
                QByteArrayLiteral("\"50 60\""), QByteArrayLiteral("\"edgegate.meta\""));
    newDownlinkResource(QByteArrayLiteral("devices/{id}/commands"), Downlink::Command);

    for (auto it = m_handlers.cbegin(); it != m_handlers.cend(); ++it)
        addHandlerResource(it.key(), *it);

    // Everything else arrives here and is dispatched by path: telemetry of every device, and the
    // refusals (unknown paths, invalid ids) that must be counted rather than answered by libcoap alone.
    coap_resource_t *unknown = coap_resource_unknown_init2(&CoapCallbacks::unknown, 0);
    for (const coap_request_t method : {COAP_REQUEST_GET, COAP_REQUEST_POST, COAP_REQUEST_DELETE, COAP_REQUEST_FETCH,
                                        COAP_REQUEST_PATCH, COAP_REQUEST_IPATCH})
        coap_register_request_handler(unknown, method, &CoapCallbacks::unknown);
    coap_add_resource(m_ctx, unknown);

    const int fd = coap_context_get_coap_fd(m_ctx);
    if (fd < 0) {
        if (error)
            *error = u"libcoap was built without epoll: it cannot run inside the event loop"_s;
        stop();
        return false;
    }
    m_notifier = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, &CoapLink::process);
    for (auto &observables : m_observables) {
        for (Observable &o : observables)
            o.resource = nullptr;
    }
    rearm();
    if (port() != 0)
        qCInfo(lcCoap).noquote() << "CoAP on" << u"coap://%1:%2"_s.arg(m_settings.host).arg(port());
    if (dtlsPort() != 0)
        qCInfo(lcCoap).noquote() << (m_certificatesInUse.ca.isEmpty() ? "CoAP over DTLS (PSK) on"
                                                                      : "CoAP over DTLS (PSK and certificates) on")
                                 << u"coaps://%1:%2"_s.arg(m_settings.dtlsHost).arg(dtlsPort());
    return true;
}

bool CoapLink::bind(bool dtls, QString *error)
{
    const QString &host = dtls ? m_settings.dtlsHost : m_settings.host;
    const quint16 port = dtls ? m_settings.dtlsPort : m_settings.port;
    const QString where = u"%1 %2:%3"_s.arg(dtls ? u"DTLS"_s : u"UDP"_s, host).arg(port);
    coap_address_t address;
    if (!makeAddress(host, port, &address)) {
        if (error)
            *error = u"cannot listen on %1: not an IP address"_s.arg(where);
        return false;
    }
    errno = 0;
    coap_endpoint_t *endpoint = coap_new_endpoint(m_ctx, &address, dtls ? COAP_PROTO_DTLS : COAP_PROTO_UDP);
    if (!endpoint) {
        const int bindErrno = errno;
        if (error) {
            *error = u"cannot listen on %1: %2"_s.arg(
                where, bindErrno ? QString::fromLocal8Bit(std::strerror(bindErrno)) : u"libcoap refused"_s);
        }
        return false;
    }
    const quint16 actual = boundPort(endpoint);
    (dtls ? m_boundDtlsPort : m_boundPort) = actual;
    qCInfo(lcCoap).noquote() << "listening on" << (dtls ? "DTLS" : "UDP") << u"%1:%2"_s.arg(host).arg(actual);
    return true;
}

void CoapLink::stop()
{
    m_ioTimer.stop();
    if (m_notifier) {
        // stop() may run from inside the notifier's own activation: let the loop delete it.
        m_notifier->setEnabled(false);
        m_notifier.release()->deleteLater();
    }
    if (m_ctx) {
        coap_context_t *ctx = m_ctx;
        m_ctx = nullptr;
        // Frees every session and resource; the session events it raises still find this link.
        coap_free_context(ctx);
    }
    m_certificatesInUse = {};
    m_sessions.clear();
    m_sessionsByAddress.clear();
    m_sessionCount = 0;
    m_handshakes = 0;
    m_handshakesGauge.set(0);
    m_observing = 0;
    m_sessionsGauge.set(0);
    m_answers.clear();
    m_rememberedBySession.clear();
    m_answerOrder.clear();
    m_answerBytes = 0;
    for (auto &observables : m_observables) {
        for (Observable &o : observables)
            o.resource = nullptr;
    }
    m_boundPort = 0;
    m_boundDtlsPort = 0;
}

void CoapLink::process()
{
    if (!m_ctx || m_inLibcoap)
        return;
    // libcoap reads one datagram per ready socket per call: keep calling while calls answer
    // requests, so a burst costs one wake-up and one re-arm rather than one per datagram.
    constexpr int MaxBatch = 64;
    int rc = 0;
    m_inLibcoap = true;
    for (int i = 0; i < MaxBatch; ++i) {
        const quint64 before = m_answered;
        rc = coap_io_process(m_ctx, COAP_IO_NO_WAIT);
        if (rc < 0 || m_answered == before)
            break;
    }
    m_inLibcoap = false;
    if (rc < 0) {
        if (const auto suppressed = m_warnings.allow(u"io"_s))
            qCWarning(lcCoap) << "CoAP I/O failed"
                              << "(" << *suppressed << "similar suppressed)";
    }
    rearm();
}

void CoapLink::rearm()
{
    if (!m_ctx)
        return;
    // Also sends what is due now (notifications, retransmissions) and reaps idle sessions.
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

const CoapLink::Answer *CoapLink::rememberedAnswer(quint64 serial, int mid, std::chrono::steady_clock::time_point now)
{
    forgetOldAnswers(now);
    const auto it = m_answers.constFind((serial << 16) | quint16(mid));
    return it == m_answers.cend() ? nullptr : &*it;
}

void CoapLink::remember(quint64 serial, int mid, const IngestResult &result, std::chrono::steady_clock::time_point now)
{
    // A peer past its share is simply not remembered: a repeat of its CON would be taken again.
    if (m_settings.dedupBytes < AnswerBytes || m_rememberedBySession.value(serial) >= MaxRememberedExchanges)
        return;
    int &remembered = m_rememberedBySession[serial];
    const ExchangeKey key = (serial << 16) | quint16(mid);
    IngestResult kept = result;
    kept.detail.clear();
    const auto expires = now + ExchangeLifetime;
    if (!m_answers.contains(key)) {
        ++remembered;
        m_answerBytes += AnswerBytes;
    }
    m_answers.insert(key, Answer{std::move(kept), expires});
    m_answerOrder.emplace_back(key, expires);
    while (m_answerBytes > m_settings.dedupBytes && !m_answerOrder.empty()) {
        if (forgetOldest())
            m_dedupEvicted.inc();
    }
}

void CoapLink::forgetOldAnswers(std::chrono::steady_clock::time_point now)
{
    while (!m_answerOrder.empty() && m_answerOrder.front().second <= now)
        forgetOldest();
}

bool CoapLink::forgetOldest()
{
    const auto [key, expires] = m_answerOrder.front();
    m_answerOrder.pop_front();
    // A key answered again later has a newer entry further on: this one is stale.
    const auto it = m_answers.find(key);
    if (it == m_answers.end() || it->expires != expires)
        return false;
    m_answers.erase(it);
    m_answerBytes -= AnswerBytes;
    if (const auto count = m_rememberedBySession.find(key >> 16); count != m_rememberedBySession.end() && --*count <= 0)
        m_rememberedBySession.erase(count);
    return true;
}

void CoapLink::addHandler(const QByteArray &path, const QList<std::pair<QByteArray, QByteArray>> &attributes,
                          RequestHandler handler)
{
    const Handler &added = *m_handlers.insert(path, Handler{attributes, std::move(handler)});
    if (m_ctx)
        addHandlerResource(path, added);
}

void CoapLink::addHandlerResource(const QByteArray &path, const Handler &handler)
{
    // The path itself is a real resource (so discovery lists it); paths below it reach handleUnknown.
    coap_resource_t *resource = newResource(path, 0);
    for (const coap_request_t method : {COAP_REQUEST_GET, COAP_REQUEST_POST, COAP_REQUEST_PUT, COAP_REQUEST_DELETE})
        coap_register_request_handler(resource, method, &CoapCallbacks::added);
    for (const auto &[name, value] : handler.attributes)
        setAttribute(resource, name.constData(), value);
    coap_add_resource(m_ctx, resource);
}

QList<QByteArray> CoapLink::requestPath(const coap_pdu_t *request)
{
    return optionValues(request, COAP_OPTION_URI_PATH);
}

QList<QByteArray> CoapLink::requestOptions(const coap_pdu_t *request, quint16 number)
{
    return optionValues(request, number);
}

int CoapLink::responseCode(const IngestResult &result, int successCode)
{
    return codeFor(result, successCode);
}

void CoapLink::runHandler(const Handler &handler, coap_session_t *session, const coap_pdu_t *request,
                          coap_pdu_t *response)
{
    handler.handle(session, request, response);
    const coap_pdu_code_t code = coap_pdu_get_code(response);
    count(int(COAP_RESPONSE_CLASS(code)) * 100 + int(code & 0x1f));
}

void CoapLink::handleUnknown(coap_session_t *session, const coap_pdu_t *request, coap_pdu_t *response)
{
    const QList<QByteArray> path = requestPath(request);
    const coap_pdu_code_t method = coap_pdu_get_code(request);
    if (!path.isEmpty()) {
        if (const auto it = m_handlers.constFind(path.front()); it != m_handlers.cend()) {
            runHandler(*it, session, request, response);
            return;
        }
    }
    for (const DeviceMessageResource &resource : DeviceMessageResources) {
        if (path.size() != 2 + resource.below.size() || path[0] != DevicesSegment
            || !std::equal(resource.below.cbegin(), resource.below.cend(), path.cbegin() + 2))
            continue;
        if (method == COAP_REQUEST_CODE_POST || (resource.put && method == COAP_REQUEST_CODE_PUT))
            handleDeviceMessage(session, request, response, path[1], resource.kind);
        else
            respond(response,
                    m_ingest.reject(Protocol::Coap, BadInput::MethodNotAllowed, {}, methodDetail(method, path)));
        return;
    }
    if (path.size() == 3 && path[0] == DevicesSegment && (path[2] == CommandsSegment || path[2] == OtaSegment)
        && !isValidDeviceId(QString::fromUtf8(path[1]))) {
        respond(response,
                m_ingest.reject(Protocol::Coap, BadInput::InvalidDeviceId, {},
                                u"CoAP path id '%1'"_s.arg(shownId(path[1]))));
        return;
    }
    // Includes /devices/{id}/commands of a device the gateway has not seen yet: its resource is
    // created on its first accepted message or first command.
    QByteArray joined = path.isEmpty() ? QByteArray() : path.join('/');
    respond(response,
            m_ingest.reject(Protocol::Coap, BadInput::UnknownResource, {}, u"CoAP path '/%1'"_s.arg(shownId(joined))));
}

void CoapLink::handleDeviceMessage(coap_session_t *session, const coap_pdu_t *request, coap_pdu_t *response,
                                   const QByteArray &deviceId, MessageKind kind)
{
    // libcoap 4.3.1 hands a retransmitted CON to the handler again (it only catches duplicates of
    // requests it answers separately), so the link remembers its answers per session.
    const bool confirmable = coap_pdu_get_type(request) == COAP_MESSAGE_CON;
    const int mid = coap_pdu_get_mid(request);
    const auto now = std::chrono::steady_clock::now();
    // By serial, not by the session: handling the message may change m_sessions.
    const auto state = m_sessions.constFind(session);
    const bool remembering = confirmable && state != m_sessions.cend();
    const quint64 serial = remembering ? state->serial : 0;
    if (remembering) {
        if (const Answer *answer = rememberedAnswer(serial, mid, now)) {
            m_duplicates.inc();
            respond(response, answer->result);
            return;
        }
    }
    const IngestResult result = messageResult(session, request, deviceId, kind);
    respond(response, result);
    if (remembering)
        remember(serial, mid, result, now);
}

IngestResult CoapLink::messageResult(coap_session_t *session, const coap_pdu_t *request, const QByteArray &rawId,
                                     MessageKind kind)
{
    const QString deviceId = QString::fromUtf8(rawId);
    if (!isValidDeviceId(deviceId))
        return m_ingest.reject(Protocol::Coap, BadInput::InvalidDeviceId, {},
                               u"CoAP path id '%1'"_s.arg(shownId(rawId)));
    if (auto refused = admitSession(session, deviceId))
        return *refused;

    coap_opt_iterator_t it;
    if (coap_check_option(request, COAP_OPTION_BLOCK1, &it)) {
        return m_ingest.reject(Protocol::Coap, BadInput::BlockwiseUnsupported, deviceId,
                               u"block-wise transfer (Block1) is not supported"_s);
    }
    size_t length = 0;
    const uint8_t *data = nullptr;
    if (!coap_get_data(request, &length, &data))
        length = 0;
    if (length > size_t(m_settings.maxPayloadBytes)) {
        return m_ingest.reject(Protocol::Coap, BadInput::TooLarge, deviceId,
                               u"%1 bytes, more than %2"_s.arg(length).arg(m_settings.maxPayloadBytes));
    }

    PayloadFormat format = PayloadFormat::Auto;
    if (const coap_opt_t *opt = coap_check_option(request, COAP_OPTION_CONTENT_FORMAT, &it)) {
        const unsigned int contentFormat = coap_decode_var_bytes(coap_opt_value(opt), coap_opt_length(opt));
        switch (contentFormat) {
        case COAP_MEDIATYPE_APPLICATION_JSON:
            format = PayloadFormat::Json;
            break;
        case COAP_MEDIATYPE_APPLICATION_CBOR:
            format = PayloadFormat::Cbor;
            break;
        case COAP_MEDIATYPE_APPLICATION_SENML_JSON:
        case COAP_MEDIATYPE_APPLICATION_SENML_CBOR:
            if (kind == MessageKind::Meta) {
                return m_ingest.reject(Protocol::Coap, BadInput::UnsupportedContentFormat, deviceId,
                                       u"meta is JSON (50) or CBOR (60), not content format %1"_s.arg(contentFormat));
            }
            format = contentFormat == COAP_MEDIATYPE_APPLICATION_SENML_JSON ? PayloadFormat::SenmlJson
                                                                            : PayloadFormat::SenmlCbor;
            break;
        default:
            return m_ingest.reject(Protocol::Coap, BadInput::UnsupportedContentFormat, deviceId,
                                   u"content format %1"_s.arg(contentFormat));
        }
    }

    InboundMessage message;
    message.receivedMono = std::chrono::steady_clock::now();
    message.receivedAtNs = wallClockNs();
    message.protocol = Protocol::Coap;
    message.deviceId = deviceId;
    message.kind = kind;
    message.format = format;
    message.qos = coap_pdu_get_type(request) == COAP_MESSAGE_CON ? 1 : 0;
    message.payload = QByteArray(reinterpret_cast<const char *>(data), qsizetype(length));
    message.proof = sessionProof(session);
    if (const auto state = m_sessions.constFind(session); state != m_sessions.cend())
        message.source = addressText(state->address);
    return m_ingest.handle(message);
}

void CoapLink::respond(coap_pdu_t *response, const IngestResult &result)
{
    const int code = codeFor(result, 204);
    coap_pdu_set_code(response, static_cast<coap_pdu_code_t>(COAP_RESPONSE_CODE(code)));
    uint8_t buf[4];
    if (result.outcome == IngestResult::Outcome::BadInput && result.bad == BadInput::TooLarge) {
        coap_add_option(response, COAP_OPTION_SIZE1,
                        coap_encode_var_safe(buf, sizeof(buf), unsigned(m_settings.maxPayloadBytes)), buf);
    } else if (code == 503 || code == 429) {
        // RFC 8516: Max-Age tells when another try may work.
        const auto retry = unsigned(std::max<qint64>(1, result.retryAfter.count()));
        coap_add_option(response, COAP_OPTION_MAXAGE, coap_encode_var_safe(buf, sizeof(buf), retry), buf);
    }
    if (code >= 400) {
        // A diagnostic payload (RFC 7252 5.5.2): the reason, as counted in the metrics.
        const QByteArray reason = result.code().toUtf8();
        coap_add_data(response, size_t(reason.size()), reinterpret_cast<const uint8_t *>(reason.constData()));
    }
    count(code);
}

void CoapLink::count(int code)
{
    ++m_answered;
    Counter *&counter = m_requestsByCode[code];
    if (!counter) {
        counter = &m_metrics.counter(u"edgegate_coap_requests_total"_s, u"CoAP requests by response code."_s,
                                     {{u"code"_s, codeText(code)}});
    }
    counter->inc();
}

} // namespace edgegate
