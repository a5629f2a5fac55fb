// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/certauthority.h"

#include "gateway/storage/x509.h"
#include "shared/deviceid.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QSaveFile>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <arpa/inet.h>
#include <ctime>
#include <memory>
#include <sys/stat.h>

namespace edgegate {

using namespace Qt::StringLiterals;
using namespace x509;

namespace {

constexpr qint64 MaxIndexBytes = 128 * 1024 * 1024;
constexpr qint64 SecondsPerDay = 86400;
constexpr int LockWaitMs = 10000;

QString isoText(const QDateTime &when)
{
    return when.isValid() ? when.toUTC().toString(Qt::ISODate) : QString();
}

QDateTime fromIso(const QJsonValue &value)
{
    return value.isString() ? QDateTime::fromString(value.toString(), Qt::ISODate) : QDateTime();
}

/// The index: what was issued, and the CRL's number and next update.
struct Index
{
    QList<IssuedCertificate> certificates;
    qint64 crlNumber = 0;
    QDateTime crlNextUpdate;
};

QJsonObject toJson(const IssuedCertificate &c)
{
    QJsonObject o{{u"device"_s, c.device},
                  {u"serial"_s, c.serial},
                  {u"sha256"_s, c.sha256},
                  {u"not_before"_s, isoText(c.notBefore)},
                  {u"not_after"_s, isoText(c.notAfter)}};
    if (c.isRevoked())
        o.insert(u"revoked_at"_s, isoText(c.revokedAt));
    return o;
}

std::optional<Index> readIndex(const QString &path, QString *error)
{
    const auto bytes = readFile(path, MaxIndexBytes, error);
    if (!bytes)
        return std::nullopt;
    QJsonParseError parse;
    const QJsonObject root = QJsonDocument::fromJson(*bytes, &parse).object();
    if (parse.error != QJsonParseError::NoError || !root.value(u"certificates"_s).isArray()) {
        *error = path + u" is not a certificate index"_s;
        return std::nullopt;
    }
    Index index;
    index.crlNumber = root.value(u"crl_number"_s).toInteger();
    index.crlNextUpdate = fromIso(root.value(u"crl_next_update"_s));
    for (const QJsonValue &entry : root.value(u"certificates"_s).toArray()) {
        const QJsonObject o = entry.toObject();
        IssuedCertificate c{o.value(u"device"_s).toString(),  o.value(u"serial"_s).toString(),
                            o.value(u"sha256"_s).toString(),  fromIso(o.value(u"not_before"_s)),
                            fromIso(o.value(u"not_after"_s)), fromIso(o.value(u"revoked_at"_s))};
        if (c.device.isEmpty() || c.serial.isEmpty() || !c.notAfter.isValid()) {
            *error = path + u" has an entry without device, serial or not_after"_s;
            return std::nullopt;
        }
        index.certificates.append(c);
    }
    return index;
}

bool writeIndex(const QString &path, const Index &index, QString *error)
{
    QJsonArray list;
    for (const IssuedCertificate &c : index.certificates)
        list.append(toJson(c));
    const QJsonObject root{{u"version"_s, 1},
                           {u"crl_number"_s, index.crlNumber},
                           {u"crl_next_update"_s, isoText(index.crlNextUpdate)},
                           {u"certificates"_s, list}};
    return writeFile(path, QJsonDocument(root).toJson(QJsonDocument::Indented), 0600, error);
}

CaError failure(CaError::Kind kind, const QString &message)
{
    return CaError{kind, message};
}

} // namespace

bool IssuedCertificate::isValidAt(const QDateTime &now) const
{
    return !isRevoked() && now >= notBefore && now < notAfter;
}

CertificateAuthority::CertificateAuthority(QString dir, QString name)
    : m_dir(std::move(dir))
    , m_name(std::move(name))
{
}

QString CertificateAuthority::path(const QString &file) const
{
    return m_dir + u'/' + file;
}

QString CertificateAuthority::certificatePath() const
{
    return path(u"ca.crt"_s);
}

QString CertificateAuthority::crlPath() const
{
    return path(u"crl.pem"_s);
}

QString CertificateAuthority::indexPath() const
{
    return path(u"index.json"_s);
}

bool CertificateAuthority::exists() const
{
    return QFile::exists(path(u"ca.key"_s)) && QFile::exists(certificatePath()) && QFile::exists(indexPath());
}

QByteArray CertificateAuthority::certificatePem() const
{
    QString ignored;
    return readFile(certificatePath(), MaxCsrBytes, &ignored).value_or(QByteArray());
}

bool CertificateAuthority::addExport(const QString &dir, QString *error)
{
    const QString list = path(u"exports"_s);
    const QString absolute = QDir(dir).absolutePath();
    QStringList dirs
        = QString::fromUtf8(readFile(list, MaxCsrBytes, error).value_or(QByteArray())).split(u'\n', Qt::SkipEmptyParts);
    if (!dirs.contains(absolute)) {
        dirs.append(absolute);
        if (!writeFile(list, dirs.join(u'\n').toUtf8() + '\n', 0600, error))
            return false;
    }
    return mirror(error);
}

bool CertificateAuthority::mirror(QString *error) const
{
    QString ignored;
    const QStringList dirs
        = QString::fromUtf8(readFile(path(u"exports"_s), MaxCsrBytes, &ignored).value_or(QByteArray()))
              .split(u'\n', Qt::SkipEmptyParts);
    const auto crl = readFile(crlPath(), MaxIndexBytes, error);
    const auto cert = crl ? readFile(certificatePath(), MaxCsrBytes, error) : std::nullopt;
    if (!cert)
        return false;
    bool ok = true;
    for (const QString &dir : dirs) {
        QString message;
        if (!writeFile(dir + u"/crl.pem"_s, *crl, 0644, &message)
            || !writeFile(dir + u"/ca.crt"_s, *cert, 0644, &message)) {
            *error = message;
            ok = false;
        }
    }
    return ok;
}

QString CertificateAuthority::verifyClient(QByteArrayView der, const QDateTime &now, QString *why) const
{
    QString message;
    const auto caPem = readFile(certificatePath(), MaxCsrBytes, &message);
    const auto crlPem = caPem ? readFile(crlPath(), MaxIndexBytes, &message) : std::nullopt;
    if (!crlPem) {
        *why = message;
        return {};
    }
    const auto *bytes = reinterpret_cast<const unsigned char *>(der.data());
    Cert cert(d2i_X509(nullptr, &bytes, long(der.size())));
    Bio caBio = readBio(*caPem);
    Bio crlBio = readBio(*crlPem);
    Cert ca(PEM_read_bio_X509(caBio.get(), nullptr, nullptr, nullptr));
    Crl crl(PEM_read_bio_X509_CRL(crlBio.get(), nullptr, nullptr, nullptr));
    std::unique_ptr<X509_STORE, Deleter<X509_STORE, X509_STORE_free>> store(X509_STORE_new());
    std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX, X509_STORE_CTX_free>> context(X509_STORE_CTX_new());
    if (!cert || bytes != reinterpret_cast<const unsigned char *>(der.data()) + der.size()) {
        ERR_clear_error();
        *why = u"not a DER certificate"_s;
        return {};
    }
    const bool ready = ca && crl && store && context && X509_STORE_add_cert(store.get(), ca.get()) == 1
        && X509_STORE_add_crl(store.get(), crl.get()) == 1
        && X509_STORE_CTX_init(context.get(), store.get(), cert.get(), nullptr) == 1;
    if (!ready) {
        *why = sslError(u"the CA cannot be read"_s);
        return {};
    }
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(context.get());
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CRL_CHECK);
    X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_CLIENT);
    X509_VERIFY_PARAM_set_time(param, time_t(now.toSecsSinceEpoch()));
    if (X509_verify_cert(context.get()) != 1) {
        *why = QString::fromLatin1(X509_verify_cert_error_string(X509_STORE_CTX_get_error(context.get())));
        ERR_clear_error();
        return {};
    }
    const auto cn = subjectCommonName(X509_get_subject_name(cert.get()));
    if (!cn || !isValidDeviceId(*cn)) {
        *why = u"its subject is not a device id"_s;
        return {};
    }
    return *cn;
}

QDateTime CertificateAuthority::expiry() const
{
    const QByteArray pem = certificatePem();
    Bio bio = readBio(pem);
    Cert cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    ERR_clear_error();
    return cert ? timeOf(X509_get0_notAfter(cert.get())) : QDateTime();
}

namespace {

/// The CA's key and certificate, read under the lock.
struct Signer
{
    Key key;
    Cert cert;
};

std::optional<Signer> loadSigner(const QString &keyPath, const QString &certPath, CaError *error)
{
    QString message;
    const auto keyPem = readFile(keyPath, CertificateAuthority::MaxCsrBytes, &message);
    const auto certPem = keyPem ? readFile(certPath, CertificateAuthority::MaxCsrBytes, &message) : std::nullopt;
    if (!certPem) {
        *error = failure(CaError::Kind::Failed, message);
        return std::nullopt;
    }
    Bio keyBio = readBio(*keyPem);
    Bio certBio = readBio(*certPem);
    Signer signer{Key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr)),
                  Cert(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr))};
    if (!signer.key || !signer.cert || X509_check_private_key(signer.cert.get(), signer.key.get()) != 1) {
        *error = failure(CaError::Kind::Failed, sslError(u"the CA key or certificate cannot be read"_s));
        return std::nullopt;
    }
    return signer;
}

/// A certificate for `key`, named `cn`, signed by the CA: for TLS clients or servers as `usage` says,
/// with subjectAltName entries when given.
Cert signCertificate(const Signer &signer, EVP_PKEY *key, ASN1_INTEGER *serial, const QString &cn,
                     const QDateTime &notBefore, const QDateTime &notAfter, const char *usage,
                     const QByteArray &altNames)
{
    Cert cert(X509_new());
    const Name subject = commonName(cn, false);
    const bool ok = cert && subject && X509_set_version(cert.get(), 2) == 1
        && X509_set_serialNumber(cert.get(), serial) == 1 && X509_set_subject_name(cert.get(), subject.get()) == 1
        && X509_set_issuer_name(cert.get(), X509_get_subject_name(signer.cert.get())) == 1
        && setTime(X509_getm_notBefore(cert.get()), notBefore) && setTime(X509_getm_notAfter(cert.get()), notAfter)
        && X509_set_pubkey(cert.get(), key) == 1
        && addExtension(cert.get(), signer.cert.get(), NID_basic_constraints, "critical,CA:FALSE")
        && addExtension(cert.get(), signer.cert.get(), NID_key_usage, "critical,digitalSignature")
        && addExtension(cert.get(), signer.cert.get(), NID_ext_key_usage, usage)
        && addExtension(cert.get(), signer.cert.get(), NID_subject_key_identifier, "hash")
        && addExtension(cert.get(), signer.cert.get(), NID_authority_key_identifier, "keyid:always")
        && (altNames.isEmpty()
            || addExtension(cert.get(), signer.cert.get(), NID_subject_alt_name, altNames.constData()))
        && X509_sign(cert.get(), signer.key.get(), EVP_sha256()) > 0;
    return ok ? std::move(cert) : Cert();
}

bool writeCrl(const Signer &signer, Index &index, const QString &path, const QDateTime &now, CaError *error)
{
    Crl crl(X509_CRL_new());
    const QDateTime next = now.addSecs(CertificateAuthority::CrlDays * SecondsPerDay);
    ASN1_TIME *last = ASN1_TIME_new();
    ASN1_TIME *nextTime = ASN1_TIME_new();
    Integer number(ASN1_INTEGER_new());
    bool ok = crl && last && nextTime && number && X509_CRL_set_version(crl.get(), 1) == 1
        && X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(signer.cert.get())) == 1 && setTime(last, now)
        && setTime(nextTime, next) && X509_CRL_set1_lastUpdate(crl.get(), last) == 1
        && X509_CRL_set1_nextUpdate(crl.get(), nextTime) == 1;
    ASN1_TIME_free(last);
    ASN1_TIME_free(nextTime);
    for (const IssuedCertificate &c : std::as_const(index.certificates)) {
        // An expired certificate is refused for its dates; the CRL need not carry it.
        if (!ok || !c.isRevoked() || c.notAfter < now)
            continue;
        X509_REVOKED *entry = X509_REVOKED_new();
        Integer serial = serialFromText(c.serial);
        ASN1_TIME *when = ASN1_TIME_new();
        ok = entry && serial && when && X509_REVOKED_set_serialNumber(entry, serial.get()) == 1
            && setTime(when, c.revokedAt) && X509_REVOKED_set_revocationDate(entry, when) == 1
            && X509_CRL_add0_revoked(crl.get(), entry) == 1;
        ASN1_TIME_free(when);
        if (!ok)
            X509_REVOKED_free(entry);
    }
    ok = ok && ASN1_INTEGER_set_int64(number.get(), index.crlNumber + 1) == 1
        && X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0) == 1 && X509_CRL_sort(crl.get()) == 1
        && X509_CRL_sign(crl.get(), signer.key.get(), EVP_sha256()) > 0;
    Bio bio(BIO_new(BIO_s_mem()));
    if (!ok || !bio || PEM_write_bio_X509_CRL(bio.get(), crl.get()) != 1) {
        *error = failure(CaError::Kind::Failed, sslError(u"the CRL cannot be signed"_s));
        return false;
    }
    // Devices' peers (the broker) read the CRL and the CA certificate, never the key.
    QString message;
    if (!writeFile(path, drain(bio.get()), 0644, &message)) {
        *error = failure(CaError::Kind::Failed, message);
        return false;
    }
    index.crlNumber += 1;
    index.crlNextUpdate = next;
    return true;
}

class Locked
{
public:
    explicit Locked(const QString &dir)
        : m_lock(dir + u"/lock"_s)
    {
        m_held = m_lock.tryLock(LockWaitMs);
    }
    [[nodiscard]] bool held() const { return m_held; }

private:
    QLockFile m_lock;
    bool m_held = false;
};

std::optional<CaError> lockFailure(const Locked &lock, const QString &dir)
{
    if (lock.held())
        return std::nullopt;
    return failure(CaError::Kind::Failed, u"the CA in "_s + dir + u" is busy (another edgegated holds its lock)"_s);
}

/// The CA opened for a change: its lock held, its key, certificate and index read.
struct Opened
{
    std::unique_ptr<Locked> lock;
    Signer signer;
    Index index;
};

std::optional<Opened> openCa(const CertificateAuthority &ca, CaError *error)
{
    if (!ca.exists()) {
        *error = failure(CaError::Kind::NotInitialized, u"no CA in "_s + ca.dir() + u" (run: edgegated ca init)"_s);
        return std::nullopt;
    }
    auto lock = std::make_unique<Locked>(ca.dir());
    if (auto busy = lockFailure(*lock, ca.dir())) {
        *error = *busy;
        return std::nullopt;
    }
    auto signer = loadSigner(ca.dir() + u"/ca.key"_s, ca.certificatePath(), error);
    if (!signer)
        return std::nullopt;
    QString message;
    auto index = readIndex(ca.indexPath(), &message);
    if (!index) {
        *error = failure(CaError::Kind::Failed, message);
        return std::nullopt;
    }
    return Opened{std::move(lock), std::move(*signer), std::move(*index)};
}

} // namespace

bool CertificateAuthority::init(CaError *error)
{
    if (exists()) {
        *error = failure(CaError::Kind::AlreadyInitialized, u"a CA already exists in "_s + m_dir);
        return false;
    }
    if (!QDir().mkpath(m_dir)
        || !QFile::setPermissions(m_dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner)) {
        *error = failure(CaError::Kind::Failed, u"cannot create "_s + m_dir);
        return false;
    }
    const Locked lock(m_dir);
    if (auto busy = lockFailure(lock, m_dir)) {
        *error = *busy;
        return false;
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    Signer signer{Key(EVP_EC_gen("P-256")), Cert(X509_new())};
    Integer serial = randomSerial();
    const Name name = commonName(u"EdgeGate device CA "_s + m_name, true);
    bool ok = signer.key && signer.cert && serial && name && X509_set_version(signer.cert.get(), 2) == 1
        && X509_set_serialNumber(signer.cert.get(), serial.get()) == 1
        && X509_set_subject_name(signer.cert.get(), name.get()) == 1
        && X509_set_issuer_name(signer.cert.get(), name.get()) == 1
        && setTime(X509_getm_notBefore(signer.cert.get()), now)
        && setTime(X509_getm_notAfter(signer.cert.get()), now.addSecs(CaDays * SecondsPerDay))
        && X509_set_pubkey(signer.cert.get(), signer.key.get()) == 1
        && addExtension(signer.cert.get(), signer.cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0")
        && addExtension(signer.cert.get(), signer.cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign")
        && addExtension(signer.cert.get(), signer.cert.get(), NID_subject_key_identifier, "hash")
        && X509_sign(signer.cert.get(), signer.key.get(), EVP_sha256()) > 0;
    const QByteArray keyPem = ok ? keyToPem(signer.key.get()) : QByteArray();
    const QByteArray certPem = ok ? certificateToPem(signer.cert.get()) : QByteArray();
    if (keyPem.isEmpty() || certPem.isEmpty()) {
        *error = failure(CaError::Kind::Failed, sslError(u"the CA key and certificate cannot be made"_s));
        return false;
    }
    QString message;
    Index index;
    // The index last: until it exists, the CA does not.
    ok = writeFile(path(u"ca.key"_s), keyPem, 0600, &message) && writeFile(certificatePath(), certPem, 0644, &message);
    if (!ok) {
        *error = failure(CaError::Kind::Failed, message);
        return false;
    }
    if (!writeCrl(signer, index, crlPath(), now, error))
        return false;
    if (!writeIndex(indexPath(), index, &message)) {
        *error = failure(CaError::Kind::Failed, message);
        return false;
    }
    return true;
}

std::optional<CertificateAuthority::Issued> CertificateAuthority::issue(const QString &device, QByteArrayView csrPem,
                                                                        int days, const QDateTime &now, CaError *error)
{
    if (!isValidDeviceId(device)) {
        *error = failure(CaError::Kind::BadRequest,
                         u"'"_s + device.left(MaxDeviceIdLength)
                             + u"' is not a device id (1-64 of A-Z a-z 0-9 . _ : -)"_s);
        return std::nullopt;
    }
    if (days < 1 || days > MaxDays) {
        *error = failure(CaError::Kind::BadRequest, u"days must be 1 to "_s + QString::number(MaxDays));
        return std::nullopt;
    }
    if (csrPem.size() > MaxCsrBytes) {
        *error = failure(CaError::Kind::BadRequest,
                         u"the CSR is larger than "_s + QString::number(MaxCsrBytes) + u" bytes"_s);
        return std::nullopt;
    }
    auto opened = openCa(*this, error);
    if (!opened)
        return std::nullopt;
    Signer &signer = opened->signer;
    Index &index = opened->index;
    QString message;
    if (index.certificates.size() >= MaxIndexEntries) {
        *error = failure(CaError::Kind::Failed,
                         u"the CA has issued "_s + QString::number(MaxIndexEntries) + u" certificates, its limit"_s);
        return std::nullopt;
    }

    Key key;
    if (csrPem.isEmpty()) {
        key = Key(EVP_EC_gen("P-256"));
    } else {
        Bio bio = readBio(csrPem);
        Request request(bio ? PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr) : nullptr);
        key = Key(request ? X509_REQ_get_pubkey(request.get()) : nullptr);
        if (!request || !key || X509_REQ_verify(request.get(), key.get()) != 1) {
            ERR_clear_error();
            *error = failure(CaError::Kind::BadRequest,
                             u"the CSR is not a PEM certificate request with a valid "
                             u"signature"_s);
            return std::nullopt;
        }
        QString why;
        if (!acceptableKey(key.get(), &why)) {
            *error = failure(CaError::Kind::BadRequest, u"the CSR has "_s + why);
            return std::nullopt;
        }
        const auto cn = subjectCommonName(X509_REQ_get_subject_name(request.get()));
        if (!cn || (!cn->isEmpty() && *cn != device)) {
            *error = failure(CaError::Kind::BadRequest,
                             u"the CSR names another subject than '"_s + device
                                 + u"' (leave its CN empty or use the device id)"_s);
            return std::nullopt;
        }
    }

    const QDateTime notAfter
        = std::min(now.addSecs(days * SecondsPerDay), timeOf(X509_get0_notAfter(signer.cert.get())));
    Integer serial = randomSerial();
    const Cert cert = key && serial
        ? signCertificate(signer, key.get(), serial.get(), device, now, notAfter, "clientAuth", {})
        : Cert();
    bool ok = bool(cert);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digestSize = 0;
    ok = ok && X509_digest(cert.get(), EVP_sha256(), digest, &digestSize) == 1;
    Issued issued;
    issued.certificatePem = ok ? certificateToPem(cert.get()) : QByteArray();
    if (csrPem.isEmpty() && ok)
        issued.keyPem = keyToPem(key.get());
    if (issued.certificatePem.isEmpty() || (csrPem.isEmpty() && issued.keyPem.isEmpty())) {
        *error = failure(CaError::Kind::Failed, sslError(u"the certificate cannot be made"_s));
        return std::nullopt;
    }
    issued.record = IssuedCertificate{
        device, serialText(serial.get()), QString::fromLatin1(hex(digest, digestSize)), now, notAfter, QDateTime()};
    index.certificates.append(issued.record);
    if (!writeIndex(indexPath(), index, &message)) {
        *error = failure(CaError::Kind::Failed, message);
        return std::nullopt;
    }
    return issued;
}

std::optional<CertificateAuthority::Issued> CertificateAuthority::issueServer(const QString &name,
                                                                              const QStringList &hosts, int days,
                                                                              const QDateTime &now, CaError *error)
{
    QByteArray altNames;
    for (const QString &host : hosts) {
        const QByteArray latin = host.toLatin1();
        unsigned char bytes[16];
        const bool address
            = inet_pton(AF_INET, latin.constData(), bytes) == 1 || inet_pton(AF_INET6, latin.constData(), bytes) == 1;
        const bool dnsName = !host.isEmpty() && host.size() <= 253
            && std::all_of(
                host.cbegin(), host.cend(),
                [](QChar c) { return (c.isLetterOrNumber() && c.unicode() < 0x80) || c == u'.' || c == u'-'; })
            && host.front().isLetterOrNumber();
        if (!address && !dnsName) {
            *error = failure(CaError::Kind::BadRequest,
                             u"'"_s + host.left(64) + u"' is neither a host name nor an address"_s);
            return std::nullopt;
        }
        altNames += (altNames.isEmpty() ? "" : ",") + QByteArray(address ? "IP:" : "DNS:") + host.toLatin1();
    }
    auto opened = openCa(*this, error);
    if (!opened)
        return std::nullopt;
    const Signer &signer = opened->signer;
    Key key(EVP_EC_gen("P-256"));
    Integer serial = randomSerial();
    const QDateTime notAfter
        = std::min(now.addSecs(days * SecondsPerDay), timeOf(X509_get0_notAfter(signer.cert.get())));
    const Cert cert = key && serial
        ? signCertificate(signer, key.get(), serial.get(), name, now, notAfter, "serverAuth", altNames)
        : Cert();
    Issued issued;
    issued.certificatePem = cert ? certificateToPem(cert.get()) : QByteArray();
    issued.keyPem = cert ? keyToPem(key.get()) : QByteArray();
    if (issued.certificatePem.isEmpty() || issued.keyPem.isEmpty()) {
        *error = failure(CaError::Kind::Failed, sslError(u"the server certificate cannot be made"_s));
        return std::nullopt;
    }
    issued.record = IssuedCertificate{name, serialText(serial.get()), {}, now, notAfter, QDateTime()};
    return issued;
}

std::optional<int> CertificateAuthority::revoke(const QString &device, const QDateTime &now, CaError *error)
{
    auto opened = openCa(*this, error);
    if (!opened)
        return std::nullopt;
    Index &index = opened->index;
    int revoked = 0;
    bool known = false;
    for (IssuedCertificate &c : index.certificates) {
        if (c.device != device)
            continue;
        known = true;
        if (!c.isRevoked()) {
            c.revokedAt = now;
            ++revoked;
        }
    }
    if (!known) {
        *error = failure(CaError::Kind::NotFound, u"the CA has issued no certificate for '"_s + device + u"'"_s);
        return std::nullopt;
    }
    // The CRL first: an index that says "revoked" while the CRL does not would hide the gap.
    if (!writeCrl(opened->signer, index, crlPath(), now, error))
        return std::nullopt;
    QString message;
    if (!writeIndex(indexPath(), index, &message)) {
        *error = failure(CaError::Kind::Failed, message);
        return std::nullopt;
    }
    // Revoked here; a broker that has not the new CRL yet must not be forgotten, so this is an error.
    if (!mirror(&message)) {
        *error = failure(CaError::Kind::Failed, u"revoked, but the CRL could not be copied: "_s + message);
        return std::nullopt;
    }
    return revoked;
}

std::optional<QList<IssuedCertificate>> CertificateAuthority::list(CaError *error) const
{
    if (!exists()) {
        *error = failure(CaError::Kind::NotInitialized, u"no CA in "_s + m_dir + u" (run: edgegated ca init)"_s);
        return std::nullopt;
    }
    QString message;
    auto index = readIndex(indexPath(), &message);
    if (!index) {
        *error = failure(CaError::Kind::Failed, message);
        return std::nullopt;
    }
    return index->certificates;
}

bool CertificateAuthority::refreshCrl(const QDateTime &now, CaError *error)
{
    if (!exists()) {
        *error = failure(CaError::Kind::NotInitialized, u"no CA in "_s + m_dir);
        return false;
    }
    const auto fresh = [&](const Index &index) {
        return index.crlNextUpdate.isValid() && now.secsTo(index.crlNextUpdate) > CrlDays * SecondsPerDay / 2;
    };
    QString message;
    // Looked at without the lock first: the index is replaced whole, and most calls find nothing to do.
    if (const auto unlocked = readIndex(indexPath(), &message); unlocked && fresh(*unlocked))
        return true;
    const Locked lock(m_dir);
    if (auto busy = lockFailure(lock, m_dir)) {
        *error = *busy;
        return false;
    }
    auto index = readIndex(indexPath(), &message);
    if (!index) {
        *error = failure(CaError::Kind::Failed, message);
        return false;
    }
    if (fresh(*index))
        return true;
    auto signer = loadSigner(path(u"ca.key"_s), certificatePath(), error);
    if (!signer || !writeCrl(*signer, *index, crlPath(), now, error))
        return false;
    if (!writeIndex(indexPath(), *index, &message) || !mirror(&message)) {
        *error = failure(CaError::Kind::Failed, message);
        return false;
    }
    return true;
}

} // namespace edgegate
