// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/x509.h"

#include <QFile>
#include <QSaveFile>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <sys/stat.h>

namespace edgegate::x509 {

using namespace Qt::StringLiterals;

QString sslError(const QString &what)
{
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0)
        return what;
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    return what + u": "_s + QString::fromLatin1(text);
}

Bio readBio(QByteArrayView bytes)
{
    return Bio(BIO_new_mem_buf(bytes.data(), int(bytes.size())));
}

QByteArray drain(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return QByteArray(data, size);
}

QByteArray certificateToPem(X509 *cert)
{
    Bio bio(BIO_new(BIO_s_mem()));
    return bio && PEM_write_bio_X509(bio.get(), cert) == 1 ? drain(bio.get()) : QByteArray();
}

QByteArray keyToPem(EVP_PKEY *key)
{
    Bio bio(BIO_new(BIO_s_mem()));
    return bio && PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1
        ? drain(bio.get())
        : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &bytes, mode_t mode, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || ::fchmod(file.handle(), mode) != 0 || file.write(bytes) != bytes.size()
        || !file.commit()) {
        *error = u"cannot write "_s + path + u": "_s + file.errorString();
        return false;
    }
    return true;
}

std::optional<QByteArray> readFile(const QString &path, qint64 maxBytes, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = u"cannot read "_s + path + u": "_s + file.errorString();
        return std::nullopt;
    }
    if (file.size() > maxBytes) {
        *error = path + u" is larger than "_s + QString::number(maxBytes) + u" bytes"_s;
        return std::nullopt;
    }
    return file.readAll();
}

QByteArray hex(const unsigned char *data, unsigned int size)
{
    return QByteArray(reinterpret_cast<const char *>(data), size).toHex();
}

bool setTime(ASN1_TIME *field, const QDateTime &when)
{
    return ASN1_TIME_set(field, time_t(when.toSecsSinceEpoch())) != nullptr;
}

QDateTime timeOf(const ASN1_TIME *field)
{
    struct tm parts = {};
    if (ASN1_TIME_to_tm(field, &parts) != 1)
        return {};
    return QDateTime::fromSecsSinceEpoch(qint64(timegm(&parts)), Qt::UTC);
}

Integer randomSerial()
{
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        return nullptr;
    bytes[0] &= 0x7f; // positive, as RFC 5280 asks
    bytes[0] |= 0x40; // and always 16 bytes long
    BigNumber number(BN_bin2bn(bytes, sizeof bytes, nullptr));
    return Integer(number ? BN_to_ASN1_INTEGER(number.get(), nullptr) : nullptr);
}

QString serialText(const ASN1_INTEGER *serial)
{
    BigNumber number(ASN1_INTEGER_to_BN(serial, nullptr));
    if (!number)
        return {};
    char *text = BN_bn2hex(number.get());
    const QString out = QString::fromLatin1(text);
    OPENSSL_free(text);
    return out;
}

Integer serialFromText(const QString &text)
{
    BIGNUM *raw = nullptr;
    const QByteArray latin = text.toLatin1();
    if (BN_hex2bn(&raw, latin.constData()) != latin.size())
        return BN_free(raw), nullptr;
    BigNumber number(raw);
    return Integer(BN_to_ASN1_INTEGER(number.get(), nullptr));
}

Name commonName(const QString &cn, bool withOrganization)
{
    Name name(X509_NAME_new());
    const QByteArray utf8 = cn.toUtf8();
    if (!name
        || (withOrganization
            && X509_NAME_add_entry_by_txt(name.get(), "O", MBSTRING_UTF8,
                                          reinterpret_cast<const unsigned char *>("EdgeGate"), -1, -1, 0)
                != 1)
        || X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char *>(utf8.constData()), int(utf8.size()), -1,
                                      0)
            != 1)
        return nullptr;
    return name;
}

/// The subject's CN; empty when it has none, nullopt when it has several or is not text.
std::optional<QString> subjectCommonName(const X509_NAME *name)
{
    const int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (index < 0)
        return QString();
    if (X509_NAME_get_index_by_NID(name, NID_commonName, index) >= 0)
        return std::nullopt;
    unsigned char *utf8 = nullptr;
    const int size = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index)));
    if (size < 0)
        return std::nullopt;
    const QString cn = QString::fromUtf8(reinterpret_cast<const char *>(utf8), size);
    OPENSSL_free(utf8);
    return cn;
}

bool addExtension(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    if (!extension)
        return false;
    const bool added = X509_add_ext(cert, extension, -1) == 1;
    X509_EXTENSION_free(extension);
    return added;
}

/// Keys a device may certify: EC and RSA of at least 2048 bits, Ed25519.
bool acceptableKey(EVP_PKEY *key, QString *why)
{
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_EC:
        if (EVP_PKEY_get_bits(key) >= 256)
            return true;
        *why = u"an EC key of fewer than 256 bits"_s;
        return false;
    case EVP_PKEY_RSA:
        if (EVP_PKEY_get_bits(key) >= 2048)
            return true;
        *why = u"an RSA key of fewer than 2048 bits"_s;
        return false;
    case EVP_PKEY_ED25519:
        return true;
    default:
        *why = u"a key type other than EC, RSA or Ed25519"_s;
        return false;
    }
}

} // namespace edgegate::x509
