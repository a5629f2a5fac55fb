// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/http/httpmessage.h"

#include <QJsonDocument>

namespace edgegate {

using namespace Qt::StringLiterals;

HttpStatus httpStatus(BadInput reason)
{
    switch (reason) {
    case BadInput::TooLarge:
        return HttpStatus::PayloadTooLarge;
    case BadInput::UnsupportedFormat:
    case BadInput::UnsupportedContentFormat:
        return HttpStatus::UnsupportedMediaType;
    case BadInput::Unauthorized:
        return HttpStatus::Unauthorized;
    case BadInput::ForbiddenDevice:
        return HttpStatus::Forbidden;
    case BadInput::UnknownResource:
    case BadInput::UnknownRegistration:
        return HttpStatus::NotFound;
    case BadInput::MethodNotAllowed:
        return HttpStatus::MethodNotAllowed;
    default:
        return HttpStatus::BadRequest;
    }
}

bool carriesBody(HttpStatus status)
{
    const int s = int(status);
    return s >= 200 && s != 204 && s != 304;
}

QByteArray reasonPhrase(HttpStatus status)
{
    switch (status) {
    case HttpStatus::Continue:
        return "Continue";
    case HttpStatus::SwitchingProtocols:
        return "Switching Protocols";
    case HttpStatus::Ok:
        return "OK";
    case HttpStatus::Created:
        return "Created";
    case HttpStatus::Accepted:
        return "Accepted";
    case HttpStatus::NoContent:
        return "No Content";
    case HttpStatus::PartialContent:
        return "Partial Content";
    case HttpStatus::BadRequest:
        return "Bad Request";
    case HttpStatus::Unauthorized:
        return "Unauthorized";
    case HttpStatus::Forbidden:
        return "Forbidden";
    case HttpStatus::NotFound:
        return "Not Found";
    case HttpStatus::MethodNotAllowed:
        return "Method Not Allowed";
    case HttpStatus::RequestTimeout:
        return "Request Timeout";
    case HttpStatus::Conflict:
        return "Conflict";
    case HttpStatus::LengthRequired:
        return "Length Required";
    case HttpStatus::PayloadTooLarge:
        return "Content Too Large";
    case HttpStatus::UriTooLong:
        return "URI Too Long";
    case HttpStatus::UnsupportedMediaType:
        return "Unsupported Media Type";
    case HttpStatus::RequestRangeNotSatisfiable:
        return "Range Not Satisfiable";
    case HttpStatus::ExpectationFailed:
        return "Expectation Failed";
    case HttpStatus::MisdirectedRequest:
        return "Misdirected Request";
    case HttpStatus::UnprocessableEntity:
        return "Unprocessable Content";
    case HttpStatus::UpgradeRequired:
        return "Upgrade Required";
    case HttpStatus::TooManyRequests:
        return "Too Many Requests";
    case HttpStatus::RequestHeaderFieldsTooLarge:
        return "Request Header Fields Too Large";
    case HttpStatus::InternalServerError:
        return "Internal Server Error";
    case HttpStatus::NotImplemented:
        return "Not Implemented";
    case HttpStatus::ServiceUnavailable:
        return "Service Unavailable";
    case HttpStatus::HttpVersionNotSupported:
        return "HTTP Version Not Supported";
    case HttpStatus::InsufficientStorage:
        return "Insufficient Storage";
    }
    return "Unknown";
}

namespace {

HttpMethod methodOf(QByteArrayView name)
{
    static constexpr std::pair<QByteArrayView, HttpMethod> Known[] = {
        {"GET", HttpMethod::Get},         {"HEAD", HttpMethod::Head},   {"POST", HttpMethod::Post},
        {"PUT", HttpMethod::Put},         {"PATCH", HttpMethod::Patch}, {"DELETE", HttpMethod::Delete},
        {"OPTIONS", HttpMethod::Options},
    };
    for (const auto &[text, method] : Known) {
        if (name == text)
            return method;
    }
    return HttpMethod::Other;
}

/// The first header of that name (any case), empty when absent.
QByteArray headerValue(const QList<HttpHeader> &headers, QByteArrayView name)
{
    for (const HttpHeader &h : headers) {
        if (name.compare(h.name, Qt::CaseInsensitive) == 0)
            return h.value;
    }
    return {};
}

} // namespace

HttpRequest::HttpRequest(HttpHead head, QHostAddress peer, bool secure)
    : m_head(std::move(head))
    , m_method(methodOf(m_head.method))
    , m_url(QUrl::fromEncoded(m_head.target, QUrl::StrictMode))
    , m_peer(std::move(peer))
    , m_secure(secure)
{
}

QByteArray HttpRequest::value(QByteArrayView name) const
{
    return headerValue(m_head.headers, name);
}

HttpResponse::HttpResponse(HttpStatus status)
    : m_status(status)
{
}

HttpResponse::HttpResponse(const QJsonObject &json, HttpStatus status)
    : HttpResponse("application/json", QJsonDocument(json).toJson(QJsonDocument::Compact), status)
{
}

HttpResponse::HttpResponse(const QJsonArray &json, HttpStatus status)
    : HttpResponse("application/json", QJsonDocument(json).toJson(QJsonDocument::Compact), status)
{
}

HttpResponse::HttpResponse(const QByteArray &contentType, QByteArray body, HttpStatus status)
    : m_status(status)
    , m_body(std::move(body))
{
    m_headers.append({"Content-Type", contentType});
}

void HttpResponse::setHeader(const QByteArray &name, const QByteArray &value)
{
    m_headers.removeIf([&name](const HttpHeader &h) { return name.compare(h.name, Qt::CaseInsensitive) == 0; });
    m_headers.append({name, value});
}

QByteArray HttpResponse::header(QByteArrayView name) const
{
    return headerValue(m_headers, name);
}

void HttpResponse::setBodyDevice(std::unique_ptr<QIODevice> device, qint64 length, std::function<void(qint64)> sent)
{
    m_device = std::move(device);
    m_deviceLength = length;
    m_sent = std::move(sent);
    m_body.clear();
}

HttpResponse jsonError(HttpStatus status, const QString &code, const QString &message)
{
    return HttpResponse(QJsonObject{{u"error"_s, message}, {u"code"_s, code}}, status);
}

HttpResponse methodNotAllowed(const HttpRequest &request, const QByteArray &allowed)
{
    HttpResponse response
        = jsonError(HttpStatus::MethodNotAllowed, u"method_not_allowed"_s,
                    u"%1 is not allowed on %2"_s.arg(QString::fromLatin1(request.methodName()), request.url().path()));
    response.setHeader("Allow", allowed);
    return response;
}

} // namespace edgegate
