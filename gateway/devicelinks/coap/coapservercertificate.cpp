// SPDX-License-Identifier: Apache-2.0
#include "gateway/devicelinks/coap/coapservercertificate.h"

#include "gateway/devicelinks/coap/coaplink.h"
#include "gateway/storage/certauthority.h"

#include <QHostAddress>
#include <QLoggingCategory>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcCoap)

CoapServerCertificate::CoapServerCertificate(CertificateAuthority &ca, CoapLink &link, QString dtlsHost,
                                             QObject *parent)
    : QObject(parent)
    , m_ca(ca)
    , m_link(link)
    , m_dtlsHost(std::move(dtlsHost))
{
}

void CoapServerCertificate::serve(const QByteArray &caPem)
{
    constexpr int Days = 90;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QStringList hosts{u"localhost"_s, u"127.0.0.1"_s, u"::1"_s};
    if (const QHostAddress host(m_dtlsHost);
        host != QHostAddress::AnyIPv4 && host != QHostAddress::AnyIPv6 && !hosts.contains(m_dtlsHost))
        hosts.append(m_dtlsHost);
    CaError caError;
    const auto issued = m_ca.issueServer(u"EdgeGate CoAP"_s, hosts, Days, now, &caError);
    QString error;
    if (!issued || !m_link.setCertificates(caPem, issued->certificatePem, issued->keyPem, &error)) {
        qCCritical(lcCoap).noquote() << "CoAP over DTLS takes no certificates:" << (issued ? error : caError.message);
        return;
    }
    m_caPem = caPem;
    m_renewal = now.addDays(Days / 2);
    qCInfo(lcCoap) << "CoAP over DTLS takes device certificates of the gateway CA";
}

void CoapServerCertificate::renewIfDue()
{
    if (!m_caPem.isEmpty() && QDateTime::currentDateTimeUtc() >= m_renewal)
        serve(m_caPem);
}

} // namespace edgegate
