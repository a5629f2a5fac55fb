// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/discovery/linkformat.h"

#include <QTest>

using namespace edgegate;
using namespace Qt::StringLiterals;

class TestLinkFormat : public QObject
{
    Q_OBJECT
private slots:
    void parsesLinks();
    void emptyDocumentHasNoLinks();
    void badInput_data();
    void badInput();
    void limits();
};

void TestLinkFormat::parsesLinks()
{
    const auto r = LinkFormatParser().parse(
        R"(</temp>;rt="temperature";obs;ct=50,</sensors/rh>;rt="humidity c";if=core.s;title="a \"q\" here",
           <coap://[::1]:5683/x> ; anchor="/")");
    QVERIFY2(!r.error, qPrintable(r.detail));
    QCOMPARE(r.links.size(), 3);
    QCOMPARE(r.links[0].href, u"/temp"_s);
    QCOMPARE(r.links[0].param(u"rt")->value, u"temperature"_s);
    QVERIFY(r.links[0].param(u"obs"));
    QVERIFY(!r.links[0].param(u"obs")->hasValue);
    QCOMPARE(r.links[0].param(u"CT")->value, u"50"_s); // names compare case-insensitively
    QCOMPARE(r.links[1].param(u"rt")->value, u"humidity c"_s);
    QCOMPARE(r.links[1].param(u"if")->value, u"core.s"_s);
    QCOMPARE(r.links[1].param(u"title")->value, uR"(a "q" here)"_s);
    QCOMPARE(r.links[2].href, u"coap://[::1]:5683/x"_s);
    QVERIFY(!r.links[2].param(u"rt"));
}

void TestLinkFormat::emptyDocumentHasNoLinks()
{
    for (const QByteArray &doc : {QByteArray(), QByteArray(" \r\n")}) {
        const auto r = LinkFormatParser().parse(doc);
        QVERIFY(!r.error);
        QVERIFY(r.links.isEmpty());
    }
}

void TestLinkFormat::badInput_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<LinkFormatParser::Error>("error");
    using E = LinkFormatParser::Error;
    QTest::addRow("no angle bracket") << QByteArray("/temp;rt=x") << E::Syntax;
    QTest::addRow("truncated target") << QByteArray("</temp") << E::Syntax;
    QTest::addRow("truncated after ;") << QByteArray("</temp>;") << E::Syntax;
    QTest::addRow("truncated after =") << QByteArray("</temp>;rt=") << E::Syntax;
    QTest::addRow("trailing comma") << QByteArray("</a>,") << E::Syntax;
    QTest::addRow("unterminated quote") << QByteArray(R"(</a>;rt="temp)") << E::Syntax;
    QTest::addRow("escape at the end") << QByteArray(R"(</a>;rt="temp\)") << E::Syntax;
    QTest::addRow("control in quote") << QByteArray("</a>;rt=\"a\x01\"") << E::Syntax;
    QTest::addRow("junk after link") << QByteArray("</a> x") << E::Syntax;
    QTest::addRow("bad parameter name") << QByteArray("</a>;r(t=1") << E::Syntax;
    QTest::addRow("invalid UTF-8") << QByteArray("</a>;title=\"\xc3\x28\"") << E::InvalidUtf8;
    QTest::addRow("overlong UTF-8") << QByteArray("</\xc0\xaf>") << E::InvalidUtf8;
    QTest::addRow("empty target") << QByteArray("<>") << E::Syntax;
    QTest::addRow("space in target") << QByteArray("</a b>") << E::Syntax;
    QTest::addRow("newline in target") << QByteArray("</a\n>") << E::Syntax;
    QTest::addRow("quote in target") << QByteArray(R"(</a"onmouseover=x>)") << E::Syntax;
    QTest::addRow("backslash in target") << QByteArray(R"(<\\host\share>)") << E::Syntax;
    QTest::addRow("non-ASCII target") << QByteArray("</caf\xc3\xa9>") << E::Syntax;
    QTest::addRow("NUL in target") << QByteArray("</a\0b>", 6) << E::Syntax;
    QTest::addRow("bad percent escape") << QByteArray("</a%zz>") << E::Syntax;
    QTest::addRow("nested bracket") << QByteArray("<</a>>") << E::Syntax;
}

void TestLinkFormat::badInput()
{
    QFETCH(QByteArray, document);
    QFETCH(LinkFormatParser::Error, error);
    const auto r = LinkFormatParser().parse(document);
    QVERIFY(r.error);
    QCOMPARE(*r.error, error);
    QVERIFY(!r.detail.isEmpty());
    QVERIFY(r.links.isEmpty());
}

void TestLinkFormat::limits()
{
    LinkFormatParser::Limits limits;
    limits.maxBytes = 100;
    limits.maxLinks = 2;
    limits.maxParams = 2;
    limits.maxHrefLength = 10;
    limits.maxValueLength = 8;
    const LinkFormatParser parser(limits);
    QCOMPARE(*parser.parse(QByteArray(101, ' ')).error, LinkFormatParser::Error::TooLarge);
    QVERIFY(!parser.parse("</a>,</b>").error);
    QCOMPARE(*parser.parse("</a>,</b>,</c>").error, LinkFormatParser::Error::TooMany);
    QCOMPARE(*parser.parse("</a>;x;y;z").error, LinkFormatParser::Error::TooMany);
    QCOMPARE(*parser.parse("</0123456789>").error, LinkFormatParser::Error::TooMany);
    QCOMPARE(*parser.parse(R"(</a>;rt="123456789")").error, LinkFormatParser::Error::TooMany);
    QCOMPARE(*parser.parse("</a>;rt=123456789").error, LinkFormatParser::Error::TooMany);
    QCOMPARE(*parser.parse("</a>;t123456789=1").error, LinkFormatParser::Error::TooMany);
}

QTEST_GUILESS_MAIN(TestLinkFormat)
#include "tst_linkformat.moc"
