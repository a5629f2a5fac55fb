// SPDX-License-Identifier: Apache-2.0
// The WebSocket API of a real edgegated over a real mosquitto: the connection flow (hello,
// session, snapshots, status), every request action, and tokens (auth frame, Authorization
// header, viewer role).
#include "shared/wsprotocol.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QTest>
#include <QWebSocket>

#include <algorithm>

using namespace testsupport;
using namespace Qt::StringLiterals;
namespace wsapi = edgegate::wsapi;

namespace {

constexpr auto AdminToken = "s3cret-admin-0001";
constexpr auto ViewerToken = "s3cret-viewer-001";

const QString Tokens = uR"(  tokens:
    - name: ops
      token: "s3cret-admin-0001"
      role: admin
    - name: wall
      token: "s3cret-viewer-001"
      role: viewer
)"_s;

/// A dashboard-like client: every frame it received, decoded with the shared codec.
class ApiClient
{
public:
    explicit ApiClient(quint16 port, const QByteArray &authorization = {}, const QByteArray &origin = {})
    {
        QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket, [this](const QString &text) {
            const auto decoded = wsapi::decodeFrame(text.toUtf8());
            if (decoded.frame)
                frames.append(*decoded.frame);
        });
        QNetworkRequest request(QUrl(u"ws://127.0.0.1:%1/ws"_s.arg(port)));
        if (!authorization.isEmpty())
            request.setRawHeader("Authorization", authorization);
        if (!origin.isEmpty())
            request.setRawHeader("Origin", origin);
        socket.open(request);
    }

    [[nodiscard]] int count(QStringView type) const
    {
        return static_cast<int>(
            std::count_if(frames.cbegin(), frames.cend(), [type](const auto &f) { return f.type == type; }));
    }

    [[nodiscard]] std::optional<wsapi::Frame> last(QStringView type) const
    {
        for (auto it = frames.crbegin(); it != frames.crend(); ++it) {
            if (it->type == type)
                return *it;
        }
        return std::nullopt;
    }

    [[nodiscard]] QStringList types() const
    {
        QStringList out;
        for (const auto &f : frames)
            out.append(f.type);
        return out;
    }

    /// Sends a request and waits for its reply (an empty optional when none came in 10 s).
    std::optional<wsapi::Reply> call(const QString &action, const QJsonObject &params = {})
    {
        const qint64 id = ++m_lastId;
        socket.sendTextMessage(QString::fromUtf8(wsapi::encodeRequest({id, action, params})));
        std::optional<wsapi::Reply> reply;
        [[maybe_unused]] const bool replied = QTest::qWaitFor(
            [&] {
                for (const auto &f : std::as_const(frames)) {
                    if (f.type != wsapi::type::Reply)
                        continue;
                    auto r = wsapi::replyFromFrame(f);
                    if (r && r->id == id) {
                        reply = std::move(r);
                        return true;
                    }
                }
                return false;
            },
            10000);
        return reply;
    }

    /// The result of a call that must succeed; a null value (and a warning) when it did not.
    QJsonValue result(const QString &action, const QJsonObject &params = {})
    {
        const auto reply = call(action, params);
        if (!reply || !reply->ok) {
            qWarning().noquote() << action << "failed:"
                                 << (reply ? reply->error.code + u' ' + reply->error.message : u"no reply"_s);
            return {};
        }
        return reply->result;
    }

    /// The error code of a call (empty when it succeeded, "none" without a reply).
    QString failure(const QString &action, const QJsonObject &params = {})
    {
        const auto reply = call(action, params);
        if (!reply)
            return u"none"_s;
        return reply->ok ? QString() : reply->error.code;
    }

    QWebSocket socket;
    QList<wsapi::Frame> frames;

private:
    qint64 m_lastId = 0;
};

QJsonObject lastAlert(const ApiClient &client)
{
    const auto f = client.last(wsapi::type::Alert);
    return f ? f->body.value(u"alert"_s).toObject() : QJsonObject();
}

/// Makes an anomaly alert for `device` (the gateway runs with window 10, min_samples 5, z 3).
bool raiseAnomaly(quint16 brokerPort, const QString &device)
{
    const auto values = {10, 12, 14, 16, 10, 12, 500};
    return std::all_of(values.begin(), values.end(), [&](int v) {
        return publish(brokerPort, u"devices/%1/telemetry"_s.arg(device), u"{\"v\": %1}"_s.arg(v).toUtf8());
    });
}

const QString Analytics = u"analytics:\n  window: 10\n  min_samples: 5\n  anomaly_z: 3\n"_s;

} // namespace

class TestWsApi : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void sessionSnapshotsAndStatus();
    void alertActions();
    void deviceActions();
    void otaAndFirmwareActions();
    void badRequests();
    void tokenInAuthFrame();
    void refusedClientsAreClosed();
    void authorizationHeaderSkipsTheAuthFrame();
    void subscriptionCap();
    void foreignOriginRefused();
    void unauthenticatedCap();

private:
    std::unique_ptr<Broker> m_broker;
};

void TestWsApi::init()
{
    m_broker = std::make_unique<Broker>();
    QVERIFY(m_broker->start());
}

void TestWsApi::cleanup()
{
    m_broker.reset();
}

void TestWsApi::sessionSnapshotsAndStatus()
{
    Gateway gw;
    QVERIFY(gw.start(gw.config(m_broker->port(), u"registry:\n  policy: approve\n"_s)));
    Http http(gw.httpPort());
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/healthz"_s).json().value(u"broker"_s).toString(), u"connected"_s, 10000);
    QVERIFY(publish(m_broker->port(), u"devices/p1/meta"_s, R"({"type": "sensor"})"));
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/api/v1/devices/p1"_s).status, 200, 10000);

    ApiClient client(gw.httpPort());
    QTRY_COMPARE_WITH_TIMEOUT(client.count(wsapi::type::Status), 1, 10000);
    QCOMPARE(client.types(),
             (QStringList{u"hello"_s, u"session"_s, u"devices"_s, u"alerts"_s, u"ota_campaigns"_s, u"status"_s}));
    const auto hello = wsapi::helloFromFrame(client.frames.at(0));
    QVERIFY(hello);
    QCOMPARE(hello->authRequired, false);
    const auto session = wsapi::sessionFromFrame(client.frames.at(1));
    QVERIFY(session);
    QCOMPARE(session->role, u"admin"_s);
    QCOMPARE(session->user, QString());
    QCOMPARE(wsapi::devicesFromFrame(client.frames.at(2))->size(), 1);
    QCOMPARE(wsapi::alertsFromFrame(client.frames.at(3))->size(), 0);
    QCOMPARE(wsapi::otaCampaignsFromFrame(client.frames.at(4))->size(), 0);
    const auto status = wsapi::statusFromFrame(client.frames.at(5));
    QVERIFY(status);
    QCOMPARE(status->total, 1);
    QCOMPARE(status->pending, 1);
    QCOMPARE(status->alertsOpen, 0);
    QCOMPARE(status->broker, u"connected"_s);
    QCOMPARE(status->upstream, u"disabled"_s);
    for (const auto &outbox : status->outbox) // the sinks the default config has
        QVERIFY(!outbox.sink.isEmpty() && outbox.limitBytes > 0);
    QVERIFY(status->uptimeS >= 0);

    // Status keeps coming, and counts accepted telemetry.
    QVERIFY(http.send("POST", u"/api/v1/devices/p1/approve"_s).status == 200);
    for (int i = 0; i < 5; ++i)
        QVERIFY(publish(m_broker->port(), u"devices/p1/telemetry"_s, u"{\"t\": %1}"_s.arg(i).toUtf8()));
    QTRY_VERIFY_WITH_TIMEOUT(wsapi::statusFromFrame(*client.last(wsapi::type::Status))->messagesPerSecond > 0, 10000);
    const auto later = wsapi::statusFromFrame(*client.last(wsapi::type::Status));
    QCOMPARE(later->pending, 0);
    QCOMPARE(later->online, 1);
    QVERIFY(client.count(wsapi::type::Status) >= 2);
}

void TestWsApi::alertActions()
{
    Gateway gw;
    QVERIFY(gw.start(gw.config(m_broker->port(), Analytics)));
    ApiClient client(gw.httpPort());
    ApiClient watcher(gw.httpPort());
    QTRY_COMPARE_WITH_TIMEOUT(client.count(wsapi::type::Status), 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(watcher.count(wsapi::type::Status), 1, 10000);
    QVERIFY(raiseAnomaly(m_broker->port(), u"a1"_s));
    QTRY_COMPARE_WITH_TIMEOUT(watcher.count(wsapi::type::Alert), 1, 10000);
    const qint64 id = lastAlert(watcher).value(u"id"_s).toInteger();
    QVERIFY(id > 0);

    const QJsonObject acked
        = client.result(wsapi::action::AlertAcknowledge.toString(), {{u"id"_s, id}, {u"note"_s, u"looking"_s}})
              .toObject();
    QCOMPARE(acked.value(u"state"_s).toString(), u"acknowledged"_s);
    QCOMPARE(acked.value(u"acknowledged_by"_s).toString(), u"dashboard"_s);
    QCOMPARE(acked.value(u"note"_s).toString(), u"looking"_s);
    QTRY_COMPARE_WITH_TIMEOUT(lastAlert(watcher).value(u"state"_s).toString(), u"acknowledged"_s, 10000);
    QCOMPARE(client.failure(wsapi::action::AlertAcknowledge.toString(), {{u"id"_s, id}}), u"conflict"_s);

    const QJsonObject cleared = client.result(wsapi::action::AlertClear.toString(), {{u"id"_s, id}}).toObject();
    QCOMPARE(cleared.value(u"state"_s).toString(), u"cleared"_s);
    QCOMPARE(cleared.value(u"cleared_by"_s).toString(), u"dashboard"_s);
    QTRY_COMPARE_WITH_TIMEOUT(lastAlert(watcher).value(u"state"_s).toString(), u"cleared"_s, 10000);
    QCOMPARE(client.failure(wsapi::action::AlertClear.toString(), {{u"id"_s, id}}), u"conflict"_s);
    QCOMPARE(client.failure(wsapi::action::AlertClear.toString(), {{u"id"_s, 999999}}), u"not_found"_s);
    QCOMPARE(client.failure(wsapi::action::AlertAcknowledge.toString(), {{u"id"_s, u"1"_s}}), u"bad_request"_s);
    QCOMPARE(client.failure(wsapi::action::AlertAcknowledge.toString(), {{u"id"_s, id}, {u"note"_s, 5}}),
             u"bad_request"_s);

    // A new client sees the cleared alert in its snapshot.
    ApiClient late(gw.httpPort());
    QTRY_COMPARE_WITH_TIMEOUT(late.count(wsapi::type::Alerts), 1, 10000);
    const auto alerts = wsapi::alertsFromFrame(*late.last(wsapi::type::Alerts));
    QCOMPARE(alerts->size(), 1);
    QCOMPARE(alerts->front().state, u"cleared"_s);
}

void TestWsApi::deviceActions()
{
    Gateway gw;
    QVERIFY(gw.start(gw.config(m_broker->port(), u"registry:\n  policy: approve\n"_s)));
    Http http(gw.httpPort());
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/healthz"_s).json().value(u"broker"_s).toString(), u"connected"_s, 10000);
    ApiClient client(gw.httpPort());
    QTRY_COMPARE_WITH_TIMEOUT(client.count(wsapi::type::Status), 1, 10000);
    QVERIFY(publish(m_broker->port(), u"devices/d1/meta"_s, R"({"type": "sensor"})"));
    QVERIFY(publish(m_broker->port(), u"devices/d2/meta"_s, R"({"type": "sensor"})"));
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/api/v1/devices?approval=pending"_s).json().value(u"total"_s).toInt(), 2,
                              10000);

    const QJsonObject approved
        = client.result(wsapi::action::DeviceApprove.toString(), {{u"device"_s, u"d1"_s}}).toObject();
    QCOMPARE(approved.value(u"id"_s).toString(), u"d1"_s);
    QCOMPARE(approved.value(u"approval"_s).toString(), u"approved"_s);
    QCOMPARE(client.failure(wsapi::action::DeviceApprove.toString(), {{u"device"_s, u"d1"_s}}), u"conflict"_s);
    QCOMPARE(client.failure(wsapi::action::DeviceReject.toString(), {{u"device"_s, u"d1"_s}}), u"conflict"_s);
    const QJsonObject rejected
        = client.result(wsapi::action::DeviceReject.toString(), {{u"device"_s, u"d2"_s}}).toObject();
    QCOMPARE(rejected.value(u"id"_s).toString(), u"d2"_s);
    QCOMPARE(rejected.value(u"rejected"_s).toBool(), true);
    QTRY_COMPARE_WITH_TIMEOUT(client.count(wsapi::type::DeviceRemoved), 1, 10000);
    QCOMPARE(*wsapi::deviceRemovedFromFrame(*client.last(wsapi::type::DeviceRemoved)), u"d2"_s);
    QCOMPARE(client.failure(wsapi::action::DeviceApprove.toString(), {{u"device"_s, u"d2"_s}}), u"not_found"_s);

    // Telemetry, then its history.
    for (int i = 0; i < 3; ++i)
        QVERIFY(
            publish(m_broker->port(), u"devices/d1/telemetry"_s, u"{\"t\": %1, \"on\": true}"_s.arg(20 + i).toUtf8()));
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/api/v1/devices/d1/telemetry/latest"_s)
                                  .json()
                                  .value(u"metrics"_s)
                                  .toObject()
                                  .value(u"t"_s)
                                  .toObject()
                                  .value(u"value"_s)
                                  .toInt(),
                              22, 10000);
    const QJsonObject history
        = client.result(wsapi::action::TelemetryHistory.toString(), {{u"device"_s, u"d1"_s}, {u"range_s"_s, 300}})
              .toObject();
    QCOMPARE(history.value(u"device"_s).toString(), u"d1"_s);
    const QJsonArray t = history.value(u"series"_s).toObject().value(u"t"_s).toArray();
    QVERIFY(!t.isEmpty());
    const QJsonArray point = t.last().toArray();
    QCOMPARE(point.size(), 2);
    QVERIFY(point.at(0).toInteger() > 0);
    QVERIFY(point.at(1).toDouble() >= 20 && point.at(1).toDouble() <= 22);
    QVERIFY(history.value(u"series"_s).toObject().contains(u"on"_s));
    QCOMPARE(client.failure(wsapi::action::TelemetryHistory.toString(), {{u"device"_s, u"d1"_s}, {u"range_s"_s, 10}}),
             u"bad_request"_s);
    QCOMPARE(client.failure(wsapi::action::TelemetryHistory.toString(), {{u"device"_s, u"nobody"_s}}), u"not_found"_s);

    // Maintenance on and off, then the status history shows it.
    const QJsonObject serviced
        = client.result(wsapi::action::DeviceMaintenance.toString(), {{u"device"_s, u"d1"_s}, {u"on"_s, true}})
              .toObject();
    QCOMPARE(serviced.value(u"status"_s).toString(), u"maintenance"_s);
    QCOMPARE(client.failure(wsapi::action::DeviceMaintenance.toString(), {{u"device"_s, u"d1"_s}, {u"on"_s, u"yes"_s}}),
             u"bad_request"_s);
    QVERIFY(client.result(wsapi::action::DeviceMaintenance.toString(), {{u"device"_s, u"d1"_s}, {u"on"_s, false}})
                .toObject()
                .value(u"status"_s)
                .toString()
            != u"maintenance"_s);
    // Newest first: the way into maintenance and back out are the two latest.
    const auto historyTo = [&client] {
        QStringList to;
        for (const auto &entry :
             client.result(wsapi::action::DeviceHistory.toString(), {{u"device"_s, u"d1"_s}}).toArray())
            to.append(entry.toObject().value(u"to"_s).toString());
        return to;
    };
    QTRY_VERIFY_WITH_TIMEOUT(historyTo().size() >= 3, 10000);
    QCOMPARE(historyTo().at(1), u"maintenance"_s);
    QCOMPARE(client.result(wsapi::action::DeviceHistory.toString(), {{u"device"_s, u"d1"_s}, {u"limit"_s, 1}})
                 .toArray()
                 .size(),
             1);
    QCOMPARE(client.failure(wsapi::action::DeviceHistory.toString(), {{u"device"_s, u"never-seen"_s}}), u"not_found"_s);

    // A command reaches the device's MQTT topic.
    Subscriber device(m_broker->port(), u"devices/d1/commands"_s);
    QVERIFY(device.waitUntilSubscribed(*m_broker));
    const QJsonObject command = client
                                    .result(wsapi::action::DeviceCommand.toString(),
                                            {{u"device"_s, u"d1"_s},
                                             {u"name"_s, u"reboot"_s},
                                             {u"params"_s, QJsonObject{{u"delay"_s, 5}}},
                                             {u"ttl"_s, 60},
                                             {u"id"_s, u"c-1"_s}})
                                    .toObject();
    QCOMPARE(command.value(u"id"_s).toString(), u"c-1"_s);
    QCOMPARE(command.value(u"name"_s).toString(), u"reboot"_s);
    QTRY_COMPARE_WITH_TIMEOUT(device.messages().size(), 1, 10000);
    const QJsonObject wire = QJsonDocument::fromJson(device.messages().front().second).object();
    QCOMPARE(wire.value(u"id"_s).toString(), u"c-1"_s);
    QCOMPARE(wire.value(u"params"_s).toObject().value(u"delay"_s).toInt(), 5);
    QCOMPARE(client.failure(wsapi::action::DeviceCommand.toString(),
                            {{u"device"_s, u"d1"_s}, {u"name"_s, u"reboot"_s}, {u"id"_s, u"c-1"_s}}),
             u"conflict"_s);
    QCOMPARE(client.failure(wsapi::action::DeviceCommand.toString(),
                            {{u"device"_s, u"d1"_s}, {u"name"_s, u"reboot"_s}, {u"params"_s, 3}}),
             u"bad_request"_s);
}

void TestWsApi::otaAndFirmwareActions()
{
    Gateway gw;
    QVERIFY(gw.start(gw.config(m_broker->port())));
    Http http(gw.httpPort());
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/healthz"_s).json().value(u"broker"_s).toString(), u"connected"_s, 10000);
    QVERIFY(publish(m_broker->port(), u"devices/m1/meta"_s, R"({"type": "sensor", "firmware": "1.0.0"})"));
    QTRY_COMPARE_WITH_TIMEOUT(http.get(u"/api/v1/devices/m1"_s).status, 200, 10000);
    ApiClient client(gw.httpPort());
    QTRY_COMPARE_WITH_TIMEOUT(client.count(wsapi::type::Status), 1, 10000);

    QTemporaryFile image;
    QVERIFY(image.open());
    image.write(QByteArray(2048, 'f'));
    image.flush();
    const CurlReply uploaded
        = curl(gw.httpPort(), u"/api/v1/firmware/fw/2.0.0?device_type=sensor"_s, {u"-T"_s, image.fileName()});
    QCOMPARE(uploaded.status, 201);
    const QJsonArray firmware = client.result(wsapi::action::FirmwareList.toString()).toArray();
    QCOMPARE(firmware.size(), 1);
    QCOMPARE(firmware.first().toObject().value(u"name"_s).toString(), u"fw"_s);
    QCOMPARE(firmware.first().toObject().value(u"size"_s).toInt(), 2048);

    QCOMPARE(client.failure(wsapi::action::OtaCreate.toString(),
                            {{u"firmware"_s, u"fw"_s},
                             {u"version"_s, u"9.9.9"_s},
                             {u"target"_s, QJsonObject{{u"devices"_s, QJsonArray{u"m1"_s}}}}}),
             u"bad_request"_s);
    const QJsonObject created = client
                                    .result(wsapi::action::OtaCreate.toString(),
                                            {{u"name"_s, u"spring"_s},
                                             {u"firmware"_s, u"fw"_s},
                                             {u"version"_s, u"2.0.0"_s},
                                             {u"target"_s, QJsonObject{{u"devices"_s, QJsonArray{u"m1"_s}}}}})
                                    .toObject();
    const QString campaign = created.value(u"id"_s).toString();
    QVERIFY(!campaign.isEmpty());
    QCOMPARE(created.value(u"name"_s).toString(), u"spring"_s);
    QCOMPARE(created.value(u"state"_s).toString(), u"running"_s);
    QTRY_VERIFY_WITH_TIMEOUT(client.count(wsapi::type::OtaCampaign) >= 1, 10000);

    const QJsonArray jobs = client.result(wsapi::action::OtaJobs.toString(), {{u"campaign"_s, campaign}}).toArray();
    QCOMPARE(jobs.size(), 1);
    QCOMPARE(jobs.first().toObject().value(u"device"_s).toString(), u"m1"_s);
    QCOMPARE(client.failure(wsapi::action::OtaJobs.toString(), {{u"campaign"_s, u"nope"_s}}), u"not_found"_s);

    // The image of a running campaign stays: the same veto as REST DELETE.
    QCOMPARE(
        client.failure(wsapi::action::FirmwareDelete.toString(), {{u"name"_s, u"fw"_s}, {u"version"_s, u"2.0.0"_s}}),
        u"conflict"_s);

    QCOMPARE(client.result(wsapi::action::OtaPause.toString(), {{u"campaign"_s, campaign}})
                 .toObject()
                 .value(u"state"_s)
                 .toString(),
             u"paused"_s);
    QCOMPARE(client.failure(wsapi::action::OtaPause.toString(), {{u"campaign"_s, campaign}}), u"conflict"_s);
    QCOMPARE(client.result(wsapi::action::OtaResume.toString(), {{u"campaign"_s, campaign}})
                 .toObject()
                 .value(u"state"_s)
                 .toString(),
             u"running"_s);
    QCOMPARE(client.result(wsapi::action::OtaCancel.toString(), {{u"campaign"_s, campaign}})
                 .toObject()
                 .value(u"state"_s)
                 .toString(),
             u"cancelled"_s);
    QCOMPARE(client.failure(wsapi::action::OtaResume.toString(), {{u"campaign"_s, campaign}}), u"conflict"_s);
    QCOMPARE(client.failure(wsapi::action::OtaCancel.toString(), {{u"campaign"_s, u"nope"_s}}), u"not_found"_s);
    QCOMPARE(client.failure(wsapi::action::OtaCancel.toString(), {{u"campaign"_s, 3}}), u"bad_request"_s);

    // A new client gets the campaign in its snapshot.
    ApiClient late(gw.httpPort());
    QTRY_COMPARE_WITH_TIMEOUT(late.count(wsapi::type::OtaCampaigns), 1, 10000);
    const auto campaigns = wsapi::otaCampaignsFromFrame(*late.last(wsapi::type::OtaCampaigns));
    QCOMPARE(campaigns->size(), 1);
    QCOMPARE(campaigns->front().id, campaign);

    QCOMPARE(
        client.result(wsapi::action::FirmwareDelete.toString(), {{u"name"_s, u"fw"_s}, {u"version"_s, u"2.0.0"_s}}),
        QJsonValue(QJsonObject()));
    QCOMPARE(client.result(wsapi::action::FirmwareList.toString()), QJsonValue(QJsonArray()));
    QCOMPARE(
        client.failure(wsapi::action::FirmwareDelete.toString(), {{u"name"_s, u"fw"_s}, {u"version"_s, u"2.0.0"_s}}),
        u"not_found"_s);
    QCOMPARE(client.failure(wsapi::action::FirmwareDelete.toString(), {{u"name"_s, u"fw"_s}}), u"bad_request"_s);
}

void TestWsApi::badRequests()
{
    Gateway gw;
    QVERIFY(gw.start(gw.config(m_broker->port())));
    ApiClient client(gw.httpPort());
    QTRY_COMPARE_WITH_TIMEOUT(client.count(wsapi::type::Status), 1, 10000);

    QCOMPARE(client.failure(u"dance"_s), u"unknown_action"_s);
    QCOMPARE(client.failure(wsapi::action::DeviceApprove.toString()), u"bad_request"_s);
    QCOMPARE(client.failure(wsapi::action::DeviceApprove.toString(), {{u"device"_s, u"a/b"_s}}), u"bad_request"_s);
    QCOMPARE(client.failure(wsapi::action::DeviceApprove.toString(), {{u"device"_s, u"ghost"_s}}), u"not_found"_s);

    // A request with an id but bad params gets a failed reply; without an id an error frame.
    client.socket.sendTextMessage(
        u"{\"v\":1,\"type\":\"request\",\"id\":77,\"action\":\"firmware.list\",\"params\":[]}"_s);
    QTRY_VERIFY_WITH_TIMEOUT(wsapi::replyFromFrame(*client.last(wsapi::type::Reply))->id == 77, 10000);
    const auto reply = wsapi::replyFromFrame(*client.last(wsapi::type::Reply));
    QCOMPARE(reply->ok, false);
    QCOMPARE(reply->error.code, u"bad_request"_s);
    client.socket.sendTextMessage(u"{\"v\":1,\"type\":\"request\",\"action\":\"firmware.list\"}"_s);
    QTRY_COMPARE_WITH_TIMEOUT(client.count(wsapi::type::Error), 1, 10000);
    QCOMPARE(wsapi::errorFromFrame(*client.last(wsapi::type::Error))->code, u"bad_frame"_s);
    // The connection stays usable.
    QCOMPARE(client.result(wsapi::action::FirmwareList.toString()), QJsonValue(QJsonArray()));
    QCOMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
}

void TestWsApi::tokenInAuthFrame()
{
    Gateway gw;
    QVERIFY(gw.start(gw.config(m_broker->port(), Analytics, {}, Tokens)));
    ApiClient viewer(gw.httpPort());
    QTRY_COMPARE_WITH_TIMEOUT(viewer.count(wsapi::type::Hello), 1, 10000);
    QCOMPARE(wsapi::helloFromFrame(*viewer.last(wsapi::type::Hello))->authRequired, true);
    viewer.socket.sendTextMessage(QString::fromUtf8(wsapi::encodeAuth(QString::fromLatin1(ViewerToken))));
    QTRY_COMPARE_WITH_TIMEOUT(viewer.count(wsapi::type::Status), 1, 10000);
    QCOMPARE(viewer.types().mid(0, 6),
             (QStringList{u"hello"_s, u"session"_s, u"devices"_s, u"alerts"_s, u"ota_campaigns"_s, u"status"_s}));
    const auto session = wsapi::sessionFromFrame(*viewer.last(wsapi::type::Session));
    QCOMPARE(session->role, u"viewer"_s);
    QCOMPARE(session->user, u"wall"_s);

    // Reads are fine, changes are forbidden.
    QCOMPARE(viewer.result(wsapi::action::FirmwareList.toString()), QJsonValue(QJsonArray()));
    QCOMPARE(viewer.failure(wsapi::action::DeviceApprove.toString(), {{u"device"_s, u"x"_s}}), u"forbidden"_s);
    QCOMPARE(viewer.failure(wsapi::action::AlertClear.toString(), {{u"id"_s, 1}}), u"forbidden"_s);
    QCOMPARE(viewer.failure(wsapi::action::FirmwareDelete.toString(), {{u"name"_s, u"a"_s}, {u"version"_s, u"1"_s}}),
             u"forbidden"_s);

    // The admin acknowledges as its token's name; the viewer sees the change.
    ApiClient admin(gw.httpPort());
    QTRY_COMPARE_WITH_TIMEOUT(admin.count(wsapi::type::Hello), 1, 10000);
    admin.socket.sendTextMessage(QString::fromUtf8(wsapi::encodeAuth(QString::fromLatin1(AdminToken))));
    QTRY_COMPARE_WITH_TIMEOUT(admin.count(wsapi::type::Status), 1, 10000);
    QCOMPARE(wsapi::sessionFromFrame(*admin.last(wsapi::type::Session))->user, u"ops"_s);
    QVERIFY(raiseAnomaly(m_broker->port(), u"a1"_s));
    QTRY_COMPARE_WITH_TIMEOUT(viewer.count(wsapi::type::Alert), 1, 10000);
    const qint64 id = lastAlert(viewer).value(u"id"_s).toInteger();
    QCOMPARE(admin.result(wsapi::action::AlertAcknowledge.toString(), {{u"id"_s, id}})
                 .toObject()
                 .value(u"acknowledged_by"_s)
                 .toString(),
             u"ops"_s);
    QTRY_COMPARE_WITH_TIMEOUT(lastAlert(viewer).value(u"acknowledged_by"_s).toString(), u"ops"_s, 10000);
    QCOMPARE(admin.result(wsapi::action::AlertClear.toString(), {{u"id"_s, id}})
                 .toObject()
                 .value(u"cleared_by"_s)
                 .toString(),
             u"ops"_s);
}

void TestWsApi::refusedClientsAreClosed()
{
    Gateway gw;
    QVERIFY(gw.start(gw.config(m_broker->port(), {}, {}, Tokens)));

    // Another frame before auth: refused and closed with 1008, having got nothing but hello.
    ApiClient eager(gw.httpPort());
    QSignalSpy eagerClosed(&eager.socket, &QWebSocket::disconnected);
    QTRY_COMPARE_WITH_TIMEOUT(eager.count(wsapi::type::Hello), 1, 10000);
    eager.socket.sendTextMessage(QString::fromUtf8(wsapi::encodeSubscription(wsapi::type::Subscribe, {true, {}})));
    QVERIFY(eagerClosed.wait(10000));
    QCOMPARE(eager.socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    QCOMPARE(eager.types(), (QStringList{u"hello"_s, u"error"_s}));
    QCOMPARE(wsapi::errorFromFrame(eager.frames.at(1))->code, u"unauthorized"_s);

    // A wrong token.
    ApiClient wrong(gw.httpPort());
    QSignalSpy wrongClosed(&wrong.socket, &QWebSocket::disconnected);
    QTRY_COMPARE_WITH_TIMEOUT(wrong.count(wsapi::type::Hello), 1, 10000);
    wrong.socket.sendTextMessage(QString::fromUtf8(wsapi::encodeAuth(u"s3cret-wrong-0000"_s)));
    QVERIFY(wrongClosed.wait(10000));
    QCOMPARE(wrong.socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    QCOMPARE(wrong.types(), (QStringList{u"hello"_s, u"error"_s}));
    QCOMPARE(wsapi::errorFromFrame(wrong.frames.at(1))->code, u"unauthorized"_s);

    // A wrong Authorization header only means the auth frame is needed.
    ApiClient badHeader(gw.httpPort(), "Bearer s3cret-wrong-0000");
    QTRY_COMPARE_WITH_TIMEOUT(badHeader.count(wsapi::type::Hello), 1, 10000);
    QCOMPARE(wsapi::helloFromFrame(*badHeader.last(wsapi::type::Hello))->authRequired, true);

    // Silence: closed after the auth deadline (10 s).
    ApiClient silent(gw.httpPort());
    QSignalSpy silentClosed(&silent.socket, &QWebSocket::disconnected);
    QTRY_COMPARE_WITH_TIMEOUT(silent.count(wsapi::type::Hello), 1, 10000);
    QVERIFY(silentClosed.wait(20000));
    QCOMPARE(silent.socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    QCOMPARE(silent.types(), (QStringList{u"hello"_s, u"error"_s}));

    const QByteArray metrics
        = curl(gw.httpPort(), u"/metrics"_s, {u"-H"_s, u"Authorization: Bearer s3cret-admin-0001"_s}).body;
    QVERIFY(metricValue(metrics, u"edgegate_ws_unauthorized_total"_s) >= 3);
}

void TestWsApi::authorizationHeaderSkipsTheAuthFrame()
{
    Gateway gw;
    QVERIFY(gw.start(gw.config(m_broker->port(), {}, {}, Tokens)));
    ApiClient admin(gw.httpPort(), "Bearer s3cret-admin-0001");
    QTRY_COMPARE_WITH_TIMEOUT(admin.count(wsapi::type::Status), 1, 10000);
    QCOMPARE(admin.types(),
             (QStringList{u"hello"_s, u"session"_s, u"devices"_s, u"alerts"_s, u"ota_campaigns"_s, u"status"_s}));
    QCOMPARE(wsapi::helloFromFrame(admin.frames.at(0))->authRequired, false);
    const auto session = wsapi::sessionFromFrame(admin.frames.at(1));
    QCOMPARE(session->role, u"admin"_s);
    QCOMPARE(session->user, u"ops"_s);
    QCOMPARE(admin.failure(wsapi::action::DeviceApprove.toString(), {{u"device"_s, u"ghost"_s}}), u"not_found"_s);

    ApiClient viewer(gw.httpPort(), "bearer s3cret-viewer-001");
    QTRY_COMPARE_WITH_TIMEOUT(viewer.count(wsapi::type::Session), 1, 10000);
    QCOMPARE(wsapi::sessionFromFrame(*viewer.last(wsapi::type::Session))->role, u"viewer"_s);
}

void TestWsApi::subscriptionCap()
{
    Gateway gw;
    QVERIFY(gw.start(gw.config(m_broker->port())));
    ApiClient client(gw.httpPort());
    QTRY_COMPARE_WITH_TIMEOUT(client.count(wsapi::type::Status), 1, 10000);
    QStringList ids;
    for (int i = 0; i < 1024; ++i)
        ids.append(u"d%1"_s.arg(i));
    client.socket.sendTextMessage(
        QString::fromUtf8(wsapi::encodeSubscription(wsapi::type::Subscribe, {false, ids.mid(0, 1000)})));
    client.socket.sendTextMessage(
        QString::fromUtf8(wsapi::encodeSubscription(wsapi::type::Subscribe, {false, ids.mid(990)})));
    QTRY_COMPARE_WITH_TIMEOUT(client.count(wsapi::type::Subscribed), 2, 10000);
    QCOMPARE(wsapi::subscriptionFromFrame(*client.last(wsapi::type::Subscribed))->devices, ids);

    // One more is over the cap: refused, nothing changes.
    client.socket.sendTextMessage(
        QString::fromUtf8(wsapi::encodeSubscription(wsapi::type::Subscribe, {false, {u"d5"_s, u"one-too-many"_s}})));
    QTRY_COMPARE_WITH_TIMEOUT(client.count(wsapi::type::Error), 1, 10000);
    const auto error = wsapi::errorFromFrame(*client.last(wsapi::type::Error));
    QCOMPARE(error->code, u"bad_frame"_s);
    QVERIFY2(error->message.contains(u"1024"_s), qPrintable(error->message));
    // Ids already in the list, and room made by unsubscribing, are fine.
    client.socket.sendTextMessage(
        QString::fromUtf8(wsapi::encodeSubscription(wsapi::type::Unsubscribe, {false, {u"d0"_s}})));
    client.socket.sendTextMessage(
        QString::fromUtf8(wsapi::encodeSubscription(wsapi::type::Subscribe, {false, {u"d5"_s, u"one-too-many"_s}})));
    QTRY_COMPARE_WITH_TIMEOUT(client.count(wsapi::type::Subscribed), 4, 10000);
    const QStringList devices = wsapi::subscriptionFromFrame(*client.last(wsapi::type::Subscribed))->devices;
    QCOMPARE(devices.size(), 1024);
    QCOMPARE(devices.last(), u"one-too-many"_s);
    QVERIFY(!devices.contains(u"d0"_s));
    QCOMPARE(client.count(wsapi::type::Error), 1);
}

void TestWsApi::foreignOriginRefused()
{
    Gateway gw;
    QVERIFY(gw.start(gw.config(m_broker->port())));
    // A page served by the gateway's own host and port may connect.
    ApiClient sameSite(gw.httpPort(), {}, "http://127.0.0.1:" + QByteArray::number(gw.httpPort()));
    QTRY_COMPARE_WITH_TIMEOUT(sameSite.count(wsapi::type::Status), 1, 10000);

    // Any other page is refused before hello.
    ApiClient foreign(gw.httpPort(), {}, "http://evil.example");
    QSignalSpy closed(&foreign.socket, &QWebSocket::disconnected);
    QVERIFY(closed.wait(10000));
    QCOMPARE(foreign.socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    QCOMPARE(foreign.socket.closeReason(), u"cross-origin WebSocket refused"_s);
    QCOMPARE(foreign.count(wsapi::type::Hello), 0);
    ApiClient otherPort(gw.httpPort(), {}, "http://127.0.0.1:" + QByteArray::number(gw.httpPort() + 1));
    QSignalSpy otherClosed(&otherPort.socket, &QWebSocket::disconnected);
    QVERIFY(otherClosed.wait(10000));
    QCOMPARE(otherPort.socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);

    QCOMPARE(metricValue(curl(gw.httpPort(), u"/metrics"_s).body, u"edgegate_ws_unauthorized_total"_s), 2.0);
    QCOMPARE(sameSite.socket.state(), QAbstractSocket::ConnectedState);
}

namespace {

/// A WebSocket upgrade on /ws from `source` (a loopback address of its own), read as raw bytes:
/// the server's frames are not masked, so their text shows in what the socket received.
struct RawWebSocket
{
    QTcpSocket socket;
    QByteArray received;

    RawWebSocket(quint16 port, const QString &source)
    {
        QObject::connect(&socket, &QIODevice::readyRead, &socket, [this] { received += socket.readAll(); });
        socket.bind(QHostAddress(source));
        socket.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
        socket.write("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port)
                     + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    }
};

} // namespace

void TestWsApi::unauthenticatedCap()
{
    Gateway gw;
    QVERIFY(gw.start(gw.config(m_broker->port(), {}, {}, Tokens)));
    // One address may have 4 connections waiting to authenticate, not more.
    std::vector<std::unique_ptr<ApiClient>> waiting;
    for (int i = 0; i < 4; ++i) {
        waiting.push_back(std::make_unique<ApiClient>(gw.httpPort()));
        QTRY_COMPARE_WITH_TIMEOUT(waiting.back()->count(wsapi::type::Hello), 1, 10000);
    }
    ApiClient extra(gw.httpPort());
    QSignalSpy closed(&extra.socket, &QWebSocket::disconnected);
    QVERIFY(closed.wait(10000));
    QCOMPARE(extra.socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    QCOMPARE(extra.socket.closeReason(), u"too many connections from this address waiting to authenticate"_s);
    QCOMPARE(extra.count(wsapi::type::Hello), 0);

    // That address does not lock out others: 7 more fill the 32 places of the whole gateway.
    std::vector<std::unique_ptr<RawWebSocket>> others;
    for (int a = 2; a <= 8; ++a) {
        for (int i = 0; i < 4; ++i) {
            others.push_back(std::make_unique<RawWebSocket>(gw.httpPort(), u"127.0.0.%1"_s.arg(a)));
            QTRY_VERIFY_WITH_TIMEOUT(others.back()->received.contains("\"hello\""), 10000);
        }
    }
    RawWebSocket full(gw.httpPort(), u"127.0.0.9"_s);
    QTRY_VERIFY_WITH_TIMEOUT(full.received.contains("too many connections waiting to authenticate"), 10000);
    QVERIFY(!full.received.contains("\"hello\""));

    // A client with a token in its Authorization header does not wait, so it is not refused;
    // once one of the waiting authenticates, another may wait.
    ApiClient admin(gw.httpPort(), "Bearer s3cret-admin-0001");
    QTRY_COMPARE_WITH_TIMEOUT(admin.count(wsapi::type::Session), 1, 10000);
    waiting.front()->socket.sendTextMessage(QString::fromUtf8(wsapi::encodeAuth(QString::fromLatin1(ViewerToken))));
    QTRY_COMPARE_WITH_TIMEOUT(waiting.front()->count(wsapi::type::Session), 1, 10000);
    RawWebSocket next(gw.httpPort(), u"127.0.0.9"_s);
    QTRY_VERIFY_WITH_TIMEOUT(next.received.contains("\"hello\""), 10000);
}

QTEST_GUILESS_MAIN(TestWsApi)
#include "tst_wsapi.moc"
