// SPDX-License-Identifier: Apache-2.0
#include "gateway/devicelinks/coap/coapfirmware.h"

#include "gateway/core/common/metrics.h"
#include "gateway/devicelinks/coap/coaplink.h"
#include "gateway/storage/firmwarestore.h"

#include <QFile>

#include <coap3/coap.h>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

constexpr unsigned MaxSzx = 6; // 1024-byte blocks; 7 is BERT, for CoAP over TCP only
constexpr size_t OptionsRoom = 64; // header, token, ETag, Content-Format, Block2 and Size2

void answer(coap_pdu_t *response, int code, const QByteArray &diagnostic)
{
    coap_pdu_set_code(response, static_cast<coap_pdu_code_t>(COAP_RESPONSE_CODE(code)));
    coap_add_data(response, size_t(diagnostic.size()), reinterpret_cast<const uint8_t *>(diagnostic.constData()));
}

} // namespace

CoapFirmware::CoapFirmware(FirmwareStore &store, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_bytes(metrics.counter(u"edgegate_firmware_sent_bytes_total"_s, u"Firmware bytes sent to devices."_s,
                              {{u"protocol"_s, u"coap"_s}}))
{
    connect(&store, &FirmwareStore::imageRemoved, this,
            [this](const QString &name, const QString &version) { m_files.remove(name + u'/' + version); });
}

CoapFirmware::~CoapFirmware() = default;

void CoapFirmware::serve(CoapLink &link)
{
    link.addHandler(QByteArrayLiteral("firmware"), {{"ct", "42"}, {"rt", "\"edgegate.firmware\""}},
                    [this](coap_session_t *session, const coap_pdu_t *request, coap_pdu_t *response) {
                        handle(session, request, response);
                    });
}

QFile *CoapFirmware::file(const QString &name, const QString &version)
{
    const QString key = name + u'/' + version;
    if (const auto it = m_files.constFind(key); it != m_files.cend())
        return it->get();
    auto f = std::make_shared<QFile>(m_store.imagePath(name, version));
    if (!f->open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return nullptr;
    m_files.insert(key, f);
    return f.get();
}

void CoapFirmware::handle(coap_session_t *session, const coap_pdu_t *request, coap_pdu_t *response)
{
    const QList<QByteArray> path = CoapLink::requestPath(request);
    if (path.size() != 3)
        return answer(response, 404, "unknown_resource");
    if (coap_pdu_get_code(request) != COAP_REQUEST_CODE_GET)
        return answer(response, 405, "method_not_allowed");
    const QString name = QString::fromUtf8(path[1]);
    const QString version = QString::fromUtf8(path[2]);
    const auto image = m_store.find(name, version);
    if (!image)
        return answer(response, 404, "not_found");

    // The block asked for, as a byte offset, then served in the size we can fit.
    coap_block_b_t asked{};
    unsigned szx = MaxSzx;
    qint64 offset = 0;
    if (coap_get_block_b(session, request, COAP_OPTION_BLOCK2, &asked)) {
        szx = std::min<unsigned>(asked.szx, MaxSzx);
        offset = qint64(asked.num) << (asked.szx + 4);
    }
    const size_t maxPdu = coap_session_max_pdu_size(session);
    while (szx > 0 && (size_t(1) << (szx + 4)) + OptionsRoom > maxPdu)
        --szx;
    const qint64 blockSize = qint64(1) << (szx + 4);
    if (offset % blockSize != 0 || (offset >= image->size && !(offset == 0 && image->size == 0)))
        return answer(response, 402, "block_out_of_range");
    const qint64 length = std::min(blockSize, image->size - offset);
    const auto num = quint32(offset / blockSize);
    if (num > 0xFFFFFU) // a Block2 number has 20 bits
        return answer(response, 402, "block_out_of_range");

    QByteArray block(length, Qt::Uninitialized);
    QFile *f = file(name, version);
    if (!f || !f->seek(offset) || f->read(block.data(), length) != length) {
        m_files.remove(name + u'/' + version);
        return answer(response, 500, "storage_unavailable");
    }

    coap_pdu_set_code(response, COAP_RESPONSE_CODE_CONTENT);
    const QByteArray digest = QByteArray::fromHex(image->sha256.toLatin1()).left(8);
    coap_add_option(response, COAP_OPTION_ETAG, size_t(digest.size()),
                    reinterpret_cast<const uint8_t *>(digest.constData()));
    uint8_t buf[4];
    coap_add_option(response, COAP_OPTION_CONTENT_FORMAT,
                    coap_encode_var_safe(buf, sizeof(buf), COAP_MEDIATYPE_APPLICATION_OCTET_STREAM), buf);
    const bool more = offset + length < image->size;
    coap_add_option(response, COAP_OPTION_BLOCK2,
                    coap_encode_var_safe(buf, sizeof(buf), (num << 4) | (more ? 0x08U : 0U) | szx), buf);
    if (num == 0) {
        coap_add_option(response, COAP_OPTION_SIZE2, coap_encode_var_safe(buf, sizeof(buf), unsigned(image->size)),
                        buf);
    }
    coap_add_data(response, size_t(length), reinterpret_cast<const uint8_t *>(block.constData()));
    m_bytes.inc(quint64(length));
}

} // namespace edgegate
