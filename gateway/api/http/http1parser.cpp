// SPDX-License-Identifier: Apache-2.0
#include "gateway/api/http/http1parser.h"

#include <algorithm>
#include <cctype>

namespace edgegate::http1 {

namespace {

constexpr qsizetype MaxChunkLine = 4096;
constexpr int MaxTrailerFields = 100;
constexpr int MaxLengthDigits = 18; // fits in qint64

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

/// Field value bytes: visible ASCII, SP, HTAB and obs-text; no other control character.
bool isValueChar(char c)
{
    const auto u = static_cast<unsigned char>(c);
    return u == '\t' || (u >= 0x20 && u != 0x7f);
}

bool isHostChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("-._~!$&'()*+,;=:[]%").contains(c);
}

QByteArrayView trimBlanks(QByteArrayView v)
{
    while (!v.isEmpty() && isBlank(v.front()))
        v = v.sliced(1);
    while (!v.isEmpty() && isBlank(v.back()))
        v.chop(1);
    return v;
}

bool isToken(QByteArrayView v)
{
    return !v.isEmpty() && std::all_of(v.cbegin(), v.cend(), isTokenChar);
}

/// The next CR LF terminated line from `from`: its end (the CR), or -1 while incomplete, or a refusal.
std::variant<qsizetype, HttpRefusal> lineEnd(QByteArrayView bytes, qsizetype from)
{
    for (qsizetype i = from; i < bytes.size(); ++i) {
        const char c = bytes[i];
        if (c == '\n')
            return HttpRefusal::BareLineBreak;
        if (c == '\r') {
            if (i + 1 == bytes.size())
                return qsizetype(-1);
            if (bytes[i + 1] != '\n')
                return HttpRefusal::BareLineBreak;
            return i;
        }
    }
    return qsizetype(-1);
}

std::optional<HttpRefusal> parseRequestLine(QByteArrayView line, HttpHead *head)
{
    const qsizetype sp1 = line.indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
    if (sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0)
        return HttpRefusal::BadRequestLine;
    const QByteArrayView method = line.first(sp1);
    const QByteArrayView target = line.sliced(sp1 + 1, sp2 - sp1 - 1);
    const QByteArrayView version = line.sliced(sp2 + 1);
    if (!isToken(method) || target.isEmpty() || target.front() != '/' || target.contains('#'))
        return HttpRefusal::BadRequestLine;
    if (!std::all_of(target.cbegin(), target.cend(), [](char c) { return c > 0x20 && c < 0x7f; }))
        return HttpRefusal::BadRequestLine;
    if (version == "HTTP/1.1") {
        head->minorVersion = 1;
    } else if (version == "HTTP/1.0") {
        head->minorVersion = 0;
    } else {
        const bool looksHttp = version.size() == 8 && version.startsWith("HTTP/") && version[6] == '.'
            && std::isdigit(static_cast<unsigned char>(version[5]))
            && std::isdigit(static_cast<unsigned char>(version[7]));
        return looksHttp ? HttpRefusal::UnsupportedVersion : HttpRefusal::BadRequestLine;
    }
    head->method = method.toByteArray();
    head->target = target.toByteArray();
    return std::nullopt;
}

/// One `name: value` line, or why it is refused.
std::variant<HttpHeader, HttpRefusal> parseField(QByteArrayView line)
{
    if (isBlank(line.front()))
        return HttpRefusal::FoldedHeader;
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0 || !isToken(line.first(colon)))
        return HttpRefusal::BadHeaderName;
    const QByteArrayView value = trimBlanks(line.sliced(colon + 1));
    if (!std::all_of(value.cbegin(), value.cend(), isValueChar))
        return HttpRefusal::BadHeaderValue;
    return HttpHeader{line.first(colon).toByteArray().toLower(), value.toByteArray()};
}

} // namespace

bool hasToken(QByteArrayView list, QByteArrayView token)
{
    qsizetype from = 0;
    while (from <= list.size()) {
        qsizetype comma = list.indexOf(',', from);
        if (comma < 0)
            comma = list.size();
        if (trimBlanks(list.sliced(from, comma - from)).compare(token, Qt::CaseInsensitive) == 0)
            return true;
        from = comma + 1;
    }
    return false;
}

QByteArray responseHead(const HttpResponse &response, bool keepAlive)
{
    QByteArray out
        = "HTTP/1.1 " + QByteArray::number(int(response.status())) + ' ' + reasonPhrase(response.status()) + "\r\n";
    for (const HttpHeader &h : response.headers()) {
        if (h.name.compare("content-length", Qt::CaseInsensitive) != 0
            && h.name.compare("connection", Qt::CaseInsensitive) != 0)
            out += h.name + ": " + h.value + "\r\n";
    }
    if (carriesBody(response.status()))
        out += "Content-Length: " + QByteArray::number(response.contentLength()) + "\r\n";
    if (!keepAlive)
        out += "Connection: close\r\n";
    return out + "\r\n";
}

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

std::variant<Incomplete, Parsed, HttpRefusal> parseHead(QByteArrayView bytes, const HttpHeadLimits &limits)
{
    const QByteArrayView window = bytes.first(std::min(bytes.size(), limits.maxHeadBytes));
    const auto tooLarge = [&](bool inRequestLine) -> std::variant<Incomplete, Parsed, HttpRefusal> {
        if (bytes.size() < limits.maxHeadBytes)
            return Incomplete{};
        return inRequestLine ? HttpRefusal::RequestLineTooLong : HttpRefusal::HeadTooLarge;
    };
    qsizetype pos = 0;
    // Empty lines before a request are allowed (RFC 9112 2.2), e.g. after a body sent with a CR LF too many.
    while (window.sliced(pos).startsWith("\r\n"))
        pos += 2;
    Parsed parsed;
    bool requestLine = true;
    while (true) {
        const auto end = lineEnd(window, pos);
        if (const auto *refusal = std::get_if<HttpRefusal>(&end))
            return *refusal;
        const qsizetype at = std::get<qsizetype>(end);
        if (at < 0)
            return tooLarge(requestLine);
        const QByteArrayView line = window.sliced(pos, at - pos);
        pos = at + 2;
        if (requestLine) {
            if (const auto refusal = parseRequestLine(line, &parsed.head))
                return *refusal;
            requestLine = false;
            continue;
        }
        if (line.isEmpty())
            break;
        if (parsed.head.headers.size() >= limits.maxFields)
            return HttpRefusal::TooManyFields;
        auto field = parseField(line);
        if (const auto *refusal = std::get_if<HttpRefusal>(&field))
            return *refusal;
        parsed.head.headers.append(std::move(std::get<HttpHeader>(field)));
    }
    parsed.length = pos;
    return parsed;
}

std::variant<Framing, HttpRefusal> framing(const HttpHead &head)
{
    Framing f;
    int hosts = 0;
    int lengths = 0;
    int encodings = 0;
    QByteArray length;
    QByteArray encoding;
    QByteArray connection;
    for (const HttpHeader &h : head.headers) {
        if (h.name == "host") {
            ++hosts;
            if (h.value.isEmpty() || !std::all_of(h.value.cbegin(), h.value.cend(), isHostChar))
                return HttpRefusal::BadHost;
        } else if (h.name == "content-length") {
            ++lengths;
            length = h.value;
        } else if (h.name == "transfer-encoding") {
            ++encodings;
            encoding = h.value;
        } else if (h.name == "connection") {
            connection += ',' + h.value;
        } else if (h.name == "expect") {
            if (h.value.compare("100-continue", Qt::CaseInsensitive) != 0)
                return HttpRefusal::ExpectationFailed;
            f.expectContinue = head.minorVersion >= 1;
        }
    }
    if (hosts > 1 || (hosts == 0 && head.minorVersion >= 1))
        return HttpRefusal::BadHost;
    if (lengths > 1 || (lengths > 0 && encodings > 0) || (encodings > 0 && head.minorVersion == 0))
        return HttpRefusal::BadContentLength;
    if (encodings > 0) {
        if (encodings > 1 || encoding.compare("chunked", Qt::CaseInsensitive) != 0)
            return HttpRefusal::UnsupportedTransferEncoding;
        f.kind = Framing::Kind::Chunked;
    } else if (lengths > 0) {
        if (length.isEmpty() || length.size() > MaxLengthDigits
            || !std::all_of(length.cbegin(), length.cend(), [](char c) { return c >= '0' && c <= '9'; }))
            return HttpRefusal::BadContentLength;
        f.length = length.toLongLong();
        f.kind = f.length > 0 ? Framing::Kind::Length : Framing::Kind::None;
    }
    f.keepAlive = head.minorVersion >= 1 ? !hasToken(connection, "close") : hasToken(connection, "keep-alive");
    if (f.kind == Framing::Kind::None)
        f.expectContinue = false;
    return f;
}

bool ChunkedDecoder::line(QByteArrayView in, qsizetype *used, QByteArray *text)
{
    while (*used < in.size()) {
        const char c = in[(*used)++];
        if (!m_line.isEmpty() && m_line.back() == '\r') {
            if (c != '\n') {
                m_state = State::Failed;
                return false;
            }
            m_line.chop(1);
            *text = std::exchange(m_line, {});
            return true;
        }
        if (c == '\n' || m_line.size() >= MaxChunkLine) {
            m_state = State::Failed;
            return false;
        }
        m_line.append(c);
    }
    return false;
}

qsizetype ChunkedDecoder::feed(QByteArrayView in, QByteArray *out)
{
    qsizetype used = 0;
    while (m_state == State::More && used < in.size()) {
        if (m_step == Step::Data) {
            const qsizetype n = qsizetype(std::min<qint64>(m_chunkLeft, in.size() - used));
            out->append(in.sliced(used, n));
            used += n;
            m_chunkLeft -= n;
            m_decoded += n;
            if (m_chunkLeft == 0)
                m_step = Step::DataEnd;
            continue;
        }
        // Every other step is one line: the input ended in it, or it failed.
        QByteArray text;
        if (!line(in, &used, &text))
            break;
        switch (m_step) {
        case Step::Size: {
            qsizetype digits = 0;
            while (digits < text.size() && std::isxdigit(static_cast<unsigned char>(text[digits])))
                ++digits;
            // A size over 15 hex digits could overflow; extensions are ignored but must be printable.
            const QByteArrayView rest = trimBlanks(QByteArrayView(text).sliced(digits));
            if (digits == 0 || digits > 15 || (!rest.isEmpty() && rest.front() != ';')
                || !std::all_of(rest.cbegin(), rest.cend(), isValueChar)) {
                m_state = State::Failed;
                break;
            }
            m_chunkLeft = text.first(digits).toLongLong(nullptr, 16);
            m_step = m_chunkLeft == 0 ? Step::Trailer : Step::Data;
            break;
        }
        case Step::DataEnd:
            if (!text.isEmpty())
                m_state = State::Failed;
            else
                m_step = Step::Size;
            break;
        case Step::Trailer:
            if (text.isEmpty())
                m_state = State::Done;
            else if (++m_trailerFields > MaxTrailerFields || !std::holds_alternative<HttpHeader>(parseField(text)))
                m_state = State::Failed;
            break;
        case Step::Data:
            break;
        }
    }
    return used;
}

} // namespace edgegate::http1
