// SPDX-License-Identifier: Apache-2.0
// The OTA part of CoapLink: the observable /devices/{id}/ota resource (its state is the latest
// notification for the device) and its GET handler. Progress (POST /devices/{id}/ota/progress)
// goes through the link's device-message path like telemetry.
#include "gateway/devicelinks/coap/coaplink.h"

#include "shared/deviceid.h"

#include <QLoggingCategory>

#include <coap3/coap.h>

#include <cstring>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcCoap)

namespace {

// A notification has to fit one datagram, as commands do.
constexpr qsizetype MaxNotificationBytes = 1024;

QString resourceDevice(coap_resource_t *resource)
{
    const coap_str_const_t *path = coap_resource_get_uri_path(resource);
    const QList<QByteArray> segments
        = QByteArray(reinterpret_cast<const char *>(path->s), qsizetype(path->length)).split('/');
    return segments.size() == 3 ? QString::fromUtf8(segments[1]) : QString();
}

void addAttribute(coap_resource_t *resource, const char *name, const QByteArray &value)
{
    coap_add_attr(resource, coap_new_str_const(reinterpret_cast<const uint8_t *>(name), std::strlen(name)),
                  coap_new_str_const(reinterpret_cast<const uint8_t *>(value.constData()), size_t(value.size())),
                  COAP_ATTR_FLAGS_RELEASE_NAME | COAP_ATTR_FLAGS_RELEASE_VALUE);
}

} // namespace

struct CoapOtaCallbacks
{
    static void get(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
                    const coap_string_t * /*query*/, coap_pdu_t *response)
    {
        auto *link = static_cast<CoapLink *>(coap_get_app_data(coap_session_get_context(session)));
        link->handleOtaGet(session, request, response, resourceDevice(resource));
    }
};

void CoapLink::ensureOtaResource(const QString &deviceId)
{
    if (!m_ctx || m_otaResources.contains(deviceId))
        return;
    // CON notifications: an update must arrive, and an observer that is gone is noticed and dropped.
    const QByteArray path = u"devices/%1/ota"_s.arg(deviceId).toUtf8();
    coap_resource_t *resource = coap_resource_init(
        coap_new_str_const(reinterpret_cast<const uint8_t *>(path.constData()), size_t(path.size())),
        COAP_RESOURCE_FLAGS_NOTIFY_CON | COAP_RESOURCE_FLAGS_RELEASE_URI);
    coap_register_request_handler(resource, COAP_REQUEST_GET, &CoapOtaCallbacks::get);
    coap_resource_set_get_observable(resource, 1);
    addAttribute(resource, "ct", QByteArrayLiteral("50"));
    addAttribute(resource, "rt", QByteArrayLiteral("\"edgegate.ota\""));
    coap_add_resource(m_ctx, resource);
    m_otaResources.insert(deviceId, resource);
}

int CoapLink::notifyOta(const QString &deviceId)
{
    if (!m_ctx || !isValidDeviceId(deviceId))
        return 0;
    const QByteArray state = m_otaState ? m_otaState(deviceId) : QByteArray();
    if (state.size() > MaxNotificationBytes) {
        qCWarning(lcCoap).noquote() << "OTA notification for" << deviceId << "not sent:" << state.size()
                                    << "bytes do not fit one CoAP datagram";
        return 0;
    }
    ensureOtaResource(deviceId);
    coap_resource_notify_observers(m_otaResources.value(deviceId), nullptr);
    if (m_inLibcoap) {
        m_ioTimer.start(0);
        return 0;
    }
    // Preparing the next I/O pass sends due notifications, calling the GET handler once per observer.
    m_countingDevice = deviceId;
    m_notified = 0;
    rearm();
    m_countingDevice.clear();
    return m_notified;
}

void CoapLink::handleOtaGet(coap_session_t *session, const coap_pdu_t *request, coap_pdu_t *response,
                            const QString &deviceId)
{
    if (!isValidDeviceId(deviceId)) {
        respond(response, m_ingest.reject(Protocol::Coap, BadInput::InvalidDeviceId, {}, u"CoAP OTA resource"_s));
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
        // libcoap adds the observer after this handler returns: announce it from the next loop pass.
        QMetaObject::invokeMethod(
            this, [this, deviceId] { reportReachable(deviceId); }, Qt::QueuedConnection);
    }
    QByteArray body = m_otaState ? m_otaState(deviceId) : QByteArray();
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
