// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/common/metrics.h"
#include "gateway/storage/certauthority.h"
#include "gateway/storage/devicecertificates.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>

using namespace edgegate;
using namespace Qt::StringLiterals;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

std::unique_ptr<X509, decltype(&X509_free)> certificateOf(const QByteArray &pem)
{
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.constData(), int(pem.size())), &BIO_free);
    return {PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free};
}

/// A certificate request for `cn` (none when empty) with a new key of the given kind.
QByteArray makeCsr(const QString &cn, EVP_PKEY *key)
{
    std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> request(X509_REQ_new(), &X509_REQ_free);
    X509_REQ_set_version(request.get(), 0);
    if (!cn.isEmpty()) {
        const QByteArray utf8 = cn.toUtf8();
        X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(request.get()), "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char *>(utf8.constData()), -1, -1, 0);
    }
    X509_REQ_set_pubkey(request.get(), key);
    X509_REQ_sign(request.get(), key, EVP_sha256());
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    PEM_write_bio_X509_REQ(bio.get(), request.get());
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, size);
}

/// What OpenSSL says of `certPem` against the CA certificate and its CRL: X509_V_OK when it verifies.
int verifyWithCrl(const CertificateAuthority &ca, const QByteArray &certPem)
{
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
    auto caCert = certificateOf(ca.certificatePem());
    X509_STORE_add_cert(store.get(), caCert.get());
    const QByteArray crlPem = readAll(ca.crlPath());
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(crlPem.constData(), int(crlPem.size())), &BIO_free);
    std::unique_ptr<X509_CRL, decltype(&X509_CRL_free)> crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr),
                                                            &X509_CRL_free);
    if (!crl)
        return -1;
    X509_STORE_add_crl(store.get(), crl.get());
    X509_STORE_set_flags(store.get(), X509_V_FLAG_CRL_CHECK);
    X509_STORE_set_purpose(store.get(), X509_PURPOSE_SSL_CLIENT);
    auto cert = certificateOf(certPem);
    std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> context(X509_STORE_CTX_new(), &X509_STORE_CTX_free);
    X509_STORE_CTX_init(context.get(), store.get(), cert.get(), nullptr);
    X509_verify_cert(context.get());
    return X509_STORE_CTX_get_error(context.get());
}

} // namespace

class TestCertAuthority : public QObject
{
    Q_OBJECT

private slots:
    void initMakesPrivateKeyAndRefusesTwice();
    void issuedCertificateNamesTheDeviceAndVerifies();
    void csrKeepsTheDevicesKey();
    void hostileCsrsAreRefused_data();
    void hostileCsrsAreRefused();
    void badDeviceIdsAndDaysAreRefused();
    void revokedCertificateFailsTheCrlCheck();
    void revokingAnUnknownDeviceIsNotFound();
    void notInitializedIsSaid();
    void deviceCertificatesFollowTheIndex();
    void aCaMadeElsewhereIsNoticed();
};

void TestCertAuthority::initMakesPrivateKeyAndRefusesTwice()
{
    QTemporaryDir dir;
    CertificateAuthority ca(dir.filePath(u"ca"_s), u"gw-1"_s);
    QVERIFY(!ca.exists());
    CaError error;
    QVERIFY2(ca.init(&error), qPrintable(error.message));
    QVERIFY(ca.exists());
    QCOMPARE(QFile::permissions(dir.filePath(u"ca/ca.key"_s)) & 0x0077, QFileDevice::Permissions());
    QCOMPARE(QFile::permissions(dir.filePath(u"ca"_s)) & 0x0077, QFileDevice::Permissions());
    auto cert = certificateOf(ca.certificatePem());
    QVERIFY(cert);
    QCOMPARE(X509_check_ca(cert.get()), 1);
    QVERIFY(ca.expiry() > QDateTime::currentDateTimeUtc().addYears(9));
    QVERIFY(!ca.init(&error));
    QCOMPARE(error.kind, CaError::Kind::AlreadyInitialized);
}

void TestCertAuthority::issuedCertificateNamesTheDeviceAndVerifies()
{
    QTemporaryDir dir;
    CertificateAuthority ca(dir.filePath(u"ca"_s), u"gw-1"_s);
    CaError error;
    QVERIFY(ca.init(&error));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto issued = ca.issue(u"meter-7"_s, {}, 30, now, &error);
    QVERIFY2(issued, qPrintable(error.message));
    QVERIFY(!issued->keyPem.isEmpty());
    auto cert = certificateOf(issued->certificatePem);
    char cn[128] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
    QCOMPARE(QString::fromLatin1(cn), u"meter-7"_s);
    QCOMPARE(X509_check_ca(cert.get()), 0);
    QCOMPARE(issued->record.device, u"meter-7"_s);
    QCOMPARE(issued->record.notAfter.toSecsSinceEpoch(), now.addDays(30).toSecsSinceEpoch());
    QCOMPARE(verifyWithCrl(ca, issued->certificatePem), X509_V_OK);
    // The returned key is the certificate's.
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(issued->keyPem.constData(), int(issued->keyPem.size())), &BIO_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
    QCOMPARE(X509_check_private_key(cert.get(), key.get()), 1);
    const auto list = ca.list(&error);
    QVERIFY(list);
    QCOMPARE(list->size(), 1);
    QCOMPARE(list->constFirst().serial, issued->record.serial);
    QVERIFY(list->constFirst().isValidAt(now));
    QVERIFY(!list->constFirst().isValidAt(now.addDays(31)));
}

void TestCertAuthority::csrKeepsTheDevicesKey()
{
    QTemporaryDir dir;
    CertificateAuthority ca(dir.filePath(u"ca"_s), u"gw-1"_s);
    CaError error;
    QVERIFY(ca.init(&error));
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
    for (const QString &cn : {u"meter-8"_s, QString()}) {
        const auto issued = ca.issue(u"meter-8"_s, makeCsr(cn, key.get()), 10, QDateTime::currentDateTimeUtc(), &error);
        QVERIFY2(issued, qPrintable(error.message));
        QVERIFY(issued->keyPem.isEmpty());
        auto cert = certificateOf(issued->certificatePem);
        QCOMPARE(X509_check_private_key(cert.get(), key.get()), 1);
        QCOMPARE(verifyWithCrl(ca, issued->certificatePem), X509_V_OK);
    }
}

void TestCertAuthority::hostileCsrsAreRefused_data()
{
    QTest::addColumn<QByteArray>("csr");
    QTest::addColumn<QString>("message");
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> ec(EVP_EC_gen("P-256"), &EVP_PKEY_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> weak(EVP_RSA_gen(1024), &EVP_PKEY_free);
    QTest::addRow("another device's name") << makeCsr(u"meter-2"_s, ec.get()) << u"another subject"_s;
    QTest::addRow("weak rsa") << makeCsr(QString(), weak.get()) << u"fewer than 2048 bits"_s;
    QTest::addRow("garbage") << QByteArray("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE "
                                           "REQUEST-----\n")
                             << u"not a PEM certificate request"_s;
    QTest::addRow("oversized") << QByteArray(CertificateAuthority::MaxCsrBytes + 1, 'A') << u"larger than"_s;
    // A request whose subject was changed after signing: its signature no longer holds.
    QByteArray forged = makeCsr(u"meter-1"_s, ec.get());
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(forged.constData(), int(forged.size())), &BIO_free);
    std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> request(
        PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr), &X509_REQ_free);
    unsigned char *der = nullptr;
    const int size = i2d_X509_REQ(request.get(), &der);
    QByteArray bytes(reinterpret_cast<const char *>(der), size);
    OPENSSL_free(der);
    const qsizetype at = bytes.indexOf("meter-1");
    bytes[at + 6] = '9'; // meter-9, same length
    QTest::addRow("forged signature") << ("-----BEGIN CERTIFICATE REQUEST-----\n" + bytes.toBase64()
                                          + "\n-----END CERTIFICATE REQUEST-----\n")
                                      << u"valid signature"_s;
}

void TestCertAuthority::hostileCsrsAreRefused()
{
    QFETCH(QByteArray, csr);
    QFETCH(QString, message);
    QTemporaryDir dir;
    CertificateAuthority ca(dir.filePath(u"ca"_s), u"gw-1"_s);
    CaError error;
    QVERIFY(ca.init(&error));
    QVERIFY(!ca.issue(u"meter-1"_s, csr, 10, QDateTime::currentDateTimeUtc(), &error));
    QCOMPARE(error.kind, CaError::Kind::BadRequest);
    QVERIFY2(error.message.contains(message), qPrintable(error.message));
    QVERIFY(ca.list(&error)->isEmpty());
    QCOMPARE(ERR_peek_error(), 0UL);
}

void TestCertAuthority::badDeviceIdsAndDaysAreRefused()
{
    QTemporaryDir dir;
    CertificateAuthority ca(dir.filePath(u"ca"_s), u"gw-1"_s);
    CaError error;
    QVERIFY(ca.init(&error));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const QString &id : {u"a/b"_s, u"+"_s, QString(), QString(65, u'x'), u"CN=x,O=y"_s}) {
        QVERIFY(!ca.issue(id, {}, 10, now, &error));
        QCOMPARE(error.kind, CaError::Kind::BadRequest);
    }
    for (const int days : {0, -1, CertificateAuthority::MaxDays + 1}) {
        QVERIFY(!ca.issue(u"ok"_s, {}, days, now, &error));
        QCOMPARE(error.kind, CaError::Kind::BadRequest);
    }
    // Never past the CA's own end.
    const auto issued = ca.issue(u"ok"_s, {}, CertificateAuthority::MaxDays, now.addYears(5), &error);
    QVERIFY(issued);
    QVERIFY(issued->record.notAfter <= ca.expiry());
}

void TestCertAuthority::revokedCertificateFailsTheCrlCheck()
{
    QTemporaryDir dir;
    CertificateAuthority ca(dir.filePath(u"ca"_s), u"gw-1"_s);
    CaError error;
    QVERIFY(ca.init(&error));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto first = ca.issue(u"meter-1"_s, {}, 10, now, &error);
    const auto second = ca.issue(u"meter-1"_s, {}, 10, now, &error);
    const auto other = ca.issue(u"meter-2"_s, {}, 10, now, &error);
    QVERIFY(first && second && other);
    QCOMPARE(ca.revoke(u"meter-1"_s, now, &error), std::optional<int>(2));
    QCOMPARE(verifyWithCrl(ca, first->certificatePem), X509_V_ERR_CERT_REVOKED);
    QCOMPARE(verifyWithCrl(ca, second->certificatePem), X509_V_ERR_CERT_REVOKED);
    QCOMPARE(verifyWithCrl(ca, other->certificatePem), X509_V_OK);
    // Again: nothing left to revoke, and the CRL still lists both.
    QCOMPARE(ca.revoke(u"meter-1"_s, now, &error), std::optional<int>(0));
    QCOMPARE(verifyWithCrl(ca, first->certificatePem), X509_V_ERR_CERT_REVOKED);
    const auto list = ca.list(&error);
    QCOMPARE(std::count_if(list->cbegin(), list->cend(), [](const auto &c) { return c.isRevoked(); }), 2);
}

void TestCertAuthority::revokingAnUnknownDeviceIsNotFound()
{
    QTemporaryDir dir;
    CertificateAuthority ca(dir.filePath(u"ca"_s), u"gw-1"_s);
    CaError error;
    QVERIFY(ca.init(&error));
    QVERIFY(!ca.revoke(u"nobody"_s, QDateTime::currentDateTimeUtc(), &error));
    QCOMPARE(error.kind, CaError::Kind::NotFound);
}

void TestCertAuthority::notInitializedIsSaid()
{
    QTemporaryDir dir;
    CertificateAuthority ca(dir.filePath(u"ca"_s), u"gw-1"_s);
    CaError error;
    QVERIFY(!ca.issue(u"meter-1"_s, {}, 10, QDateTime::currentDateTimeUtc(), &error));
    QCOMPARE(error.kind, CaError::Kind::NotInitialized);
    QVERIFY(error.message.contains(u"edgegated ca init"_s));
    QVERIFY(!ca.list(&error));
    QCOMPARE(error.kind, CaError::Kind::NotInitialized);
}

void TestCertAuthority::deviceCertificatesFollowTheIndex()
{
    QTemporaryDir dir;
    CertificateAuthority ca(dir.filePath(u"ca"_s), u"gw-1"_s);
    Metrics metrics;
    DeviceCertificates certificates(ca, metrics);
    QSignalSpy certified(&certificates, &DeviceCertificates::certifiedChanged);
    QSignalSpy expiry(&certificates, &DeviceCertificates::expiryChecked);
    certificates.reload();
    QVERIFY(certificates.certified().isEmpty());
    QCOMPARE(certified.size(), 0);

    CaError error;
    QVERIFY(ca.init(&error));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QVERIFY(ca.issue(u"meter-1"_s, {}, 10, now, &error));
    QVERIFY(ca.issue(u"meter-2"_s, {}, 400, now, &error));
    certificates.reload();
    QCOMPARE(certificates.certified(), (QSet<QString>{u"meter-1"_s, u"meter-2"_s}));
    QCOMPARE(certified.size(), 1);
    const QList<QVariant> devices = expiry.takeLast();
    QCOMPARE(devices.at(0).toString(), u"devices"_s);
    QVERIFY(devices.at(2).toString().contains(u"meter-1"_s));
    QVERIFY(metrics.exposition().contains("edgegate_ca_certificates{state=\"valid\"} 2"));

    // A revoked device stays one that must prove itself.
    QVERIFY(ca.revoke(u"meter-1"_s, now, &error));
    certificates.reload();
    QCOMPARE(certificates.certified(), (QSet<QString>{u"meter-1"_s, u"meter-2"_s}));
    QVERIFY(metrics.exposition().contains("edgegate_ca_certificates{state=\"revoked\"} 1"));
    QVERIFY(expiry.takeLast().at(2).toString().contains(u"meter-2"_s));
}

void TestCertAuthority::aCaMadeElsewhereIsNoticed()
{
    QTemporaryDir dir;
    CertificateAuthority ca(dir.filePath(u"ca"_s), u"gw-1"_s);
    Metrics metrics;
    DeviceCertificates certificates(ca, metrics);
    certificates.reload();
    // The command line, while the service runs: a CA made, then certificates issued.
    CertificateAuthority commandLine(dir.filePath(u"ca"_s), u"gw-1"_s);
    CaError error;
    QVERIFY(commandLine.init(&error));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QVERIFY(commandLine.issue(u"meter-1"_s, {}, 10, now, &error));
    QTRY_VERIFY_WITH_TIMEOUT(certificates.certified().contains(u"meter-1"_s), 10000);
    QVERIFY(commandLine.issue(u"meter-2"_s, {}, 10, now, &error));
    QTRY_VERIFY_WITH_TIMEOUT(certificates.certified().contains(u"meter-2"_s), 10000);
}

QTEST_GUILESS_MAIN(TestCertAuthority)
#include "tst_certauthority.moc"
