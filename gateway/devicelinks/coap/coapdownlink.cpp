// SPDX-License-Identifier: Apache-2.0
// The downlink part of CoapLink: a device observes /devices/{id}/commands and /devices/{id}/ota,
// one observable resource per device and kind, made on first use. A command is kept as the commands
// resource's state until an observer took it; the OTA resource's state is the latest notification
// (setOtaState). Progress and command acks go through the link's device-message path like telemetry.
#include "gateway/devicelinks/coap/coaplink.h"

#include "shared/deviceid.h"

#include <QLoggingCategory>

#include <coap3/coap.h>

#include <cstring>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcCoap)

namespace {

// What goes down has to fit one datagram: block-wise transfer is not supported.
constexpr qsizetype MaxDownlinkBytes = 1024;

QByteArray segmentOf(Downlink kind)
{
    return kind == Downlink::Command ? QByteArrayLiteral("commands") : QByteArrayLiteral("ota");
}

/// The device and kind of devices/{id}/commands or devices/{id}/ota.
std::optional<std::pair<QString, Downlink>> resourceTarget(coap_resource_t *resource)
{
    const coap_str_const_t *path = coap_resource_get_uri_path(resource);
    const QList<QByteArray> segments
        = QByteArray(reinterpret_cast<const char *>(path->s), qsizetype(path->length)).split('/');
    if (segments.size() != 3)
        return std::nullopt;
    const Downlink kind = segments[2] == segmentOf(Downlink::Command) ? Downlink::Command : Downlink::Ota;
    return std::pair{QString::fromUtf8(segments[1]), kind};
}

void addAttribute(coap_resource_t *resource, const char *name, const QByteArray &value)
{
    coap_add_attr(resource, coap_new_str_const(reinterpret_cast<const uint8_t *>(name), std::strlen(name)),
                  coap_new_str_const(reinterpret_cast<const uint8_t *>(value.constData()), size_t(value.size())),
                  COAP_ATTR_FLAGS_RELEASE_NAME | COAP_ATTR_FLAGS_RELEASE_VALUE);
}

} // namespace

struct CoapDownlinkCallbacks
{
    static void get(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                    const coap_string_t * /*query*/, coap_pdu_t *response)
    {
        auto *link = static_cast<CoapLink *>(coap_get_app_data(coap_session_get_context(session)));
        if (!link->withinShare(session, response))
            return;
        const auto target = resourceTarget(resource);
        link->handleDownlinkGet(session, request, response, target ? target->first : QString(),
                                target ? target->second : Downlink::Command);
    }
};

coap_resource_t *CoapLink::newDownlinkResource(const QByteArray &path, Downlink kind)
{
    // CON notifications: what goes down must arrive, and an observer that is gone is noticed and dropped.
    coap_resource_t *resource = coap_resource_init(
        coap_new_str_const(reinterpret_cast<const uint8_t *>(path.constData()), size_t(path.size())),
        COAP_RESOURCE_FLAGS_NOTIFY_CON | COAP_RESOURCE_FLAGS_RELEASE_URI);
    coap_register_request_handler(resource, COAP_REQUEST_GET, &CoapDownlinkCallbacks::get);
    coap_resource_set_get_observable(resource, 1);
    addAttribute(resource, "ct", QByteArrayLiteral("50"));
    addAttribute(resource, "rt", "\"edgegate." + segmentOf(kind) + '"');
    coap_add_resource(m_ctx, resource);
    return resource;
}

CoapLink::Observable &CoapLink::observable(const QString &deviceId, Downlink kind)
{
    Observable &o = m_observables[int(kind)][deviceId];
    if (!o.resource && m_ctx)
        o.resource = newDownlinkResource("devices/" + deviceId.toUtf8() + '/' + segmentOf(kind), kind);
    return o;
}

bool CoapLink::push(const QString &deviceId, Downlink kind, const QByteArray &payload)
{
    if (!m_ctx || !isValidDeviceId(deviceId))
        return false;
    const QByteArray state = kind == Downlink::Command ? payload : (m_otaState ? m_otaState(deviceId) : QByteArray());
    if (state.size() > MaxDownlinkBytes) {
        qCWarning(lcCoap).noquote() << segmentOf(kind) << "for" << deviceId << "not sent:" << state.size()
                                    << "bytes do not fit one CoAP datagram (block-wise transfer is not supported)";
        return false;
    }
    Observable &observable = this->observable(deviceId, kind);
    const QByteArray previous = observable.state;
    if (kind == Downlink::Command)
        observable.state = payload;
    coap_resource_notify_observers(observable.resource, nullptr);
    if (m_inLibcoap) {
        // Inside a CoAP handler: the observers are told on the next loop pass.
        m_ioTimer.start(0);
        return false;
    }
    // Preparing the next I/O pass sends due notifications, calling the GET handler once per observer.
    m_countingDevice = deviceId;
    m_notified = 0;
    rearm();
    m_countingDevice.clear();
    // Nobody took a command: it stays queued, and a later observer must not find it as the resource's
    // state and then receive it a second time when the queue retries.
    if (m_notified == 0 && kind == Downlink::Command)
        observable.state = previous;
    return m_notified > 0;
}

void CoapLink::handleDownlinkGet(coap_session_t *session, const coap_pdu_t *request, coap_pdu_t *response,
                                 const QString &deviceId, Downlink kind)
{
    if (!isValidDeviceId(deviceId)) {
        respond(response,
                m_ingest.reject(Protocol::Coap, BadInput::InvalidDeviceId, {},
                                u"CoAP path id '%1'"_s.arg(loggable(deviceId, 80))));
        return;
    }
    if (auto refused = admitSession(session, deviceId)) {
        respond(response, *refused);
        return;
    }
    if (deviceId == m_countingDevice)
        ++m_notified;
    coap_opt_iterator_t it;
    const coap_opt_t *observe = coap_check_option(request, COAP_OPTION_OBSERVE, &it);
    if (observe && coap_decode_var_bytes(coap_opt_value(observe), coap_opt_length(observe)) == COAP_OBSERVE_ESTABLISH) {
        // An observer keeps its session from ending while idle: their number is what max_sessions bounds.
        if (const auto state = m_sessions.find(session); state != m_sessions.end() && !state->observing) {
            if (m_observing >= m_settings.maxSessions) {
                respond(response,
                        m_ingest.refuse(Protocol::Coap, Limit::Sessions, deviceId, SessionRetryAfter,
                                        u"%1 sessions observe already"_s.arg(m_observing)));
                return;
            }
            state->observing = true;
            ++m_observing;
        }
        // libcoap adds the observer after this handler returns: announce it from the next loop pass.
        QMetaObject::invokeMethod(
            this, [this, deviceId] { reportReachable(deviceId); }, Qt::QueuedConnection);
    }
    QByteArray body = kind == Downlink::Command ? m_observables[int(kind)].value(deviceId).state
                                                : (m_otaState ? m_otaState(deviceId) : QByteArray());
    if (body.isEmpty())
        body = QByteArrayLiteral("{}");
    uint8_t buf[4];
    coap_pdu_set_code(response, COAP_RESPONSE_CODE_CONTENT);
    coap_add_option(response, COAP_OPTION_CONTENT_FORMAT,
                    coap_encode_var_safe(buf, sizeof(buf), COAP_MEDIATYPE_APPLICATION_JSON), buf);
    coap_add_data(response, size_t(body.size()), reinterpret_cast<const uint8_t *>(body.constData()));
    count(205);
}

} // namespace edgegate
