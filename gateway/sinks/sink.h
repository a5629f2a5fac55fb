// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

namespace edgegate {

/// One message waiting in a sink's outbox, as the sink will send it.
struct OutboxEntry
{
    quint64 seq = 0; ///< position in the outbox, increasing by one per append
    qint64 enqueuedAtMs = 0; ///< wall clock when it was stored
    QString deviceId;
    QByteArray key; ///< where it goes, sink-specific (the MQTT topic; empty for InfluxDB)
    QByteArray payload; ///< what is sent, sink-specific (JSON; line protocol)
};

/// A destination an outbox drains into (the cloud broker, InfluxDB, the local broker). The
/// Forwarder feeds it entries while it has room; the sink confirms each one when the far end
/// took it (PUBACK, HTTP 204), and only then does the entry leave the outbox.
class Sink : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    /// Short name used in metrics labels and the outbox folder ("upstream", "influxdb").
    [[nodiscard]] virtual QString name() const = 0;

    /// False after the sink lost what was in flight (a broken connection): the Forwarder sends
    /// everything unconfirmed again once it is up. A sink that keeps and retries what it holds
    /// (InfluxDB) stays up through an outage and shows it with room() 0 instead.
    [[nodiscard]] virtual bool isUp() const = 0;

    /// How many more entries deliver() takes now (0 while down or the in-flight window is full).
    [[nodiscard]] virtual int room() const = 0;

    /// Sends one entry. Its fate arrives later as delivered() or rejected(), or not at all when
    /// the sink goes down first.
    virtual void deliver(const OutboxEntry &entry) = 0;

signals:
    /// The far end confirmed the entry.
    void delivered(quint64 seq);
    /// The far end refused the entry for good (sending it again cannot succeed): it is dropped
    /// and counted under `reason`, a metrics label such as "field_type_conflict".
    void rejected(quint64 seq, const QString &reason);
    /// room() grew, or the sink came up.
    void roomAvailable();
    /// isUp() changed.
    void upChanged(bool up);
};

} // namespace edgegate
