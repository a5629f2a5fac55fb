// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "coapclient.h"
#include "transport.h"

#include <QTimer>

namespace edgegate::sim {

/// A device speaking CoAP to the gateway: confirmable POSTs for telemetry, meta, command acks and
/// OTA progress; observations of its commands and OTA resources; firmware downloads block-wise.
class CoapTransport : public Transport
{
    Q_OBJECT
public:
    CoapTransport(const QString &deviceId, CoapClient &client, QObject *parent = nullptr);
    ~CoapTransport() override;

    void open() override;
    void close() override;
    void send(Channel channel, const QJsonObject &payload) override;
    [[nodiscard]] bool receivesOta() const override { return true; }
    [[nodiscard]] bool downloadsOverCoap() const override { return true; }

    /// GETs `path` block-wise; `block` is called per block (code 205) or once with the error code.
    bool download(const QByteArray &path, CoapClient::Handler block);

private:
    void post(Channel channel, const QByteArray &path, const QJsonObject &payload);
    void maybeClosed();
    void observe(bool ota);

    QString m_id;
    CoapClient &m_client;
    coap_session_t *m_session = nullptr;
    QTimer m_closeGuard;
    int m_pending = 0;
    int m_observeAttempts[2] = {0, 0}; // commands, ota
    bool m_closing = false;
};

} // namespace edgegate::sim
