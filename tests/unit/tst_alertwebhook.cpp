// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/common/metrics.h"
#include "gateway/notify/alertwebhook.h"

#include <QTcpServer>
#include <QTest>

using namespace edgegate;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

/// The webhook's bounded queue and its retries against a port nobody listens on.
class TestAlertWebhook : public QObject
{
    Q_OBJECT
private slots:
    void boundedQueueCountsDrops();
};

void TestAlertWebhook::boundedQueueCountsDrops()
{
    // A port that was free a moment ago: connections are refused, so every post is retried.
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    Metrics metrics;
    AlertWebhook::Settings settings;
    settings.url = QUrl(u"http://127.0.0.1:%1/hook"_s.arg(port));
    settings.retryMin = 10ms;
    settings.retryMax = 20ms;
    settings.maxQueued = 2;
    AlertWebhook hook(settings, metrics);
    Alert a;
    for (quint64 id = 1; id <= 5; ++id) {
        a.id = id;
        hook.post(a);
    }
    QCOMPARE(hook.queued(), 2);
    QCOMPARE(metrics.counter(u"edgegate_webhook_dropped_total"_s, {}).value(), 3u);
    QTRY_VERIFY_WITH_TIMEOUT(metrics.counter(u"edgegate_webhook_retries_total"_s, {}).value() >= 2, 10000);
    QCOMPARE(metrics.counter(u"edgegate_webhook_sent_total"_s, {}).value(), 0u);
    QCOMPARE(hook.queued(), 2); // nothing is given up on while the far end is away
}

QTEST_GUILESS_MAIN(TestAlertWebhook)
#include "tst_alertwebhook.moc"
