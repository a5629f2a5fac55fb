// SPDX-License-Identifier: Apache-2.0
// OpenSSL with ownership: the handles and helpers the gateway CA is built from.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QString>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <sys/types.h>

namespace edgegate::x509 {

template<typename T, void (*Free)(T *)> struct Deleter
{
    void operator()(T *p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Request = std::unique_ptr<X509_REQ, Deleter<X509_REQ, X509_REQ_free>>;
using Crl = std::unique_ptr<X509_CRL, Deleter<X509_CRL, X509_CRL_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using Name = std::unique_ptr<X509_NAME, Deleter<X509_NAME, X509_NAME_free>>;
using Integer = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER, ASN1_INTEGER_free>>;
using BigNumber = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;

/// `what`, with OpenSSL's first queued error when there is one (the queue is cleared).
[[nodiscard]] QString sslError(const QString &what);
[[nodiscard]] Bio readBio(QByteArrayView bytes);
/// The bytes written to a memory BIO.
[[nodiscard]] QByteArray drain(BIO *bio);
[[nodiscard]] QByteArray certificateToPem(X509 *cert);
[[nodiscard]] QByteArray keyToPem(EVP_PKEY *key);
/// Written whole or not at all (QSaveFile), with `mode`.
[[nodiscard]] bool writeFile(const QString &path, const QByteArray &bytes, mode_t mode, QString *error);
/// Refused past `maxBytes`.
[[nodiscard]] std::optional<QByteArray> readFile(const QString &path, qint64 maxBytes, QString *error);
[[nodiscard]] QByteArray hex(const unsigned char *data, unsigned int size);
[[nodiscard]] bool setTime(ASN1_TIME *field, const QDateTime &when);
[[nodiscard]] QDateTime timeOf(const ASN1_TIME *field);
/// 16 random bytes, positive (RFC 5280).
[[nodiscard]] Integer randomSerial();
/// Serials as upper-case hex, both ways.
[[nodiscard]] QString serialText(const ASN1_INTEGER *serial);
[[nodiscard]] Integer serialFromText(const QString &text);
/// CN=`cn`, after O=EdgeGate when `withOrganization`.
[[nodiscard]] Name commonName(const QString &cn, bool withOrganization);
/// The subject's CN; empty when it has none, nullopt when it has several or is not text.
[[nodiscard]] std::optional<QString> subjectCommonName(const X509_NAME *name);
/// An X.509v3 extension in OpenSSL's config syntax (e.g. "critical,CA:TRUE").
bool addExtension(X509 *cert, X509 *issuer, int nid, const char *value);
/// Keys a device may certify: EC and RSA of at least 2048 bits, Ed25519.
[[nodiscard]] bool acceptableKey(EVP_PKEY *key, QString *why);

} // namespace edgegate::x509
