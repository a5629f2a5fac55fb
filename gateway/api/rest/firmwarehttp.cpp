// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/rest/firmwarehttp.h"

#include "gateway/api/http/httprange.h"
#include "gateway/api/http/httpserver.h"
#include "gateway/api/rest/resterror.h"
#include "gateway/core/common/metrics.h"

#include <QFile>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QUrl>
#include <QUrlQuery>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcFirmwareHttp, "edgegate.firmware.http")

namespace {

const QByteArray FirmwarePrefix = QByteArrayLiteral("/api/v1/firmware/");

/// The one place a store failure becomes a REST error.
RestError restErrorOf(FirmwareStore::Error error)
{
    using E = FirmwareStore::Error;
    switch (error) {
    case E::InvalidName:
    case E::InvalidVersion:
    case E::InvalidDeviceType:
    case E::InvalidChecksum:
    case E::LengthMismatch:
        return RestError::BadRequest;
    case E::Exists:
    case E::InUse:
        return RestError::Conflict;
    case E::TooLarge:
        return RestError::PayloadTooLarge;
    case E::NotFound:
        return RestError::NotFound;
    case E::ChecksumMismatch:
        return RestError::ChecksumMismatch;
    case E::DiskFull:
        return RestError::InsufficientStorage;
    case E::Storage:
        break;
    }
    return RestError::StorageFailed;
}

HttpResponse storeFailure(const FirmwareStore::Failure &failure)
{
    return restError(restErrorOf(failure.error), failure.message);
}

/// Streams one upload into the store as its body arrives; nothing kept if the body never completes.
class UploadSink : public HttpBodySink
{
public:
    UploadSink(std::unique_ptr<FirmwareStore::Upload> upload, QString name, QString version, Counter &stored,
               Counter &aborted)
        : m_upload(std::move(upload))
        , m_name(std::move(name))
        , m_version(std::move(version))
        , m_stored(stored)
        , m_aborted(aborted)
    {
    }

    ~UploadSink() override
    {
        if (m_upload) {
            m_aborted.inc();
            qCWarning(lcFirmwareHttp).noquote()
                << "upload of" << m_name << m_version << "cut after" << m_upload->received() << "of"
                << m_upload->expected() << "bytes: nothing kept";
        }
    }

    std::optional<HttpResponse> write(QByteArrayView data) override
    {
        if (const auto failure = m_upload->write(data))
            return fail(*failure);
        return std::nullopt;
    }

    HttpResponse finish() override
    {
        FirmwareStore::Failure failure;
        const auto image = m_upload->commit(&failure);
        if (!image)
            return fail(failure);
        m_upload.reset();
        m_stored.inc();
        HttpResponse response(firmwareToJson(*image), HttpStatus::Created);
        response.setHeader("Location",
                           FirmwarePrefix + QUrl::toPercentEncoding(image->name) + '/'
                               + QUrl::toPercentEncoding(image->version));
        return response;
    }

private:
    HttpResponse fail(const FirmwareStore::Failure &failure)
    {
        m_upload.reset();
        m_aborted.inc();
        qCWarning(lcFirmwareHttp).noquote() << "upload of" << m_name << m_version << "failed:" << failure.message;
        return storeFailure(failure);
    }

    std::unique_ptr<FirmwareStore::Upload> m_upload;
    QString m_name;
    QString m_version;
    Counter &m_stored;
    Counter &m_aborted;
};

} // namespace

FirmwareHttp::FirmwareHttp(HttpServer &server, FirmwareStore &store, Metrics &metrics, qint64 maxImageBytes,
                           QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_httpBytes(metrics.counter(u"edgegate_firmware_sent_bytes_total"_s, u"Firmware bytes sent to devices."_s,
                                  {{u"protocol"_s, u"http"_s}}))
{
    const auto outcome = [&metrics](const QString &result) -> Counter & {
        return metrics.counter(u"edgegate_firmware_uploads_total"_s, u"Firmware uploads by outcome."_s,
                               {{u"result"_s, result}});
    };
    Counter &stored = outcome(u"stored"_s);
    Counter &refused = outcome(u"refused"_s);
    Counter &aborted = outcome(u"aborted"_s);
    server.route(u"/api/v1/firmware"_s, this, &FirmwareHttp::list);
    server.uploadRoute(
        HttpMethod::Put, u"/api/v1/firmware/<arg>/<arg>"_s,
        [this, &stored, &refused,
         &aborted](const HttpRequest &request, const QStringList &a,
                   std::optional<qint64> length) -> std::variant<HttpResponse, std::unique_ptr<HttpBodySink>> {
            const auto refuse = [&refused](HttpResponse response) {
                refused.inc();
                return response;
            };
            if (!length)
                return refuse(
                    restError(RestError::LengthRequired, u"send the image with a Content-Length, not chunked"_s));
            FirmwareStore::UploadRequest upload;
            upload.name = a[0];
            upload.version = a[1];
            upload.deviceType = request.query().queryItemValue(u"device_type"_s, QUrl::FullyDecoded);
            upload.length = *length;
            upload.expectedSha256 = QString::fromLatin1(request.value("x-checksum-sha256"));
            FirmwareStore::Failure failure;
            auto started = m_store.begin(upload, &failure);
            if (!started) {
                qCInfo(lcFirmwareHttp).noquote() << "upload refused:" << failure.message;
                return refuse(storeFailure(failure));
            }
            return std::make_unique<UploadSink>(std::move(started), a[0], a[1], stored, aborted);
        },
        maxImageBytes);
    server.route(u"/api/v1/firmware/<arg>/<arg>"_s, this, &FirmwareHttp::image);
    server.route(u"/api/v1/firmware/<arg>/<arg>/image"_s, this, &FirmwareHttp::download);
}

HttpResponse FirmwareHttp::list(const HttpRequest &request)
{
    if (request.method() != HttpMethod::Get)
        return methodNotAllowed(request, "GET");
    QJsonArray images;
    for (const FirmwareImage &image : m_store.images())
        images.append(firmwareToJson(image));
    return HttpResponse(QJsonObject{{u"images"_s, images}});
}

HttpResponse FirmwareHttp::image(const QString &name, const QString &version, const HttpRequest &request)
{
    switch (request.method()) {
    case HttpMethod::Get: {
        const auto image = m_store.find(name, version);
        if (!image)
            return restError(RestError::NotFound, u"no firmware %1 %2"_s.arg(name, version));
        return HttpResponse(firmwareToJson(*image));
    }
    case HttpMethod::Delete: {
        if (const auto failure = m_store.remove(name, version))
            return storeFailure(*failure);
        return HttpResponse(HttpStatus::NoContent);
    }
    default:
        return methodNotAllowed(request, "GET, PUT, DELETE");
    }
}

HttpResponse FirmwareHttp::download(const QString &name, const QString &version, const HttpRequest &request)
{
    if (request.method() != HttpMethod::Get && request.method() != HttpMethod::Head)
        return methodNotAllowed(request, "GET, HEAD");
    const auto image = m_store.find(name, version);
    if (!image)
        return restError(RestError::NotFound, u"no firmware %1 %2"_s.arg(name, version));
    const QByteArray etag = '"' + image->sha256.toLatin1() + '"';
    const QByteArray size = QByteArray::number(image->size);
    // If-Range with another validator asks for the whole image (RFC 9110 13.1.5).
    const QByteArray ifRange = request.value("If-Range");
    const ByteRange range = ifRange.isEmpty() || ifRange == etag
        ? ByteRange::resolve(request.value("Range"), image->size)
        : ByteRange{ByteRange::Kind::Full, 0, image->size};
    if (range.kind == ByteRange::Kind::Unsatisfiable) {
        HttpResponse response = restError(RestError::RangeNotSatisfiable, u"the image has %1 bytes"_s.arg(image->size));
        response.setHeader("Content-Range", "bytes */" + size);
        return response;
    }
    auto file = std::make_unique<QFile>(m_store.imagePath(name, version));
    if (!file->open(QIODevice::ReadOnly) || !file->seek(range.first))
        return restError(RestError::StorageFailed, u"the image cannot be read"_s);
    const bool partial = range.kind == ByteRange::Kind::Partial;
    HttpResponse response(partial ? HttpStatus::PartialContent : HttpStatus::Ok);
    response.setHeader("Content-Type", "application/octet-stream");
    response.setHeader("Accept-Ranges", "bytes");
    response.setHeader("ETag", etag);
    if (partial) {
        response.setHeader("Content-Range",
                           "bytes " + QByteArray::number(range.first) + '-' + QByteArray::number(range.last()) + '/'
                               + size);
    }
    response.setBodyDevice(std::move(file), range.length, [this](qint64 n) { m_httpBytes.inc(quint64(n)); });
    return response;
}

} // namespace edgegate
