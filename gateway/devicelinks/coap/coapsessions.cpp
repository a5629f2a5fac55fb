// SPDX-License-Identifier: Apache-2.0
// The sessions of CoapLink: their events and shares, DTLS handshakes with PSKs or certificates, and
// what each session proves about the device that speaks on it.
#include "gateway/devicelinks/coap/coapcallbacks.h"

#include "gateway/core/common/metrics.h"
#include "gateway/core/common/ratelimitedlog.h"

#include <QLoggingCategory>
#include <QRandomGenerator>

#include <algorithm>
#include <utility>

namespace edgegate {

using namespace Qt::StringLiterals;
using coapdetail::remoteAddress;
using coapdetail::shownId;

Q_DECLARE_LOGGING_CATEGORY(lcCoap)

namespace {

constexpr qsizetype MaxIdentityBytes = 128;

} // namespace

void CoapLink::sessionEvent(coap_session_t *session, int event)
{
    qCDebug(lcCoap).noquote() << "event" << Qt::hex << Qt::showbase << event << "on" << coap_session_str(session);
    switch (event) {
    case COAP_EVENT_SERVER_SESSION_NEW:
        sessionStarted(session);
        break;
    case COAP_EVENT_SERVER_SESSION_DEL:
        sessionEnded(session);
        break;
    case COAP_EVENT_DTLS_CONNECTED:
        if (SessionState &state = m_sessions[session]; !state.dtlsConnected) {
            state.dtlsConnected = true;
            if (std::exchange(state.handshaking, false))
                --m_handshakes;
        }
        break;
    case COAP_EVENT_DTLS_ERROR:
        dtlsFailed(session, "DTLS handshake failed with");
        break;
    case COAP_EVENT_DTLS_CLOSED:
        // A wrong key shows only here: DTLS drops records it cannot authenticate without an alert
        // (RFC 6347 4.1.2.7), so the handshake just never completes and libcoap gives up on it.
        if (m_ctx && !m_sessions.value(session).dtlsConnected)
            dtlsFailed(session, "DTLS handshake did not complete with");
        break;
    default:
        break;
    }
    m_sessionsGauge.set(m_sessionCount);
    m_handshakesGauge.set(m_handshakes);
}

void CoapLink::sessionStarted(coap_session_t *session)
{
    ++m_sessionCount;
    SessionState &state = m_sessions[session];
    state.serial = m_nextSerial++;
    state.address = remoteAddress(session);
    ++m_sessionsByAddress[state.address];
    if (coap_session_get_proto(session) == COAP_PROTO_DTLS && !state.dtlsConnected && !state.handshaking) {
        state.handshaking = true;
        if (++m_handshakes > m_settings.maxHandshakes)
            dropOldestHandshake(session);
    }
}

void CoapLink::dropOldestHandshake(coap_session_t *keep)
{
    // Only a peer that answered the cookie has a server session libcoap can end; the hellos before
    // it cannot be ended from here (libcoap drops those silent for 120 s when a new peer comes).
    coap_session_t *oldest = nullptr;
    quint64 oldestSerial = 0;
    for (auto it = m_sessions.cbegin(); it != m_sessions.cend(); ++it) {
        if (it.key() != keep && it->handshaking && (!oldest || it->serial < oldestSerial)
            && coap_session_get_type(it.key()) == COAP_SESSION_TYPE_SERVER) {
            oldest = it.key();
            oldestSerial = it->serial;
        }
    }
    if (!oldest)
        return;
    m_handshakesDropped.inc();
    // Its state becomes "none", and libcoap frees such a session at its next pass (SESSION_DEL).
    coap_session_disconnected(oldest, COAP_NACK_TLS_FAILED);
}

void CoapLink::sessionEnded(coap_session_t *session)
{
    m_sessionCount = std::max(0, m_sessionCount - 1);
    const auto it = m_sessions.constFind(session);
    if (it == m_sessions.cend())
        return;
    if (it->observing)
        --m_observing;
    if (it->handshaking)
        --m_handshakes;
    if (const auto count = m_sessionsByAddress.find(it->address); count != m_sessionsByAddress.end() && --*count <= 0)
        m_sessionsByAddress.erase(count);
    // Its remembered answers go with their age or the budget: their keys carry its serial, never reused.
    m_sessions.erase(it);
}

bool CoapLink::withinShare(coap_session_t *session, coap_pdu_t *response)
{
    const auto it = m_sessions.constFind(session);
    if (it == m_sessions.cend() || m_sessionsByAddress.value(it->address) <= m_settings.maxSessionsPerAddress)
        return true;
    respond(response,
            m_ingest.refuse(Protocol::Coap, Limit::SessionsFromAddress, {}, SessionRetryAfter,
                            u"%1 has more than %2 CoAP sessions"_s.arg(QString::fromUtf8(coap_session_str(session)))
                                .arg(m_settings.maxSessionsPerAddress)));
    return false;
}

void CoapLink::dtlsFailed(coap_session_t *session, const char *what)
{
    SessionState &state = m_sessions[session];
    if (state.dtlsFailureCounted)
        return;
    state.dtlsFailureCounted = true;
    m_dtlsFailures.inc();
    if (const auto suppressed = m_warnings.allow(u"dtls"_s)) {
        qCWarning(lcCoap).noquote() << what << coap_session_str(session) << "(wrong key or certificate?" << *suppressed
                                    << "similar suppressed)";
    }
}

const coap_bin_const_t *CoapLink::pskForIdentity(const coap_bin_const_t *identity, coap_session_t *session)
{
    const QByteArray id(reinterpret_cast<const char *>(identity->s), qsizetype(identity->length));
    const std::optional<Psk> psk = id.size() <= MaxIdentityBytes && m_pskLookup ? m_pskLookup(id) : std::nullopt;
    if (!psk || psk->key.isEmpty()) {
        // The handshake fails from here and is counted through COAP_EVENT_DTLS_ERROR.
        if (const auto suppressed = m_warnings.allow(u"psk_identity"_s)) {
            qCWarning(lcCoap).noquote() << "unknown PSK identity" << shownId(id) << "from" << coap_session_str(session)
                                        << "(" << *suppressed << "similar suppressed)";
        }
        return nullptr;
    }
    // libcoap copies the key before this is called again.
    m_pskKey = psk->key;
    m_pskKeyView->s = reinterpret_cast<const uint8_t *>(m_pskKey.constData());
    m_pskKeyView->length = size_t(m_pskKey.size());
    return m_pskKeyView.get();
}

bool CoapLink::setCertificates(const QByteArray &caPem, const QByteArray &certificatePem, const QByteArray &keyPem,
                               QString *error)
{
    m_certificates = Certificates{caPem, certificatePem, keyPem};
    return !m_ctx || !m_settings.dtls || (applyCertificates(error) && applyPsk(error));
}

bool CoapLink::applyCertificates(QString *error)
{
    const Certificates next = m_certificates;
    if (next.ca.isEmpty() || next.certificate.isEmpty() || next.key.isEmpty())
        return true;
    coap_dtls_pki_t pki{};
    pki.version = COAP_DTLS_PKI_SETUP_VERSION;
    pki.verify_peer_cert = 1;
    pki.check_common_ca = 1; // only clients the gateway CA signed
    pki.cert_chain_validation = 1;
    pki.cert_chain_verify_depth = 2;
    // Revocation is the CA's index, asked through the certificate check at each handshake and request.
    pki.check_cert_revocation = 0;
    pki.validate_cn_call_back = &CoapCallbacks::certificate;
    pki.cn_call_back_arg = this;
    pki.pki_key.key_type = COAP_PKI_KEY_PEM_BUF;
    // libcoap wants the lengths with the terminating NUL that QByteArray keeps.
    const auto buffer = [](const QByteArray &pem) { return reinterpret_cast<const uint8_t *>(pem.constData()); };
    pki.pki_key.key.pem_buf.ca_cert = buffer(next.ca);
    pki.pki_key.key.pem_buf.ca_cert_len = size_t(next.ca.size()) + 1;
    pki.pki_key.key.pem_buf.public_cert = buffer(next.certificate);
    pki.pki_key.key.pem_buf.public_cert_len = size_t(next.certificate.size()) + 1;
    pki.pki_key.key.pem_buf.private_key = buffer(next.key);
    pki.pki_key.key.pem_buf.private_key_len = size_t(next.key.size()) + 1;
    if (!coap_context_set_pki(m_ctx, &pki)) {
        if (error)
            *error = u"libcoap refused the CoAP server certificate or the gateway CA"_s;
        return false;
    }
    // libcoap now points into these; the buffers it pointed into before may go.
    m_certificatesInUse = next;
    return true;
}

bool CoapLink::applyPsk(QString *error)
{
    coap_dtls_spsk_t psk{};
    psk.version = COAP_DTLS_SPSK_SETUP_VERSION;
    psk.validate_id_call_back = &CoapCallbacks::pskIdentity;
    psk.id_call_back_arg = this;
    // With certificates set too, libcoap's OpenSSL layer offers PSK suites only when a default key
    // exists. The callback decides every identity (an unknown one fails); this key is never used.
    if (m_unusedPskKey.isEmpty()) {
        m_unusedPskKey.resize(32);
        QRandomGenerator::system()->generate(m_unusedPskKey.begin(), m_unusedPskKey.end());
    }
    psk.psk_info.key.s = reinterpret_cast<const uint8_t *>(m_unusedPskKey.constData());
    psk.psk_info.key.length = size_t(m_unusedPskKey.size());
    if (!coap_dtls_is_supported() || !coap_context_set_psk2(m_ctx, &psk)) {
        if (error)
            *error = u"DTLS with PSK is not available in this libcoap"_s;
        return false;
    }
    return true;
}

bool CoapLink::acceptCertificate(const QByteArray &der, coap_session_t *session, unsigned int depth, bool validated)
{
    if (!validated)
        return false;
    if (depth > 0)
        return true; // the CA above the client's certificate, which the chain check already trusted
    const std::optional<QString> device = m_certificateCheck ? m_certificateCheck(der) : std::nullopt;
    if (!device || device->isEmpty()) {
        // The handshake fails from here and is counted through COAP_EVENT_DTLS_ERROR.
        if (const auto suppressed = m_warnings.allow(u"certificate"_s)) {
            qCWarning(lcCoap).noquote() << "client certificate from" << coap_session_str(session)
                                        << "is not one the gateway CA vouches for now" << moreSince(*suppressed);
        }
        return false;
    }
    m_sessions[session].certificate = der;
    return true;
}

std::optional<IngestResult> CoapLink::admitSession(coap_session_t *session, const QString &deviceId)
{
    if (coap_session_get_proto(session) != COAP_PROTO_DTLS) {
        // A device with credentials proves itself; plain CoAP cannot, so it must use DTLS.
        if (m_hasCredentials && m_hasCredentials(deviceId)) {
            return m_ingest.reject(Protocol::Coap, BadInput::Unauthorized, deviceId,
                                   u"device has credentials: use CoAP over DTLS"_s);
        }
        return std::nullopt;
    }
    // The identity was proven by the handshake; look it up again so a revoked device stops here.
    const coap_bin_const_t *identity = coap_session_get_psk_identity(session);
    if (!identity || identity->length == 0) {
        const QByteArray certificate = m_sessions.value(session).certificate;
        const std::optional<QString> device
            = m_certificateCheck && !certificate.isEmpty() ? m_certificateCheck(certificate) : std::nullopt;
        if (device && !device->isEmpty() && *device == deviceId)
            return std::nullopt;
        return m_ingest.reject(
            Protocol::Coap, BadInput::ForbiddenDevice, deviceId,
            device && !device->isEmpty()
                ? u"the certificate of '%1' may not act for device '%2'"_s.arg(*device, shownId(deviceId.toUtf8()))
                : u"the DTLS session's certificate no longer proves a device"_s);
    }
    const QByteArray id(reinterpret_cast<const char *>(identity->s), qsizetype(identity->length));
    const std::optional<Psk> psk = m_pskLookup ? m_pskLookup(id) : std::nullopt;
    if (psk && psk->deviceId == deviceId)
        return std::nullopt;
    return m_ingest.reject(
        Protocol::Coap, BadInput::ForbiddenDevice, deviceId,
        u"DTLS identity '%1' may not act for device '%2'"_s.arg(shownId(id), shownId(deviceId.toUtf8())));
}

DeviceProof CoapLink::sessionProof(coap_session_t *session) const
{
    if (coap_session_get_proto(session) != COAP_PROTO_DTLS)
        return DeviceProof::None;
    const coap_bin_const_t *identity = coap_session_get_psk_identity(session);
    return identity && identity->length > 0 ? DeviceProof::Psk : DeviceProof::Certificate;
}

} // namespace edgegate
