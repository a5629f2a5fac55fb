// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/ota/semver.h"

#include <QTest>

#include <algorithm>

using edgegate::SemVer;

using namespace Qt::StringLiterals;

class TestSemVer : public QObject
{
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void precedence_data();
    void precedence();
    void sortsByPrecedence();
    void invalidSortsLast();
};

void TestSemVer::parse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");

    // From semver.org and its examples.
    QTest::addRow("release") << u"1.2.3"_s << true;
    QTest::addRow("zeros") << u"0.0.0"_s << true;
    QTest::addRow("pre-release") << u"1.0.0-alpha"_s << true;
    QTest::addRow("numbered pre-release") << u"1.0.0-alpha.1"_s << true;
    QTest::addRow("pre-release with dashes") << u"1.0.0-x-y-z.--"_s << true;
    QTest::addRow("numeric pre-release") << u"1.0.0-0.3.7"_s << true;
    QTest::addRow("build") << u"1.0.0+20130313144700"_s << true;
    QTest::addRow("pre-release and build") << u"1.0.0-beta+exp.sha.5114f85"_s << true;
    QTest::addRow("build with leading zero") << u"1.0.0+001"_s << true;
    QTest::addRow("build with dash") << u"1.0.0+21AF26D3----117B344092BD"_s << true;
    QTest::addRow("large numbers") << u"18446744073709551615.0.0"_s << true;

    QTest::addRow("empty") << QString() << false;
    QTest::addRow("two parts") << u"1.2"_s << false;
    QTest::addRow("four parts") << u"1.2.3.4"_s << false;
    QTest::addRow("leading zero major") << u"01.2.3"_s << false;
    QTest::addRow("leading zero patch") << u"1.2.03"_s << false;
    QTest::addRow("leading v") << u"v1.2.3"_s << false;
    QTest::addRow("empty part") << u"1..3"_s << false;
    QTest::addRow("negative") << u"-1.2.3"_s << false;
    QTest::addRow("letters") << u"a.b.c"_s << false;
    QTest::addRow("empty pre-release") << u"1.2.3-"_s << false;
    QTest::addRow("empty pre-release identifier") << u"1.2.3-alpha..1"_s << false;
    QTest::addRow("pre-release leading zero") << u"1.2.3-01"_s << false;
    QTest::addRow("empty build") << u"1.2.3+"_s << false;
    QTest::addRow("empty build identifier") << u"1.2.3+a..b"_s << false;
    QTest::addRow("two plus") << u"1.2.3+a+b"_s << false;
    QTest::addRow("underscore") << u"1.2.3-a_b"_s << false;
    QTest::addRow("space") << u"1.2.3 "_s << false;
    QTest::addRow("slash") << u"1.2.3/../x"_s << false;
    QTest::addRow("non-ASCII digit") << u"1.2.\u0663"_s << false;
    QTest::addRow("overflow") << u"18446744073709551616.0.0"_s << false;
    QTest::addRow("too long") << (u"1.0.0-"_s + QString(200, u'a')) << false;
}

void TestSemVer::parse()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    const auto v = SemVer::parse(text);
    QCOMPARE(v.has_value(), valid);
    if (v)
        QCOMPARE(v->toString(), text);
}

void TestSemVer::precedence_data()
{
    QTest::addColumn<QString>("lower");
    QTest::addColumn<QString>("higher");

    QTest::addRow("major") << u"1.0.0"_s << u"2.0.0"_s;
    QTest::addRow("minor") << u"2.0.0"_s << u"2.1.0"_s;
    QTest::addRow("patch") << u"2.1.0"_s << u"2.1.1"_s;
    QTest::addRow("numeric not text") << u"1.9.0"_s << u"1.10.0"_s;
    QTest::addRow("pre-release below release") << u"1.0.0-alpha"_s << u"1.0.0"_s;
    QTest::addRow("longer pre-release") << u"1.0.0-alpha"_s << u"1.0.0-alpha.1"_s;
    QTest::addRow("numeric below alphanumeric") << u"1.0.0-alpha.1"_s << u"1.0.0-alpha.beta"_s;
    QTest::addRow("ASCII order") << u"1.0.0-alpha.beta"_s << u"1.0.0-beta"_s;
    QTest::addRow("numbers compared as numbers") << u"1.0.0-beta.2"_s << u"1.0.0-beta.11"_s;
    QTest::addRow("rc after beta") << u"1.0.0-beta.11"_s << u"1.0.0-rc.1"_s;
    QTest::addRow("upper case first") << u"1.0.0-Z"_s << u"1.0.0-a"_s;
    QTest::addRow("big numbers") << u"1.0.0-99999999999999999998"_s << u"1.0.0-99999999999999999999"_s;
}

void TestSemVer::precedence()
{
    QFETCH(QString, lower);
    QFETCH(QString, higher);
    const auto a = SemVer::parse(lower);
    const auto b = SemVer::parse(higher);
    QVERIFY(a && b);
    QCOMPARE(SemVer::comparePrecedence(*a, *b), -1);
    QCOMPARE(SemVer::comparePrecedence(*b, *a), 1);
    QCOMPARE(SemVer::comparePrecedence(*a, *a), 0);
}

void TestSemVer::sortsByPrecedence()
{
    const QStringList ordered{u"1.0.0-alpha"_s,   u"1.0.0-alpha.1"_s, u"1.0.0-alpha.beta"_s,
                              u"1.0.0-beta"_s,    u"1.0.0-beta.2"_s,  u"1.0.0-beta.11"_s,
                              u"1.0.0-rc.1"_s,    u"1.0.0"_s,         u"1.0.0+build.1"_s,
                              u"1.0.0+build.2"_s, u"1.2.0"_s,         u"1.10.0"_s};
    // Build metadata does not change precedence, only the sort's tie-break.
    QCOMPARE(SemVer::comparePrecedence(*SemVer::parse(u"1.0.0"_s), *SemVer::parse(u"1.0.0+build.1"_s)), 0);
    QStringList shuffled = ordered;
    std::reverse(shuffled.begin(), shuffled.end());
    std::swap(shuffled[2], shuffled[7]);
    std::sort(shuffled.begin(), shuffled.end(),
              [](const QString &a, const QString &b) { return SemVer::compareText(a, b) < 0; });
    QCOMPARE(shuffled, ordered);
}

void TestSemVer::invalidSortsLast()
{
    QCOMPARE(SemVer::compareText(u"1.0.0"_s, u"banana"_s), -1);
    QCOMPARE(SemVer::compareText(u"banana"_s, u"1.0.0"_s), 1);
    QCOMPARE(SemVer::compareText(u"apple"_s, u"banana"_s), -1);
}

QTEST_GUILESS_MAIN(TestSemVer)
#include "tst_semver.moc"
