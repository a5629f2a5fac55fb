// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/common/ratelimitedlog.h"
#include "gateway/storage/certauthority.h"

#include <QFileSystemWatcher>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <optional>

namespace edgegate {

class Gauge;
class Metrics;

/// The running service's view of the gateway CA: which devices it has certified (revoked and expired
/// certificates included: such a device must still prove itself on every link), kept current when
/// the index changes (also from `edgegated ca` on the command line), when a certificate
/// expires, and once an hour; the CRL is signed anew before it runs out. Expiry is counted in
/// /metrics.
class DeviceCertificates : public QObject
{
    Q_OBJECT
public:
    DeviceCertificates(CertificateAuthority &ca, Metrics &metrics, QObject *parent = nullptr);

    /// Reads the index now; with no CA yet, no device is certified.
    void reload();
    [[nodiscard]] const QSet<QString> &certified() const { return m_certified; }
    [[nodiscard]] CertificateAuthority &authority() { return m_ca; }
    /// What a TLS client certificate (DER) proves, as checkBearer() takes it: nullopt when none was
    /// presented, the device id when the CA vouches for it now, empty when it does not. Answers are
    /// remembered until the index changes (a revocation clears them).
    [[nodiscard]] std::optional<QString> certificateDevice(const QByteArray &der);

signals:
    /// Every device the CA certified, and those of them with a valid certificate now.
    void certifiedChanged(const QSet<QString> &holders, const QSet<QString> &valid);
    /// After each reload: a certificate (`name` "device_ca" or "devices", the soonest of the devices'
    /// newest unrevoked certificates) and when it expires, worded for an alert.
    void expiryChecked(const QString &name, const QDateTime &at, const QString &what);
    /// The CA's certificate (PEM) is there or changed: TLS listeners ask devices for certificates of it.
    void authorityChanged(const QByteArray &certificatePem);

private:
    void watch();

    CertificateAuthority &m_ca;
    QFileSystemWatcher m_watcher;
    QTimer m_timer;
    QSet<QString> m_certified;
    QSet<QString> m_validHolders;
    QHash<QByteArray, QString> m_verified; ///< SHA-256 of the DER -> what it proved
    RateLimitedLog m_refusals{std::chrono::seconds(10)};
    QByteArray m_caPem;
    Gauge &m_valid;
    Gauge &m_revoked;
    Gauge &m_expired;
    Gauge &m_soonest;
    Gauge &m_caExpiry;
    Gauge &m_devices;
};

} // namespace edgegate
