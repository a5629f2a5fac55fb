// SPDX-License-Identifier: Apache-2.0
#include "gateway/notify/mdnsannouncer.h"

#include <QLoggingCategory>
#include <QTimer>

#include <avahi-client/client.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/strlst.h>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcMdns, "edgegate.mdns")

namespace {

// The bus or the daemon gone for good (no D-Bus at all): how long before trying again.
constexpr std::chrono::seconds RetryInterval{10};

QString avahiError(int error)
{
    return QString::fromUtf8(avahi_strerror(error));
}

} // namespace

/// avahi's C callbacks, handing over to the announcer.
struct MdnsCallbacks
{
    static void client(AvahiClient *client, AvahiClientState state, void *self)
    {
        static_cast<MdnsAnnouncer *>(self)->clientState(client, int(state));
    }
    static void group(AvahiEntryGroup *group, AvahiEntryGroupState state, void *self)
    {
        static_cast<MdnsAnnouncer *>(self)->groupState(group, int(state));
    }
};

MdnsAnnouncer::MdnsAnnouncer(const Settings &settings, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_name(settings.name)
{
}

MdnsAnnouncer::~MdnsAnnouncer()
{
    freeClient();
}

void MdnsAnnouncer::start()
{
    freeClient();
    int error = 0;
    // NO_FAIL: without a daemon the client waits for it (CONNECTING) instead of failing.
    AvahiClient *client = avahi_client_new(m_poll.poll(), AVAHI_CLIENT_NO_FAIL, &MdnsCallbacks::client, this, &error);
    if (!client) {
        if (!m_saidOff) {
            m_saidOff = true;
            qCWarning(lcMdns).noquote() << u"mDNS is off: cannot reach avahi-daemon over the D-Bus system bus (%1); "
                                           "trying again every %2 s"_s.arg(avahiError(error))
                                               .arg(RetryInterval.count());
        }
        QTimer::singleShot(RetryInterval, this, &MdnsAnnouncer::start);
        return;
    }
    m_client = client;
}

void MdnsAnnouncer::stop()
{
    freeClient();
}

void MdnsAnnouncer::freeClient()
{
    // Frees the entry group with it, which withdraws the services.
    if (m_client)
        avahi_client_free(m_client);
    m_client = nullptr;
    m_group = nullptr;
}

void MdnsAnnouncer::clientState(AvahiClient *client, int state)
{
    switch (AvahiClientState(state)) {
    case AVAHI_CLIENT_S_RUNNING:
        if (m_saidOff)
            qCInfo(lcMdns) << "avahi-daemon is there now: announcing";
        m_saidOff = false;
        publish(client);
        break;
    case AVAHI_CLIENT_S_COLLISION:
    case AVAHI_CLIENT_S_REGISTERING:
        // The host name is being (re)established: services go out again once it runs.
        if (m_group)
            avahi_entry_group_reset(m_group);
        break;
    case AVAHI_CLIENT_CONNECTING:
        if (!m_saidOff) {
            m_saidOff = true;
            qCWarning(lcMdns) << "mDNS is off: avahi-daemon is not running; the gateway announces itself when it "
                                 "starts";
        }
        break;
    case AVAHI_CLIENT_FAILURE: {
        const int error = avahi_client_errno(client);
        if (!m_saidOff) {
            m_saidOff = true;
            qCWarning(lcMdns).noquote()
                << u"mDNS is off: lost avahi-daemon (%1); the gateway announces itself again when it is back"_s.arg(
                       avahiError(error));
        }
        // A failed client cannot recover; a new one waits for the daemon. Not from inside its callback,
        // nor for a client that avahi_client_new() is still making (start() retries that one).
        if (client == m_client)
            QMetaObject::invokeMethod(this, &MdnsAnnouncer::start, Qt::QueuedConnection);
        break;
    }
    }
}

void MdnsAnnouncer::publish(AvahiClient *client)
{
    if (!m_group) {
        m_group = avahi_entry_group_new(client, &MdnsCallbacks::group, this);
        if (!m_group) {
            qCWarning(lcMdns).noquote() << "cannot announce:" << avahiError(avahi_client_errno(client));
            return;
        }
    }
    if (!avahi_entry_group_is_empty(m_group))
        return;
    const QByteArray name = m_name.toUtf8();
    const QByteArray gw = "gw=" + m_settings.gatewayId.toUtf8();
    const QByteArray version = "version=" + m_settings.version.toUtf8();
    AvahiStringList *txt = avahi_string_list_new(gw.constData(), "api=/api/v1", "ws=/ws", version.constData(), nullptr);
    struct Service
    {
        const char *type;
        quint16 port;
    };
    int error = 0;
    for (const Service service :
         {Service{"_edgegate._tcp", m_settings.httpPort}, Service{"_coap._udp", m_settings.coapPort}}) {
        if (service.port == 0)
            continue;
        error
            = avahi_entry_group_add_service_strlst(m_group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, AvahiPublishFlags(0),
                                                   name.constData(), service.type, nullptr, nullptr, service.port, txt);
        if (error < 0)
            break;
    }
    avahi_string_list_free(txt);
    if (error == AVAHI_ERR_COLLISION) {
        rename();
        return;
    }
    if (error >= 0)
        error = avahi_entry_group_commit(m_group);
    if (error < 0) {
        qCWarning(lcMdns).noquote() << "cannot announce" << m_name << ":" << avahiError(error);
        avahi_entry_group_reset(m_group);
    }
}

void MdnsAnnouncer::rename()
{
    char *alternative = avahi_alternative_service_name(m_name.toUtf8().constData());
    const QString next = QString::fromUtf8(alternative);
    avahi_free(alternative);
    qCWarning(lcMdns).noquote() << "the mDNS name" << m_name << "is taken on the network: using" << next;
    m_name = next;
    avahi_entry_group_reset(m_group);
    publish(avahi_entry_group_get_client(m_group));
}

void MdnsAnnouncer::groupState(AvahiEntryGroup *group, int state)
{
    switch (AvahiEntryGroupState(state)) {
    case AVAHI_ENTRY_GROUP_ESTABLISHED:
        qCInfo(lcMdns).noquote() << u"announced as '%1': _edgegate._tcp on port %2%3"_s.arg(m_name)
                                        .arg(m_settings.httpPort)
                                        .arg(m_settings.coapPort ? u", _coap._udp on port %1"_s.arg(m_settings.coapPort)
                                                                 : QString());
        emit announced(m_name);
        break;
    case AVAHI_ENTRY_GROUP_COLLISION:
        m_group = group;
        rename();
        break;
    case AVAHI_ENTRY_GROUP_FAILURE:
        qCWarning(lcMdns).noquote() << "announcing failed:"
                                    << avahiError(avahi_client_errno(avahi_entry_group_get_client(group)));
        break;
    case AVAHI_ENTRY_GROUP_UNCOMMITED:
    case AVAHI_ENTRY_GROUP_REGISTERING:
        break;
    }
}

} // namespace edgegate
