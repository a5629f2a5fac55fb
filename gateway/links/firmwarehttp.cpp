// SPDX-License-Identifier: Apache-2.0
#include "gateway/links/firmwarehttp.h"

#include "gateway/core/metrics.h"
#include "gateway/links/httpjson.h"
#include "gateway/links/httprange.h"

#include <QFile>
#include <QHttpServer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

namespace edgegate {

using namespace Qt::StringLiterals;
using Method = QHttpServerRequest::Method;
using Status = QHttpServerResponder::StatusCode;

Q_LOGGING_CATEGORY(lcFirmwareHttp, "edgegate.firmware.http")

namespace {

const QByteArray FirmwarePrefix = QByteArrayLiteral("/api/v1/firmware/");
constexpr qsizetype MaxHeadBytes = 16384;
constexpr qint64 ChunkBytes = 256LL * 1024; ///< read from the socket or the file at a time
constexpr qint64 MaxQueuedBytes = 256LL * 1024; ///< written to a socket but not yet sent
// A client that stops sending mid-upload holds a temporary file: it is dropped after this.
constexpr int UploadIdleMs = 60000;
// After refusing an upload whose body is on its way, reading it away this long lets the client
// see the answer rather than a reset; then the connection is closed.
constexpr int DrainMs = 2000;

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 201:
        return "Created";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 422:
        return "Unprocessable Entity";
    case 431:
        return "Request Header Fields Too Large";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 507:
        return "Insufficient Storage";
    default:
        return "Error";
    }
}

/// A whole response with a JSON body, for the connections the front door hands over; such a
/// connection always closes after its answer.
QByteArray rawResponse(int status, const QJsonObject &body, const QByteArray &extraHeaders = {})
{
    const QByteArray json = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status)
        + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(json.size())
        + "\r\nConnection: close\r\n" + extraHeaders + "\r\n" + json;
}

QJsonObject errorBody(const QString &code, const QString &message)
{
    return QJsonObject{{u"error"_s, message}, {u"code"_s, code}};
}

/// Streams one upload from a connection the front door took off QHttpServer into the store.
class UploadConnection : public QObject
{
public:
    UploadConnection(QTcpSocket *socket, FirmwareStore &store, Counter &stored, Counter &refused, Counter &aborted)
        : QObject(socket)
        , m_socket(socket)
        , m_store(store)
        , m_stored(stored)
        , m_refused(refused)
        , m_aborted(aborted)
    {
        // Bounds what waits in memory: the sender is held back by TCP while the disk catches up.
        m_socket->setReadBufferSize(ChunkBytes);
        m_idle.setSingleShot(true);
        m_idle.setInterval(UploadIdleMs);
        connect(&m_idle, &QTimer::timeout, this, [this] {
            if (m_state == State::Draining) {
                m_socket->disconnectFromHost();
                return;
            }
            qCWarning(lcFirmwareHttp) << "upload idle for" << UploadIdleMs / 1000 << "s: dropped";
            fail(408, u"request_timeout"_s, u"no data for %1 s"_s.arg(UploadIdleMs / 1000));
        });
        connect(m_socket, &QIODevice::readyRead, this, &UploadConnection::onReadyRead);
        connect(m_socket, &QAbstractSocket::disconnected, this, [this] {
            if (m_upload) {
                m_aborted.inc();
                qCWarning(lcFirmwareHttp).noquote()
                    << "upload of" << m_name << m_version << "cut after" << m_upload->received() << "of"
                    << m_upload->expected() << "bytes: nothing kept";
                m_upload.reset();
            }
            m_socket->deleteLater();
        });
        m_idle.start();
        onReadyRead();
    }

private:
    enum class State { Head, Body, Draining, Done };

    void onReadyRead()
    {
        if (m_state == State::Head)
            readHead();
        if (m_state == State::Body)
            readBody();
        if (m_state == State::Draining || m_state == State::Done)
            m_socket->skip(m_socket->bytesAvailable());
    }

    void readHead()
    {
        m_idle.start();
        const QByteArray peeked = m_socket->peek(MaxHeadBytes);
        const qsizetype end = peeked.indexOf("\r\n\r\n");
        if (end < 0) {
            if (peeked.size() >= MaxHeadBytes)
                refuse(431, u"header_too_large"_s, u"the request head is over %1 bytes"_s.arg(MaxHeadBytes));
            return;
        }
        const QByteArray head = m_socket->read(end + 4);
        const QList<QByteArray> lines = head.left(end).split('\n');
        const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
        QHash<QByteArray, QByteArray> headers;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
        }
        if (requestLine.size() != 3) {
            refuse(400, u"bad_request"_s, u"malformed request line"_s);
            return;
        }
        const QUrl url = QUrl::fromEncoded(requestLine[1]);
        const QStringList path = url.path().split(u'/');
        if (path.size() != 6) {
            refuse(404, u"not_found"_s, u"no such endpoint"_s);
            return;
        }
        m_name = path[4];
        m_version = path[5];
        if (headers.contains("transfer-encoding")) {
            refuse(411, u"length_required"_s, u"send the image with a Content-Length, not chunked"_s);
            return;
        }
        if (!headers.contains("content-length")) {
            refuse(411, u"length_required"_s, u"a Content-Length is required"_s);
            return;
        }
        bool ok = false;
        const QByteArray lengthText = headers.value("content-length");
        const qint64 length = lengthText.toLongLong(&ok);
        if (!ok || length < 0
            || !std::all_of(lengthText.cbegin(), lengthText.cend(), [](char c) { return c >= '0' && c <= '9'; })) {
            refuse(400, u"bad_request"_s, u"invalid Content-Length"_s);
            return;
        }
        FirmwareStore::UploadRequest request;
        request.name = m_name;
        request.version = m_version;
        request.deviceType = QUrlQuery(url).queryItemValue(u"device_type"_s, QUrl::FullyDecoded);
        request.length = length;
        request.expectedSha256 = QString::fromLatin1(headers.value("x-checksum-sha256"));
        FirmwareStore::Failure failure;
        m_upload = m_store.begin(request, &failure);
        if (!m_upload) {
            const auto mapped = FirmwareHttpError::of(failure.error);
            refuse(int(mapped.status), mapped.code, failure.message);
            return;
        }
        if (headers.value("expect").compare("100-continue", Qt::CaseInsensitive) == 0)
            m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
        m_state = State::Body;
        if (length == 0)
            finish();
    }

    void readBody()
    {
        m_idle.start();
        while (m_upload && m_socket->bytesAvailable() > 0) {
            const qint64 wanted
                = std::min({m_socket->bytesAvailable(), ChunkBytes, m_upload->expected() - m_upload->received()});
            if (wanted <= 0)
                break;
            m_buffer.resize(wanted);
            const qint64 n = m_socket->read(m_buffer.data(), wanted);
            if (n <= 0)
                break;
            if (const auto failure = m_upload->write(QByteArrayView(m_buffer.constData(), n))) {
                m_upload.reset();
                const auto mapped = FirmwareHttpError::of(failure->error);
                fail(int(mapped.status), mapped.code, failure->message);
                return;
            }
            if (m_upload->received() == m_upload->expected()) {
                finish();
                return;
            }
        }
    }

    void finish()
    {
        FirmwareStore::Failure failure;
        const auto image = m_upload->commit(&failure);
        m_upload.reset();
        if (!image) {
            const auto mapped = FirmwareHttpError::of(failure.error);
            fail(int(mapped.status), mapped.code, failure.message);
            return;
        }
        m_stored.inc();
        m_state = State::Done;
        m_idle.stop();
        m_socket->write(
            rawResponse(201, firmwareToJson(*image),
                        "Location: " + FirmwarePrefix + image->name.toUtf8() + '/' + image->version.toUtf8() + "\r\n"));
        m_socket->disconnectFromHost();
    }

    /// Refused before any byte of the body was taken: answer, then read away what is in flight.
    void refuse(int status, const QString &code, const QString &message)
    {
        m_refused.inc();
        qCInfo(lcFirmwareHttp).noquote() << "upload refused with" << status << ":" << message;
        m_state = State::Draining;
        m_socket->write(rawResponse(status, errorBody(code, message)));
        m_socket->skip(m_socket->bytesAvailable());
        m_idle.start(DrainMs);
    }

    /// The upload failed after its body started: answer and close.
    void fail(int status, const QString &code, const QString &message)
    {
        m_upload.reset();
        m_aborted.inc();
        qCWarning(lcFirmwareHttp).noquote() << "upload of" << m_name << m_version << "failed:" << message;
        m_state = State::Draining;
        m_socket->write(rawResponse(status, errorBody(code, message)));
        m_idle.start(DrainMs);
    }

    QTcpSocket *m_socket;
    FirmwareStore &m_store;
    Counter &m_stored;
    Counter &m_refused;
    Counter &m_aborted;
    State m_state = State::Head;
    std::unique_ptr<FirmwareStore::Upload> m_upload;
    QString m_name;
    QString m_version;
    QByteArray m_buffer;
    QTimer m_idle;
};

/// Writes a byte range of a file to a socket as fast as the socket sends it, holding at most a
/// chunk in memory; it goes away with the socket or when done.
class FilePump : public QObject
{
public:
    FilePump(QTcpSocket *socket, std::unique_ptr<QFile> file, qint64 first, qint64 length, Counter &bytes)
        : QObject(socket)
        , m_socket(socket)
        , m_file(std::move(file))
        , m_remaining(length)
        , m_bytes(bytes)
    {
        m_file->seek(first);
        connect(m_socket, &QIODevice::bytesWritten, this, &FilePump::pump);
        pump();
    }

private:
    void pump()
    {
        while (m_remaining > 0 && m_socket->bytesToWrite() < MaxQueuedBytes) {
            const QByteArray chunk = m_file->read(std::min(m_remaining, ChunkBytes));
            if (chunk.isEmpty()) {
                // The file shrank under us: the promised length cannot be kept, so the connection ends.
                qCWarning(lcFirmwareHttp).noquote()
                    << "cannot read" << m_file->fileName() << ":" << m_file->errorString();
                m_socket->abort();
                return;
            }
            m_socket->write(chunk);
            m_remaining -= chunk.size();
            m_bytes.inc(quint64(chunk.size()));
        }
        if (m_remaining == 0)
            deleteLater();
    }

    QTcpSocket *m_socket;
    std::unique_ptr<QFile> m_file;
    qint64 m_remaining;
    Counter &m_bytes;
};

bool isSegment(QByteArrayView s)
{
    return !s.isEmpty() && !s.contains('/');
}

} // namespace

FirmwareHttpError FirmwareHttpError::of(FirmwareStore::Error error)
{
    using E = FirmwareStore::Error;
    switch (error) {
    case E::InvalidName:
    case E::InvalidVersion:
    case E::InvalidDeviceType:
    case E::InvalidChecksum:
    case E::LengthMismatch:
        return {Status::BadRequest, u"bad_request"_s};
    case E::Exists:
    case E::InUse:
        return {Status::Conflict, u"conflict"_s};
    case E::TooLarge:
        return {Status::PayloadTooLarge, u"payload_too_large"_s};
    case E::NotFound:
        return {Status::NotFound, u"not_found"_s};
    case E::ChecksumMismatch:
        return {Status::UnprocessableEntity, u"checksum_mismatch"_s};
    case E::DiskFull:
        return {Status::InsufficientStorage, u"insufficient_storage"_s};
    case E::Storage:
        break;
    }
    return {Status::ServiceUnavailable, u"storage_unavailable"_s};
}

FirmwareHttp::FirmwareHttp(QHttpServer &server, FirmwareStore &store, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_metrics(metrics)
    , m_httpBytes(metrics.counter(u"edgegate_firmware_sent_bytes_total"_s, u"Firmware bytes sent to devices."_s,
                                  {{u"protocol"_s, u"http"_s}}))
{
    server.route(u"/api/v1/firmware"_s, [this](const QHttpServerRequest &r) { return list(r); });
    server.route(u"/api/v1/firmware/<arg>/<arg>"_s,
                 [this](const QString &name, const QString &version, const QHttpServerRequest &r) {
                     return image(name, version, r);
                 });
    server.route(u"/api/v1/firmware/<arg>/<arg>/image"_s,
                 [this](const QString &name, const QString &version, const QHttpServerRequest &r,
                        QHttpServerResponder &&responder) { download(name, version, r, std::move(responder)); });
}

bool FirmwareHttp::isUploadTarget(QByteArrayView target)
{
    const qsizetype query = target.indexOf('?');
    QByteArrayView path = query < 0 ? target : target.first(query);
    if (!path.startsWith(FirmwarePrefix))
        return false;
    path = path.sliced(FirmwarePrefix.size());
    const qsizetype slash = path.indexOf('/');
    return slash > 0 && isSegment(path.sliced(slash + 1));
}

HttpFrontDoor::Claim FirmwareHttp::uploadClaim()
{
    const auto outcome = [this](const QString &result) -> Counter & {
        return m_metrics.counter(u"edgegate_firmware_uploads_total"_s, u"Firmware uploads by outcome."_s,
                                 {{u"result"_s, result}});
    };
    Counter &stored = outcome(u"stored"_s);
    Counter &refused = outcome(u"refused"_s);
    Counter &aborted = outcome(u"aborted"_s);
    return HttpFrontDoor::Claim{
        "PUT " + FirmwarePrefix,
        [](QByteArrayView method, QByteArrayView target) { return method == "PUT" && isUploadTarget(target); },
        [this, &stored, &refused, &aborted](QTcpSocket *socket) {
            new UploadConnection(socket, m_store, stored, refused, aborted);
        }};
}

QHttpServerResponse FirmwareHttp::list(const QHttpServerRequest &request)
{
    if (request.method() != Method::Get) {
        QHttpServerResponse response = jsonError(Status::MethodNotAllowed, u"method_not_allowed"_s, u"use GET"_s);
        response.setHeader("Allow", "GET");
        return response;
    }
    QJsonArray images;
    for (const FirmwareImage &image : m_store.images())
        images.append(firmwareToJson(image));
    return QHttpServerResponse(QJsonObject{{u"images"_s, images}});
}

QHttpServerResponse FirmwareHttp::image(const QString &name, const QString &version, const QHttpServerRequest &request)
{
    switch (request.method()) {
    case Method::Get: {
        const auto image = m_store.find(name, version);
        if (!image)
            return jsonError(Status::NotFound, u"not_found"_s, u"no firmware %1 %2"_s.arg(name, version));
        return QHttpServerResponse(firmwareToJson(*image));
    }
    case Method::Delete: {
        if (const auto failure = m_store.remove(name, version)) {
            const auto mapped = FirmwareHttpError::of(failure->error);
            return jsonError(mapped.status, mapped.code, failure->message);
        }
        return QHttpServerResponse(Status::NoContent);
    }
    default: {
        // PUT never gets here: the front door streams it.
        QHttpServerResponse response
            = jsonError(Status::MethodNotAllowed, u"method_not_allowed"_s, u"use GET, PUT or DELETE"_s);
        response.setHeader("Allow", "GET, PUT, DELETE");
        return response;
    }
    }
}

void FirmwareHttp::download(const QString &name, const QString &version, const QHttpServerRequest &request,
                            QHttpServerResponder &&responder)
{
    if (request.method() != Method::Get && request.method() != Method::Head) {
        QHttpServerResponse response = jsonError(Status::MethodNotAllowed, u"method_not_allowed"_s, u"use GET"_s);
        response.setHeader("Allow", "GET, HEAD");
        response.write(std::move(responder));
        return;
    }
    const auto image = m_store.find(name, version);
    if (!image) {
        jsonError(Status::NotFound, u"not_found"_s, u"no firmware %1 %2"_s.arg(name, version))
            .write(std::move(responder));
        return;
    }
    const QByteArray etag = '"' + image->sha256.toLatin1() + '"';
    const QByteArray size = QByteArray::number(image->size);
    // If-Range with another validator asks for the whole image (RFC 9110 13.1.5).
    const QByteArray ifRange = request.value("If-Range");
    const ByteRange range = ifRange.isEmpty() || ifRange == etag
        ? ByteRange::resolve(request.value("Range"), image->size)
        : ByteRange{ByteRange::Kind::Full, 0, image->size};
    if (range.kind == ByteRange::Kind::Unsatisfiable) {
        QHttpServerResponse response = jsonError(Status::RequestRangeNotSatisfiable, u"range_not_satisfiable"_s,
                                                 u"the image has %1 bytes"_s.arg(image->size));
        response.setHeader("Content-Range", "bytes */" + size);
        response.write(std::move(responder));
        return;
    }
    auto file = std::make_unique<QFile>(m_store.imagePath(name, version));
    if (!file->open(QIODevice::ReadOnly)) {
        jsonError(Status::ServiceUnavailable, u"storage_unavailable"_s, u"the image cannot be read"_s)
            .write(std::move(responder));
        return;
    }
    const bool partial = range.kind == ByteRange::Kind::Partial;
    responder.writeStatusLine(partial ? Status::PartialContent : Status::Ok);
    responder.writeHeader("Content-Type", "application/octet-stream");
    responder.writeHeader("Content-Length", QByteArray::number(range.length));
    responder.writeHeader("Accept-Ranges", "bytes");
    responder.writeHeader("ETag", etag);
    if (partial)
        responder.writeHeader("Content-Range",
                              "bytes " + QByteArray::number(range.first) + '-' + QByteArray::number(range.last()) + '/'
                                  + size);
    responder.writeBody("", 0);
    if (request.method() == Method::Get && range.length > 0)
        new FilePump(responder.socket(), std::move(file), range.first, range.length, m_httpBytes);
}

} // namespace edgegate
