// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/ota/firmware.h"
#include "gateway/core/ota/otamanager.h"
#include "gateway/storage/sqliteotastore.h"
#include "support/corepipeline.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace edgegate;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

constexpr qint64 Start = 1'800'000'000'000;

/// The images a test may roll out.
class TestCatalog : public FirmwareCatalog
{
public:
    std::optional<FirmwareImage> find(const QString &name, const QString &version) const override
    {
        for (const FirmwareImage &image : m_images) {
            if (image.name == name && image.version == version)
                return image;
        }
        return std::nullopt;
    }
    QList<FirmwareImage> images() const override { return m_images; }

    QList<FirmwareImage> m_images{
        {u"sensor-fw"_s, u"1.2.0"_s, u"sensor"_s, 262144, QString(64, u'a'), Start},
        {u"any-fw"_s, u"2.0.0"_s, {}, 1024, QString(64, u'b'), Start},
    };
};

/// A device link that records what it is given, for devices not marked unreachable.
class RecordingLink : public DeviceLink
{
public:
    [[nodiscard]] Protocol linkProtocol() const override { return Protocol::Mqtt; }
    bool push(const QString &id, Downlink kind, const QByteArray &payload) override
    {
        if (kind != Downlink::Ota || unreachable.contains(id))
            return false;
        sent.append({id, QJsonDocument::fromJson(payload).object()});
        return true;
    }
    /// The link says `id` may be reached again.
    void reachable(const QString &id) const { reportReachable(id); }

    QList<std::pair<QString, QJsonObject>> sent;
    QSet<QString> unreachable;
};

/// The core, an OTA manager over a temporary ota.db, a link that records what it is given, and a
/// clock the test moves.
struct Fixture : CorePipeline
{
    explicit Fixture(RegistryPolicy policy = RegistryPolicy::Auto)
        : CorePipeline(policy)
        , downlinks(registry)
        , sent(link.sent)
        , unreachable(link.unreachable)
    {
        downlinks.add({&link});
        if (!otaStore.open(dir.filePath(u"ota.db"_s)))
            qFatal("cannot open ota.db");
        makeManager();
    }

    void makeManager()
    {
        manager.reset();
        manager = std::make_unique<OtaManager>(OtaManager::Settings{30min, 10, u"http://gw:8080/"_s}, registry,
                                               downlinks, otaStore, metrics, [this] { return now; });
        manager->setCatalog(&catalog);
        QObject::connect(&ingest, &Ingest::firmwareAnnounced, manager.get(), &OtaManager::firmwareAnnounced);
        QObject::connect(&ingest, &Ingest::otaProgressReceived, manager.get(),
                         [this](const QString &id, const QByteArray &payload) { manager->progress(id, payload); });
        QString error;
        if (!manager->load(&error))
            qFatal("cannot load: %s", qPrintable(error));
    }

    void message(const QString &device, MessageKind kind, const QByteArray &payload)
    {
        ingest.handle(receivedNow(Protocol::Mqtt, device, kind, payload));
    }

    /// Devices d00..d{n-1} announce themselves: sensors at north, firmware 1.0.0.
    void addDevices(int n, const QString &type = u"sensor"_s, const QString &site = u"north"_s, int first = 0)
    {
        for (int i = first; i < first + n; ++i) {
            message(device(i), MessageKind::Meta,
                    u"{\"type\": \"%1\", \"firmware\": \"1.0.0\", \"site\": \"%2\"}"_s.arg(type, site).toUtf8());
        }
    }

    static QString device(int i) { return u"d%1"_s.arg(i, 2, 10, QChar(u'0')); }

    OtaManager::CreateResult create(const QByteArray &json)
    {
        return manager->create(QJsonDocument::fromJson(json).object());
    }

    void report(const QString &device, const QString &job, const QString &state, int progress = -1)
    {
        QJsonObject o{{u"job"_s, job}, {u"state"_s, state}};
        if (progress >= 0)
            o.insert(u"progress"_s, progress);
        message(device, MessageKind::OtaProgress, QJsonDocument(o).toJson(QJsonDocument::Compact));
    }

    void announce(const QString &device, const QString &firmware)
    {
        message(device, MessageKind::Meta, u"{\"firmware\": \"%1\"}"_s.arg(firmware).toUtf8());
    }

    /// Installs what a notification asks for: reports each step, then comes back with `firmware`.
    void install(const QString &device, const QString &job, const QString &firmware)
    {
        report(device, job, u"downloading"_s, 0);
        report(device, job, u"downloading"_s, 50);
        report(device, job, u"downloaded"_s);
        report(device, job, u"installing"_s);
        announce(device, firmware);
    }

    OtaJobState state(const QString &jobId)
    {
        for (const OtaJob &job : manager->deviceJobs(jobId.section(u'-', 1)))
            if (job.id == jobId)
                return job.state;
        qFatal("no job %s", qPrintable(jobId));
    }

    int inFlight(const QString &campaign)
    {
        int n = 0;
        for (const OtaJob &job : manager->jobs(campaign))
            n += isInFlight(job.state) ? 1 : 0;
        return n;
    }

    int count(const QString &campaign, OtaJobState s)
    {
        return manager->campaign(campaign)->jobCounts.value(otaJobStateName(s));
    }

    quint64 refused(const QString &reason)
    {
        return metrics.counter(u"edgegate_ota_progress_refused_total"_s, {}, {{u"reason"_s, reason}}).value();
    }

    RecordingLink link;
    Downlinks downlinks;
    QList<std::pair<QString, QJsonObject>> &sent;
    QSet<QString> &unreachable;
    qint64 now = Start;
    TestCatalog catalog;
    SqliteOtaStore otaStore;
    std::unique_ptr<OtaManager> manager;
};

} // namespace

class TestOtaManager : public QObject
{
    Q_OBJECT
private slots:
    void twentyDevicesTwoFail();
    void failureThresholdPausesThenResume();
    void pauseResumeCancelRules();
    void cancelCallsOffJobsNotInstalling();
    void batchesAndConcurrency();
    void timeouts();
    void rollback_data();
    void rollback();
    void progressRefused_data();
    void progressRefused();
    void offlineDeviceWaits();
    void pollingDevice();
    void newManagerResumes();
    void targetSelection();
    void badRequests_data();
    void badRequests();
    void noCatalog();
    void ingestSignals();
};

void TestOtaManager::twentyDevicesTwoFail()
{
    Fixture f;
    f.addDevices(20);
    const auto created = f.create(R"({"name": "all", "firmware": "sensor-fw", "version": "1.2.0",
        "target": {"type": "sensor"}, "max_concurrent": 5})");
    QCOMPARE(created.error, OtaManager::CreateResult::Error::None);
    const QString c = created.campaign.id;
    QCOMPARE(f.manager->jobs(c).size(), 20);
    QCOMPARE(f.sent.size(), 5);
    const QJsonObject first = f.sent.front().second;
    QCOMPARE(first.value(u"action"_s).toString(), u"update"_s);
    QCOMPARE(first.value(u"job"_s).toString(), c + u"-d00"_s);
    QCOMPARE(first.value(u"url"_s).toString(), u"http://gw:8080/api/v1/firmware/sensor-fw/1.2.0/image"_s);
    QCOMPARE(first.value(u"coap_path"_s).toString(), u"/firmware/sensor-fw/1.2.0"_s);
    QCOMPARE(first.value(u"size"_s).toInt(), 262144);
    QCOMPARE(first.value(u"sha256"_s).toString(), QString(64, u'a'));

    const QSet<QString> failing{u"d03"_s, u"d11"_s};
    qsizetype handled = 0;
    while (handled < f.sent.size()) {
        const auto [device, n] = f.sent.at(handled++);
        const QString job = n.value(u"job"_s).toString();
        QVERIFY(f.inFlight(c) <= 5);
        if (failing.contains(device)) {
            f.report(device, job, u"downloading"_s, 10);
            f.report(device, job, u"failed"_s);
        } else {
            f.install(device, job, u"1.2.0"_s);
        }
        QCoreApplication::processEvents(); // the next jobs start from the event loop
    }
    QCOMPARE(f.sent.size(), 20);
    QCOMPARE(f.count(c, OtaJobState::Succeeded), 18);
    QCOMPARE(f.count(c, OtaJobState::Failed), 2);
    QCOMPARE(f.manager->campaign(c)->state, OtaCampaignState::Completed);
    // History of a succeeded job: every step with its time.
    const OtaJob job = f.manager->deviceJobs(u"d00"_s).front();
    QList<OtaJobState> steps;
    for (const OtaTransition &t : job.history)
        steps.append(t.state);
    QCOMPARE(steps,
             (QList<OtaJobState>{OtaJobState::Pending, OtaJobState::Notified, OtaJobState::Downloading,
                                 OtaJobState::Downloaded, OtaJobState::Installing, OtaJobState::Succeeded}));
    QCOMPARE(job.reportedFirmware, u"1.2.0"_s);
    QCOMPARE(f.metrics.counter(u"edgegate_ota_notifications_total"_s, {}, {{u"action"_s, u"update"_s}}).value(), 20u);
    QVERIFY(!f.metrics.exposition().isEmpty());
    QCOMPARE(f.metrics.gauge(u"edgegate_ota_jobs"_s, {}, {{u"state"_s, u"succeeded"_s}}).value(), 18.0);
    QCOMPARE(f.metrics.gauge(u"edgegate_ota_campaigns"_s, {}, {{u"state"_s, u"completed"_s}}).value(), 1.0);
}

void TestOtaManager::failureThresholdPausesThenResume()
{
    Fixture f;
    f.addDevices(10);
    const QString c = f.create(R"({"firmware": "sensor-fw", "version": "1.2.0", "target": {"type": "sensor"},
        "max_concurrent": 3, "failure_threshold": 2})")
                          .campaign.id;
    QCOMPARE(f.sent.size(), 3);
    QSignalSpy changed(f.manager.get(), &OtaManager::campaignChanged);
    f.report(u"d00"_s, c + u"-d00"_s, u"failed"_s);
    QCoreApplication::processEvents();
    QCOMPARE(f.sent.size(), 4); // one failure: a new job takes its place
    f.report(u"d01"_s, c + u"-d01"_s, u"failed"_s);
    QCoreApplication::processEvents();
    const OtaCampaign paused = *f.manager->campaign(c);
    QCOMPARE(paused.state, OtaCampaignState::Paused);
    QCOMPARE(paused.pausedReason, u"failure_threshold"_s);
    QVERIFY(std::any_of(changed.cbegin(), changed.cend(), [](const QList<QVariant> &args) {
        return args.front().value<OtaCampaign>().pausedReason == u"failure_threshold";
    }));
    // Jobs in flight go on; none starts.
    QCOMPARE(f.sent.size(), 4);
    QCOMPARE(f.count(c, OtaJobState::Pending), 6);
    f.install(u"d02"_s, c + u"-d02"_s, u"1.2.0"_s);
    QCoreApplication::processEvents();
    QCOMPARE(f.sent.size(), 4);
    QCOMPARE(f.count(c, OtaJobState::Succeeded), 1);

    QCOMPARE(f.manager->resume(c), OtaManager::ChangeResult::Done);
    QCOMPARE(f.manager->campaign(c)->state, OtaCampaignState::Running);
    QVERIFY(f.manager->campaign(c)->pausedReason.isEmpty());
    QCOMPARE(f.sent.size(), 6); // back to three in flight
    QCOMPARE(f.inFlight(c), 3);
}

void TestOtaManager::pauseResumeCancelRules()
{
    Fixture f;
    f.addDevices(3);
    const QString c = f.create(R"({"firmware": "sensor-fw", "version": "1.2.0", "target": {"type": "sensor"},
        "start": false})")
                          .campaign.id;
    QCOMPARE(f.manager->campaign(c)->state, OtaCampaignState::Paused);
    QCOMPARE(f.manager->campaign(c)->pausedReason, u"operator"_s);
    QCOMPARE(f.sent.size(), 0);
    QCOMPARE(f.manager->pause(c), OtaManager::ChangeResult::Conflict);
    QCOMPARE(f.manager->resume(c), OtaManager::ChangeResult::Done);
    QCOMPARE(f.sent.size(), 3);
    QCOMPARE(f.manager->resume(c), OtaManager::ChangeResult::Conflict);
    QCOMPARE(f.manager->pause(c), OtaManager::ChangeResult::Done);
    QCOMPARE(f.manager->cancel(c), OtaManager::ChangeResult::Done);
    QCOMPARE(f.manager->cancel(c), OtaManager::ChangeResult::Conflict);
    QCOMPARE(f.manager->resume(c), OtaManager::ChangeResult::Conflict);
    QCOMPARE(f.manager->pause(u"c99"_s), OtaManager::ChangeResult::NotFound);
}

void TestOtaManager::cancelCallsOffJobsNotInstalling()
{
    Fixture f;
    f.addDevices(5);
    const QString c = f.create(R"({"firmware": "sensor-fw", "version": "1.2.0", "target": {"type": "sensor"},
        "max_concurrent": 3})")
                          .campaign.id;
    f.report(u"d00"_s, c + u"-d00"_s, u"installing"_s);
    f.report(u"d01"_s, c + u"-d01"_s, u"downloading"_s, 30);
    f.sent.clear();
    QCOMPARE(f.manager->cancel(c), OtaManager::ChangeResult::Done);
    QCOMPARE(f.manager->campaign(c)->state, OtaCampaignState::Cancelled);
    QCOMPARE(f.state(c + u"-d00"_s), OtaJobState::Installing);
    for (const QString &d : {u"d01"_s, u"d02"_s, u"d03"_s, u"d04"_s})
        QCOMPARE(f.state(c + u'-' + d), OtaJobState::Cancelled);
    // Only devices told of the update are told to stop.
    QCOMPARE(f.sent.size(), 2);
    for (const auto &[device, n] : std::as_const(f.sent)) {
        QCOMPARE(n.value(u"action"_s).toString(), u"cancel"_s);
        QCOMPARE(n.value(u"job"_s).toString(), c + u'-' + device);
    }
    QVERIFY(f.sent.at(0).first == u"d01" || f.sent.at(1).first == u"d01");
    f.announce(u"d00"_s, u"1.2.0"_s);
    QCOMPARE(f.state(c + u"-d00"_s), OtaJobState::Succeeded);
    QCOMPARE(f.manager->campaign(c)->state, OtaCampaignState::Cancelled);
}

void TestOtaManager::batchesAndConcurrency()
{
    Fixture f;
    f.addDevices(10);
    const auto created = f.create(R"({"firmware": "sensor-fw", "version": "1.2.0", "target": {"type": "sensor"},
        "batch_size": 4, "max_concurrent": 2})");
    const QString c = created.campaign.id;
    QCOMPARE(created.campaign.batchCount, 3);
    QCOMPARE(f.sent.size(), 2);
    qsizetype handled = 0;
    QList<int> batchOfEach;
    while (handled < f.sent.size()) {
        const auto [device, n] = f.sent.at(handled++);
        const QString job = n.value(u"job"_s).toString();
        QVERIFY2(f.inFlight(c) <= 2, qPrintable(u"%1 in flight"_s.arg(f.inFlight(c))));
        int batch = -1;
        for (const OtaJob &j : f.manager->jobs(c)) {
            if (j.id == job)
                batch = j.batch;
        }
        // A job of a later batch starts only once every job of the earlier ones has ended.
        for (const OtaJob &j : f.manager->jobs(c)) {
            if (j.batch < batch)
                QVERIFY2(isFinal(j.state), qPrintable(j.id));
        }
        batchOfEach.append(batch);
        f.install(device, job, u"1.2.0"_s);
        QCoreApplication::processEvents();
    }
    QCOMPARE(batchOfEach, (QList<int>{0, 0, 0, 0, 1, 1, 1, 1, 2, 2}));
    QCOMPARE(f.manager->campaign(c)->state, OtaCampaignState::Completed);

    // batch_percent: 25 % of 8 devices are batches of 2.
    f.addDevices(8, u"sensor"_s, u"south"_s, 20);
    const auto percent = f.create(R"({"firmware": "sensor-fw", "version": "1.2.0",
        "target": {"tags": {"site": "south"}}, "batch_percent": 25})");
    QCOMPARE(percent.error, OtaManager::CreateResult::Error::None);
    QCOMPARE(percent.campaign.batchSize, 2);
    QCOMPARE(percent.campaign.batchCount, 4);
}

void TestOtaManager::timeouts()
{
    Fixture f;
    f.addDevices(3);
    const QString c = f.create(R"({"firmware": "sensor-fw", "version": "1.2.0", "target": {"type": "sensor"},
        "max_concurrent": 2, "job_timeout": "60s", "failure_threshold": 0})")
                          .campaign.id;
    const OtaJob job = f.manager->jobs(c).front();
    QCOMPARE(job.deadlineMs, Start + 60000);
    f.report(u"d00"_s, c + u"-d00"_s, u"downloading"_s, 10);
    f.now += 30000;
    f.manager->expireDue();
    QCOMPARE(f.state(c + u"-d00"_s), OtaJobState::Downloading);
    f.install(u"d01"_s, c + u"-d01"_s, u"1.2.0"_s);
    QCoreApplication::processEvents();
    QCOMPARE(f.state(c + u"-d02"_s), OtaJobState::Notified); // its deadline is 60 s from now
    f.now += 30000;
    f.manager->expireDue();
    QCOMPARE(f.state(c + u"-d00"_s), OtaJobState::TimedOut);
    QCOMPARE(f.state(c + u"-d02"_s), OtaJobState::Notified);
    // A report after the deadline changes nothing.
    f.report(u"d00"_s, c + u"-d00"_s, u"installing"_s);
    QCOMPARE(f.state(c + u"-d00"_s), OtaJobState::TimedOut);
    QCOMPARE(f.refused(u"illegal_transition"_s), 1u);
    f.now += 30001;
    f.manager->expireDue();
    QCOMPARE(f.state(c + u"-d02"_s), OtaJobState::TimedOut);
    QCOMPARE(f.manager->campaign(c)->state, OtaCampaignState::Completed);
}

void TestOtaManager::rollback_data()
{
    QTest::addColumn<QString>("comesBackWith");
    QTest::addColumn<bool>("reports");
    QTest::addRow("same old version announced again") << u"1.0.0"_s << false;
    QTest::addRow("another version") << u"1.1.9"_s << false;
    QTest::addRow("device reports rolled_back") << QString() << true;
}

void TestOtaManager::rollback()
{
    QFETCH(QString, comesBackWith);
    QFETCH(bool, reports);
    Fixture f;
    f.addDevices(1);
    const QString c
        = f.create(R"({"firmware": "sensor-fw", "version": "1.2.0", "target": {"devices": ["d00"]}})").campaign.id;
    const QString job = c + u"-d00"_s;
    f.report(u"d00"_s, job, u"downloaded"_s);
    // Before installing, an announcement (the device restarting mid-download) ends nothing.
    f.announce(u"d00"_s, u"1.0.0"_s);
    QCOMPARE(f.state(job), OtaJobState::Downloaded);
    f.report(u"d00"_s, job, u"installing"_s);
    if (reports)
        f.report(u"d00"_s, job, u"rolled_back"_s);
    else
        f.announce(u"d00"_s, comesBackWith);
    QCOMPARE(f.state(job), OtaJobState::RolledBack);
    QCOMPARE(f.manager->deviceJobs(u"d00"_s).front().reportedFirmware, comesBackWith);
    QCOMPARE(f.manager->campaign(c)->state, OtaCampaignState::Completed);
}

void TestOtaManager::progressRefused_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("reason");
    QTest::addRow("wrong job id") << QByteArray(R"({"job": "c1-d01", "state": "downloading"})") << u"wrong_job"_s;
    QTest::addRow("unknown job id") << QByteArray(R"({"job": "x", "state": "downloading"})") << u"wrong_job"_s;
    QTest::addRow("back from installing")
        << QByteArray(R"({"job": "c1-d00", "state": "downloading"})") << u"illegal_transition"_s;
    QTest::addRow("malformed") << QByteArray(R"({"job": )") << u"malformed_json"_s;
    QTest::addRow("not an object") << QByteArray("[1]") << u"malformed_json"_s;
    QTest::addRow("unknown state") << QByteArray(R"({"job": "c1-d00", "state": "done"})") << u"bad_field"_s;
    QTest::addRow("gateway's state") << QByteArray(R"({"job": "c1-d00", "state": "succeeded"})") << u"bad_field"_s;
    QTest::addRow("progress over 100") << QByteArray(R"({"job": "c1-d00", "state": "downloading", "progress": 150})")
                                       << u"bad_field"_s;
    QTest::addRow("job not a string") << QByteArray(R"({"job": 1, "state": "failed"})") << u"bad_field"_s;
}

void TestOtaManager::progressRefused()
{
    QFETCH(QByteArray, payload);
    QFETCH(QString, reason);
    Fixture f;
    f.addDevices(2);
    const QString c = f.create(R"({"firmware": "sensor-fw", "version": "1.2.0", "target": {"type": "sensor"},
        "batch_size": 1})")
                          .campaign.id;
    QCOMPARE(c, u"c1"_s);
    f.report(u"d00"_s, u"c1-d00"_s, u"installing"_s);
    QSignalSpy jobs(f.manager.get(), &OtaManager::jobChanged);
    QCOMPARE(f.manager->progress(u"d00"_s, payload), std::optional<QString>(reason));
    QCOMPARE(f.refused(reason), 1u);
    QCOMPARE(jobs.size(), 0);
    QCOMPARE(f.state(u"c1-d00"_s), OtaJobState::Installing);
    QCOMPARE(f.state(u"c1-d01"_s), OtaJobState::Pending);
}

void TestOtaManager::offlineDeviceWaits()
{
    Fixture f;
    f.addDevices(2);
    f.message(u"d01"_s, MessageKind::Status, "offline");
    const QString c
        = f.create(R"({"firmware": "sensor-fw", "version": "1.2.0", "target": {"type": "sensor"}})").campaign.id;
    QCOMPARE(f.sent.size(), 1);
    QCOMPARE(f.state(c + u"-d01"_s), OtaJobState::Pending);
    // A link that cannot push yet keeps the job pending too.
    f.unreachable.insert(u"d01"_s);
    f.message(u"d01"_s, MessageKind::Status, "online");
    QCoreApplication::processEvents();
    QCOMPARE(f.state(c + u"-d01"_s), OtaJobState::Pending);
    f.unreachable.clear();
    f.link.reachable(u"d01"_s); // the link says the device may be reached: the job goes now
    QTRY_COMPARE_WITH_TIMEOUT(f.state(c + u"-d01"_s), OtaJobState::Notified, 5000);
    QCOMPARE(f.sent.size(), 2);
    QCOMPARE(f.sent.back().first, u"d01"_s);
    QCOMPARE(QJsonDocument::fromJson(f.manager->latestNotification(u"d01"_s)).object(), f.sent.back().second);

    // A cancel for a device gone offline waits for it as well.
    f.message(u"d01"_s, MessageKind::Status, "offline");
    QCOMPARE(f.manager->cancel(c), OtaManager::ChangeResult::Done);
    QCOMPARE(f.sent.size(), 3); // d00's, which is online
    f.message(u"d01"_s, MessageKind::Status, "online");
    QTRY_COMPARE_WITH_TIMEOUT(f.sent.size(), 4, 5000);
    QCoreApplication::processEvents();
    QCOMPARE(f.sent.size(), 4); // once
    QCOMPARE(f.sent.back().first, u"d01"_s);
    QCOMPARE(f.sent.back().second.value(u"action"_s).toString(), u"cancel"_s);
}

void TestOtaManager::pollingDevice()
{
    Fixture f;
    // HTTP has no push: its devices ask.
    for (const QString &d : {u"h1"_s, u"h2"_s}) {
        f.ingest.handle(
            receivedNow(Protocol::Http, d, MessageKind::Meta, R"({"type": "sensor", "firmware": "1.0.0"})"));
    }
    const QString c = f.create(R"({"firmware": "sensor-fw", "version": "1.2.0", "target": {"type": "sensor"},
        "max_concurrent": 1})")
                          .campaign.id;
    QCOMPARE(f.sent.size(), 0);
    QCOMPARE(f.count(c, OtaJobState::Pending), 2);
    const QJsonObject got = QJsonDocument::fromJson(f.manager->takeNotification(u"h1"_s)).object();
    QCOMPARE(got.value(u"job"_s).toString(), c + u"-h1"_s);
    QCOMPARE(f.state(c + u"-h1"_s), OtaJobState::Notified);
    // Asking again gets the same job; another device waits for the free slot.
    QCOMPARE(QJsonDocument::fromJson(f.manager->takeNotification(u"h1"_s)).object(), got);
    QCOMPARE(f.manager->takeNotification(u"h2"_s), QByteArray("{}"));
    f.install(u"h1"_s, c + u"-h1"_s, u"1.2.0"_s);
    QCOMPARE(QJsonDocument::fromJson(f.manager->takeNotification(u"h2"_s)).object().value(u"job"_s).toString(),
             c + u"-h2"_s);
    QCOMPARE(f.manager->takeNotification(u"unknown"_s), QByteArray("{}"));
}

void TestOtaManager::newManagerResumes()
{
    Fixture f;
    f.addDevices(6);
    const QString c = f.create(R"({"firmware": "sensor-fw", "version": "1.2.0", "target": {"type": "sensor"},
        "max_concurrent": 2, "job_timeout": "10m"})")
                          .campaign.id;
    f.report(u"d00"_s, c + u"-d00"_s, u"downloading"_s, 40);
    f.now += 1000;
    f.install(u"d01"_s, c + u"-d01"_s, u"1.2.0"_s);
    QCoreApplication::processEvents();
    const QList<OtaJob> before = f.manager->jobs(c);
    const OtaCampaign campaignBefore = *f.manager->campaign(c);
    QCOMPARE(f.state(c + u"-d02"_s), OtaJobState::Notified);
    QCOMPARE(before.at(2).deadlineMs, Start + 1000 + 600000);

    f.sent.clear();
    f.makeManager(); // a restart: a new manager over the same ota.db
    QCOMPARE(f.manager->campaign(c)->state, OtaCampaignState::Running);
    QCOMPARE(*f.manager->campaign(c), campaignBefore);
    const QList<OtaJob> after = f.manager->jobs(c);
    QCOMPARE(after.size(), before.size());
    for (qsizetype i = 0; i < after.size(); ++i) {
        QCOMPARE(otaJobToJson(after.at(i)), otaJobToJson(before.at(i)));
    }
    QCoreApplication::processEvents();
    QCOMPARE(f.sent.size(), 0); // two still in flight: nothing new starts, nothing is sent twice
    QCOMPARE(QJsonDocument::fromJson(f.manager->latestNotification(u"d02"_s)).object().value(u"job"_s).toString(),
             c + u"-d02"_s);

    // The deadlines hold: d00 times out at its own.
    f.now = Start + 600000;
    f.manager->expireDue();
    QCOMPARE(f.state(c + u"-d00"_s), OtaJobState::TimedOut);
    QCOMPARE(f.state(c + u"-d02"_s), OtaJobState::Notified);
    QCoreApplication::processEvents();
    QCOMPARE(f.sent.size(), 1);
    QCOMPARE(f.sent.front().first, u"d03"_s);
    // And the new manager numbers campaigns on from the stored ones.
    f.addDevices(1, u"other"_s, u"x"_s, 40);
    QCOMPARE(f.create(R"({"firmware": "any-fw", "version": "2.0.0", "target": {"type": "other"}})").campaign.id,
             u"c2"_s);
}

void TestOtaManager::targetSelection()
{
    Fixture f;
    f.addDevices(3, u"sensor"_s, u"north"_s, 0);
    f.addDevices(3, u"sensor"_s, u"south"_s, 3);
    f.addDevices(2, u"valve"_s, u"south"_s, 6);
    const auto jobDevices = [&f](const OtaManager::CreateResult &r) {
        QStringList ids;
        for (const OtaJob &j : f.manager->jobs(r.campaign.id))
            ids.append(j.deviceId);
        return ids;
    };
    // type AND tags AND list.
    auto r = f.create(R"({"firmware": "any-fw", "version": "2.0.0",
        "target": {"type": "sensor", "tags": {"site": "north"}, "devices": ["d01", "d02", "d04", "d06"]}})");
    QCOMPARE(jobDevices(r), (QStringList{u"d01"_s, u"d02"_s}));
    // Devices with an unfinished job are not taken twice.
    r = f.create(R"({"firmware": "any-fw", "version": "2.0.0", "target": {"devices": ["d02", "d03"]}})");
    QCOMPARE(r.error, OtaManager::CreateResult::Error::Conflict);
    // An image for one type never goes to another.
    r = f.create(R"({"firmware": "sensor-fw", "version": "1.2.0", "target": {"tags": {"site": "south"}}})");
    QCOMPARE(jobDevices(r), (QStringList{u"d03"_s, u"d04"_s, u"d05"_s}));
    r = f.create(R"({"firmware": "sensor-fw", "version": "1.2.0", "target": {"type": "valve"}})");
    QCOMPARE(r.error, OtaManager::CreateResult::Error::BadRequest);

    // Approved devices only.
    Fixture approving(RegistryPolicy::Approve);
    approving.addDevices(2);
    QCOMPARE(approving.registry.approve(u"d01"_s), DeviceRegistry::ChangeResult::Done);
    r = approving.create(R"({"firmware": "any-fw", "version": "2.0.0", "target": {"type": "sensor"}})");
    QCOMPARE(approving.manager->jobs(r.campaign.id).size(), 1);
    QCOMPARE(approving.manager->jobs(r.campaign.id).front().deviceId, u"d01"_s);
}

void TestOtaManager::badRequests_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("error");
    using E = OtaManager::CreateResult::Error;
    const auto row
        = [](const char *name, const char *json, E e) { QTest::addRow("%s", name) << QByteArray(json) << int(e); };
    row("unknown field", R"({"firmware": "any-fw", "version": "2.0.0", "target": {"type": "sensor"}, "x": 1})",
        E::BadRequest);
    row("no firmware", R"({"version": "2.0.0", "target": {"type": "sensor"}})", E::BadRequest);
    row("no target", R"({"firmware": "any-fw", "version": "2.0.0"})", E::BadRequest);
    row("empty target", R"({"firmware": "any-fw", "version": "2.0.0", "target": {}})", E::BadRequest);
    row("bad device id", R"({"firmware": "any-fw", "version": "2.0.0", "target": {"devices": ["a/b"]}})",
        E::BadRequest);
    row("tag not a string", R"({"firmware": "any-fw", "version": "2.0.0", "target": {"tags": {"a": 1}}})",
        E::BadRequest);
    row("both batch kinds",
        R"({"firmware": "any-fw", "version": "2.0.0", "target": {"type": "sensor"}, "batch_size": 2, "batch_percent": 5})",
        E::BadRequest);
    row("batch_percent 0",
        R"({"firmware": "any-fw", "version": "2.0.0", "target": {"type": "sensor"}, "batch_percent": 0})",
        E::BadRequest);
    row("max_concurrent fraction",
        R"({"firmware": "any-fw", "version": "2.0.0", "target": {"type": "sensor"}, "max_concurrent": 1.5})",
        E::BadRequest);
    row("negative threshold",
        R"({"firmware": "any-fw", "version": "2.0.0", "target": {"type": "sensor"}, "failure_threshold": -1})",
        E::BadRequest);
    row("bad timeout",
        R"({"firmware": "any-fw", "version": "2.0.0", "target": {"type": "sensor"}, "job_timeout": "soon"})",
        E::BadRequest);
    row("timeout too long",
        R"({"firmware": "any-fw", "version": "2.0.0", "target": {"type": "sensor"}, "job_timeout": "30d"})",
        E::BadRequest);
    row("start not a bool", R"({"firmware": "any-fw", "version": "2.0.0", "target": {"type": "sensor"}, "start": 1})",
        E::BadRequest);
    row("unknown image", R"({"firmware": "any-fw", "version": "9.9.9", "target": {"type": "sensor"}})",
        E::UnknownFirmware);
    row("no device matches", R"({"firmware": "any-fw", "version": "2.0.0", "target": {"type": "pump"}})", E::NoDevices);
}

void TestOtaManager::badRequests()
{
    QFETCH(QByteArray, request);
    QFETCH(int, error);
    Fixture f;
    f.addDevices(2);
    const auto r = f.create(request);
    QCOMPARE(int(r.error), error);
    QVERIFY(!r.message.isEmpty());
    QCOMPARE(f.manager->campaigns().size(), 0);
    QCOMPARE(f.sent.size(), 0);
}

void TestOtaManager::noCatalog()
{
    Fixture f;
    f.addDevices(1);
    f.manager->setCatalog(nullptr);
    const auto r = f.create(R"({"firmware": "any-fw", "version": "2.0.0", "target": {"type": "sensor"}})");
    QCOMPARE(r.error, OtaManager::CreateResult::Error::NoCatalog);
    QCOMPARE(r.message, u"no firmware store is configured"_s);
}

void TestOtaManager::ingestSignals()
{
    Fixture f;
    QSignalSpy announced(&f.ingest, &Ingest::firmwareAnnounced);
    QSignalSpy progress(&f.ingest, &Ingest::otaProgressReceived);
    f.addDevices(1);
    f.announce(u"d00"_s, u"1.0.0"_s); // the same version again is still an announcement
    f.message(u"d00"_s, MessageKind::Meta, R"({"name": "no firmware here"})");
    QCOMPARE(announced.size(), 2);
    QCOMPARE(announced.at(1), (QList<QVariant>{u"d00"_s, u"1.0.0"_s}));
    // A retained announcement the broker replays at subscription is not news from the device.
    InboundMessage replayed = receivedNow(Protocol::Mqtt, u"d00"_s, MessageKind::Meta, R"({"firmware": "0.9.0"})");
    replayed.replayed = true;
    f.ingest.handle(replayed);
    QCOMPARE(announced.size(), 2);
    f.message(u"d00"_s, MessageKind::OtaProgress, R"({"job": "x", "state": "failed"})");
    QCOMPARE(progress.size(), 1);
    QCOMPARE(progress.front().at(1).toByteArray(), QByteArray(R"({"job": "x", "state": "failed"})"));
    // Oversized progress is refused by Ingest before anyone parses it.
    f.message(u"d00"_s, MessageKind::OtaProgress, QByteArray(2048, ' '));
    QCOMPARE(progress.size(), 1);
    QCOMPARE(f.counter(u"edgegate_bad_messages_total"_s, {{u"reason"_s, u"too_large"_s}}), 1u);
}

QTEST_GUILESS_MAIN(TestOtaManager)
#include "tst_otamanager.moc"
