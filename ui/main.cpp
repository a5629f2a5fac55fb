// SPDX-License-Identifier: Apache-2.0
// edgegate-dashboard: the QML dashboard for edgegated. Parses arguments, installs the translator and loads
// Main.qml from the EdgeGate.Pages module; everything else lives in the modules.
#include "shared/commandline.h"
#include "ui/appsettings.h"
#include "ui/logging.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QQmlApplicationEngine>
#include <QQmlExtensionPlugin>
#include <QUrl>

#include <cstdio>

Q_IMPORT_QML_PLUGIN(EdgeGate_ClientPlugin)
Q_IMPORT_QML_PLUGIN(EdgeGate_PagesPlugin)

using namespace Qt::StringLiterals;

namespace {

struct Options
{
    bool kiosk = false;
    bool tokenSet = false;
    QString url;
    QString token;
    QString caFile;
};

/// --help and --version answer without a display: the arguments are read before the GUI starts.
Options parseArguments(int &argc, char **argv)
{
    QCoreApplication app(argc, argv);
    edgegate::nameApplication(u"edgegate-dashboard"_s, QStringLiteral(EDGEGATE_VERSION));
    QCommandLineParser parser;
    edgegate::addStandardOptions(parser, u"Dashboard for the EdgeGate IoT gateway (WebSocket API)."_s);
    const QCommandLineOption urlOption(
        u"url"_s, u"Gateway WebSocket URL (default: the saved one, else ws://127.0.0.1:8080/ws)."_s, u"url"_s);
    const QCommandLineOption tokenOption(u"token"_s, u"API token (default: the saved one)."_s, u"token"_s);
    const QCommandLineOption kioskOption(u"kiosk"_s, u"Full screen, frameless, touch layout."_s);
    const QCommandLineOption caOption(
        u"ca-file"_s,
        u"PEM file of the CA that signed the gateway's certificate, for wss:// (default: the saved one)."_s, u"file"_s);
    parser.addOptions({urlOption, tokenOption, kioskOption, caOption});
    parser.process(app);
    return {parser.isSet(kioskOption), parser.isSet(tokenOption), parser.value(urlOption), parser.value(tokenOption),
            parser.value(caOption)};
}

} // namespace

int main(int argc, char *argv[])
{
    const Options options = parseArguments(argc, argv);

    QApplication app(argc, argv); // QtCharts draws with QGraphicsView: a widgets application
    QApplication::setOrganizationName(u"EdgeGate"_s);
    edgegate::nameApplication(u"edgegate-dashboard"_s, QStringLiteral(EDGEGATE_VERSION));

    AppSettings settings;
    QString url = options.url;
    if (url.isEmpty())
        url = settings.url();
    if (url.isEmpty())
        url = u"ws://127.0.0.1:8080/ws"_s;
    const QUrl parsed(url);
    if (!parsed.isValid() || (parsed.scheme() != u"ws" && parsed.scheme() != u"wss") || parsed.host().isEmpty()) {
        std::fprintf(stderr, "edgegate-dashboard: '%s' is not a ws:// or wss:// URL\n", qPrintable(url));
        return 2;
    }
    const QString token = options.tokenSet ? options.token : settings.token();
    AppSettings::installTranslator(settings.language());

    QQmlApplicationEngine engine;
    engine.addImportPath(u"qrc:/qt/qml"_s); // where qt_add_qml_module puts the modules' qmldir files
    const QString caFile = options.caFile.isEmpty() ? settings.caFile() : options.caFile;
    engine.setInitialProperties({{u"kiosk"_s, options.kiosk},
                                 {u"initialUrl"_s, url},
                                 {u"initialToken"_s, token},
                                 {u"initialCaFile"_s, caFile}});
    const QUrl mainUrl(u"qrc:/qt/qml/EdgeGate/Pages/Main.qml"_s);
    QObject::connect(
        &engine, &QQmlApplicationEngine::objectCreated, &app,
        [mainUrl](QObject *object, const QUrl &loaded) {
            if (!object && loaded == mainUrl)
                QCoreApplication::exit(1);
        },
        Qt::QueuedConnection);
    engine.load(mainUrl);
    if (engine.rootObjects().isEmpty()) {
        std::fprintf(stderr, "edgegate-dashboard: could not load %s (see the messages above)\n",
                     qPrintable(mainUrl.toString()));
        return 1;
    }
    qCInfo(lcDashboard) << "dashboard for" << url << (options.kiosk ? "(kiosk)" : "");
    return QApplication::exec();
}
