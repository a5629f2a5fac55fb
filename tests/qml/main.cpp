// SPDX-License-Identifier: Apache-2.0
// Qt Quick tests of the dashboard pages against a real edgegated, mosquitto and simulated devices.
// QApplication, not QGuiApplication: QtCharts' ChartView needs it.
#include "simrun.h"
#include "testgateway.h"
#include "testsupport.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QJsonArray>
#include <QQmlEngine>
#include <QTemporaryDir>
#include <QTest>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest/quicktest.h>

#include <memory>

using namespace Qt::StringLiterals;

Q_IMPORT_QML_PLUGIN(EdgeGate_ClientPlugin)
Q_IMPORT_QML_PLUGIN(EdgeGate_PagesPlugin)

namespace {

constexpr auto AdminToken = "qml-test-admin-token"_L1;
constexpr auto ViewerToken = "qml-test-viewer-token"_L1;

/// Starts the broker, the gateway (registry policy approve, an admin and a viewer token) and simulated
/// devices; all but one device get approved.
class Setup : public QObject
{
    Q_OBJECT

public slots:
    void applicationAvailable()
    {
        if (!start())
            qFatal("the test gateway did not come up:\n%s", qPrintable(m_gateway ? m_gateway->output() : QString()));
    }

    void qmlEngineAvailable(QQmlEngine *engine) { engine->addImportPath(u"qrc:/qt/qml"_s); }

    void cleanupTestCase()
    {
        m_sims.clear();
        if (m_gateway)
            m_gateway->terminate();
        m_gateway.reset();
        m_broker.reset();
    }

private:
    [[nodiscard]] QStringList auth() const { return {u"-H"_s, u"Authorization: Bearer "_s + AdminToken}; }

    bool start()
    {
        m_broker = std::make_unique<testsupport::Broker>();
        if (!m_broker->start())
            return false;
        m_gateway = std::make_unique<testsupport::Gateway>();
        const QString tokens
            = u"  tokens:\n"
              "    - name: ops\n      token: \"%1\"\n      role: admin\n"
              "    - name: wall\n      token: \"%2\"\n      role: viewer\n"_s.arg(AdminToken, ViewerToken);
        const QString yaml = m_gateway->config(m_broker->port(), u"registry:\n  policy: approve\n"_s, {}, tokens);
        if (!m_gateway->start(yaml))
            return false;

        const QString broker = u"127.0.0.1:%1"_s.arg(m_broker->port());
        const auto sim = [&](const QString &type, const QString &prefix, int count) {
            m_sims.push_back(std::make_unique<testsupport::SimRun>(
                QStringList{u"--protocol"_s, u"mqtt"_s, u"--broker"_s, broker, u"--devices"_s, QString::number(count),
                            u"--type"_s, type, u"--id-prefix"_s, prefix, u"--interval"_s, u"1s"_s, u"--heartbeat"_s,
                            u"5s"_s, u"--anomaly-rate"_s, u"0"_s}));
        };
        sim(u"sensor"_s, u"sensor-"_s, 3);
        sim(u"meter"_s, u"meter-"_s, 2);
        const QStringList devices{u"meter-1"_s, u"meter-2"_s, u"sensor-1"_s, u"sensor-2"_s, u"sensor-3"_s};
        const QString pending = u"meter-2"_s;

        // Every device registers as pending; then all but one are approved.
        const quint16 port = m_gateway->httpPort();
        QDeadlineTimer deadline(30000);
        while (testsupport::curl(port, u"/api/v1/devices?approval=pending"_s, auth()).json().value(u"total"_s).toInt()
               < devices.size()) {
            if (deadline.hasExpired())
                return false;
            QTest::qWait(100);
        }
        for (const QString &id : devices) {
            if (id == pending)
                continue;
            if (testsupport::curl(port, u"/api/v1/devices/%1/approve"_s.arg(id),
                                  auth() + QStringList{u"-X"_s, u"POST"_s})
                    .status
                != 200)
                return false;
        }
        TestGateway::configure({u"ws://127.0.0.1:%1/ws"_s.arg(port), AdminToken, ViewerToken, devices, pending});
        return true;
    }

    std::unique_ptr<testsupport::Broker> m_broker;
    std::unique_ptr<testsupport::Gateway> m_gateway;
    std::vector<std::unique_ptr<testsupport::SimRun>> m_sims;
};

} // namespace

int main(int argc, char **argv)
{
    // The settings page saves what it is given: into a folder of the test's own, not the user's.
    QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(config.path()));
    QApplication app(argc, argv);
    Setup setup;
    return quick_test_main_with_setup(argc, argv, "edgegate_qml", QUICK_TEST_SOURCE_DIR, &setup);
}

#include "main.moc"
