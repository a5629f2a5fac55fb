// SPDX-License-Identifier: Apache-2.0
// The dashboard's client and models against a real edgegated and mosquitto (and edgegate-sim devices):
// snapshots fill the models, changes follow, requests act, tokens decide the role, the client waits and
// reconnects when the gateway restarts, firmware uploads stream with progress, campaigns and their jobs show.
#include "simrun.h"
#include "testsupport.h"

#include "ui/apiclient.h"
#include "ui/devicetelemetry.h"
#include "ui/firmwareuploader.h"
#include "ui/otajobmodel.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLineSeries>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace testsupport;
using namespace Qt::StringLiterals;

namespace {

constexpr int ConnectTimeoutMs = 20000;

const QString AdminToken = u"s3cret-admin-token"_s;
const QString ViewerToken = u"s3cret-viewer-token"_s;

const QString TokensYaml = u"  tokens:\n"
                           "    - {name: ops, token: \"s3cret-admin-token\", role: admin}\n"
                           "    - {name: wall, token: \"s3cret-viewer-token\", role: viewer}\n"_s;

const QString HotRuleYaml = u"alerts:\n  rules:\n"
                            "    - {id: hot, kind: threshold, metric: temperature, above: 80, severity: critical}\n"_s;

/// A broker and a gateway of the test's own.
struct Site
{
    Broker broker;
    Gateway gateway;
    QString yaml;

    bool start(const QString &extra = {}, const QString &httpExtra = {})
    {
        if (!broker.start())
            return false;
        yaml = gateway.config(broker.port(), extra, {}, httpExtra);
        return gateway.start(yaml);
    }
    [[nodiscard]] QString wsUrl() const { return u"ws://127.0.0.1:%1/ws"_s.arg(gateway.httpPort()); }
    /// Points the client at this gateway, with a token when one is given, and connects it.
    void open(ApiClient &client, const QString &token = {}) const
    {
        client.setUrl(wsUrl());
        if (!token.isEmpty())
            client.setToken(token);
        client.open();
    }
    bool telemetry(const QString &device, const QByteArray &json)
    {
        return publish(broker.port(), u"devices/%1/telemetry"_s.arg(device), json);
    }
    [[nodiscard]] QStringList simArgs(int devices, const QString &prefix) const
    {
        return {u"--devices"_s,      QString::number(devices),
                u"--id-prefix"_s,    prefix,
                u"--type"_s,         u"sensor"_s,
                u"--firmware"_s,     u"1.0.0"_s,
                u"--broker"_s,       u"127.0.0.1:%1"_s.arg(broker.port()),
                u"--http"_s,         u"http://127.0.0.1:%1"_s.arg(gateway.httpPort()),
                u"--interval"_s,     u"500ms"_s,
                u"--install-time"_s, u"300ms"_s,
                u"--reboot-time"_s,  u"500ms"_s};
    }
};

/// The reply to one request: (ok, result, code).
struct Answer
{
    bool ok = false;
    QVariant result;
    QString code;
};

std::optional<Answer> answerTo(QSignalSpy &replies, int id)
{
    QDeadlineTimer deadline(15000);
    qsizetype seen = 0;
    while (!deadline.hasExpired()) {
        for (; seen < replies.size(); ++seen) {
            const QList<QVariant> &reply = replies.at(seen);
            if (reply.at(0).toInt() == id)
                return Answer{reply.at(1).toBool(), reply.at(2), reply.at(3).toString()};
        }
        replies.wait(1000);
    }
    return std::nullopt;
}

QString writeImage(const QTemporaryDir &dir, qsizetype size)
{
    QByteArray image(size, Qt::Uninitialized);
    QRandomGenerator generator(7);
    for (char &c : image)
        c = static_cast<char>(generator.bounded(256));
    const QString path = dir.filePath(u"image.bin"_s);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(image) != image.size())
        return {};
    return path;
}

} // namespace

class TestDashboardClient : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void snapshotAndDeviceChanges();
    void alertAcknowledgeAndClear();
    void pendingDevicesAndCommands();
    void viewerIsReadOnly();
    void tokenRefusedStopsRetrying();
    void reconnectsAfterGatewayRestart();
    void telemetryHistoryAndLive();
    void firmwareUploadAndCampaign();
    void snapshotsLargerThanClientFrames();
    void requestsFromFailedRepliesAreRefused();
    void wssShowsCertificateProblems();
};

void TestDashboardClient::initTestCase()
{
    qRegisterMetaType<ApiClient::State>();
}

void TestDashboardClient::snapshotAndDeviceChanges()
{
    Site site;
    QVERIFY(site.start());
    QVERIFY(site.telemetry(u"dev-a"_s, R"({"temperature": 21.5})"));
    QVERIFY(site.telemetry(u"dev-b"_s, R"({"temperature": 19})"));
    Http http(site.gateway.httpPort());
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/api/v1/devices"_s).json().value(u"devices"_s).toArray().size(), 2, 10000);

    ApiClient client;
    QCOMPARE(client.state(), ApiClient::Disconnected);
    client.setUrl(site.wsUrl());
    QCOMPARE(client.httpBaseUrl(), u"http://127.0.0.1:%1"_s.arg(site.gateway.httpPort()));
    QSignalSpy states(&client, &ApiClient::stateChanged);
    client.open();
    QCOMPARE(client.state(), ApiClient::Connecting);
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ApiClient::Connected, ConnectTimeoutMs);
    QCOMPARE(client.gatewayId(), u"test-gw"_s);
    QCOMPARE(client.gatewayVersion(), QStringLiteral(EDGEGATE_VERSION));
    QCOMPARE(client.role(), u"admin"_s); // no tokens: everyone is an admin
    QVERIFY(client.canWrite());
    QVERIFY(client.lastError().isEmpty());

    DeviceModel *devices = client.devices();
    QTRY_COMPARE_WITH_TIMEOUT(devices->count(), 2, 5000);
    QCOMPARE(devices->get(u"dev-a"_s).value(u"status"_s).toString(), u"online"_s);
    QCOMPARE(devices->get(u"dev-a"_s).value(u"protocol"_s).toString(), u"mqtt"_s);
    QCOMPARE(devices->onlineCount(), 2);

    // Status comes after the snapshots and every 2 s.
    QTRY_VERIFY_WITH_TIMEOUT(!client.status().isEmpty(), 10000);
    QCOMPARE(client.status().value(u"devices"_s).toMap().value(u"total"_s).toInt(), 2);
    QCOMPARE(client.status().value(u"broker"_s).toString(), u"connected"_s);
    QVERIFY(client.status().contains(u"messages_per_second"_s));
    QVERIFY(client.status().contains(u"uptime_s"_s));

    // A new device appears, with its announced type.
    QVERIFY(publish(site.broker.port(), u"devices/dev-c/meta"_s, R"({"type": "valve", "name": "Valve C"})"));
    QVERIFY(site.telemetry(u"dev-c"_s, R"({"flow": 3})"));
    QTRY_COMPARE_WITH_TIMEOUT(devices->count(), 3, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(devices->get(u"dev-c"_s).value(u"displayName"_s).toString(), u"Valve C"_s, 10000);
    QVERIFY(devices->types().contains(u"valve"_s));

    // Maintenance through a request; the change comes back as a device frame.
    QSignalSpy replies(&client, &ApiClient::replied);
    const int maintenance = client.setMaintenance(u"dev-b"_s, true);
    const auto answer = answerTo(replies, maintenance);
    QVERIFY(answer);
    QVERIFY2(answer->ok, qPrintable(answer->code));
    QCOMPARE(answer->result.toMap().value(u"status"_s).toString(), u"maintenance"_s);
    QTRY_COMPARE_WITH_TIMEOUT(devices->get(u"dev-b"_s).value(u"status"_s).toString(), u"maintenance"_s, 5000);

    // An unknown device is refused with the wire's code.
    QSignalSpy failures(&client, &ApiClient::actionFailed);
    const auto missing = answerTo(replies, client.setMaintenance(u"nobody"_s, true));
    QVERIFY(missing);
    QVERIFY(!missing->ok);
    QCOMPARE(missing->code, u"not_found"_s);
    QCOMPARE(failures.size(), 1);
    QCOMPARE(failures.at(0).at(0).toString(), u"device.maintenance"_s);

    // A deleted device goes away.
    QCOMPARE(http.send("DELETE", u"/api/v1/devices/dev-c"_s).status, 204);
    QTRY_COMPARE_WITH_TIMEOUT(devices->count(), 2, 5000);
    QVERIFY(devices->get(u"dev-c"_s).isEmpty());

    client.close();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ApiClient::Disconnected, 5000);
    QCOMPARE(client.role(), QString());
    QVERIFY(!client.canWrite());
    // Requests while disconnected fail at once (asynchronously), they are not queued.
    const auto offline = answerTo(replies, client.refreshFirmware());
    QVERIFY(offline);
    QCOMPARE(offline->code, u"unavailable"_s);
}

void TestDashboardClient::alertAcknowledgeAndClear()
{
    Site site;
    QVERIFY(site.start(HotRuleYaml));
    ApiClient client;
    site.open(client);
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ApiClient::Connected, ConnectTimeoutMs);

    AlertModel *alerts = client.alerts();
    QCOMPARE(alerts->count(), 0);
    QVERIFY(site.telemetry(u"boiler-1"_s, R"({"temperature": 95})"));
    QTRY_COMPARE_WITH_TIMEOUT(alerts->openCount(), 1, 10000);
    const QModelIndex first = alerts->index(0, 0);
    QCOMPARE(first.data(AlertModel::SeverityRole).toString(), u"critical"_s);
    QCOMPARE(first.data(AlertModel::StateRole).toString(), u"active"_s);
    QCOMPARE(first.data(AlertModel::DeviceIdRole).toString(), u"boiler-1"_s);
    QCOMPARE(first.data(AlertModel::RuleRole).toString(), u"hot"_s);
    const int id = first.data(AlertModel::AlertIdRole).toInt();

    QSignalSpy replies(&client, &ApiClient::replied);
    const auto acked = answerTo(replies, client.acknowledgeAlert(id, u"on it"_s));
    QVERIFY(acked);
    QVERIFY2(acked->ok, qPrintable(acked->code));
    QTRY_COMPARE_WITH_TIMEOUT(alerts->get(id).value(u"state"_s).toString(), u"acknowledged"_s, 5000);
    QCOMPARE(alerts->get(id).value(u"acknowledgedBy"_s).toString(), u"dashboard"_s);
    QCOMPARE(alerts->get(id).value(u"note"_s).toString(), u"on it"_s);
    QVERIFY(alerts->get(id).value(u"acknowledgedAt"_s).toDateTime().isValid());

    const auto cleared = answerTo(replies, client.clearAlert(id));
    QVERIFY(cleared);
    QVERIFY2(cleared->ok, qPrintable(cleared->code));
    QTRY_COMPARE_WITH_TIMEOUT(alerts->get(id).value(u"state"_s).toString(), u"cleared"_s, 5000);
    QCOMPARE(alerts->openCount(), 0);

    // A new client gets the alert in its snapshot.
    ApiClient second;
    site.open(second);
    QTRY_COMPARE_WITH_TIMEOUT(second.state(), ApiClient::Connected, ConnectTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(second.alerts()->count(), 1, 5000);
    QCOMPARE(second.alerts()->get(id).value(u"state"_s).toString(), u"cleared"_s);
}

void TestDashboardClient::pendingDevicesAndCommands()
{
    Site site;
    QVERIFY(site.start(u"registry:\n  policy: approve\n"_s));
    ApiClient client;
    site.open(client);
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ApiClient::Connected, ConnectTimeoutMs);

    QVERIFY(site.telemetry(u"new-1"_s, R"({"temperature": 20})"));
    QVERIFY(site.telemetry(u"new-2"_s, R"({"temperature": 21})"));
    DeviceModel *devices = client.devices();
    QTRY_COMPARE_WITH_TIMEOUT(devices->pendingCount(), 2, 10000);
    QCOMPARE(devices->get(u"new-1"_s).value(u"approval"_s).toString(), u"pending"_s);

    QSignalSpy replies(&client, &ApiClient::replied);
    const auto approved = answerTo(replies, client.approveDevice(u"new-1"_s));
    QVERIFY(approved);
    QVERIFY2(approved->ok, qPrintable(approved->code));
    QTRY_COMPARE_WITH_TIMEOUT(devices->get(u"new-1"_s).value(u"approval"_s).toString(), u"approved"_s, 5000);
    const auto rejected = answerTo(replies, client.rejectDevice(u"new-2"_s));
    QVERIFY(rejected);
    QVERIFY2(rejected->ok, qPrintable(rejected->code));
    QTRY_VERIFY_WITH_TIMEOUT(devices->get(u"new-2"_s).isEmpty(), 5000);
    QCOMPARE(devices->pendingCount(), 0);
    QCOMPARE(devices->count(), 1);

    // A command is queued for the device and comes back as the command object.
    const auto command = answerTo(replies, client.sendCommand(u"new-1"_s, u"reboot"_s, QVariantMap{{u"delay"_s, 5}}));
    QVERIFY(command);
    QVERIFY2(command->ok, qPrintable(command->code));
    QCOMPARE(command->result.toMap().value(u"name"_s).toString(), u"reboot"_s);
    // A request with an unknown action is answered too.
    const auto unknown = answerTo(replies, client.request(u"no.such"_s, {}));
    QVERIFY(unknown);
    QCOMPARE(unknown->code, u"unknown_action"_s);
}

void TestDashboardClient::viewerIsReadOnly()
{
    Site site;
    QVERIFY(site.start(HotRuleYaml, TokensYaml));
    QVERIFY(site.telemetry(u"boiler-1"_s, R"({"temperature": 95})"));

    ApiClient viewer;
    site.open(viewer, ViewerToken);
    QTRY_COMPARE_WITH_TIMEOUT(viewer.state(), ApiClient::Connected, ConnectTimeoutMs);
    QCOMPARE(viewer.role(), u"viewer"_s);
    QCOMPARE(viewer.user(), u"wall"_s);
    QVERIFY(!viewer.canWrite());
    QTRY_COMPARE_WITH_TIMEOUT(viewer.alerts()->openCount(), 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(viewer.devices()->count(), 1, 5000);
    const int id = viewer.alerts()->index(0, 0).data(AlertModel::AlertIdRole).toInt();

    QSignalSpy replies(&viewer, &ApiClient::replied);
    QSignalSpy failures(&viewer, &ApiClient::actionFailed);
    const auto refused = answerTo(replies, viewer.acknowledgeAlert(id, {}));
    QVERIFY(refused);
    QVERIFY(!refused->ok);
    QCOMPARE(refused->code, u"forbidden"_s);
    QCOMPARE(failures.size(), 1);
    QCOMPARE(failures.at(0).at(1).toString(), u"forbidden"_s);
    QCOMPARE(viewer.alerts()->get(id).value(u"state"_s).toString(), u"active"_s);
    // Reading is allowed.
    const auto history
        = answerTo(replies, viewer.request(u"device.history"_s, QVariantMap{{u"device"_s, u"boiler-1"_s}}));
    QVERIFY(history);
    QVERIFY2(history->ok, qPrintable(history->code));

    // The admin token acts, and alerts name who did it.
    ApiClient admin;
    site.open(admin, AdminToken);
    QTRY_COMPARE_WITH_TIMEOUT(admin.state(), ApiClient::Connected, ConnectTimeoutMs);
    QCOMPARE(admin.role(), u"admin"_s);
    QCOMPARE(admin.user(), u"ops"_s);
    QVERIFY(admin.canWrite());
    QSignalSpy adminReplies(&admin, &ApiClient::replied);
    const auto acked = answerTo(adminReplies, admin.acknowledgeAlert(id, {}));
    QVERIFY(acked);
    QVERIFY2(acked->ok, qPrintable(acked->code));
    // Both clients see the change.
    QTRY_COMPARE_WITH_TIMEOUT(viewer.alerts()->get(id).value(u"acknowledgedBy"_s).toString(), u"ops"_s, 5000);

    // The viewer token cannot upload firmware either (REST answers 403 with the JSON error body).
    QTemporaryDir dir;
    const QString path = writeImage(dir, 4096);
    FirmwareUploader uploader;
    uploader.setClient(&viewer);
    QSignalSpy finished(&uploader, &FirmwareUploader::finished);
    QVERIFY(uploader.upload(QUrl::fromLocalFile(path), u"sensor-fw"_s, u"1.0.0"_s, u"sensor"_s));
    QVERIFY(finished.wait(15000));
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    QVERIFY2(uploader.error().contains(u"forbidden"_s), qPrintable(uploader.error()));
}

void TestDashboardClient::tokenRefusedStopsRetrying()
{
    Site site;
    QVERIFY(site.start({}, TokensYaml));

    ApiClient client;
    client.setUrl(site.wsUrl());
    client.setToken(u"not-the-right-token"_s);
    QList<ApiClient::State> states;
    connect(&client, &ApiClient::stateChanged, this, [&] { states.append(client.state()); });
    client.open();
    QTRY_COMPARE_WITH_TIMEOUT(client.lastError(), u"token refused"_s, ConnectTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ApiClient::Disconnected, 5000);
    QCOMPARE(client.reconnectIn(), 0);
    QVERIFY(!client.canWrite());
    // It went through Authenticating and never waited for a retry.
    QVERIFY(states.contains(ApiClient::Authenticating));
    QVERIFY(!states.contains(ApiClient::Waiting));
    QVERIFY(!states.contains(ApiClient::Connected));

    // Without a token the gateway asks for one and the client stops too.
    ApiClient anonymous;
    site.open(anonymous);
    QTRY_COMPARE_WITH_TIMEOUT(anonymous.lastError(), u"token required"_s, ConnectTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(anonymous.state(), ApiClient::Disconnected, 5000);

    // A new token and reconnectNow() get in.
    client.setToken(AdminToken);
    client.reconnectNow();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ApiClient::Connected, ConnectTimeoutMs);
    QVERIFY(client.lastError().isEmpty());
    QCOMPARE(client.role(), u"admin"_s);
}

void TestDashboardClient::reconnectsAfterGatewayRestart()
{
    Site site;
    QVERIFY(site.start());
    QVERIFY(site.telemetry(u"dev-a"_s, R"({"temperature": 20})"));
    QVERIFY(site.telemetry(u"dev-b"_s, R"({"temperature": 21})"));

    ApiClient client;
    site.open(client);
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ApiClient::Connected, ConnectTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(client.devices()->count(), 2, 10000);

    QCOMPARE(site.gateway.terminate(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ApiClient::Waiting, 10000);
    QVERIFY(client.reconnectIn() >= 1);
    QVERIFY(!client.canWrite());
    QCOMPARE(client.role(), QString());
    QVERIFY(!client.lastError().isEmpty());
    // The models keep what they showed while the gateway is away.
    QCOMPARE(client.devices()->count(), 2);

    // Each failed try waits longer; the countdown goes down a second at a time.
    QTRY_VERIFY_WITH_TIMEOUT(client.state() == ApiClient::Waiting && client.reconnectIn() >= 2, 30000);
    const int before = client.reconnectIn();
    QSignalSpy countdown(&client, &ApiClient::reconnectInChanged);
    QVERIFY(countdown.wait(3000));
    QVERIFY(client.reconnectIn() < before);

    // Back, with the same data: the snapshot replaces the models.
    QSignalSpy resets(client.devices(), &QAbstractItemModel::modelReset);
    QVERIFY(site.gateway.start(site.yaml));
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ApiClient::Connected, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(resets.size() >= 1, 5000);
    QCOMPARE(client.devices()->count(), 2);
    QCOMPARE(client.role(), u"admin"_s);
    QVERIFY(client.lastError().isEmpty());
    QCOMPARE(client.reconnectIn(), 0);

    // reconnectNow() skips the wait.
    QCOMPARE(site.gateway.terminate(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ApiClient::Waiting, 10000);
    QVERIFY(site.gateway.start(site.yaml));
    client.reconnectNow();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ApiClient::Connected, ConnectTimeoutMs);
}

void TestDashboardClient::telemetryHistoryAndLive()
{
    Site site;
    QVERIFY(site.start());
    for (const int value : {20, 22, 24})
        QVERIFY(site.telemetry(u"dev-t"_s, u"{\"temperature\": %1, \"state\": \"ok\"}"_s.arg(value).toUtf8()));

    ApiClient client;
    site.open(client);
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ApiClient::Connected, ConnectTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(client.devices()->count(), 1, 10000);

    DeviceTelemetry telemetry;
    QCOMPARE(telemetry.rangeSeconds(), 900);
    QSignalSpy changed(&telemetry, &DeviceTelemetry::changed);
    telemetry.setClient(&client);
    telemetry.setDeviceId(u"dev-t"_s);
    // History: the three samples fall into one or two 10-second buckets.
    QTRY_VERIFY_WITH_TIMEOUT(telemetry.metrics().contains(u"temperature"_s), 10000);
    QVERIFY(!telemetry.metrics().contains(u"state"_s)); // not numeric: no chart
    const qsizetype historic = telemetry.points(u"temperature"_s).size();
    QVERIFY(historic >= 1);

    // Live samples append, and `latest` keeps every metric's newest value.
    bool seen = false;
    for (int i = 0; i < 20 && !seen; ++i) {
        QVERIFY(site.telemetry(u"dev-t"_s, R"({"temperature": 42.5, "state": "hot"})"));
        seen = QTest::qWaitFor(
            [&] { return telemetry.latest().value(u"temperature"_s).toMap().value(u"value"_s).toDouble() == 42.5; },
            1000);
    }
    QVERIFY(seen);
    QCOMPARE(telemetry.latest().value(u"state"_s).toMap().value(u"value"_s).toString(), u"hot"_s);
    QVERIFY(telemetry.points(u"temperature"_s).size() > historic);
    QVERIFY(!changed.isEmpty());

    QLineSeries series;
    telemetry.fill(&series, u"temperature"_s);
    QCOMPARE(series.count(), telemetry.points(u"temperature"_s).size());
    QCOMPARE(series.at(series.count() - 1).y(), 42.5);
    const QVariantMap bounds = telemetry.bounds(u"temperature"_s);
    const QList<QPointF> points = telemetry.points(u"temperature"_s);
    const double lowest = std::min_element(points.cbegin(), points.cend(), [](const QPointF &a, const QPointF &b) {
                              return a.y() < b.y();
                          })->y();
    QVERIFY(lowest < 42.5);
    QVERIFY(bounds.value(u"maxY"_s).toDouble() > 42.5);
    QVERIFY(bounds.value(u"minY"_s).toDouble() < lowest);
    QVERIFY(bounds.value(u"maxX"_s).toDouble() >= series.at(series.count() - 1).x());
    const QVariantMap empty = telemetry.bounds(u"nothing"_s);
    QVERIFY(empty.value(u"maxX"_s).toDouble() > empty.value(u"minX"_s).toDouble());
    QVERIFY(empty.value(u"maxY"_s).toDouble() > empty.value(u"minY"_s).toDouble());

    // Another range loads again; another device starts empty.
    telemetry.setRangeSeconds(60);
    QCOMPARE(telemetry.rangeSeconds(), 60);
    QTRY_VERIFY_WITH_TIMEOUT(!telemetry.loading(), 10000);
    QVERIFY(telemetry.metrics().contains(u"temperature"_s));
    telemetry.setDeviceId(u"nobody"_s);
    QVERIFY(telemetry.metrics().isEmpty());
    QVERIFY(telemetry.latest().isEmpty());
}

void TestDashboardClient::firmwareUploadAndCampaign()
{
    Site site;
    QVERIFY(site.start(u"ota:\n  job_timeout: 60s\n"_s));
    ApiClient client;
    site.open(client);
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ApiClient::Connected, ConnectTimeoutMs);
    QCOMPARE(client.firmware()->count(), 0);

    // The upload streams the file and reports progress up to 1.
    QTemporaryDir dir;
    const qsizetype size = 2 * 1024 * 1024;
    const QString path = writeImage(dir, size);
    QVERIFY(!path.isEmpty());
    FirmwareUploader uploader;
    uploader.setClient(&client);
    QSignalSpy progress(&uploader, &FirmwareUploader::progressChanged);
    QSignalSpy finished(&uploader, &FirmwareUploader::finished);
    QVERIFY(uploader.upload(QUrl::fromLocalFile(path), u"sensor-fw"_s, u"1.1.0"_s, u"sensor"_s));
    QVERIFY(uploader.busy());
    QVERIFY(finished.wait(30000));
    QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));
    QVERIFY(!uploader.busy());
    QVERIFY(uploader.error().isEmpty());
    QCOMPARE(uploader.progress(), 1.0);
    QCOMPARE(uploader.bytesSent(), size);
    QCOMPARE(uploader.bytesTotal(), size);
    QVERIFY(progress.size() >= 2);

    // The firmware list follows.
    QTRY_COMPARE_WITH_TIMEOUT(client.firmware()->count(), 1, 10000);
    const QModelIndex image = client.firmware()->index(0, 0);
    QCOMPARE(image.data(FirmwareModel::NameRole).toString(), u"sensor-fw"_s);
    QCOMPARE(image.data(FirmwareModel::VersionRole).toString(), u"1.1.0"_s);
    QCOMPARE(image.data(FirmwareModel::DeviceTypeRole).toString(), u"sensor"_s);
    QCOMPARE(image.data(FirmwareModel::SizeRole).toLongLong(), size);

    // The same version again is refused with the gateway's code and message.
    finished.clear();
    QVERIFY(uploader.upload(QUrl::fromLocalFile(path), u"sensor-fw"_s, u"1.1.0"_s, u"sensor"_s));
    QVERIFY(finished.wait(30000));
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    QVERIFY2(uploader.error().startsWith(u"conflict"_s), qPrintable(uploader.error()));
    QVERIFY(!uploader.upload(QUrl::fromLocalFile(dir.filePath(u"missing.bin"_s)), u"x"_s, u"1.0.0"_s));
    QVERIFY(!uploader.error().isEmpty());

    // A campaign for two simulated sensors.
    SimRun sim(site.simArgs(2, u"s-"_s));
    QTRY_VERIFY_WITH_TIMEOUT(client.devices()->get(u"s-1"_s).value(u"type"_s) == u"sensor"_s
                                 && client.devices()->get(u"s-2"_s).value(u"type"_s) == u"sensor"_s,
                             30000);
    QSignalSpy replies(&client, &ApiClient::replied);
    const int create = client.createCampaign(QVariantMap{{u"name"_s, u"spring"_s},
                                                         {u"firmware"_s, u"sensor-fw"_s},
                                                         {u"version"_s, u"1.1.0"_s},
                                                         {u"target"_s, QVariantMap{{u"type"_s, u"sensor"_s}}}});
    const auto created = answerTo(replies, create);
    QVERIFY(created);
    QVERIFY2(created->ok, qPrintable(created->code));
    const QString campaign = created->result.toMap().value(u"id"_s).toString();
    QVERIFY(!campaign.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(client.campaigns()->count(), 1, 10000);
    QCOMPARE(client.campaigns()->get(campaign).value(u"name"_s).toString(), u"spring"_s);
    QCOMPARE(client.campaigns()->get(campaign).value(u"version"_s).toString(), u"1.1.0"_s);

    OtaJobModel jobs;
    jobs.setClient(&client);
    jobs.setCampaign(campaign);
    QTRY_COMPARE_WITH_TIMEOUT(jobs.count(), 2, 10000);
    const auto jobStates = [&] {
        QStringList states;
        for (int row = 0; row < jobs.rowCount(); ++row)
            states.append(jobs.index(row, 0).data(OtaJobModel::StateRole).toString());
        return states;
    };
    QTRY_COMPARE_WITH_TIMEOUT(jobStates(), (QStringList{u"succeeded"_s, u"succeeded"_s}), 60000);
    QCOMPARE(jobs.index(0, 0).data(OtaJobModel::DeviceIdRole).toString().left(2), u"s-"_s);
    QTRY_COMPARE_WITH_TIMEOUT(client.campaigns()->get(campaign).value(u"progress"_s).toDouble(), 1.0, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(client.campaigns()->get(campaign).value(u"state"_s).toString(), u"completed"_s, 10000);
    QCOMPARE(client.campaigns()->get(campaign).value(u"succeeded"_s).toInt(), 2);

    // Pausing a completed campaign is a conflict.
    const auto paused = answerTo(replies, client.pauseCampaign(campaign));
    QVERIFY(paused);
    QVERIFY(!paused->ok);
    QCOMPARE(paused->code, u"conflict"_s);

    // A new client sees the campaign in its snapshot and the image in its list.
    ApiClient second;
    site.open(second);
    QTRY_COMPARE_WITH_TIMEOUT(second.state(), ApiClient::Connected, ConnectTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(second.campaigns()->count(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(second.firmware()->count(), 1, 5000);
    QCOMPARE(sim.terminate(), 0);
}

void TestDashboardClient::wssShowsCertificateProblems()
{
    QTemporaryDir dir;
    TestPki pki(dir.path());
    QVERIFY(pki.makeCa(u"ca"_s));
    QVERIFY(pki.issue(u"gateway"_s, u"gateway"_s, u"ca"_s));
    Site site;
    site.gateway.setHttps({u"--cacert"_s, pki.path(u"ca.crt"_s)});
    QVERIFY(site.start({},
                       u"  tls:\n    cert_file: %1\n    key_file: %2\n"_s.arg(pki.path(u"gateway.crt"_s),
                                                                              pki.path(u"gateway.key"_s))));
    const QString url = u"wss://127.0.0.1:%1/ws"_s.arg(site.gateway.httpPort());

    // A certificate from a CA the machine does not know: the person sees why, and no session starts.
    ApiClient untrusting;
    untrusting.setUrl(url);
    untrusting.open();
    QTRY_VERIFY_WITH_TIMEOUT(untrusting.lastError().startsWith(u"gateway certificate not trusted: "_s), 20000);
    QVERIFY2(untrusting.lastError().contains(u"issuer"_s, Qt::CaseInsensitive), qPrintable(untrusting.lastError()));
    QVERIFY(untrusting.state() != ApiClient::Connected);
    untrusting.close();

    // With the gateway's CA given, it connects.
    ApiClient trusting;
    trusting.setCaFile(pki.path(u"ca.crt"_s));
    trusting.setUrl(url);
    trusting.open();
    QTRY_COMPARE_WITH_TIMEOUT(trusting.state(), ApiClient::Connected, ConnectTimeoutMs);
    QVERIFY(trusting.lastError().isEmpty());
    QCOMPARE(trusting.httpBaseUrl(), u"https://127.0.0.1:%1"_s.arg(site.gateway.httpPort()));
}

QTEST_MAIN(TestDashboardClient)
#include "tst_dashboardclient.moc"

void TestDashboardClient::snapshotsLargerThanClientFrames()
{
    Site site;
    QVERIFY(site.start());
    Http http(site.gateway.httpPort());

    // 300 devices: their snapshot is larger than the 64 KiB that bounds client frames.
    constexpr int Devices = 300;
    for (int i = 0; i < Devices; ++i) {
        const QString path = u"/api/v1/devices/fleet-sensor-%1/telemetry"_s.arg(i, 3, 10, QChar(u'0'));
        const HttpReply posted = http.send("POST", path, R"({"temperature": 21.5, "humidity": 40, "battery": 87})");
        QVERIFY2(posted.status >= 200 && posted.status < 300, qPrintable(QString::number(posted.status)));
    }
    // One device with 32 metrics over the last hour: its history is larger too.
    constexpr int Metrics = 32;
    constexpr int Times = 80;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int t = 0; t < Times; ++t) {
        QJsonObject sample{{u"ts"_s, now - 3'500'000 + t * 40'000}};
        for (int m = 0; m < Metrics; ++m)
            sample.insert(u"vibration_rms_%1"_s.arg(m, 2, 10, QChar(u'0')), 1000 + t + m / 7.0);
        const HttpReply posted = http.send("POST", u"/api/v1/devices/press-1/telemetry"_s,
                                           QJsonDocument(sample).toJson(QJsonDocument::Compact));
        QVERIFY2(posted.status >= 200 && posted.status < 300, qPrintable(QString::number(posted.status)));
    }
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/api/v1/devices?limit=1"_s).json().value(u"total"_s).toInt(), Devices + 1,
                              20000);
    QList<edgegate::DeviceInfo> listed;
    for (const QJsonValue device : http.get(u"/api/v1/devices?limit=1000"_s).json().value(u"devices"_s).toArray())
        listed.append(*edgegate::deviceFromJson(device.toObject()));
    QVERIFY(edgegate::wsapi::encodeDevices(listed).size() > edgegate::wsapi::MaxFrameBytes);

    ApiClient client;
    site.open(client);
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ApiClient::Connected, ConnectTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(client.devices()->count(), Devices + 1, 10000);
    QCOMPARE(client.devices()->get(u"fleet-sensor-299"_s).value(u"protocol"_s).toString(), u"http"_s);

    QSignalSpy replies(&client, &ApiClient::replied);
    const auto history = answerTo(
        replies,
        client.request(u"telemetry.history"_s, QVariantMap{{u"device"_s, u"press-1"_s}, {u"range_s"_s, 3600}}));
    QVERIFY(history);
    QVERIFY2(history->ok, qPrintable(history->code));
    const QJsonObject result = QJsonObject::fromVariantMap(history->result.toMap());
    QVERIFY(QJsonDocument(result).toJson(QJsonDocument::Compact).size() > edgegate::wsapi::MaxFrameBytes);
    QCOMPARE(result.value(u"series"_s).toObject().size(), Metrics);

    // The chart of that device loads.
    DeviceTelemetry telemetry;
    telemetry.setClient(&client);
    telemetry.setRangeSeconds(3600);
    telemetry.setDeviceId(u"press-1"_s);
    QVERIFY(telemetry.loading());
    QTRY_VERIFY_WITH_TIMEOUT(!telemetry.loading(), 10000);
    QCOMPARE(telemetry.metrics().size(), Metrics);
    QCOMPARE(telemetry.points(u"vibration_rms_31"_s).size(), Times);
}

void TestDashboardClient::requestsFromFailedRepliesAreRefused()
{
    Site site;
    QVERIFY(site.start());
    ApiClient client;
    site.open(client);
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ApiClient::Connected, ConnectTimeoutMs);

    // Whoever learns that a request failed with the connection asks again at once; that request is
    // answered `unavailable` too, not sent to the closed socket and left unanswered.
    QSignalSpy replies(&client, &ApiClient::replied);
    int first = 0;
    int retry = 0;
    ApiClient::State stateAtRetryReply = ApiClient::Disconnected;
    connect(&client, &ApiClient::replied, this, [&](int id) {
        if (id == first && retry == 0)
            retry = client.request(u"firmware.list"_s);
        else if (id == retry)
            stateAtRetryReply = client.state();
    });
    const auto failFirstAndRetry = [&] {
        const auto failed = answerTo(replies, first);
        QVERIFY(failed);
        QCOMPARE(failed->code, u"unavailable"_s);
        QVERIFY(retry != 0);
        const auto again = answerTo(replies, retry);
        QVERIFY(again);
        QCOMPARE(again->code, u"unavailable"_s);
    };

    // open() drops the connection: the request sent just before cannot have been answered.
    first = client.request(u"firmware.list"_s);
    client.open();
    failFirstAndRetry();
    if (QTest::currentTestFailed())
        return;
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ApiClient::Connected, ConnectTimeoutMs);

    // The gateway dies: the request goes out after it is gone, so only the disconnect answers it.
    // The retry is refused at once, not left pending until a later try to connect fails as well.
    retry = 0;
    site.gateway.kill();
    first = client.request(u"firmware.list"_s);
    failFirstAndRetry();
    QCOMPARE(stateAtRetryReply, ApiClient::Waiting);
}
