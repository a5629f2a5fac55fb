// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/devicecertificates.h"

#include "gateway/core/common/metrics.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QLoggingCategory>

#include <chrono>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcCa, "edgegate.ca")

namespace {

constexpr auto RecheckEvery = std::chrono::hours(1);
constexpr qint64 MaxTimerMs = std::chrono::milliseconds(RecheckEvery).count();
constexpr qsizetype MaxRemembered = 4096;
constexpr auto StateHelp = u"Device certificates of the gateway CA, by state";
constexpr auto ExpiryHelp = u"Seconds until a certificate of the gateway CA expires: its own, and the soonest of the "
                            u"devices' newest unrevoked certificates (negative once expired)";

} // namespace

DeviceCertificates::DeviceCertificates(CertificateAuthority &ca, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_ca(ca)
    , m_valid(metrics.gauge(u"edgegate_ca_certificates"_s, QString::fromUtf16(StateHelp), {{u"state"_s, u"valid"_s}}))
    , m_revoked(
          metrics.gauge(u"edgegate_ca_certificates"_s, QString::fromUtf16(StateHelp), {{u"state"_s, u"revoked"_s}}))
    , m_expired(
          metrics.gauge(u"edgegate_ca_certificates"_s, QString::fromUtf16(StateHelp), {{u"state"_s, u"expired"_s}}))
    , m_soonest(metrics.gauge(u"edgegate_ca_expiry_seconds"_s, QString::fromUtf16(ExpiryHelp),
                              {{u"certificate"_s, u"devices"_s}}))
    , m_caExpiry(
          metrics.gauge(u"edgegate_ca_expiry_seconds"_s, QString::fromUtf16(ExpiryHelp), {{u"certificate"_s, u"ca"_s}}))
    , m_devices(metrics.gauge(u"edgegate_ca_devices_certified"_s,
                              u"Devices that hold at least one unrevoked certificate of the gateway CA"_s))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &DeviceCertificates::reload);
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, &DeviceCertificates::reload);
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, &DeviceCertificates::reload);
}

void DeviceCertificates::watch()
{
    // The index, once there is one: index.json is replaced on each change, which ends its watch, so it
    // is watched afresh each time. Until then, the folder it will be in (or data_dir, which will hold
    // that folder), for a CA made on the command line.
    const bool exists = QFile::exists(m_ca.indexPath());
    const QString folder = QFile::exists(m_ca.dir()) ? m_ca.dir() : QFileInfo(m_ca.dir()).absolutePath();
    const QStringList watched = m_watcher.directories();
    if (!watched.isEmpty() && (exists || watched != QStringList{folder}))
        m_watcher.removePaths(watched);
    if (exists && !m_watcher.files().contains(m_ca.indexPath()))
        m_watcher.addPath(m_ca.indexPath());
    else if (!exists && m_watcher.directories().isEmpty() && QFile::exists(folder))
        m_watcher.addPath(folder);
}

std::optional<QString> DeviceCertificates::certificateDevice(const QByteArray &der)
{
    if (der.isEmpty())
        return std::nullopt;
    const QByteArray key = QCryptographicHash::hash(der, QCryptographicHash::Sha256);
    if (const auto it = m_verified.constFind(key); it != m_verified.cend())
        return it.value();
    QString why;
    const QString device = m_ca.exists() ? m_ca.verifyClient(der, QDateTime::currentDateTimeUtc(), &why) : QString();
    if (device.isEmpty()) {
        if (const auto suppressed = m_refusals.allow(u"certificate"_s))
            qCWarning(lcCa).noquote() << "a client certificate was refused:"
                                      << (why.isEmpty() ? u"there is no gateway CA"_s : loggable(why))
                    + moreSince(*suppressed);
    }
    if (m_verified.size() >= MaxRemembered)
        m_verified.clear();
    m_verified.insert(key, device);
    return device;
}

void DeviceCertificates::reload()
{
    watch();
    m_verified.clear();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QSet<QString> certified;
    QSet<QString> validHolders;
    qint64 untilNextChange = MaxTimerMs;
    if (m_ca.exists()) {
        CaError error;
        if (!m_ca.refreshCrl(now, &error))
            qCWarning(lcCa).noquote() << "cannot sign the CRL anew:" << error.message;
        const auto list = m_ca.list(&error);
        if (!list) {
            // Keep what was known: a half-read index must not certify or drop anyone.
            qCWarning(lcCa).noquote() << "cannot read the CA index:" << error.message;
            m_timer.start(std::chrono::minutes(1));
            return;
        }
        int valid = 0, revoked = 0, expired = 0;
        QHash<QString, QDateTime> newest; // per device, its newest unrevoked certificate's end
        for (const IssuedCertificate &c : *list) {
            // Revoked or expired, a certificate still makes the device one that must prove itself.
            certified.insert(c.device);
            if (c.isRevoked()) {
                ++revoked;
                continue;
            }
            QDateTime &end = newest[c.device];
            if (!end.isValid() || c.notAfter > end)
                end = c.notAfter;
            if (!c.isValidAt(now)) {
                ++expired;
                continue;
            }
            ++valid;
            validHolders.insert(c.device);
            untilNextChange = std::min(untilNextChange, now.msecsTo(c.notAfter) + 1000);
        }
        m_valid.set(valid);
        m_revoked.set(revoked);
        m_expired.set(expired);
        m_devices.set(double(newest.size()));
        QString soonestDevice;
        QDateTime soonest;
        for (auto it = newest.cbegin(); it != newest.cend(); ++it) {
            if (!soonest.isValid() || it.value() < soonest) {
                soonest = it.value();
                soonestDevice = it.key();
            }
        }
        if (const QByteArray pem = m_ca.certificatePem(); !pem.isEmpty() && pem != m_caPem) {
            m_caPem = pem;
            emit authorityChanged(m_caPem);
        }
        const QDateTime caEnd = m_ca.expiry();
        m_caExpiry.set(caEnd.isValid() ? double(now.secsTo(caEnd)) : 0.0);
        if (caEnd.isValid())
            emit expiryChecked(u"device_ca"_s, caEnd, u"the certificate of the gateway's device CA"_s);
        if (soonest.isValid()) {
            m_soonest.set(double(now.secsTo(soonest)));
            emit expiryChecked(u"devices"_s, soonest,
                               u"the certificate of device "_s + soonestDevice + u" (the first to end of "_s
                                   + QString::number(newest.size()) + u" devices' certificates)"_s);
        } else {
            // No device certificate left to expire: far away, so an open alert clears.
            m_soonest.set(0.0);
            emit expiryChecked(u"devices"_s, now.addYears(100), {});
        }
    }
    m_timer.start(std::chrono::milliseconds(untilNextChange));
    if (certified != m_certified || validHolders != m_validHolders) {
        m_certified = std::move(certified);
        m_validHolders = std::move(validHolders);
        emit certifiedChanged(m_certified, m_validHolders);
    }
}

} // namespace edgegate
