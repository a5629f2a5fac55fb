// SPDX-License-Identifier: Apache-2.0
// edgegate-screenshots: runs a small site (mosquitto, edgegated, simulated devices, an alert, firmware and
// update campaigns), shows each dashboard page at kiosk and desktop size and saves {page}-{W}x{H}.png.
// `--verify DIR` checks a folder of such screenshots: every file there, of the right size, not one colour.

#include "simrun.h"
#include "testsupport.h"
#include "ui/appsettings.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMetaObject>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QtQml/qqmlextensionplugin.h>

#include <cstdio>
#include <functional>
#include <optional>

Q_IMPORT_QML_PLUGIN(EdgeGate_PagesPlugin)

using namespace testsupport;
using namespace Qt::StringLiterals;

namespace {

Q_LOGGING_CATEGORY(lcShots, "edgegate.screenshots")

const QByteArray AdminToken = "shots-admin-token-0001";
const QByteArray ViewerToken = "shots-viewer-token-001";
constexpr int DataTimeoutMs = 60000;

struct Size
{
    int width;
    int height;
    bool kiosk;
};
const QList<Size> Sizes{{800, 480, true}, {1280, 800, false}};
const QStringList Pages{u"overview"_s, u"devices"_s,   u"device"_s,  u"alerts"_s,
                        u"firmware"_s, u"campaigns"_s, u"settings"_s};
const QString DetailDevice = u"boiler-1"_s;

QString fileName(const QString &page, const Size &size)
{
    return u"%1-%2x%3.png"_s.arg(page).arg(size.width).arg(size.height);
}

/// The gateway, its broker and devices, filled with things worth showing.
class Site
{
public:
    bool start()
    {
        if (!m_broker.start())
            return false;
        const QString alerts
            = u"alerts:\n  rules:\n"
              "    - {id: offline, kind: offline, for: 2m}\n"
              "    - {id: boiler-hot, kind: threshold, metric: temperature, above: 80, severity: critical}\n"
              "    - {id: battery-low, kind: threshold, metric: battery, below: 15, severity: warning}\n"
              "    - {id: pressure-high, kind: threshold, metric: pressure, above: 2.5, severity: info}\n"
              "ota:\n  job_timeout: 10m\n"_s;
        const QString tokens = u"  tokens:\n"
                               "    - {name: ops, token: \"%1\", role: admin}\n"
                               "    - {name: wall, token: \"%2\", role: viewer}\n"_s.arg(
                                   QString::fromLatin1(AdminToken), QString::fromLatin1(ViewerToken));
        if (!m_gateway.start(m_gateway.config(m_broker.port(), alerts, {}, tokens)))
            return false;

        m_sensors
            = std::make_unique<SimRun>(simArgs(u"sensor"_s, 8, u"sensor-"_s)
                                       << u"--install-time"_s << u"20s"_s << u"--fail-install"_s << u"sensor-3"_s);
        m_meters = std::make_unique<SimRun>(simArgs(u"meter"_s, 4, u"meter-"_s));
        if (!QTest::qWaitFor([this] { return approved(u"sensor"_s) == 8 && approved(u"meter"_s) == 4; },
                             DataTimeoutMs)) {
            qCWarning(lcShots) << "simulated devices did not appear" << m_sensors->errors();
            return false;
        }
        return boiler() && uploads() && campaigns();
    }

    [[nodiscard]] QString url() const { return u"ws://127.0.0.1:%1/ws"_s.arg(m_gateway.httpPort()); }
    /// One more reading of the boiler, still hot, for the live values of its page.
    bool boilerReading()
    {
        const QJsonObject hot{{u"temperature"_s, 90.8}, {u"pressure"_s, 2.6}, {u"battery"_s, 11}};
        return post(u"/api/v1/devices/%1/telemetry"_s.arg(DetailDevice), QJsonDocument(hot)).status / 100 == 2;
    }
    /// The campaign over the sensors, still running while the pictures are taken.
    [[nodiscard]] QString runningCampaign() const { return m_lastCampaign; }

private:
    QStringList simArgs(const QString &type, int devices, const QString &prefix) const
    {
        return {u"--devices"_s,     QString::number(devices),
                u"--id-prefix"_s,   prefix,
                u"--type"_s,        type,
                u"--firmware"_s,    u"1.0.0"_s,
                u"--broker"_s,      u"127.0.0.1:%1"_s.arg(m_broker.port()),
                u"--http"_s,        u"http://127.0.0.1:%1"_s.arg(m_gateway.httpPort()),
                u"--interval"_s,    u"2s"_s,
                u"--reboot-time"_s, u"5s"_s};
    }

    QStringList auth() const { return {u"-H"_s, u"Authorization: Bearer "_s + QString::fromLatin1(AdminToken)}; }

    qsizetype approved(const QString &type)
    {
        return curl(m_gateway.httpPort(), u"/api/v1/devices?type="_s + type, auth())
            .json()
            .value(u"devices"_s)
            .toArray()
            .size();
    }

    CurlReply post(const QString &path, const QJsonDocument &body, const QString &contentType = u"application/json"_s)
    {
        return curl(m_gateway.httpPort(), path,
                    auth() << u"-X"_s << u"POST"_s << u"-H"_s << u"Content-Type: "_s + contentType << u"--data-binary"_s
                           << QString::fromUtf8(body.toJson(QJsonDocument::Compact)));
    }

    /// A boiler with 15 minutes of history (SenML with past times), running hot: a critical alert,
    /// plus a low battery (warning, acknowledged with a note) and a high pressure (info).
    bool boiler()
    {
        const QJsonObject meta{{u"type"_s, u"boiler"_s},
                               {u"model"_s, u"BX-200"_s},
                               {u"firmware"_s, u"4.2.1"_s},
                               {u"capabilities"_s, QJsonArray{u"reboot"_s, u"setpoint"_s}}};
        if (post(u"/api/v1/devices/%1/meta"_s.arg(DetailDevice), QJsonDocument(meta)).status / 100 != 2)
            return false;
        const double now = static_cast<double>(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
        QJsonArray senml;
        QRandomGenerator random(7);
        for (int i = 90; i >= 1; --i) {
            const double t = now - i * 10.0;
            const double drift = (90 - i) / 90.0;
            senml.append(QJsonObject{
                {u"bt"_s, t}, {u"n"_s, u"temperature"_s}, {u"v"_s, 62.0 + 14.0 * drift + random.bounded(2.0)}});
            senml.append(QJsonObject{{u"n"_s, u"pressure"_s}, {u"v"_s, 1.8 + 0.3 * drift + random.bounded(0.1)}});
            senml.append(QJsonObject{{u"n"_s, u"battery"_s}, {u"v"_s, 40.0 - 28.0 * drift}});
        }
        if (post(u"/api/v1/devices/%1/telemetry"_s.arg(DetailDevice), QJsonDocument(senml), u"application/senml+json"_s)
                    .status
                / 100
            != 2)
            return false;
        const QJsonObject hot{{u"temperature"_s, 91.5}, {u"pressure"_s, 2.7}, {u"battery"_s, 11}};
        if (post(u"/api/v1/devices/%1/telemetry"_s.arg(DetailDevice), QJsonDocument(hot)).status / 100 != 2)
            return false;
        QJsonArray open;
        if (!QTest::qWaitFor(
                [&] {
                    open = curl(m_gateway.httpPort(), u"/api/v1/alerts?state=active"_s, auth())
                               .json()
                               .value(u"alerts"_s)
                               .toArray();
                    return open.size() >= 3;
                },
                DataTimeoutMs)) {
            qCWarning(lcShots) << "alerts were not raised";
            return false;
        }
        for (const QJsonValue &alert : std::as_const(open)) {
            if (alert.toObject().value(u"rule"_s).toString() == u"battery-low") {
                const int id = alert.toObject().value(u"id"_s).toInt();
                post(u"/api/v1/alerts/%1/acknowledge"_s.arg(id),
                     QJsonDocument(QJsonObject{{u"by"_s, u"ops"_s}, {u"note"_s, u"Battery swap booked for Friday"_s}}));
            }
        }
        return true;
    }

    bool upload(const QString &name, const QString &version, const QString &type, qsizetype size)
    {
        QByteArray image(size, Qt::Uninitialized);
        QRandomGenerator generator(42);
        for (char &c : image)
            c = static_cast<char>(generator.bounded(256));
        const QString path = m_files.filePath(name + u"-"_s + version + u".bin"_s);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(image) != image.size())
            return false;
        file.close();
        const CurlReply reply
            = curl(m_gateway.httpPort(), u"/api/v1/firmware/%1/%2?device_type=%3"_s.arg(name, version, type),
                   auth() << u"-T"_s << path);
        if (reply.status != 201)
            qCWarning(lcShots) << "upload answered" << reply.status << reply.body;
        return reply.status == 201;
    }

    bool uploads()
    {
        return upload(u"sensor-fw"_s, u"2.0.0"_s, u"sensor"_s, 384 * 1024)
            && upload(u"sensor-fw"_s, u"1.9.4"_s, u"sensor"_s, 360 * 1024)
            && upload(u"meter-fw"_s, u"3.1.0"_s, u"meter"_s, 200 * 1024);
    }

    /// A running campaign over the sensors (slow installs, one failing) and a paused one over the meters.
    bool campaigns()
    {
        const QJsonObject meters{{u"name"_s, u"meters 3.1"_s},
                                 {u"firmware"_s, u"meter-fw"_s},
                                 {u"version"_s, u"3.1.0"_s},
                                 {u"target"_s, QJsonObject{{u"type"_s, u"meter"_s}}},
                                 {u"start"_s, false}};
        const QJsonObject sensors{{u"name"_s, u"sensors spring rollout"_s},
                                  {u"firmware"_s, u"sensor-fw"_s},
                                  {u"version"_s, u"2.0.0"_s},
                                  {u"target"_s, QJsonObject{{u"type"_s, u"sensor"_s}}},
                                  {u"batch_size"_s, 4},
                                  {u"max_concurrent"_s, 2},
                                  {u"failure_threshold"_s, 3}};
        for (const QJsonObject &body : {meters, sensors}) {
            const CurlReply reply = post(u"/api/v1/ota/campaigns"_s, QJsonDocument(body));
            if (reply.status != 201) {
                qCWarning(lcShots) << "campaign answered" << reply.status << reply.body;
                return false;
            }
            m_lastCampaign = reply.json().value(u"id"_s).toString();
        }
        return true;
    }

    Broker m_broker;
    Gateway m_gateway;
    QTemporaryDir m_files;
    std::unique_ptr<SimRun> m_sensors;
    std::unique_ptr<SimRun> m_meters;
    QString m_lastCampaign;
};

/// The first object below root of a C++ type of EdgeGate.Client (`className`, also when QML extended it).
QObject *findByClass(QObject *root, const char *className, const std::function<bool(QObject *)> &accept = {})
{
    const auto children = root->findChildren<QObject *>();
    for (QObject *o : children) {
        if (o->inherits(className) && (!accept || accept(o)))
            return o;
    }
    return nullptr;
}

int modelCount(QObject *api, const char *model)
{
    auto *m = api->property(model).value<QObject *>();
    return m ? m->property("count").toInt() : 0;
}

/// Calls one of Main's functions with a string, declared with or without a type.
bool callMain(QObject *root, const char *function, const QString &arg)
{
    if (root->metaObject()->indexOfMethod(QByteArray(QByteArray(function) + "(QString)").constData()) >= 0)
        return QMetaObject::invokeMethod(root, function, Q_ARG(QString, arg));
    return QMetaObject::invokeMethod(root, function, Q_ARG(QVariant, QVariant(arg)));
}

/// Lets the scene settle: some frames rendered and transitions ended (images only, nothing asserted).
void settle(QQuickWindow *window)
{
    int frames = 0;
    const auto connection = QObject::connect(window, &QQuickWindow::frameSwapped, window, [&frames] { ++frames; });
    window->requestUpdate();
    (void)QTest::qWaitFor([&] { return frames >= 2; }, 5000);
    QTest::qWait(500); // page transitions and scroll bars fading
    window->requestUpdate();
    (void)QTest::qWaitFor([&] { return frames >= 3; }, 5000);
    QObject::disconnect(connection);
}

/// What each page waits for before it is taken.
bool waitForPage(QObject *root, QObject *api, const QString &page, Site &site)
{
    auto wait = [](const std::function<bool()> &condition) { return QTest::qWaitFor(condition, DataTimeoutMs); };
    if (page == u"overview")
        return wait([&] { return api->property("status").toMap().contains(u"devices"_s); });
    if (page == u"devices")
        return wait([&] { return modelCount(api, "devices") >= 13; });
    if (page == u"device") {
        // The history, then a live reading for the last values.
        auto telemetry = [&] {
            return findByClass(root, "DeviceTelemetry", [](QObject *o) {
                return o->property("deviceId").toString() == DetailDevice
                    && o->property("metrics").toStringList().size() >= 3;
            });
        };
        if (!wait([&] { return telemetry() != nullptr; }) || !site.boilerReading())
            return false;
        return wait([&] { return telemetry()->property("latest").toMap().size() >= 3; });
    }
    if (page == u"alerts")
        return wait([&] { return modelCount(api, "alerts") >= 3; });
    if (page == u"firmware")
        return wait([&] { return modelCount(api, "firmware") >= 3; });
    if (page == u"campaigns") {
        return wait([&] {
            QObject *list = root->findChild<QObject *>(u"jobList"_s);
            return modelCount(api, "campaigns") >= 2 && list && list->property("count").toInt() >= 8;
        });
    }
    return true;
}

bool shoot(const Size &size, Site &site, const QDir &out)
{
    QQmlApplicationEngine engine;
    engine.addImportPath(u"qrc:/qt/qml"_s); // where the modules' qmldir files are (Qt 6.4 does not look there)
    engine.setInitialProperties({{u"kiosk"_s, size.kiosk},
                                 {u"initialUrl"_s, site.url()},
                                 {u"initialToken"_s, QString::fromLatin1(AdminToken)},
                                 {u"initialCaFile"_s, QString()}});
    engine.load(QUrl(u"qrc:/qt/qml/EdgeGate/Pages/Main.qml"_s));
    if (engine.rootObjects().isEmpty())
        return false;
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    if (!window)
        return false;
    // Kiosk mode asks for full screen; the picture is of a panel of this size.
    window->setVisibility(QWindow::Windowed);
    window->setGeometry(0, 0, size.width, size.height);
    window->show();

    QObject *api = findByClass(window, "ApiClient");
    if (!api) {
        qCWarning(lcShots) << "no ApiClient in Main.qml";
        return false;
    }
    if (!QTest::qWaitFor([&] { return api->property("canWrite").toBool(); }, DataTimeoutMs)) {
        qCWarning(lcShots) << "dashboard did not connect:" << api->property("lastError").toString();
        return false;
    }

    for (const QString &page : Pages) {
        if (page == u"device") {
            callMain(window, "showDevice", DetailDevice);
        } else if (page == u"campaigns") {
            callMain(window, "showPage", u"firmware"_s);
            if (QObject *firmware = window->findChild<QObject *>(u"firmwarePage"_s)) {
                firmware->setProperty("section", 1);
                firmware->setProperty("campaignId", site.runningCampaign());
            }
        } else {
            callMain(window, "showPage", page);
        }
        if (!waitForPage(window, api, page, site)) {
            qCWarning(lcShots) << "no content for" << page << "at" << size.width << "x" << size.height;
            return false;
        }
        settle(window);
        const QImage image = window->grabWindow();
        const QString path = out.filePath(fileName(page, size));
        if (image.isNull() || !image.save(path)) {
            qCWarning(lcShots) << "cannot save" << path;
            return false;
        }
        std::printf("%s\n", qPrintable(path));
    }
    return true;
}

/// Every screenshot is there, of its size, and shows more than one colour.
int verify(const QDir &dir)
{
    int failures = 0;
    for (const Size &size : Sizes) {
        for (const QString &page : Pages) {
            const QString path = dir.filePath(fileName(page, size));
            QImage image(path);
            QString problem;
            if (image.isNull()) {
                problem = u"missing or unreadable"_s;
            } else if (image.width() != size.width || image.height() != size.height) {
                problem = u"is %1x%2"_s.arg(image.width()).arg(image.height());
            } else {
                image = image.convertToFormat(QImage::Format_RGB32);
                QSet<QRgb> colours;
                for (int y = 0; y < image.height() && colours.size() < 16; y += 3) {
                    const auto *line = reinterpret_cast<const QRgb *>(image.constScanLine(y));
                    for (int x = 0; x < image.width(); x += 3)
                        colours.insert(line[x]);
                }
                if (colours.size() < 16)
                    problem = u"is nearly blank (%1 colours)"_s.arg(colours.size());
            }
            if (!problem.isEmpty()) {
                std::fprintf(stderr, "%s: %s\n", qPrintable(path), qPrintable(problem));
                ++failures;
            }
        }
    }
    return failures == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char *argv[])
{
    // A settings file and language of the run's own, whatever the user's dashboard has saved.
    QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(config.path()));
    qputenv("LC_ALL", "en_GB.UTF-8");
    qputenv("LANGUAGE", "en");
    QApplication app(argc, argv);
    QApplication::setApplicationName(u"edgegate-screenshots"_s);
    AppSettings::installTranslator({}); // English, with its plural forms

    QCommandLineParser parser;
    parser.setApplicationDescription(u"Takes the dashboard's screenshots, or checks a folder of them."_s);
    parser.addHelpOption();
    QCommandLineOption verifyOption(u"verify"_s, u"Check the screenshots in the folder instead of taking them."_s);
    parser.addOption(verifyOption);
    parser.addPositionalArgument(u"folder"_s, u"Where the PNG files go."_s);
    parser.process(app);
    if (parser.positionalArguments().size() != 1)
        parser.showHelp(2);
    QDir out(parser.positionalArguments().constFirst());

    if (parser.isSet(verifyOption))
        return verify(out);

    if (!out.mkpath(u"."_s)) {
        std::fprintf(stderr, "cannot create %s\n", qPrintable(out.path()));
        return 1;
    }
    Site site;
    if (!site.start()) {
        std::fprintf(stderr, "the gateway with its devices did not start\n");
        return 1;
    }
    for (const Size &size : Sizes) {
        if (!shoot(size, site, out))
            return 1;
    }
    return 0;
}
