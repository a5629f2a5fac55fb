// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/discovery/linkformat.h"

#include <QStringDecoder>
#include <QUrl>

namespace edgegate {

using namespace Qt::StringLiterals;

const LinkParam *Link::param(QStringView name) const
{
    for (const LinkParam &p : params) {
        if (name.compare(p.name, Qt::CaseInsensitive) == 0)
            return &p;
    }
    return nullptr;
}

namespace {

// RFC 5987 parmname characters (RFC 6690 link-extension), plus '*' for extended names.
bool isNameChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
        || QStringView(u"!#$&+-.^_`|~*").contains(c);
}

// RFC 6690 ptokenchar.
bool isTokenChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
        || QStringView(u"!#$%&'()*+-./:<=>?@[]^_`{|}~").contains(c);
}

bool isSpace(QChar c)
{
    return c == u' ' || c == u'\t' || c == u'\r' || c == u'\n';
}

// A URI reference as a device may register it: no white space, controls, quotes, angle brackets or
// backslashes (which RFC 3986 never allows unencoded), and something QUrl accepts strictly.
bool isAcceptableHref(const QString &href)
{
    if (href.isEmpty())
        return false;
    for (const QChar c : href) {
        if (c.unicode() <= 0x20 || c.unicode() == 0x7f || c.unicode() > 0x7e || QStringView(u"\"<>\\^`{|}").contains(c))
            return false;
    }
    return QUrl(href, QUrl::StrictMode).isValid();
}

class Cursor
{
public:
    explicit Cursor(const QString &text)
        : m_text(text)
    {
    }
    [[nodiscard]] bool atEnd() const { return m_pos >= m_text.size(); }
    [[nodiscard]] QChar peek() const { return atEnd() ? QChar() : m_text.at(m_pos); }
    QChar take() { return m_text.at(m_pos++); }
    void skipSpace()
    {
        while (!atEnd() && isSpace(peek()))
            ++m_pos;
    }
    [[nodiscard]] qsizetype pos() const { return m_pos; }

private:
    const QString &m_text;
    qsizetype m_pos = 0;
};

} // namespace

LinkFormatParser::Result LinkFormatParser::parse(const QByteArray &document) const
{
    Result result;
    auto fail = [&result](Error error, const QString &detail) {
        result.links.clear();
        result.error = error;
        result.detail = detail;
        return result;
    };
    if (document.size() > m_limits.maxBytes)
        return fail(Error::TooLarge,
                    u"link format of %1 bytes, more than %2"_s.arg(document.size()).arg(m_limits.maxBytes));
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder.decode(document);
    if (decoder.hasError())
        return fail(Error::InvalidUtf8, u"link format is not valid UTF-8"_s);

    Cursor in(text);
    auto syntax
        = [&](const QString &what) { return fail(Error::Syntax, u"%1 at character %2"_s.arg(what).arg(in.pos())); };
    in.skipSpace();
    if (in.atEnd())
        return result;
    while (true) {
        if (result.links.size() >= m_limits.maxLinks)
            return fail(Error::TooMany, u"more than %1 links"_s.arg(m_limits.maxLinks));
        if (in.take() != u'<')
            return syntax(u"expected '<'"_s);
        Link link;
        while (!in.atEnd() && in.peek() != u'>') {
            if (link.href.size() >= m_limits.maxHrefLength)
                return fail(Error::TooMany, u"a link target longer than %1 characters"_s.arg(m_limits.maxHrefLength));
            link.href.append(in.take());
        }
        if (in.atEnd())
            return syntax(u"unterminated link target, expected '>'"_s);
        in.take();
        if (!isAcceptableHref(link.href))
            return syntax(u"invalid link target"_s);
        in.skipSpace();
        while (in.peek() == u';') {
            in.take();
            in.skipSpace();
            if (link.params.size() >= m_limits.maxParams)
                return fail(Error::TooMany, u"more than %1 parameters in a link"_s.arg(m_limits.maxParams));
            LinkParam param;
            while (!in.atEnd() && isNameChar(in.peek()))
                param.name.append(in.take());
            if (param.name.isEmpty())
                return syntax(u"expected a parameter name"_s);
            if (param.name.size() > m_limits.maxValueLength)
                return fail(Error::TooMany,
                            u"a parameter name longer than %1 characters"_s.arg(m_limits.maxValueLength));
            in.skipSpace();
            if (in.peek() == u'=') {
                in.take();
                in.skipSpace();
                param.hasValue = true;
                if (in.peek() == u'"') {
                    in.take();
                    bool closed = false;
                    while (!in.atEnd()) {
                        QChar c = in.take();
                        if (c == u'"') {
                            closed = true;
                            break;
                        }
                        if (c == u'\\') {
                            if (in.atEnd())
                                break;
                            c = in.take();
                        }
                        if (c.unicode() < 0x20 && c != u'\t')
                            return syntax(u"control character in a quoted value"_s);
                        if (param.value.size() >= m_limits.maxValueLength)
                            return fail(Error::TooMany,
                                        u"a parameter value longer than %1 characters"_s.arg(m_limits.maxValueLength));
                        param.value.append(c);
                    }
                    if (!closed)
                        return syntax(u"unterminated quoted value"_s);
                } else {
                    while (!in.atEnd() && isTokenChar(in.peek())) {
                        if (param.value.size() >= m_limits.maxValueLength)
                            return fail(Error::TooMany,
                                        u"a parameter value longer than %1 characters"_s.arg(m_limits.maxValueLength));
                        param.value.append(in.take());
                    }
                    if (param.value.isEmpty())
                        return syntax(u"expected a parameter value"_s);
                }
            }
            link.params.append(std::move(param));
            in.skipSpace();
        }
        result.links.append(std::move(link));
        if (in.atEnd())
            return result;
        if (in.take() != u',')
            return syntax(u"expected ',' or ';'"_s);
        in.skipSpace();
        if (in.atEnd())
            return syntax(u"expected a link after ','"_s);
    }
}

} // namespace edgegate
