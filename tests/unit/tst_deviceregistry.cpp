// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/common/metrics.h"
#include "gateway/core/devices/deviceauth.h"
#include "gateway/core/devices/deviceregistry.h"
#include "gateway/storage/sqlitedevicestore.h"

#include <QCryptographicHash>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace edgegate;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

/// A registry over a real SQLite file, rebuilt on demand to simulate a restart.
struct Fixture
{
    explicit Fixture(RegistryPolicy policy, std::chrono::milliseconds offlineAfter = 90s,
                     QHash<QString, std::chrono::milliseconds> byType = {})
        : settings{policy, offlineAfter, 1h, std::move(byType)}
    {
        restart();
    }

    void restart()
    {
        registry.reset();
        store = std::make_unique<SqliteDeviceStore>();
        metrics = std::make_unique<Metrics>();
        QVERIFY(store->open(dir.filePath(u"registry.db"_s)));
        registry = std::make_unique<DeviceRegistry>(settings, *store, *metrics);
        QString error;
        QVERIFY2(registry->load(&error), qPrintable(error));
    }

    [[nodiscard]] quint64 registered() const
    {
        return metrics->counter(u"edgegate_devices_registered_total"_s, {}).value();
    }

    [[nodiscard]] qsizetype storedCount()
    {
        SqliteDeviceStore reader;
        if (!reader.open(dir.filePath(u"registry.db"_s)))
            return -1;
        return reader.loadAll().value_or(QList<DeviceInfo>{}).size();
    }

    QTemporaryDir dir;
    DeviceRegistry::Settings settings;
    std::unique_ptr<SqliteDeviceStore> store;
    std::unique_ptr<Metrics> metrics;
    std::unique_ptr<DeviceRegistry> registry;
};

} // namespace

class TestDeviceRegistry : public QObject
{
    Q_OBJECT
private slots:
    void autoPolicyRegistersOnce();
    void approvePolicyHoldsUntilApproved();
    void denyPolicyRefusesUnknown();
    void maxDevicesStopsRegistration();
    void newDevicesAreBudgetedPerSource();
    void lastSeenIsBatched();
    void restartKeepsEverything();
    void restartWithTenThousandDevices();
    void silentDeviceGoesOffline();
    void deviceSilentAcrossRestartGoesOffline();
    void reportedStatusAndMeta();
    void repeatedReportsAndErrors();
    void maintenance();
    void removeIsPersisted();
    void removedAndBackBeforeFlush();
    void listFilters();
    void offlineAfterPerType();
    void transitionsCarryReasons();
    void healthFields();
    void onlineSinceRestored();
    void certificatesAreCredentials();
};

void TestDeviceRegistry::autoPolicyRegistersOnce()
{
    Fixture f(RegistryPolicy::Auto);
    QSignalSpy changed(f.registry.get(), &DeviceRegistry::deviceChanged);
    QCOMPARE(f.registry->admit(u"d1"_s, Protocol::Mqtt, 1000), DeviceRegistry::Admission::Accepted);
    QCOMPARE(f.registry->admit(u"d1"_s, Protocol::Mqtt, 2000), DeviceRegistry::Admission::Accepted);
    QCOMPARE(f.registered(), 1u);
    QCOMPARE(changed.size(), 1); // the registration; a plain last-seen update is not an event
    const DeviceInfo *d = f.registry->find(u"d1"_s);
    QVERIFY(d);
    QCOMPARE(d->status, DeviceStatus::Online);
    QCOMPARE(d->approval, Approval::Approved);
    QCOMPARE(d->protocol, u"mqtt"_s);
    QCOMPARE(d->firstSeenMs, 1000);
    QCOMPARE(d->lastSeenMs, 2000);
}

void TestDeviceRegistry::approvePolicyHoldsUntilApproved()
{
    Fixture f(RegistryPolicy::Approve);
    QSignalSpy approved(f.registry.get(), &DeviceRegistry::deviceApproved);
    QCOMPARE(f.registry->admit(u"p1"_s, Protocol::Mqtt, 1), DeviceRegistry::Admission::Pending);
    QCOMPARE(f.registry->admit(u"p1"_s, Protocol::Mqtt, 2), DeviceRegistry::Admission::Pending);
    QCOMPARE(f.registry->find(u"p1"_s)->approval, Approval::Pending);
    QCOMPARE(f.registry->list({}, {}, Approval::Pending).size(), 1);
    QCOMPARE(f.registry->approve(u"nope"_s), DeviceRegistry::ChangeResult::NotFound);
    QCOMPARE(f.registry->approve(u"p1"_s), DeviceRegistry::ChangeResult::Done);
    QCOMPARE(approved.size(), 1);
    QCOMPARE(f.registry->approve(u"p1"_s), DeviceRegistry::ChangeResult::Conflict);
    QCOMPARE(f.registry->admit(u"p1"_s, Protocol::Mqtt, 3), DeviceRegistry::Admission::Accepted);
    // Approval survives a restart.
    QVERIFY(f.registry->flush());
    f.restart();
    QCOMPARE(f.registry->find(u"p1"_s)->approval, Approval::Approved);
}

void TestDeviceRegistry::denyPolicyRefusesUnknown()
{
    Fixture f(RegistryPolicy::Auto);
    f.registry->admit(u"known"_s, Protocol::Mqtt, 1);
    QVERIFY(f.registry->flush());
    f.settings.policy = RegistryPolicy::Deny;
    f.restart();
    QCOMPARE(f.registry->admit(u"stranger"_s, Protocol::Mqtt, 2), DeviceRegistry::Admission::Denied);
    QCOMPARE(f.registry->admit(u"stranger"_s, Protocol::Mqtt, 3), DeviceRegistry::Admission::Denied);
    QVERIFY(!f.registry->find(u"stranger"_s));
    QCOMPARE(
        f.metrics->counter(u"edgegate_messages_rejected_total"_s, {}, {{u"reason"_s, u"unknown_device"_s}}).value(),
        2u);
    QCOMPARE(f.registry->admit(u"known"_s, Protocol::Mqtt, 4), DeviceRegistry::Admission::Accepted);
}

void TestDeviceRegistry::maxDevicesStopsRegistration()
{
    Fixture f(RegistryPolicy::Auto);
    f.settings.maxDevices = 3;
    f.restart();
    for (int i = 0; i < 3; ++i)
        QCOMPARE(f.registry->admit(u"d-%1"_s.arg(i), Protocol::Http, 1, u"10.0.0.%1"_s.arg(i)),
                 DeviceRegistry::Admission::Accepted);
    QCOMPARE(f.registry->admit(u"d-3"_s, Protocol::Http, 2, u"10.0.0.9"_s), DeviceRegistry::Admission::Full);
    QVERIFY(!f.registry->find(u"d-3"_s));
    QCOMPARE(f.registry->size(), 3);
    // Known devices go on as before.
    QCOMPARE(f.registry->admit(u"d-0"_s, Protocol::Http, 3, u"10.0.0.9"_s), DeviceRegistry::Admission::Accepted);
    // A device removed makes room.
    QCOMPARE(f.registry->remove(u"d-1"_s), DeviceRegistry::ChangeResult::Done);
    QCOMPARE(f.registry->admit(u"d-3"_s, Protocol::Http, 4, u"10.0.0.9"_s), DeviceRegistry::Admission::Accepted);
}

void TestDeviceRegistry::newDevicesAreBudgetedPerSource()
{
    Fixture f(RegistryPolicy::Auto);
    f.settings.newDevicesPerMinute = 2;
    f.restart();
    const qint64 minute = 60000 * 1000;
    const auto admit = [&](const QString &id, const QString &source, qint64 at) {
        return f.registry->admit(id, Protocol::Coap, at, source);
    };
    QCOMPARE(admit(u"a-1"_s, u"10.0.0.1"_s, minute), DeviceRegistry::Admission::Accepted);
    QCOMPARE(admit(u"a-2"_s, u"10.0.0.1"_s, minute + 1), DeviceRegistry::Admission::Accepted);
    QCOMPARE(admit(u"a-3"_s, u"10.0.0.1"_s, minute + 2), DeviceRegistry::Admission::TooFast);
    QVERIFY(!f.registry->find(u"a-3"_s));
    QCOMPARE(f.registry->newDeviceRetryAfter(minute + 2), std::chrono::seconds(60));
    QCOMPARE(f.registry->newDeviceRetryAfter(minute + 59500), std::chrono::seconds(1));
    // Known devices of that source, and new ones of another, are not affected.
    QCOMPARE(admit(u"a-1"_s, u"10.0.0.1"_s, minute + 3), DeviceRegistry::Admission::Accepted);
    QCOMPARE(admit(u"b-1"_s, u"10.0.0.2"_s, minute + 4), DeviceRegistry::Admission::Accepted);
    // MQTT devices come without a source: the broker is their gate.
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(f.registry->admit(u"m-%1"_s.arg(i), Protocol::Mqtt, minute + 5 + i),
                 DeviceRegistry::Admission::Accepted);
    }
    // The next minute has a new budget.
    QCOMPARE(admit(u"a-3"_s, u"10.0.0.1"_s, 2 * minute), DeviceRegistry::Admission::Accepted);
}

void TestDeviceRegistry::lastSeenIsBatched()
{
    Fixture f(RegistryPolicy::Auto);
    for (int i = 0; i < 100; ++i)
        f.registry->admit(u"dev-%1"_s.arg(i % 10), Protocol::Mqtt, 1000 + i);
    // Nothing reaches the database until the batch is written.
    QCOMPARE(f.storedCount(), 0);
    QVERIFY(f.registry->flush());
    QCOMPARE(f.storedCount(), 10);
    f.restart();
    QCOMPARE(f.registry->find(u"dev-9"_s)->lastSeenMs, 1099);
}

void TestDeviceRegistry::restartKeepsEverything()
{
    Fixture f(RegistryPolicy::Auto);
    f.registry->admit(u"t1"_s, Protocol::Mqtt, 500);
    f.registry->applyMeta(
        u"t1"_s,
        {.name = u"Boiler"_s, .type = u"thermostat"_s, .firmware = u"2.1.0"_s, .metadata = {{u"model"_s, u"TX-9"_s}}});
    f.registry->recordError(u"t1"_s, u"malformed_json: oops"_s, 600);
    f.registry->patch(u"t1"_s, {u"Hall boiler"_s, std::nullopt, std::nullopt});
    DeviceInfo before = *f.registry->find(u"t1"_s);
    QCOMPARE(before.onlineSinceMs, 500);
    // online_since comes back from the status history (health.db), not from the device table; the
    // proof is the running link's, shown again once the device speaks.
    before.onlineSinceMs = 0;
    QCOMPARE(before.proof, u"none"_s);
    before.proof.clear();
    f.restart(); // the destructor writes what is pending
    const DeviceInfo *after = f.registry->find(u"t1"_s);
    QVERIFY(after);
    QCOMPARE(*after, before);
    QCOMPARE(after->name, u"Hall boiler"_s);
    QCOMPARE(after->type, u"thermostat"_s);
    f.registry->admit(u"t1"_s, Protocol::Coap, 700, {}, DeviceProof::Psk);
    QCOMPARE(f.registry->find(u"t1"_s)->proof, u"psk"_s);
    QCOMPARE(after->firmware, u"2.1.0"_s);
    QCOMPARE(after->metadata.value(u"model"_s), u"TX-9"_s);
    QCOMPARE(after->lastError, u"malformed_json: oops"_s);
    QCOMPARE(after->lastErrorMs, 600);
}

void TestDeviceRegistry::restartWithTenThousandDevices()
{
    Fixture f(RegistryPolicy::Auto);
    constexpr int Count = 10000;
    for (int i = 0; i < Count; ++i)
        f.registry->admit(u"sensor-%1"_s.arg(i), Protocol::Mqtt, 1000);
    QCOMPARE(f.registered(), quint64(Count));
    QVERIFY(f.registry->flush());
    f.restart();
    QCOMPARE(f.registry->size(), Count);
    for (int i = 0; i < Count; ++i)
        f.registry->admit(u"sensor-%1"_s.arg(i), Protocol::Mqtt, 2000);
    QCOMPARE(f.registered(), 0u);
    QCOMPARE(f.registry->size(), Count);
    QCOMPARE(f.registry->find(u"sensor-4242"_s)->firstSeenMs, 1000);
    QVERIFY(f.registry->flush());
    QCOMPARE(f.storedCount(), Count);
}

void TestDeviceRegistry::silentDeviceGoesOffline()
{
    Fixture f(RegistryPolicy::Auto, 150ms);
    f.registry->admit(u"a"_s, Protocol::Mqtt, 1);
    f.registry->admit(u"b"_s, Protocol::Mqtt, 1);
    QCOMPARE(f.registry->find(u"a"_s)->status, DeviceStatus::Online);
    QTRY_COMPARE_WITH_TIMEOUT(f.registry->find(u"a"_s)->status, DeviceStatus::Offline, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(f.registry->find(u"b"_s)->status, DeviceStatus::Offline, 5000);
    // A new message brings it back.
    f.registry->admit(u"a"_s, Protocol::Http, 2);
    QCOMPARE(f.registry->find(u"a"_s)->status, DeviceStatus::Online);
    QCOMPARE(f.registry->find(u"a"_s)->protocol, u"http"_s);
    QTRY_COMPARE_WITH_TIMEOUT(f.registry->find(u"a"_s)->status, DeviceStatus::Offline, 5000);
}

void TestDeviceRegistry::deviceSilentAcrossRestartGoesOffline()
{
    Fixture f(RegistryPolicy::Auto, 200ms);
    f.registry->admit(u"a"_s, Protocol::Mqtt, QDateTime::currentMSecsSinceEpoch());
    QVERIFY(f.registry->flush());
    f.restart();
    QCOMPARE(f.registry->find(u"a"_s)->status, DeviceStatus::Online);
    QTRY_COMPARE_WITH_TIMEOUT(f.registry->find(u"a"_s)->status, DeviceStatus::Offline, 5000);
}

void TestDeviceRegistry::reportedStatusAndMeta()
{
    Fixture f(RegistryPolicy::Auto);
    f.registry->admit(u"a"_s, Protocol::Mqtt, 1);
    f.registry->setReportedStatus(u"a"_s, DeviceStatus::Offline, 2);
    QCOMPARE(f.registry->find(u"a"_s)->status, DeviceStatus::Offline);
    f.registry->setReportedStatus(u"a"_s, DeviceStatus::Error, 3);
    QCOMPARE(f.registry->find(u"a"_s)->status, DeviceStatus::Error);
    f.registry->setReportedStatus(u"a"_s, DeviceStatus::Online, 4);
    QCOMPARE(f.registry->find(u"a"_s)->status, DeviceStatus::Online);

    f.registry->applyMeta(
        u"a"_s, {.name = u"Own name"_s, .type = u"meter"_s, .firmware = u"1.0"_s, .metadata = {{u"k1"_s, u"v1"_s}}});
    f.registry->applyMeta(u"a"_s, {.firmware = u"1.1"_s, .metadata = {{u"k2"_s, u"v2"_s}}});
    const DeviceInfo *d = f.registry->find(u"a"_s);
    QCOMPARE(d->name, u"Own name"_s);
    QCOMPARE(d->type, u"meter"_s);
    QCOMPARE(d->firmware, u"1.1"_s);
    QCOMPARE(d->metadata.size(), 2); // merged, not replaced
    // Unknown ids are ignored rather than registered.
    f.registry->applyMeta(u"ghost"_s, {.type = u"x"_s});
    f.registry->recordError(u"ghost"_s, u"e"_s, 1);
    QVERIFY(!f.registry->find(u"ghost"_s));
}

void TestDeviceRegistry::repeatedReportsAndErrors()
{
    Fixture f(RegistryPolicy::Auto);
    f.registry->admit(u"a"_s, Protocol::Mqtt, 1);
    QSignalSpy changed(f.registry.get(), &DeviceRegistry::deviceChanged);
    // A repeated "online" is a heartbeat: last seen moves, nothing visible changes.
    f.registry->setReportedStatus(u"a"_s, DeviceStatus::Online, 500);
    QCOMPARE(f.registry->find(u"a"_s)->lastSeenMs, 500);
    QCOMPARE(changed.size(), 0);
    // The same error again updates its time but is announced once.
    f.registry->recordError(u"a"_s, u"bad_value: x"_s, 600);
    f.registry->recordError(u"a"_s, u"bad_value: x"_s, 700);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(f.registry->find(u"a"_s)->lastErrorMs, 700);
    // A different error within a second is kept but not announced; after a second it is.
    f.registry->recordError(u"a"_s, u"bad_value: y"_s, 800);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(f.registry->find(u"a"_s)->lastError, u"bad_value: y"_s);
    f.registry->recordError(u"a"_s, u"bad_value: z"_s, 1900);
    QCOMPARE(changed.size(), 2);
}

void TestDeviceRegistry::maintenance()
{
    Fixture f(RegistryPolicy::Auto, 100ms);
    f.registry->admit(u"m"_s, Protocol::Mqtt, 1);
    QCOMPARE(f.registry->patch(u"m"_s, {std::nullopt, std::nullopt, true}), DeviceRegistry::ChangeResult::Done);
    QCOMPARE(f.registry->find(u"m"_s)->status, DeviceStatus::Maintenance);
    // Neither messages, device reports nor silence take a device out of maintenance.
    f.registry->admit(u"m"_s, Protocol::Mqtt, 2);
    f.registry->setReportedStatus(u"m"_s, DeviceStatus::Online, 3);
    // By the time a device that spoke later has gone offline, silence has had its chance.
    f.registry->admit(u"witness"_s, Protocol::Mqtt, 3);
    QTRY_COMPARE_WITH_TIMEOUT(f.registry->find(u"witness"_s)->status, DeviceStatus::Offline, 5000);
    QCOMPARE(f.registry->find(u"m"_s)->status, DeviceStatus::Maintenance);
    f.registry->admit(u"m"_s, Protocol::Mqtt, 4);
    QCOMPARE(f.registry->patch(u"m"_s, {std::nullopt, std::nullopt, false}), DeviceRegistry::ChangeResult::Done);
    QCOMPARE(f.registry->find(u"m"_s)->status, DeviceStatus::Online);
    QCOMPARE(f.registry->patch(u"none"_s, {}), DeviceRegistry::ChangeResult::NotFound);
}

void TestDeviceRegistry::removeIsPersisted()
{
    Fixture f(RegistryPolicy::Auto);
    f.registry->admit(u"gone"_s, Protocol::Mqtt, 1);
    f.registry->admit(u"kept"_s, Protocol::Mqtt, 1);
    QVERIFY(f.registry->flush());
    QSignalSpy removed(f.registry.get(), &DeviceRegistry::deviceRemoved);
    QCOMPARE(f.registry->remove(u"gone"_s), DeviceRegistry::ChangeResult::Done);
    QCOMPARE(f.registry->remove(u"gone"_s), DeviceRegistry::ChangeResult::NotFound);
    QCOMPARE(removed.size(), 1);
    f.restart();
    QVERIFY(!f.registry->find(u"gone"_s));
    QVERIFY(f.registry->find(u"kept"_s));
}

void TestDeviceRegistry::removedAndBackBeforeFlush()
{
    Fixture f(RegistryPolicy::Auto);
    f.registry->admit(u"phoenix"_s, Protocol::Mqtt, 1);
    QVERIFY(f.registry->flush());
    QCOMPARE(f.registry->remove(u"phoenix"_s), DeviceRegistry::ChangeResult::Done);
    f.registry->admit(u"phoenix"_s, Protocol::Mqtt, 2);
    QVERIFY(f.registry->flush());
    f.restart();
    QVERIFY(f.registry->find(u"phoenix"_s));
    QCOMPARE(f.registry->find(u"phoenix"_s)->firstSeenMs, 2);
}

void TestDeviceRegistry::listFilters()
{
    Fixture f(RegistryPolicy::Auto);
    f.registry->admit(u"c"_s, Protocol::Mqtt, 1);
    f.registry->admit(u"a"_s, Protocol::Mqtt, 1);
    f.registry->admit(u"b"_s, Protocol::Mqtt, 1);
    f.registry->applyMeta(u"b"_s, {.type = u"meter"_s});
    f.registry->setReportedStatus(u"c"_s, DeviceStatus::Offline, 2);
    const auto all = f.registry->list();
    QCOMPARE(all.size(), 3);
    QCOMPARE(all.at(0).id, u"a"_s); // sorted by id
    QCOMPARE(f.registry->list(DeviceStatus::Offline).size(), 1);
    QCOMPARE(f.registry->list({}, u"meter"_s).size(), 1);
    QCOMPARE(f.registry->list(DeviceStatus::Online, u"meter"_s).front().id, u"b"_s);
}

void TestDeviceRegistry::offlineAfterPerType()
{
    Fixture f(RegistryPolicy::Auto, 1h, {{u"sensor"_s, 150ms}, {u"probe"_s, 150ms}, {u"meter"_s, 2h}});
    QSignalSpy transitions(f.registry.get(), &DeviceRegistry::statusChanged);
    f.registry->admit(u"s"_s, Protocol::Mqtt, 1);
    f.registry->admit(u"p"_s, Protocol::Mqtt, 1);
    f.registry->admit(u"plain"_s, Protocol::Mqtt, 1);
    f.registry->applyMeta(u"s"_s, {std::nullopt, u"sensor"_s, std::nullopt, {}});
    f.registry->applyMeta(u"p"_s, {std::nullopt, u"probe"_s, std::nullopt, {}});
    QCOMPARE(f.registry->offlineAfter(u"sensor"_s), 150ms);
    QCOMPARE(f.registry->offlineAfter(u"meter"_s), 2h);
    QCOMPARE(f.registry->offlineAfter(u"other"_s), 1h);
    QTRY_COMPARE_WITH_TIMEOUT(f.registry->find(u"s"_s)->status, DeviceStatus::Offline, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(f.registry->find(u"p"_s)->status, DeviceStatus::Offline, 5000);
    // The untyped device has the default hour.
    QCOMPARE(f.registry->find(u"plain"_s)->status, DeviceStatus::Online);
    const auto last = transitions.last().front().value<StatusTransition>();
    QCOMPARE(last.to, DeviceStatus::Offline);
    QCOMPARE(last.from, std::optional(DeviceStatus::Online));
    QCOMPARE(last.reason, u"silent for 150ms"_s);
    // A device changing to a type without its own timeout falls back to the default.
    f.registry->admit(u"s"_s, Protocol::Mqtt, 2);
    f.registry->admit(u"p"_s, Protocol::Mqtt, 2);
    f.registry->applyMeta(u"s"_s, {std::nullopt, u"other"_s, std::nullopt, {}});
    QCOMPARE(f.registry->find(u"p"_s)->status, DeviceStatus::Online);
    QTRY_COMPARE_WITH_TIMEOUT(f.registry->find(u"p"_s)->status, DeviceStatus::Offline, 5000);
    QCOMPARE(f.registry->find(u"s"_s)->status, DeviceStatus::Online);
}

void TestDeviceRegistry::transitionsCarryReasons()
{
    Fixture f(RegistryPolicy::Auto);
    QSignalSpy spy(f.registry.get(), &DeviceRegistry::statusChanged);
    f.registry->admit(u"d"_s, Protocol::Mqtt, 100);
    f.registry->admit(u"d"_s, Protocol::Mqtt, 150); // no change, no transition
    f.registry->setReportedStatus(u"d"_s, DeviceStatus::Offline, 200);
    f.registry->admit(u"d"_s, Protocol::Coap, 300);
    f.registry->setReportedStatus(u"d"_s, DeviceStatus::Error, 400);
    f.registry->patch(u"d"_s, {std::nullopt, std::nullopt, true});
    f.registry->patch(u"d"_s, {std::nullopt, std::nullopt, false});
    QList<StatusTransition> got;
    for (const auto &args : spy)
        got.append(args.front().value<StatusTransition>());
    QCOMPARE(got.size(), 6);
    QVERIFY(!got[0].from);
    QCOMPARE(got[0].to, DeviceStatus::Online);
    QCOMPARE(got[0].reason, u"registered: first mqtt message"_s);
    QCOMPARE(got[0].timeMs, 100);
    QCOMPARE(got[1].to, DeviceStatus::Offline);
    QCOMPARE(got[1].reason, u"offline status message (or the device's will)"_s);
    QCOMPARE(got[1].timeMs, 200);
    QCOMPARE(got[2].from, std::optional(DeviceStatus::Offline));
    QCOMPARE(got[2].to, DeviceStatus::Online);
    QCOMPARE(got[2].reason, u"coap message"_s);
    QCOMPARE(got[3].to, DeviceStatus::Error);
    QCOMPARE(got[3].reason, u"error status message"_s);
    QCOMPARE(got[4].to, DeviceStatus::Maintenance);
    QCOMPARE(got[4].reason, u"operator: maintenance on"_s);
    QCOMPARE(got[5].from, std::optional(DeviceStatus::Maintenance));
    QCOMPARE(got[5].to, DeviceStatus::Online);
    QVERIFY(got[5].reason.startsWith(u"operator: maintenance off"_s));
}

void TestDeviceRegistry::healthFields()
{
    Fixture f(RegistryPolicy::Auto);
    const qint64 t0 = 1'700'000'000'000;
    for (int i = 0; i < 5; ++i)
        f.registry->admit(u"d"_s, Protocol::Mqtt, t0 + i * 1000);
    auto d = f.registry->snapshot(u"d"_s, t0 + 5000);
    QVERIFY(d);
    QCOMPARE(d->onlineSinceMs, t0);
    QCOMPARE(d->messagesPerMinute, 5);
    QCOMPARE(d->uptimeS, 5);
    // A minute and more later the messages no longer count.
    QCOMPARE(f.registry->snapshot(u"d"_s, t0 + 70000)->messagesPerMinute, 0);
    f.registry->admit(u"d"_s, Protocol::Mqtt, t0 + 80000);
    QCOMPARE(f.registry->snapshot(u"d"_s, t0 + 80000)->messagesPerMinute, 1);
    // The device's own uptime wins once it reports one, and goes on counting.
    f.registry->setReportedStatus(u"d"_s, DeviceStatus::Online, t0 + 90000, 3600);
    QCOMPARE(f.registry->snapshot(u"d"_s, t0 + 100000)->uptimeS, 3610);
    // Offline: no uptime, no online_since.
    f.registry->setReportedStatus(u"d"_s, DeviceStatus::Offline, t0 + 110000);
    d = f.registry->snapshot(u"d"_s, t0 + 110000);
    QCOMPARE(d->uptimeS, -1);
    QCOMPARE(d->onlineSinceMs, 0);
    QVERIFY(!f.registry->snapshot(u"nobody"_s, t0));
}

void TestDeviceRegistry::onlineSinceRestored()
{
    Fixture f(RegistryPolicy::Auto);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    f.registry->admit(u"up"_s, Protocol::Mqtt, now);
    f.registry->admit(u"down"_s, Protocol::Mqtt, now);
    f.registry->setReportedStatus(u"down"_s, DeviceStatus::Offline, now);
    f.restart();
    QCOMPARE(f.registry->find(u"up"_s)->onlineSinceMs, 0);
    f.registry->restoreOnlineSince({{u"up"_s, now - 5000}, {u"down"_s, now - 5000}});
    QCOMPARE(f.registry->find(u"up"_s)->onlineSinceMs, now - 5000);
    QCOMPARE(f.registry->find(u"down"_s)->onlineSinceMs, 0); // offline devices have none
}

void TestDeviceRegistry::certificatesAreCredentials()
{
    Fixture f(RegistryPolicy::Deny);
    // A valid holder the registry does not know is provisioned; a revoked-only one is not, but counts.
    f.registry->setCertified({u"cert-1"_s, u"revoked-1"_s}, {u"cert-1"_s});
    QVERIFY(f.registry->find(u"cert-1"_s));
    QVERIFY(!f.registry->find(u"revoked-1"_s));
    QVERIFY(f.registry->hasCredential(u"cert-1"_s));
    QVERIFY(f.registry->hasCredential(u"revoked-1"_s));
    QVERIFY(!f.registry->hasCredential(u"open-1"_s));
    QCOMPARE(f.registry->admit(u"cert-1"_s, Protocol::Mqtt, 1000), DeviceRegistry::Admission::Accepted);

    // No certificate presented: the token decides, and a certified device without one is refused.
    QCOMPARE(checkBearer(*f.registry, u"cert-1"_s, {}), BearerCheck::NoToken);
    QCOMPARE(checkBearer(*f.registry, u"open-1"_s, {}), BearerCheck::NotRequired);
    // A presented certificate decides alone: its own device, another's, or one that proves nothing.
    QCOMPARE(checkBearer(*f.registry, u"cert-1"_s, {}, u"cert-1"_s), BearerCheck::ValidCertificate);
    QCOMPARE(proofOf(BearerCheck::ValidCertificate), DeviceProof::Certificate);
    QCOMPARE(proofOf(BearerCheck::Valid), DeviceProof::Token);
    QCOMPARE(proofOf(BearerCheck::NotRequired), DeviceProof::None);
    QCOMPARE(proofOf(BearerCheck::Wrong), std::nullopt);
    QCOMPARE(checkBearer(*f.registry, u"cert-1"_s, "Bearer x", u"cert-2"_s), BearerCheck::Wrong);
    QCOMPARE(checkBearer(*f.registry, u"open-1"_s, {}, u"cert-1"_s), BearerCheck::Wrong);
    QCOMPARE(checkBearer(*f.registry, u"open-1"_s, {}, QString()), BearerCheck::Wrong);
    QVERIFY(f.registry->setCredentials(u"cert-1"_s, {{}, {}, QCryptographicHash::hash("t", QCryptographicHash::Sha256)})
            == DeviceRegistry::ChangeResult::Done);
    QCOMPARE(checkBearer(*f.registry, u"cert-1"_s, "Bearer t"), BearerCheck::Valid);
}

QTEST_GUILESS_MAIN(TestDeviceRegistry)
#include "tst_deviceregistry.moc"
