// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <memory>

class QFile;
struct coap_session_t;
struct coap_pdu_t;

namespace edgegate {

class CoapLink;
class Counter;
class FirmwareStore;
class Metrics;

/// CoAP `GET /firmware/{name}/{version}`: the image, block-wise (Block2, RFC 7959), content
/// format 42, ETag the first 8 bytes of its SHA-256. Each request is answered with one block read
/// from the file at its offset, so nothing is kept per download and memory stays one block
/// however many devices download at once. Blocks are at most 1024 bytes (smaller when the client
/// asks, or the session's PDU size demands); a request without Block2 gets block 0.
class CoapFirmware : public QObject
{
    Q_OBJECT
public:
    CoapFirmware(FirmwareStore &store, Metrics &metrics, QObject *parent = nullptr);
    ~CoapFirmware() override;

    /// Serves /firmware/... on `link`, which outlives this.
    void serve(CoapLink &link);
    /// Answers a request on /firmware/...
    void handle(coap_session_t *session, const coap_pdu_t *request, coap_pdu_t *response);

private:
    QFile *file(const QString &name, const QString &version);

    FirmwareStore &m_store;
    Counter &m_bytes;
    QHash<QString, std::shared_ptr<QFile>> m_files; ///< open images, dropped when an image is removed
};

} // namespace edgegate
