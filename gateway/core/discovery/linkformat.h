// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringView>

#include <optional>

namespace edgegate {

/// One target attribute of a link: `name=value`, `name="value"`, or a bare `name` (like `obs`).
struct LinkParam
{
    QString name;
    QString value;
    bool hasValue = false;

    friend bool operator==(const LinkParam &, const LinkParam &) = default;
};

/// One link of a CoRE link format document: `<href>;param;param=value`.
struct Link
{
    QString href;
    QList<LinkParam> params;

    /// The first parameter called `name` (names compare case-insensitively, as RFC 8288 says).
    [[nodiscard]] const LinkParam *param(QStringView name) const;
};

/// Parses CoRE link format (RFC 6690) as devices send it to the resource directory. Strict about
/// what matters (the angle brackets, quoting, parameter names, valid UTF-8, a URI reference without
/// spaces or control characters) and bounded in every dimension before anything is kept; white
/// space around `,` and `;` is tolerated since some devices send one link per line.
class LinkFormatParser
{
public:
    struct Limits
    {
        qsizetype maxBytes = 4096;
        int maxLinks = 64;
        int maxParams = 16; ///< per link
        int maxHrefLength = 255;
        int maxValueLength = 255;
    };

    enum class Error { TooLarge, InvalidUtf8, Syntax, TooMany };

    struct Result
    {
        QList<Link> links;
        std::optional<Error> error;
        QString detail; ///< what was wrong and where, for the device's diagnostic and logs
    };

    LinkFormatParser() = default;
    explicit LinkFormatParser(const Limits &limits)
        : m_limits(limits)
    {
    }

    /// An empty document is valid and has no links.
    [[nodiscard]] Result parse(const QByteArray &document) const;

private:
    Limits m_limits;
};

} // namespace edgegate
