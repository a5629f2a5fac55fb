// SPDX-License-Identifier: Apache-2.0
#include "gateway/app/commands/cacommand.h"

#include "gateway/app/config/config.h"
#include "gateway/storage/certauthority.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>

#include <sys/stat.h>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

constexpr int ExitFailed = 1;
constexpr int ExitUsage = 2;

bool writeOut(const QString &path, const QByteArray &bytes, mode_t mode, QTextStream &err)
{
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly) && ::fchmod(file.handle(), mode) == 0 && file.write(bytes) == bytes.size()
        && file.commit())
        return true;
    err << "edgegated ca: cannot write " << path << ": " << file.errorString() << '\n';
    return false;
}

QString stateAt(const IssuedCertificate &c, const QDateTime &now)
{
    if (c.isRevoked())
        return u"revoked "_s + c.revokedAt.toString(Qt::ISODate);
    return c.notAfter <= now ? u"expired"_s : u"valid"_s;
}

int issue(CertificateAuthority &ca, const CaCommand &command, QTextStream &out, QTextStream &err)
{
    if (command.arguments.size() != 2 || command.outDir.isEmpty()) {
        err << "usage: edgegated ca issue DEVICE_ID [--csr FILE] [--days N] --out DIR --config FILE\n";
        return ExitUsage;
    }
    int days = CertificateAuthority::DefaultDays;
    if (!command.days.isEmpty()) {
        bool ok = false;
        days = command.days.toInt(&ok);
        if (!ok) {
            err << "edgegated ca: --days '" << command.days << "' is not a number\n";
            return ExitUsage;
        }
    }
    QByteArray csr;
    if (!command.csrFile.isEmpty()) {
        QFile file(command.csrFile);
        if (!file.open(QIODevice::ReadOnly)) {
            err << "edgegated ca: cannot read " << command.csrFile << ": " << file.errorString() << '\n';
            return ExitFailed;
        }
        csr = file.read(CertificateAuthority::MaxCsrBytes + 1);
    }
    if (!QDir().mkpath(command.outDir)) {
        err << "edgegated ca: cannot create " << command.outDir << '\n';
        return ExitFailed;
    }
    const QString device = command.arguments.at(1);
    CaError error;
    const auto issued = ca.issue(device, csr, days, QDateTime::currentDateTimeUtc(), &error);
    if (!issued) {
        err << "edgegated ca: " << error.message << '\n';
        return error.kind == CaError::Kind::BadRequest ? ExitUsage : ExitFailed;
    }
    const QString base = command.outDir + u'/' + device;
    if (!writeOut(base + u".crt"_s, issued->certificatePem, 0644, err)
        || (!issued->keyPem.isEmpty() && !writeOut(base + u".key"_s, issued->keyPem, 0600, err))
        || !writeOut(command.outDir + u"/ca.crt"_s, ca.certificatePem(), 0644, err))
        return ExitFailed;
    out << "issued " << device << " serial " << issued->record.serial << ", valid until "
        << issued->record.notAfter.toString(Qt::ISODate) << ": " << base << ".crt"
        << (issued->keyPem.isEmpty() ? QString() : u", "_s + base + u".key"_s) << ", " << command.outDir << "/ca.crt\n";
    return 0;
}

} // namespace

int runCaCommand(const CaCommand &command, const Config &config, QTextStream &out, QTextStream &err)
{
    CertificateAuthority ca(config.dataFile(u"ca"_s), config.gateway.id);
    const QString verb = command.arguments.value(0);
    CaError error;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (verb == u"init" && command.arguments.size() == 1) {
        if (!ca.init(&error)) {
            err << "edgegated ca: " << error.message << '\n';
            return ExitFailed;
        }
        out << "CA created in " << ca.dir() << "; its certificate is " << ca.certificatePath() << '\n';
        return 0;
    }
    if (verb == u"issue")
        return issue(ca, command, out, err);
    if (verb == u"revoke" && command.arguments.size() == 2) {
        const auto revoked = ca.revoke(command.arguments.at(1), now, &error);
        if (!revoked) {
            err << "edgegated ca: " << error.message << '\n';
            return ExitFailed;
        }
        out << "revoked " << *revoked << " certificate(s) of " << command.arguments.at(1) << "; CRL " << ca.crlPath()
            << '\n';
        return 0;
    }
    if (verb == u"list" && command.arguments.size() == 1) {
        const auto list = ca.list(&error);
        if (!list) {
            err << "edgegated ca: " << error.message << '\n';
            return ExitFailed;
        }
        for (const IssuedCertificate &c : *list)
            out << c.device << '\t' << c.serial << '\t' << c.notAfter.toString(Qt::ISODate) << '\t' << stateAt(c, now)
                << '\n';
        return 0;
    }
    err << "usage: edgegated ca init | issue DEVICE_ID [--csr FILE] [--days N] --out DIR | revoke DEVICE_ID | list"
           " (each with --config FILE)\n";
    return ExitUsage;
}

} // namespace edgegate
