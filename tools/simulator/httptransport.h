// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "transport.h"

#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace edgegate::sim {

/// A device that POSTs to the gateway's HTTP device API and fetches its queued commands each time
/// it sends telemetry (HTTP has no push, so no update notifications either).
class HttpTransport : public Transport
{
    Q_OBJECT
public:
    HttpTransport(const QString &deviceId, const QUrl &base, const QString &token, QNetworkAccessManager &network,
                  QObject *parent = nullptr);

    void open() override;
    void close() override;
    void send(Channel channel, const QJsonObject &payload) override;
    [[nodiscard]] bool receivesOta() const override { return false; }

private:
    [[nodiscard]] QUrl url(const QString &suffix) const;
    void post(Channel channel, const QString &suffix, const QJsonObject &payload);
    void pollCommands();
    void finished(QNetworkReply *reply, Channel channel);
    void maybeClosed();

    QString m_id;
    QUrl m_base;
    QByteArray m_authorization;
    QNetworkAccessManager &m_network;
    int m_pending = 0;
    bool m_open = false;
    bool m_closing = false;
};

} // namespace edgegate::sim
