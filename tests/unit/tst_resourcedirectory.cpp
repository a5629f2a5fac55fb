// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/discovery/resourcedirectory.h"

#include <QSignalSpy>
#include <QTest>

using namespace edgegate;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

/// A clock the test moves by hand.
struct FakeClock
{
    ResourceDirectory::Clock::time_point now{std::chrono::hours(1)};
    ResourceDirectory::Now fn()
    {
        return [this] { return now; };
    }
};

QList<DeviceResource> one(const QString &href)
{
    return {DeviceResource{href, u"temperature"_s, {}, {}, true}};
}

} // namespace

class TestResourceDirectory : public QObject
{
    Q_OBJECT
private slots:
    void registerAndReplace();
    void lifetimeAndExpiry();
    void updateRefreshesLifetime();
    void removal();
    void bounded();
    void query_data();
    void query();
    void resources();
};

void TestResourceDirectory::registerAndReplace()
{
    FakeClock clock;
    ResourceDirectory rd(10, clock.fn());
    const auto *r = rd.add(u"dev1"_s, 60, u"sensor"_s, {}, one(u"/temp"_s));
    QVERIFY(r);
    const QString id = r->id;
    QVERIFY(!id.isEmpty());
    QCOMPARE(rd.findEndpoint(u"dev1"_s)->id, id);
    // The same endpoint registering again replaces its registration, under the same location.
    r = rd.add(u"dev1"_s, 30, u"meter"_s, {}, one(u"/kwh"_s));
    QCOMPARE(r->id, id);
    QCOMPARE(rd.size(), 1);
    QCOMPARE(r->endpointType, u"meter"_s);
    QCOMPARE(r->resources.front().href, u"/kwh"_s);
    QCOMPARE(r->expires, clock.now + 30s);
    QVERIFY(rd.add(u"dev2"_s, 60, {}, {}, {})->id != id);
}

void TestResourceDirectory::lifetimeAndExpiry()
{
    FakeClock clock;
    ResourceDirectory rd(10, clock.fn());
    QSignalSpy expired(&rd, &ResourceDirectory::expired);
    rd.add(u"short"_s, 2, {}, {}, {});
    rd.add(u"long"_s, 10, {}, {}, {});
    clock.now += 1999ms;
    rd.expireDue();
    QCOMPARE(expired.size(), 0);
    clock.now += 1ms;
    rd.expireDue();
    QCOMPARE(expired.size(), 1);
    QCOMPARE(expired.front().front().toString(), u"short"_s);
    QVERIFY(!rd.findEndpoint(u"short"_s));
    QVERIFY(rd.findEndpoint(u"long"_s));
    clock.now += 1h;
    rd.expireDue();
    QCOMPARE(expired.size(), 2);
    QCOMPARE(rd.size(), 0);
}

void TestResourceDirectory::updateRefreshesLifetime()
{
    FakeClock clock;
    ResourceDirectory rd(10, clock.fn());
    QSignalSpy expired(&rd, &ResourceDirectory::expired);
    const QString id = rd.add(u"dev"_s, 5, {}, {}, one(u"/a"_s))->id;
    clock.now += 4s;
    // An update without lt keeps the lifetime and starts it again; links stay unless given.
    QVERIFY(rd.update(id, std::nullopt, std::nullopt, std::nullopt));
    clock.now += 4s;
    rd.expireDue();
    QCOMPARE(expired.size(), 0);
    QCOMPARE(rd.find(id)->resources.front().href, u"/a"_s);
    const auto *r = rd.update(id, 100, u"coap://10.0.0.5"_s, one(u"/b"_s));
    QCOMPARE(r->lifetime, 100);
    QCOMPARE(r->base, u"coap://10.0.0.5"_s);
    QCOMPARE(r->resources.front().href, u"/b"_s);
    clock.now += 99s;
    rd.expireDue();
    QCOMPARE(expired.size(), 0);
    clock.now += 1s;
    rd.expireDue();
    QCOMPARE(expired.size(), 1);
    QVERIFY(!rd.update(id, std::nullopt, std::nullopt, std::nullopt)); // gone: the device must register again
}

void TestResourceDirectory::removal()
{
    FakeClock clock;
    ResourceDirectory rd(10, clock.fn());
    QSignalSpy expired(&rd, &ResourceDirectory::expired);
    const QString id = rd.add(u"dev"_s, 5, {}, {}, {})->id;
    QCOMPARE(rd.remove(u"nope"_s), std::nullopt);
    QCOMPARE(rd.remove(id), u"dev"_s);
    QCOMPARE(rd.remove(id), std::nullopt);
    rd.add(u"other"_s, 5, {}, {}, {});
    rd.removeEndpoint(u"other"_s);
    clock.now += 1h;
    rd.expireDue();
    QCOMPARE(expired.size(), 0); // removed registrations never expire
    QCOMPARE(rd.size(), 0);
}

void TestResourceDirectory::bounded()
{
    FakeClock clock;
    ResourceDirectory rd(2, clock.fn());
    QVERIFY(rd.add(u"a"_s, 5, {}, {}, {}));
    QVERIFY(rd.add(u"b"_s, 5, {}, {}, {}));
    QVERIFY(!rd.add(u"c"_s, 5, {}, {}, {}));
    QVERIFY(rd.add(u"a"_s, 9, {}, {}, {})); // replacing needs no room
}

void TestResourceDirectory::query_data()
{
    QTest::addColumn<QList<QByteArray>>("options");
    QTest::addColumn<bool>("valid");
    QTest::addRow("all") << QList<QByteArray>{"ep=dev1", "lt=2", "et=sensor", "base=coap://10.0.0.2:5683"} << true;
    QTest::addRow("extra attributes ignored") << QList<QByteArray>{"ep=d", "d=site", "foo"} << true;
    QTest::addRow("lt 0") << QList<QByteArray>{"ep=d", "lt=0"} << false;
    QTest::addRow("lt too big") << QList<QByteArray>{"ep=d", "lt=4294967296"} << false;
    QTest::addRow("lt max") << QList<QByteArray>{"ep=d", "lt=4294967295"} << true;
    QTest::addRow("lt not a number") << QList<QByteArray>{"ep=d", "lt=2s"} << false;
    QTest::addRow("lt negative") << QList<QByteArray>{"ep=d", "lt=-5"} << false;
    QTest::addRow("ep twice") << QList<QByteArray>{"ep=a", "ep=b"} << false;
    QTest::addRow("ep empty") << QList<QByteArray>{"ep="} << false;
    QTest::addRow("ep without value") << QList<QByteArray>{"ep"} << false;
    QTest::addRow("control in et") << QList<QByteArray>{"ep=d", "et=a\nb"} << false;
    QTest::addRow("base not coap") << QList<QByteArray>{"ep=d", "base=javascript:alert(1)"} << false;
    QTest::addRow("base relative") << QList<QByteArray>{"ep=d", "base=/x"} << false;
}

void TestResourceDirectory::query()
{
    QFETCH(QList<QByteArray>, options);
    QFETCH(bool, valid);
    QString error;
    const auto q = RdQuery::parse(options, &error);
    QCOMPARE(q.has_value(), valid);
    QCOMPARE(error.isEmpty(), valid);
    if (QTest::currentDataTag() == QByteArrayLiteral("all")) {
        QCOMPARE(q->endpoint, u"dev1"_s);
        QCOMPARE(q->lifetime, 2);
        QCOMPARE(q->endpointType, u"sensor"_s);
        QCOMPARE(q->base, u"coap://10.0.0.2:5683"_s);
    }
}

void TestResourceDirectory::resources()
{
    const auto parsed = LinkFormatParser().parse(
        R"(</temp>;rt="temperature";if="core.s";ct=50;obs,<sub/rh>;rt=humidity,<coaps://[fd00::1]/x>)");
    QVERIFY(!parsed.error);
    QString error;
    auto r = rdResources(parsed.links, {}, &error);
    QVERIFY(r);
    QCOMPARE(r->size(), 3);
    QCOMPARE(r->at(0), (DeviceResource{u"/temp"_s, u"temperature"_s, u"core.s"_s, u"50"_s, true}));
    QCOMPARE(r->at(1).href, u"sub/rh"_s);
    QVERIFY(!r->at(1).observable);
    // With a base, relative targets become absolute; absolute ones stay.
    r = rdResources(parsed.links, u"coap://10.0.0.7:5683/dev/"_s, &error);
    QCOMPARE(r->at(0).href, u"coap://10.0.0.7:5683/temp"_s);
    QCOMPARE(r->at(1).href, u"coap://10.0.0.7:5683/dev/sub/rh"_s);
    QCOMPARE(r->at(2).href, u"coaps://[fd00::1]/x"_s);
    // Hostile targets: other schemes, fragments.
    for (const QByteArray &doc :
         {QByteArray("<javascript:alert(1)>"), QByteArray("<file:///etc/passwd>"), QByteArray("</a#frag>")}) {
        const auto links = LinkFormatParser().parse(doc);
        QVERIFY2(!links.error, doc.constData());
        error.clear();
        QVERIFY2(!rdResources(links.links, {}, &error), doc.constData());
        QVERIFY(!error.isEmpty());
    }
}

QTEST_GUILESS_MAIN(TestResourceDirectory)
#include "tst_resourcedirectory.moc"
