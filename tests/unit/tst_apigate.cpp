// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/common/apiaccess.h"
#include "gateway/core/common/apigate.h"

#include <QTest>

using namespace edgegate;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(edgegate::ApiGateVerdict)

namespace {

const QByteArray AdminToken = "s3cret-admin-0001";
const QByteArray ViewerToken = "s3cret-viewer-001";

ApiAccess access()
{
    return ApiAccess({{u"ops"_s, AdminToken, ApiRole::Admin}, {u"wall"_s, ViewerToken, ApiRole::Viewer}});
}

} // namespace

/// The API token rules: which requests need a token, which role may send them.
class TestApiGate : public QObject
{
    Q_OBJECT

private slots:
    void identify_data();
    void identify();
    void noTokens();
    void exempt_data();
    void exempt();
    void gate_data();
    void gate();
    void segments_data();
    void segments();
};

void TestApiGate::identify_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<bool>("known");
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("admin");

    QTest::addRow("admin") << "Bearer " + AdminToken << true << u"ops"_s << true;
    QTest::addRow("viewer") << "Bearer " + ViewerToken << true << u"wall"_s << false;
    QTest::addRow("scheme lower case") << "bearer " + AdminToken << true << u"ops"_s << true;
    QTest::addRow("scheme upper case") << "BEARER " + ViewerToken << true << u"wall"_s << false;
    QTest::addRow("extra blanks") << "  Bearer   " + AdminToken + "  " << true << u"ops"_s << true;
    QTest::addRow("wrong token") << QByteArray("Bearer s3cret-admin-0002") << false << QString() << false;
    QTest::addRow("prefix of a token") << "Bearer " + AdminToken.first(10) << false << QString() << false;
    QTest::addRow("token and more") << "Bearer " + AdminToken + "x" << false << QString() << false;
    QTest::addRow("token case differs") << "Bearer " + AdminToken.toUpper() << false << QString() << false;
    QTest::addRow("no scheme") << AdminToken << false << QString() << false;
    QTest::addRow("basic scheme") << "Basic " + AdminToken << false << QString() << false;
    QTest::addRow("scheme only") << QByteArray("Bearer") << false << QString() << false;
    QTest::addRow("scheme and blank") << QByteArray("Bearer   ") << false << QString() << false;
    QTest::addRow("empty") << QByteArray() << false << QString() << false;
}

void TestApiGate::identify()
{
    QFETCH(QByteArray, header);
    QFETCH(bool, known);
    QFETCH(QString, name);
    QFETCH(bool, admin);
    const ApiAccess a = access();
    QVERIFY(a.required());
    const auto identity = a.identifyHeader(header);
    QCOMPARE(identity.has_value(), known);
    if (known) {
        QCOMPARE(identity->name, name);
        QCOMPARE(identity->role == ApiRole::Admin, admin);
        QCOMPARE(apiRoleName(identity->role), admin ? u"admin"_s : u"viewer"_s);
    }
    // The bare token (as the WebSocket auth frame carries it) gives the same answer.
    if (known) {
        const QByteArray bare = header.trimmed().sliced(7).trimmed();
        QCOMPARE(a.identify(bare)->name, name);
    }
}

void TestApiGate::noTokens()
{
    const ApiAccess open;
    QVERIFY(!open.required());
    for (const QByteArray &header : {QByteArray(), QByteArray("Bearer whatever"), QByteArray("junk")}) {
        const auto identity = open.identifyHeader(header);
        QVERIFY(identity);
        QCOMPARE(identity->name, QString());
        QCOMPARE(identity->role, ApiRole::Admin);
    }
    QVERIFY(open.identify("anything"));
    QCOMPARE(apiGate(open, "DELETE", "/api/v1/devices/a", {}), ApiGateVerdict::Allow);
    QCOMPARE(apiGate(open, "GET", "/metrics", {}), ApiGateVerdict::Allow);
}

void TestApiGate::exempt_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<bool>("exempt");

    const auto row = [](const char *method, const char *target, bool exempt) {
        QTest::addRow("%s %s", method, target) << QByteArray(method) << QByteArray(target) << exempt;
    };
    // device-facing
    row("POST", "/api/v1/devices/t-1/telemetry", true);
    row("POST", "/api/v1/devices/t-1/meta", true);
    row("POST", "/api/v1/devices/t-1/ota/progress", true);
    row("GET", "/api/v1/devices/t-1/ota/pending", true);
    row("GET", "/api/v1/devices/t-1/commands/pending", true);
    row("POST", "/api/v1/devices/t-1/commands/ack", true);
    row("GET", "/api/v1/firmware/fw/1.2.0/image", true);
    row("HEAD", "/api/v1/firmware/fw/1.2.0/image", true);
    row("GET", "/api/v1/firmware/fw/1.2.0/image?x=1", true);
    row("GET", "/healthz", true);
    row("GET", "/healthz?verbose", true);
    row("GET", "/ws", true);
    row("GET", "/ws?x", true);
    row("GET", "/ws/device/t-1", true);
    // everything else
    row("GET", "/metrics", false);
    row("GET", "/api/v1/devices", false);
    row("GET", "/api/v1/devices/t-1", false);
    row("GET", "/api/v1/devices/t-1/telemetry/latest", false);
    row("GET", "/api/v1/devices/t-1/telemetry", false);
    row("PUT", "/api/v1/devices/t-1/telemetry", false);
    row("DELETE", "/api/v1/devices/t-1/meta", false);
    row("POST", "/api/v1/devices/t-1/commands", false);
    row("GET", "/api/v1/devices/t-1/commands", false);
    row("POST", "/api/v1/devices/t-1/ota/pending", false);
    row("GET", "/api/v1/devices/t-1/ota", false);
    row("PUT", "/api/v1/devices/t-1/credentials", false);
    row("PUT", "/api/v1/firmware/fw/1.2.0", false);
    row("PUT", "/api/v1/firmware/fw/1.2.0/image", false);
    row("DELETE", "/api/v1/firmware/fw/1.2.0/image", false);
    row("GET", "/api/v1/firmware", false);
    row("GET", "/api/v1/firmware/fw/1.2.0", false);
    row("POST", "/ws", false);
    row("GET", "/ws/device", false);
    row("GET", "/ws/device/a/b", false);
    row("GET", "/wsx", false);
    row("POST", "/healthz/x", false);
    row("GET", "/api/v1/ota/campaigns", false);
    row("POST", "/api/v1/alerts/1/acknowledge", false);
    // what a router could read differently once decoded
    row("POST", "/api/v1/devices/a%2Fb/telemetry", false);
    row("POST", "/api/v1/devices/%74-1/telemetry", false);
    row("POST", "/api/v1/devices/../telemetry", false);
    row("POST", "/api/v1/devices/./telemetry", false);
    row("POST", "/api/v1/devices//telemetry", false);
    row("GET", "/api/v1/firmware/fw/../image", false);
    row("GET", "/api/v1/firmware/fw/1.0/image/", false);
    row("POST", "//api/v1/devices/t-1/telemetry", false);
    row("GET", "http://host/healthz", false);
    row("GET", "*", false);
    row("GET", "", false);
    // methods are case-sensitive
    row("post", "/api/v1/devices/t-1/telemetry", false);
    row("get", "/ws", false);
}

void TestApiGate::exempt()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(bool, exempt);
    QCOMPARE(isTokenExempt(method, target), exempt);
    // Exempt requests go through whatever Authorization they carry (a device's own token).
    if (exempt)
        QCOMPARE(apiGate(access(), method, target, "Bearer device-token"), ApiGateVerdict::Allow);
}

void TestApiGate::gate_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<ApiGateVerdict>("verdict");

    const QByteArray admin = "Bearer " + AdminToken;
    const QByteArray viewer = "Bearer " + ViewerToken;
    const auto row = [](const char *name, const char *method, const char *target, const QByteArray &authorization,
                        ApiGateVerdict verdict) {
        QTest::addRow("%s", name) << QByteArray(method) << QByteArray(target) << authorization << verdict;
    };
    row("no token", "GET", "/api/v1/devices", {}, ApiGateVerdict::MissingToken);
    row("blank header", "GET", "/api/v1/devices", "  ", ApiGateVerdict::MissingToken);
    row("no token, metrics", "GET", "/metrics", {}, ApiGateVerdict::MissingToken);
    row("wrong token", "GET", "/api/v1/devices", "Bearer not-a-known-token", ApiGateVerdict::WrongToken);
    row("other scheme", "GET", "/api/v1/devices", "Basic b3BzOnB3", ApiGateVerdict::WrongToken);
    row("admin GET", "GET", "/api/v1/devices", admin, ApiGateVerdict::Allow);
    row("admin DELETE", "DELETE", "/api/v1/devices/a", admin, ApiGateVerdict::Allow);
    row("admin PUT firmware", "PUT", "/api/v1/firmware/fw/1.0.0", admin, ApiGateVerdict::Allow);
    row("viewer GET", "GET", "/api/v1/devices", viewer, ApiGateVerdict::Allow);
    row("viewer HEAD", "HEAD", "/api/v1/devices", viewer, ApiGateVerdict::Allow);
    row("viewer metrics", "GET", "/metrics", viewer, ApiGateVerdict::Allow);
    row("viewer POST", "POST", "/api/v1/devices/a/commands", viewer, ApiGateVerdict::Forbidden);
    row("viewer PATCH", "PATCH", "/api/v1/devices/a", viewer, ApiGateVerdict::Forbidden);
    row("viewer PUT", "PUT", "/api/v1/firmware/fw/1.0.0", viewer, ApiGateVerdict::Forbidden);
    row("viewer DELETE", "DELETE", "/api/v1/devices/a", viewer, ApiGateVerdict::Forbidden);
    row("viewer OPTIONS", "OPTIONS", "/api/v1/devices", viewer, ApiGateVerdict::Forbidden);
    row("viewer lower-case get", "get", "/api/v1/devices", viewer, ApiGateVerdict::Forbidden);
    row("wrong token on a change", "DELETE", "/api/v1/devices/a", "Bearer nope", ApiGateVerdict::WrongToken);
    row("device telemetry without token", "POST", "/api/v1/devices/a/telemetry", {}, ApiGateVerdict::Allow);
    row("viewer on device telemetry", "POST", "/api/v1/devices/a/telemetry", viewer, ApiGateVerdict::Allow);
    row("image without token", "GET", "/api/v1/firmware/fw/1.0.0/image", {}, ApiGateVerdict::Allow);
    row("healthz without token", "GET", "/healthz", {}, ApiGateVerdict::Allow);
    row("ws without token", "GET", "/ws", {}, ApiGateVerdict::Allow);
}

void TestApiGate::gate()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, authorization);
    QFETCH(ApiGateVerdict, verdict);
    QCOMPARE(apiGate(access(), method, target, authorization), verdict);
}

void TestApiGate::segments_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QList<QByteArray>>("segments");
    QTest::addRow("empty") << QByteArray() << QList<QByteArray>{""};
    QTest::addRow("one") << QByteArray("healthz") << QList<QByteArray>{"healthz"};
    QTest::addRow("several") << QByteArray("api/v1/devices") << QList<QByteArray>{"api", "v1", "devices"};
    QTest::addRow("empty ones kept") << QByteArray("a//b/") << QList<QByteArray>{"a", "", "b", ""};
    QTest::addRow("not decoded") << QByteArray("a%2Fb/..") << QList<QByteArray>{"a%2Fb", ".."};
}

void TestApiGate::segments()
{
    QFETCH(QByteArray, path);
    QFETCH(QList<QByteArray>, segments);
    QList<QByteArray> got;
    for (const QByteArrayView segment : pathSegments(path))
        got.append(segment.toByteArray());
    QCOMPARE(got, segments);
}

QTEST_GUILESS_MAIN(TestApiGate)
#include "tst_apigate.moc"
