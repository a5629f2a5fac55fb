// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/rest/caapi.h"

#include "gateway/api/rest/resterror.h"
#include "gateway/storage/devicecertificates.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QUrlQuery>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcCa)

namespace {

QString isoOrNull(const QDateTime &when)
{
    return when.isValid() ? when.toUTC().toString(Qt::ISODate) : QString();
}

QJsonObject certificateToJson(const IssuedCertificate &c, const QDateTime &now)
{
    return QJsonObject{
        {u"device"_s, c.device},
        {u"serial"_s, c.serial},
        {u"sha256"_s, c.sha256},
        {u"not_before"_s, isoOrNull(c.notBefore)},
        {u"not_after"_s, isoOrNull(c.notAfter)},
        {u"state"_s, c.isRevoked() ? u"revoked"_s : (c.isValidAt(now) ? u"valid"_s : u"expired"_s)},
        {u"revoked_at"_s, c.isRevoked() ? QJsonValue(isoOrNull(c.revokedAt)) : QJsonValue(QJsonValue::Null)},
    };
}

HttpResponse caFailure(const CaError &error)
{
    switch (error.kind) {
    case CaError::Kind::NotInitialized:
    case CaError::Kind::AlreadyInitialized:
        return restError(RestError::Conflict, error.message);
    case CaError::Kind::BadRequest:
        return restError(RestError::BadRequest, error.message);
    case CaError::Kind::NotFound:
        return restError(RestError::NotFound, error.message);
    case CaError::Kind::Failed:
        break;
    }
    qCWarning(lcCa).noquote() << error.message;
    return restError(RestError::StorageFailed, error.message);
}

} // namespace

CaApi::CaApi(HttpServer &server, DeviceCertificates &certificates, QObject *parent)
    : QObject(parent)
    , m_certificates(certificates)
{
    server.route(u"/api/v1/ca"_s, this, &CaApi::authority);
    server.route(u"/api/v1/ca/certificates"_s, this, &CaApi::certificates);
    server.route(u"/api/v1/devices/<arg>/certificate"_s, this, &CaApi::deviceCertificate);
}

HttpResponse CaApi::authority(const HttpRequest &request)
{
    CertificateAuthority &ca = m_certificates.authority();
    if (request.method() == HttpMethod::Post) {
        CaError error;
        if (!ca.init(&error))
            return caFailure(error);
        qCInfo(lcCa).noquote() << "CA created through the API in" << ca.dir();
        m_certificates.reload();
    } else if (request.method() != HttpMethod::Get) {
        return methodNotAllowed(request, "GET, POST");
    }
    const bool exists = ca.exists();
    QJsonObject o{{u"initialized"_s, exists},
                  {u"certificate"_s,
                   exists ? QJsonValue(QString::fromLatin1(ca.certificatePem())) : QJsonValue(QJsonValue::Null)},
                  {u"not_after"_s, exists ? QJsonValue(isoOrNull(ca.expiry())) : QJsonValue(QJsonValue::Null)},
                  {u"devices_certified"_s, m_certificates.certified().size()}};
    return HttpResponse(o, request.method() == HttpMethod::Post ? HttpStatus::Created : HttpStatus::Ok);
}

HttpResponse CaApi::certificates(const HttpRequest &request)
{
    if (request.method() != HttpMethod::Get)
        return methodNotAllowed(request, "GET");
    const QString device = request.query().queryItemValue(u"device"_s, QUrl::FullyDecoded);
    CaError error;
    const auto list = m_certificates.authority().list(&error);
    if (!list)
        return caFailure(error);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QJsonArray out;
    for (const IssuedCertificate &c : *list) {
        if (device.isEmpty() || c.device == device)
            out.append(certificateToJson(c, now));
    }
    return HttpResponse(QJsonObject{{u"certificates"_s, out}});
}

HttpResponse CaApi::deviceCertificate(const QString &id, const HttpRequest &request)
{
    if (auto bad = refuseDeviceId(id))
        return std::move(*bad);
    CertificateAuthority &ca = m_certificates.authority();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    CaError error;
    if (request.method() == HttpMethod::Delete) {
        const auto revoked = ca.revoke(id, now, &error);
        if (!revoked)
            return caFailure(error);
        qCInfo(lcCa).noquote() << "revoked" << *revoked << "certificate(s) of" << id << "through the API";
        m_certificates.reload();
        return HttpResponse(QJsonObject{{u"device"_s, id}, {u"revoked"_s, *revoked}});
    }
    if (request.method() != HttpMethod::Post)
        return methodNotAllowed(request, "POST, DELETE");
    QJsonObject o;
    if (auto refused = readJsonObject(request, &o))
        return std::move(*refused);
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (it.key() != u"csr" && it.key() != u"days")
            return restError(RestError::BadRequest, u"unknown field '%1' (csr, days)"_s.arg(it.key().left(64)));
    }
    const QJsonValue csr = o.value(u"csr"_s);
    const QJsonValue days = o.value(u"days"_s);
    if (!csr.isUndefined() && !csr.isString())
        return restError(RestError::BadRequest, u"csr must be a PEM certificate request as a string"_s);
    if (!days.isUndefined() && (!days.isDouble() || days.toDouble() != double(days.toInt())))
        return restError(RestError::BadRequest, u"days must be a whole number"_s);
    const auto issued
        = ca.issue(id, csr.toString().toLatin1(), days.toInt(CertificateAuthority::DefaultDays), now, &error);
    if (!issued)
        return caFailure(error);
    qCInfo(lcCa).noquote() << "issued certificate" << issued->record.serial << "to" << id << "through the API";
    m_certificates.reload();
    QJsonObject answer = certificateToJson(issued->record, now);
    answer.insert(u"certificate"_s, QString::fromLatin1(issued->certificatePem));
    answer.insert(u"ca_certificate"_s, QString::fromLatin1(ca.certificatePem()));
    answer.insert(u"key"_s,
                  issued->keyPem.isEmpty() ? QJsonValue(QJsonValue::Null)
                                           : QJsonValue(QString::fromLatin1(issued->keyPem)));
    return HttpResponse(answer, HttpStatus::Created);
}

} // namespace edgegate
