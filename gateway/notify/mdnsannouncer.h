// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/notify/avahiqtpoll.h"

#include <QObject>
#include <QString>

struct AvahiClient;
struct AvahiEntryGroup;

namespace edgegate {

/// Announces the gateway with mDNS / DNS-SD through the local avahi-daemon (avahi-client over
/// D-Bus, driven by the Qt loop): `_edgegate._tcp` on the HTTP port and `_coap._udp` on the CoAP
/// port, with TXT `gw`, `api`, `ws` and `version`. Without a daemon it says so once and announces
/// as soon as one appears; a name already taken on the network becomes avahi's alternative name.
class MdnsAnnouncer : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        QString name; ///< the service instance name
        QString gatewayId;
        QString version;
        quint16 httpPort = 0;
        quint16 coapPort = 0; ///< 0: no `_coap._udp`
    };

    explicit MdnsAnnouncer(const Settings &settings, QObject *parent = nullptr);
    ~MdnsAnnouncer() override;
    MdnsAnnouncer(const MdnsAnnouncer &) = delete;
    MdnsAnnouncer &operator=(const MdnsAnnouncer &) = delete;

    /// Connects to avahi-daemon (or waits for it). Returns at once.
    void start();
    /// Withdraws the services and disconnects.
    void stop();

    /// The name the services carry now (the configured one, or an alternative after a collision).
    [[nodiscard]] QString name() const { return m_name; }

signals:
    /// The daemon confirmed the services under `name`.
    void announced(const QString &name);

private:
    friend struct MdnsCallbacks;

    void clientState(AvahiClient *client, int state);
    void groupState(AvahiEntryGroup *group, int state);
    void publish(AvahiClient *client);
    void rename();
    void freeClient();

    Settings m_settings;
    QString m_name;
    AvahiQtPoll m_poll;
    AvahiClient *m_client = nullptr;
    AvahiEntryGroup *m_group = nullptr;
    bool m_saidOff = false; ///< the "mDNS is off" message is given once
};

} // namespace edgegate
