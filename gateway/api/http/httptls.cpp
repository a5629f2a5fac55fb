// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/http/httptls.h"

#include "gateway/core/common/metrics.h"

#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSslKey>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcTls, "edgegate.tls")

namespace {

constexpr int SettleMs = 500;
constexpr int ExpiryRefreshMs = 60 * 1000;

std::optional<QByteArray> readFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = u"cannot read %1: %2"_s.arg(path, file.errorString());
        return std::nullopt;
    }
    return file.read(1024 * 1024);
}

/// Whether the private key in `keyPem` belongs to the first certificate in `certPem`.
bool keyMatches(const QByteArray &certPem, const QByteArray &keyPem)
{
    const auto bio = [](const QByteArray &data) {
        return std::unique_ptr<BIO, decltype(&BIO_free)>(BIO_new_mem_buf(data.constData(), int(data.size())),
                                                         &BIO_free);
    };
    auto certBio = bio(certPem);
    auto keyBio = bio(keyPem);
    std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr),
                                                     &X509_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
    return cert && key && X509_check_private_key(cert.get(), key.get()) == 1;
}

} // namespace

HttpTls::HttpTls(Settings settings, const QString &listener, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_listener(listener)
    , m_expiryGauge(metrics.gauge(u"edgegate_tls_certificate_expiry_seconds"_s,
                                  u"Seconds until the TLS certificate in use expires (negative: expired)."_s,
                                  {{u"listener"_s, listener}}))
{
    m_settle.setSingleShot(true);
    m_settle.setInterval(SettleMs);
    connect(&m_settle, &QTimer::timeout, this, &HttpTls::reload);
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, [this] { m_settle.start(); });
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, [this] { m_settle.start(); });
    connect(&m_expiryTimer, &QTimer::timeout, this, &HttpTls::updateExpiry);
    m_expiryTimer.start(ExpiryRefreshMs);
}

std::optional<QSslConfiguration> HttpTls::read(QString *error) const
{
    const auto certPem = readFile(m_settings.certFile, error);
    const auto keyPem = certPem ? readFile(m_settings.keyFile, error) : std::nullopt;
    if (!keyPem)
        return std::nullopt;
    const QList<QSslCertificate> chain = QSslCertificate::fromData(*certPem, QSsl::Pem);
    if (chain.isEmpty()) {
        *error = u"%1 holds no PEM certificate"_s.arg(m_settings.certFile);
        return std::nullopt;
    }
    QSslKey key;
    for (const QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
        key = QSslKey(*keyPem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull())
            break;
    }
    if (key.isNull()) {
        *error = u"%1 holds no unencrypted PEM private key (RSA, EC or DSA)"_s.arg(m_settings.keyFile);
        return std::nullopt;
    }
    if (!keyMatches(*certPem, *keyPem)) {
        *error
            = u"the key in %1 does not belong to the certificate in %2"_s.arg(m_settings.keyFile, m_settings.certFile);
        return std::nullopt;
    }
    QSslConfiguration c = QSslConfiguration::defaultConfiguration();
    c.setLocalCertificateChain(chain);
    c.setPrivateKey(key);
    c.setProtocol(QSsl::TlsV1_2OrLater);
    c.setAllowedNextProtocols({QByteArrayLiteral("h2"), QByteArrayLiteral("http/1.1")});
    // Devices may present a certificate of the gateway CA: it is asked for, and checked by the device
    // links (revocation included), not by the handshake.
    const QList<QSslCertificate> deviceCas = QSslCertificate::fromData(m_deviceCa, QSsl::Pem);
    if (m_settings.clientCaFile.isEmpty()) {
        c.setCaCertificates(deviceCas);
        c.setPeerVerifyMode(deviceCas.isEmpty() ? QSslSocket::VerifyNone : QSslSocket::QueryPeer);
    } else {
        const QList<QSslCertificate> cas = QSslCertificate::fromPath(m_settings.clientCaFile, QSsl::Pem);
        if (cas.isEmpty()) {
            *error = u"%1 holds no PEM CA certificate"_s.arg(m_settings.clientCaFile);
            return std::nullopt;
        }
        c.setCaCertificates(cas + deviceCas);
        c.setPeerVerifyMode(QSslSocket::VerifyPeer);
    }
    return c;
}

void HttpTls::setDeviceCa(const QByteArray &pem)
{
    if (pem == m_deviceCa)
        return;
    m_deviceCa = pem;
    QString error;
    if (auto c = read(&error)) {
        m_configuration = *c;
        qCInfo(lcTls).noquote() << m_listener << "asks devices for a certificate of the gateway CA";
    } else {
        qCWarning(lcTls).noquote() << m_listener << "keeps its TLS configuration:" << error;
    }
}

bool HttpTls::load(QString *error)
{
    auto c = read(error);
    if (!c)
        return false;
    m_configuration = *c;
    m_expiry = m_configuration.localCertificate().expiryDate();
    updateExpiry();
    watch();
    const QSslCertificate cert = m_configuration.localCertificate();
    qCInfo(lcTls).noquote() << m_listener << "TLS certificate" << cert.subjectDisplayName() << "valid until"
                            << m_expiry.toString(Qt::ISODate)
                            << (m_settings.clientCaFile.isEmpty() ? u""_s : u"; client certificates required"_s);
    if (m_expiry <= QDateTime::currentDateTimeUtc())
        qCCritical(lcTls).noquote() << m_listener << "TLS certificate" << m_settings.certFile << "has expired";
    return true;
}

void HttpTls::reload()
{
    QString error;
    if (!load(&error)) {
        qCCritical(lcTls).noquote() << m_listener << "TLS certificate not reloaded, the one in use stays:" << error;
        watch();
        return;
    }
    emit reloaded();
}

void HttpTls::watch()
{
    // Files replaced by a rename (how certificate tools write them) leave the watch: watch the folders too.
    QStringList paths;
    for (const QString &f : {m_settings.certFile, m_settings.keyFile, m_settings.clientCaFile}) {
        if (f.isEmpty())
            continue;
        paths << f << QFileInfo(f).absolutePath();
    }
    paths.removeDuplicates();
    for (const QString &p : paths) {
        if (!m_watcher.files().contains(p) && !m_watcher.directories().contains(p))
            m_watcher.addPath(p);
    }
}

void HttpTls::updateExpiry()
{
    if (!m_expiry.isValid())
        return;
    m_expiryGauge.set(double(QDateTime::currentDateTimeUtc().secsTo(m_expiry)));
    emit expiryChecked(m_listener, m_expiry);
}

} // namespace edgegate
