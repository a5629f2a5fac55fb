// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace edgegate {

/// One certificate the gateway CA issued, as its index keeps it.
struct IssuedCertificate
{
    QString device; ///< the certificate's CN
    QString serial; ///< hex, upper case
    QString sha256; ///< fingerprint of the DER certificate, hex, lower case
    QDateTime notBefore;
    QDateTime notAfter;
    QDateTime revokedAt; ///< null while not revoked

    [[nodiscard]] bool isRevoked() const { return revokedAt.isValid(); }
    /// Neither revoked nor expired at `now`.
    [[nodiscard]] bool isValidAt(const QDateTime &now) const;
};

struct CaError
{
    enum class Kind { NotInitialized, AlreadyInitialized, BadRequest, NotFound, Failed };
    Kind kind = Kind::Failed;
    QString message;
};

/// The gateway's own certificate authority for devices (OpenSSL), in one folder of data_dir:
/// `ca.key` (P-256, 0600), `ca.crt`, `crl.pem` and `index.json`, the certificates it issued. Every
/// operation takes a lock file and reads the folder afresh, so the command line and a running
/// service can both use it.
class CertificateAuthority
{
public:
    static constexpr int DefaultDays = 365;
    static constexpr int MaxDays = 3650;
    static constexpr int CaDays = 3650;
    static constexpr int CrlDays = 365;
    static constexpr qsizetype MaxCsrBytes = 64 * 1024;
    /// Past this many entries in the index, issuing is refused until old ones are pruned.
    static constexpr qsizetype MaxIndexEntries = 200000;

    /// `dir` is data_dir/ca; `name` goes into the CA's subject (the gateway id).
    CertificateAuthority(QString dir, QString name);

    [[nodiscard]] const QString &dir() const { return m_dir; }
    [[nodiscard]] QString certificatePath() const;
    [[nodiscard]] QString crlPath() const;
    [[nodiscard]] QString indexPath() const;
    [[nodiscard]] bool exists() const;

    /// Creates the key, the self-signed certificate, an empty index and CRL.
    [[nodiscard]] bool init(CaError *error);

    struct Issued
    {
        IssuedCertificate record;
        QByteArray certificatePem;
        QByteArray keyPem; ///< the new private key; empty when the device sent a CSR
    };
    /// A client certificate whose CN is `device`, valid for `days`. With `csrPem` the key stays the
    /// device's (the CSR's signature is checked, and a CN in it must be `device`); without, a P-256
    /// key is made here and returned once.
    [[nodiscard]] std::optional<Issued> issue(const QString &device, QByteArrayView csrPem, int days,
                                              const QDateTime &now, CaError *error);
    /// A TLS server certificate and new key for a service beside the gateway (the local broker), named
    /// `name`, for the host names and addresses in `hosts`. It is not a device credential: not kept in
    /// the index, and replaced rather than revoked.
    [[nodiscard]] std::optional<Issued> issueServer(const QString &name, const QStringList &hosts, int days,
                                                    const QDateTime &now, CaError *error);
    /// Revokes every unrevoked certificate of `device` and writes the CRL. How many were revoked.
    [[nodiscard]] std::optional<int> revoke(const QString &device, const QDateTime &now, CaError *error);
    [[nodiscard]] std::optional<QList<IssuedCertificate>> list(CaError *error) const;
    /// Signs the CRL anew when less than half its validity is left.
    [[nodiscard]] bool refreshCrl(const QDateTime &now, CaError *error);
    [[nodiscard]] QByteArray certificatePem() const;
    /// Keeps a copy of ca.crt and crl.pem in `dir` (a broker's folder, which cannot read data_dir),
    /// from now on each time the CRL is signed.
    [[nodiscard]] bool addExport(const QString &dir, QString *error);
    /// The device a client certificate (DER) proves: its CN, when the CA issued it, it is in its dates
    /// at `now`, not on the CRL, and made for TLS clients. Empty when it proves nothing, with `why`.
    [[nodiscard]] QString verifyClient(QByteArrayView der, const QDateTime &now, QString *why) const;
    /// When the CA's own certificate expires; null when it cannot be read.
    [[nodiscard]] QDateTime expiry() const;

private:
    QString path(const QString &file) const;
    /// Copies ca.crt and crl.pem to every folder addExport() named; false when one failed.
    bool mirror(QString *error) const;

    QString m_dir;
    QString m_name;
};

} // namespace edgegate
