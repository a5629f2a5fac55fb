// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QObject>
#include <QString>

namespace edgegate {

class CertificateAuthority;
class CoapLink;

/// The DTLS port's own certificate, issued by the gateway CA so that devices may present theirs:
/// valid 90 days, issued anew after 45, for localhost, the loopback addresses and the DTLS host.
class CoapServerCertificate : public QObject
{
    Q_OBJECT
public:
    CoapServerCertificate(CertificateAuthority &ca, CoapLink &link, QString dtlsHost, QObject *parent = nullptr);

    /// Issues a certificate under the CA `caPem` (the CA's certificate) and hands both to the link.
    void serve(const QByteArray &caPem);
    /// Issues it anew when half its life is gone; call it now and then (hourly with the devices').
    void renewIfDue();

private:
    CertificateAuthority &m_ca;
    CoapLink &m_link;
    QString m_dtlsHost;
    QByteArray m_caPem;
    QDateTime m_renewal;
};

} // namespace edgegate
