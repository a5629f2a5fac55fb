// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/ingest/badinput.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QUrl>
#include <QUrlQuery>

#include <functional>
#include <memory>
#include <optional>
#include <utility>

namespace edgegate {

enum class HttpMethod { Get, Head, Post, Put, Patch, Delete, Options, Other };

/// The status codes the gateway answers with.
enum class HttpStatus : int {
    Continue = 100,
    SwitchingProtocols = 101,
    Ok = 200,
    Created = 201,
    Accepted = 202,
    NoContent = 204,
    PartialContent = 206,
    BadRequest = 400,
    Unauthorized = 401,
    Forbidden = 403,
    NotFound = 404,
    MethodNotAllowed = 405,
    RequestTimeout = 408,
    Conflict = 409,
    LengthRequired = 411,
    PayloadTooLarge = 413,
    UriTooLong = 414,
    UnsupportedMediaType = 415,
    RequestRangeNotSatisfiable = 416,
    ExpectationFailed = 417,
    MisdirectedRequest = 421,
    UnprocessableEntity = 422,
    UpgradeRequired = 426,
    TooManyRequests = 429,
    RequestHeaderFieldsTooLarge = 431,
    InternalServerError = 500,
    NotImplemented = 501,
    ServiceUnavailable = 503,
    HttpVersionNotSupported = 505,
    InsufficientStorage = 507,
};

[[nodiscard]] QByteArray reasonPhrase(HttpStatus status);
/// The status a device's bad input is answered with over HTTP: 413, 415, 401, 404, 405 or 400.
[[nodiscard]] HttpStatus httpStatus(BadInput reason);
/// Whether an answer with this status has a body (and a Content-Length): not 1xx, 204 or 304.
[[nodiscard]] bool carriesBody(HttpStatus status);

struct HttpHeader
{
    QByteArray name; ///< lower case in requests; as the route wrote it in answers
    QByteArray value; ///< without surrounding blanks
};

/// A request head as the one HTTP parser read it.
struct HttpHead
{
    QByteArray method;
    QByteArray target; ///< as sent: origin form, starting with '/'
    int minorVersion = 1; ///< HTTP/1.x; 2 for HTTP/2
    QList<HttpHeader> headers;
};

/// One request, as every route and the API gate see it.
class HttpRequest
{
public:
    HttpRequest() = default;
    HttpRequest(HttpHead head, QHostAddress peer, bool secure);

    [[nodiscard]] HttpMethod method() const { return m_method; }
    [[nodiscard]] const QByteArray &methodName() const { return m_head.method; }
    /// The request target as sent (path and query, still percent-encoded).
    [[nodiscard]] const QByteArray &target() const { return m_head.target; }
    [[nodiscard]] const QUrl &url() const { return m_url; }
    [[nodiscard]] QUrlQuery query() const { return QUrlQuery(m_url); }
    /// The first header of that name (any case), empty when absent.
    [[nodiscard]] QByteArray value(QByteArrayView name) const;
    [[nodiscard]] const QList<HttpHeader> &headers() const { return m_head.headers; }
    [[nodiscard]] const QByteArray &body() const { return m_body; }
    void setBody(QByteArray body) { m_body = std::move(body); }
    [[nodiscard]] const QHostAddress &peerAddress() const { return m_peer; }
    [[nodiscard]] bool isSecure() const { return m_secure; }
    /// The client certificate the TLS peer presented (DER); empty when none. Not verified here.
    [[nodiscard]] const QByteArray &peerCertificate() const { return m_peerCertificate; }
    void setPeerCertificate(QByteArray der) { m_peerCertificate = std::move(der); }
    [[nodiscard]] int minorVersion() const { return m_head.minorVersion; }

private:
    HttpHead m_head;
    HttpMethod m_method = HttpMethod::Other;
    QUrl m_url;
    QByteArray m_body;
    QHostAddress m_peer;
    QByteArray m_peerCertificate;
    bool m_secure = false;
};

/// One answer. The body is bytes, or a device read as the connection sends it (downloads).
class HttpResponse
{
public:
    explicit HttpResponse(HttpStatus status = HttpStatus::Ok);
    HttpResponse(const QJsonObject &json, HttpStatus status = HttpStatus::Ok);
    HttpResponse(const QJsonArray &json, HttpStatus status = HttpStatus::Ok);
    HttpResponse(const QByteArray &contentType, QByteArray body, HttpStatus status = HttpStatus::Ok);

    HttpResponse(HttpResponse &&) noexcept = default;
    HttpResponse &operator=(HttpResponse &&) noexcept = default;

    [[nodiscard]] HttpStatus status() const { return m_status; }
    [[nodiscard]] const QList<HttpHeader> &headers() const { return m_headers; }
    /// Replaces any header of that name.
    void setHeader(const QByteArray &name, const QByteArray &value);
    [[nodiscard]] QByteArray header(QByteArrayView name) const;
    [[nodiscard]] const QByteArray &body() const { return m_body; }

    /// Sends `length` bytes of `device` from where it stands; `sent` hears of each chunk written.
    void setBodyDevice(std::unique_ptr<QIODevice> device, qint64 length, std::function<void(qint64)> sent = {});
    [[nodiscard]] QIODevice *bodyDevice() const { return m_device.get(); }
    [[nodiscard]] std::unique_ptr<QIODevice> takeBodyDevice() { return std::move(m_device); }
    [[nodiscard]] const std::function<void(qint64)> &bodySent() const { return m_sent; }
    /// The Content-Length: the bytes, or the length given with the device.
    [[nodiscard]] qint64 contentLength() const { return m_device ? m_deviceLength : m_body.size(); }

private:
    HttpStatus m_status;
    QList<HttpHeader> m_headers;
    QByteArray m_body;
    std::unique_ptr<QIODevice> m_device;
    qint64 m_deviceLength = 0;
    std::function<void(qint64)> m_sent;
};

/// The JSON error body every endpoint answers with: `{"error": message, "code": code}`.
[[nodiscard]] HttpResponse jsonError(HttpStatus status, const QString &code, const QString &message);

/// 405 with the methods the endpoint takes (`allowed`, e.g. "GET, PUT") in Allow.
[[nodiscard]] HttpResponse methodNotAllowed(const HttpRequest &request, const QByteArray &allowed);

} // namespace edgegate
