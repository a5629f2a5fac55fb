// SPDX-License-Identifier: Apache-2.0
#include "shared/enumnames.h"

#include <QTest>

using namespace Qt::StringLiterals;

namespace {

enum class Colour { Red, Green, Blue };

constexpr auto ColourNames = edgegate::enumNames<Colour>(u"red", u"green", u"blue");

static_assert(ColourNames.size() == 3);
static_assert(ColourNames.values() == std::array{Colour::Red, Colour::Green, Colour::Blue});

} // namespace

class TestEnumNames : public QObject
{
    Q_OBJECT

private slots:
    void readsBothWays_data();
    void readsBothWays();
    void unknownName();
    void valuePastTheList();
};

void TestEnumNames::readsBothWays_data()
{
    QTest::addColumn<Colour>("value");
    QTest::addColumn<QString>("name");
    QTest::addRow("first") << Colour::Red << u"red"_s;
    QTest::addRow("middle") << Colour::Green << u"green"_s;
    QTest::addRow("last") << Colour::Blue << u"blue"_s;
}

void TestEnumNames::readsBothWays()
{
    QFETCH(Colour, value);
    QFETCH(QString, name);
    QCOMPARE(ColourNames.nameOf(value), name);
    QCOMPARE(ColourNames.valueOf(name), value);
}

void TestEnumNames::unknownName()
{
    QCOMPARE(ColourNames.valueOf(u"purple"), std::nullopt);
    QCOMPARE(ColourNames.valueOf(u"Red"), std::nullopt);
    QCOMPARE(ColourNames.valueOf(u"re"), std::nullopt);
    QCOMPARE(ColourNames.valueOf(u""), std::nullopt);
}

void TestEnumNames::valuePastTheList()
{
    QCOMPARE(ColourNames.nameOf(static_cast<Colour>(3)), QString());
    QCOMPARE(ColourNames.nameOf(static_cast<Colour>(-1)), QString());
}

QTEST_GUILESS_MAIN(TestEnumNames)
#include "tst_enumnames.moc"
