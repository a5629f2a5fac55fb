// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/common/ratelimitedlog.h"
#include "gateway/core/devices/deviceauth.h"
#include "gateway/core/devices/devicestore.h"
#include "gateway/core/downlink/devicelink.h"
#include "gateway/core/ingest/ingest.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QSocketNotifier>
#include <QString>
#include <QTimer>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>

struct coap_context_t;
struct coap_session_t;
struct coap_resource_t;
struct coap_pdu_t;
struct coap_string_t;
struct coap_bin_const_t;

namespace edgegate {

class Counter;
class Gauge;
class Metrics;

/// The CoAP server (RFC 7252, Observe RFC 7641, discovery RFC 6690), driven by libcoap inside the
/// Qt event loop: a read notifier on libcoap's epoll descriptor and a timer armed for libcoap's next
/// deadline, no thread of its own. Devices post telemetry to /devices/{id}/telemetry and observe
/// /devices/{id}/commands; over DTLS the PSK identity, or the client certificate of the gateway CA,
/// decides which device a session may speak for.
class CoapLink : public QObject, public DeviceLink
{
    Q_OBJECT
public:
    struct Settings
    {
        bool enabled = true; ///< plain CoAP (UDP); DTLS is separate
        QString host = QStringLiteral("0.0.0.0");
        quint16 port = 5683;
        bool dtls = false;
        QString dtlsHost = QStringLiteral("0.0.0.0");
        quint16 dtlsPort = 5684;
        qsizetype maxPayloadBytes = 65536;
        /// Idle sessions past this many end, least recently used first; also the most sessions that
        /// observe a resource (a new observer past it gets 5.03).
        int maxSessions = 1000;
        int maxSessionsPerAddress = 64; ///< a peer address with more sessions than this gets 4.29
        std::chrono::milliseconds sessionIdle = std::chrono::minutes(5); ///< a session silent this long ends
        qsizetype dedupBytes = 4 * 1024 * 1024; ///< answers kept for repeated CONs, in all sessions
        /// DTLS handshakes under way at once; past it the oldest one is dropped.
        int maxHandshakes = 256;
    };

    using Psk = DevicePsk;
    using PskLookup = std::function<std::optional<Psk>(const QByteArray &identity)>;

    CoapLink(const Settings &settings, Ingest &ingest, PskLookup pskLookup, Metrics &metrics,
             QObject *parent = nullptr);
    ~CoapLink() override;
    CoapLink(const CoapLink &) = delete;
    CoapLink &operator=(const CoapLink &) = delete;

    /// Serves `path` (one segment, e.g. "rd") and every path below it with `handler`, for components
    /// with resources of their own. `attributes` (name, value as link format writes it) describe `path`
    /// in /.well-known/core. The handler sets the response code; the link counts it.
    using RequestHandler
        = std::function<void(coap_session_t *session, const coap_pdu_t *request, coap_pdu_t *response)>;
    void addHandler(const QByteArray &path, const QList<std::pair<QByteArray, QByteArray>> &attributes,
                    RequestHandler handler);
    /// The Uri-Path segments of a request.
    [[nodiscard]] static QList<QByteArray> requestPath(const coap_pdu_t *request);
    /// The values of every option `number` (e.g. Uri-Query) of a request, in order.
    [[nodiscard]] static QList<QByteArray> requestOptions(const coap_pdu_t *request, quint16 number);
    /// The CoAP response code (as 404 for 4.04) for an outcome, `successCode` when it was taken.
    [[nodiscard]] static int responseCode(const IngestResult &result, int successCode);

    /// Why a request on `session` may not speak for `deviceId` (a device with credentials on plain
    /// CoAP, a DTLS identity of another device), or nullopt when it may. Counted as bad input.
    [[nodiscard]] std::optional<IngestResult> sessionRefusal(coap_session_t *session, const QString &deviceId)
    {
        return admitSession(session, deviceId);
    }
    /// What a session that sessionRefusal() let through proved: nothing on plain CoAP, else its PSK or
    /// its certificate.
    [[nodiscard]] DeviceProof sessionProof(coap_session_t *session) const;

    /// Tells whether a device has credentials; such devices are refused on plain CoAP (4.03).
    void setCredentialCheck(std::function<bool(const QString &deviceId)> check) { m_hasCredentials = std::move(check); }

    /// DTLS with certificates beside PSK: clients present a certificate signed by `caPem`, the link
    /// presents `certificatePem` (and `keyPem`). Applies to the handshakes that follow; all three
    /// empty, or no DTLS, is PSK only. False with a reason when libcoap refuses them.
    bool setCertificates(const QByteArray &caPem, const QByteArray &certificatePem, const QByteArray &keyPem,
                         QString *error);
    /// Which device a client certificate (DER) proves now; asked at each handshake and each request,
    /// so a revoked certificate stops working at once. Without it no certificate is accepted.
    void setCertificateCheck(CertificateCheck check) { m_certificateCheck = std::move(check); }

    /// Binds the UDP (and DTLS) endpoints; false with a reason when one cannot be bound.
    bool start(QString *error);
    void stop();

    /// The ports actually bound (useful with port 0); 0 when not listening.
    [[nodiscard]] quint16 port() const { return m_boundPort; }
    [[nodiscard]] quint16 dtlsPort() const { return m_boundDtlsPort; }

    /// What GET /devices/{id}/ota answers: the latest notification, or `{}`.
    void setOtaState(std::function<QByteArray(const QString &deviceId)> state) { m_otaState = std::move(state); }

    [[nodiscard]] Protocol linkProtocol() const override { return Protocol::Coap; }
    /// (coapdownlink.cpp) A command goes to the observers of /devices/{id}/commands and stays that
    /// resource's state; an OTA notification tells the observers of /devices/{id}/ota that its state
    /// (setOtaState) changed. True when an observer took it; called from inside a CoAP handler, the
    /// observers are told on the next loop pass and false is returned.
    bool push(const QString &deviceId, Downlink kind, const QByteArray &payload) override;

    /// What one remembered answer to a CON counts against Settings::dedupBytes.
    static constexpr qsizetype AnswerBytes = 96;

private:
    /// A session budget frees up as idle sessions end: not worth trying again at once.
    static constexpr std::chrono::seconds SessionRetryAfter{30};

    /// An answered CON, by session serial (high 48 bits) and message id (low 16).
    using ExchangeKey = quint64;
    struct Answer
    {
        IngestResult result; ///< without its detail, which the answer does not carry
        std::chrono::steady_clock::time_point expires;
    };
    struct SessionState
    {
        quint64 serial = 0; ///< never reused, unlike the session's address
        QByteArray address; ///< the peer's IP address, without the port
        bool observing = false;
        bool dtlsConnected = false;
        bool dtlsFailureCounted = false;
        bool handshaking = false; ///< a DTLS session whose handshake has not completed
        QByteArray certificate; ///< the client certificate (DER) its handshake presented
    };
    /// What libcoap was given for certificates: it keeps pointers into these.
    struct Certificates
    {
        QByteArray ca;
        QByteArray certificate;
        QByteArray key;
    };
    struct Handler
    {
        QList<std::pair<QByteArray, QByteArray>> attributes;
        RequestHandler handle;
    };
    /// A device's observable downlink resource: libcoap owns the resource.
    struct Observable
    {
        coap_resource_t *resource = nullptr;
        QByteArray state; ///< commands: the one an observer took last
    };

    friend struct CoapCallbacks; // libcoap's C callbacks, defined next to the link
    friend struct CoapDownlinkCallbacks; // the same for the downlink resources, in coapdownlink.cpp

    bool bind(bool dtls, QString *error);
    void process();
    void rearm();
    /// Telemetry and command acks: a device's POST, answered once even when its CON is repeated.
    void handleDeviceMessage(coap_session_t *session, const coap_pdu_t *request, coap_pdu_t *response,
                             const QByteArray &deviceId, MessageKind kind);
    IngestResult messageResult(coap_session_t *session, const coap_pdu_t *request, const QByteArray &rawId,
                               MessageKind kind);
    void handleUnknown(coap_session_t *session, const coap_pdu_t *request, coap_pdu_t *response);
    void addHandlerResource(const QByteArray &path, const Handler &handler);
    void runHandler(const Handler &handler, coap_session_t *session, const coap_pdu_t *request, coap_pdu_t *response);
    const coap_bin_const_t *pskForIdentity(const coap_bin_const_t *identity, coap_session_t *session);
    bool applyCertificates(QString *error);
    bool applyPsk(QString *error);
    /// libcoap's check of each certificate in a client's chain (depth 0 is the client's own).
    bool acceptCertificate(const QByteArray &der, coap_session_t *session, unsigned int depth, bool validated);
    std::optional<IngestResult> admitSession(coap_session_t *session, const QString &deviceId);
    void respond(coap_pdu_t *response, const IngestResult &result);
    void count(int code);
    void sessionEvent(coap_session_t *session, int event);
    coap_resource_t *newDownlinkResource(const QByteArray &path, Downlink kind);
    /// The device's resource of `kind`, made on first use.
    Observable &observable(const QString &deviceId, Downlink kind);
    void handleDownlinkGet(coap_session_t *session, const coap_pdu_t *request, coap_pdu_t *response,
                           const QString &deviceId, Downlink kind);
    void dtlsFailed(coap_session_t *session, const char *what);
    /// False, with `response` set to 4.29, when the session's address holds more than its share of sessions.
    bool withinShare(coap_session_t *session, coap_pdu_t *response);
    void sessionStarted(coap_session_t *session);
    void sessionEnded(coap_session_t *session);
    /// Ends the handshake under way longest, other than `keep`'s, to make room for a new one.
    void dropOldestHandshake(coap_session_t *keep);
    [[nodiscard]] const Answer *rememberedAnswer(quint64 serial, int mid, std::chrono::steady_clock::time_point now);
    void remember(quint64 serial, int mid, const IngestResult &result, std::chrono::steady_clock::time_point now);
    void forgetOldAnswers(std::chrono::steady_clock::time_point now);
    /// Drops the oldest entry of the answer order; true when it was still a remembered answer.
    bool forgetOldest();

    Settings m_settings;
    Ingest &m_ingest;
    PskLookup m_pskLookup;
    std::function<bool(const QString &)> m_hasCredentials;
    Metrics &m_metrics;
    coap_context_t *m_ctx = nullptr;
    std::unique_ptr<QSocketNotifier> m_notifier;
    QTimer m_ioTimer;
    quint16 m_boundPort = 0;
    quint16 m_boundDtlsPort = 0;
    bool m_inLibcoap = false;
    QString m_countingDevice; ///< while push() counts the notifications it sends
    int m_notified = 0;
    quint64 m_answered = 0; ///< requests answered, to tell whether a libcoap pass did any work
    QByteArray m_pskKey; ///< the key last handed to libcoap, which copies it
    std::unique_ptr<coap_bin_const_t> m_pskKeyView;
    QByteArray m_unusedPskKey; ///< libcoap's default PSK, which the identity callback never lets it use
    Certificates m_certificates; ///< what setCertificates() was given
    Certificates m_certificatesInUse; ///< what libcoap points into now
    CertificateCheck m_certificateCheck;
    int m_handshakes = 0;
    QHash<coap_session_t *, SessionState> m_sessions;
    int m_sessionCount = 0;
    int m_observing = 0; ///< sessions that observed a resource
    quint64 m_nextSerial = 1;
    QHash<QByteArray, int> m_sessionsByAddress;
    QHash<ExchangeKey, Answer> m_answers;
    std::deque<std::pair<ExchangeKey, std::chrono::steady_clock::time_point>> m_answerOrder; ///< oldest first
    QHash<quint64, int> m_rememberedBySession; ///< by serial, while any of its answers are kept
    qsizetype m_answerBytes = 0;
    QHash<QByteArray, Handler> m_handlers; ///< by first path segment
    std::function<QByteArray(const QString &)> m_otaState;
    std::array<QHash<QString, Observable>, 2> m_observables; ///< by Downlink, then device
    QHash<int, Counter *> m_requestsByCode;
    RateLimitedLog m_warnings;
    Gauge &m_sessionsGauge;
    Gauge &m_handshakesGauge;
    Counter &m_handshakesDropped;
    Counter &m_dtlsFailures;
    Counter &m_duplicates;
    Counter &m_dedupEvicted;
};

} // namespace edgegate
