// SPDX-License-Identifier: Apache-2.0
#include "gateway/notify/alertwebhook.h"

#include "gateway/core/common/metrics.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>

#include <algorithm>

namespace edgegate {

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcWebhook, "edgegate.webhook")

AlertWebhook::AlertWebhook(const Settings &settings, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_sent(metrics.counter(u"edgegate_webhook_sent_total"_s, u"Alert changes the webhook accepted (2xx)."_s))
    , m_retries(metrics.counter(u"edgegate_webhook_retries_total"_s,
                                u"Webhook posts retried after an error, a 5xx answer or a timeout."_s))
    , m_failed(metrics.counter(u"edgegate_webhook_failed_total"_s,
                               u"Alert changes the webhook refused for good (4xx, not retried)."_s))
    , m_dropped(metrics.counter(u"edgegate_webhook_dropped_total"_s,
                                u"Alert changes dropped because alerts.webhook.max_queued were waiting."_s))
{
    metrics.addGauge(u"edgegate_webhook_queued"_s, u"Alert changes waiting to be posted to the webhook."_s,
                     [this] { return static_cast<double>(m_queue.size()); });
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &AlertWebhook::sendNext);
    connect(&m_network, &QNetworkAccessManager::finished, this, &AlertWebhook::finished);
}

AlertWebhook::~AlertWebhook()
{
    // Aborting finishes the reply at once: nothing may react to that any more.
    m_network.disconnect(this);
    if (m_inFlight)
        m_inFlight->abort();
}

void AlertWebhook::post(const Alert &alert)
{
    if (static_cast<int>(m_queue.size()) >= m_settings.maxQueued) {
        m_dropped.inc();
        // The oldest waiting goes; the one in flight (the head) cannot be taken back.
        if (m_inFlight && m_queue.size() == 1)
            return;
        m_queue.erase(m_inFlight ? m_queue.begin() + 1 : m_queue.begin());
    }
    m_queue.push_back(QJsonDocument(alertToJson(alert)).toJson(QJsonDocument::Compact));
    if (!m_inFlight && !m_retryTimer.isActive())
        sendNext();
}

void AlertWebhook::sendNext()
{
    if (m_queue.empty() || m_inFlight)
        return;
    QNetworkRequest request(m_settings.url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setTransferTimeout(static_cast<int>(m_settings.timeout.count()));
    m_inFlight = m_network.post(request, m_queue.front());
}

void AlertWebhook::retryLater()
{
    m_retries.inc();
    // Full jitter between half and all of the exponential step keeps many gateways from retrying in step.
    const qint64 step
        = std::min<qint64>(m_settings.retryMax.count(), m_settings.retryMin.count() << std::min(m_attempt, 20));
    const qint64 wait = step / 2 + static_cast<qint64>(QRandomGenerator::global()->bounded(step / 2 + 1));
    ++m_attempt;
    m_retryTimer.start(std::chrono::milliseconds(wait));
}

void AlertWebhook::finished(QNetworkReply *reply)
{
    reply->deleteLater();
    if (reply != m_inFlight)
        return;
    m_inFlight = nullptr;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 200 && status < 300) {
        m_sent.inc();
        m_attempt = 0;
        m_queue.pop_front();
        sendNext();
        return;
    }
    if (status >= 400 && status < 500) {
        m_failed.inc();
        qCWarning(lcWebhook).noquote() << "webhook refused an alert with HTTP" << status << "- not retried";
        m_attempt = 0;
        m_queue.pop_front();
        sendNext();
        return;
    }
    const QString why = status != 0 ? u"HTTP %1"_s.arg(status) : reply->errorString();
    if (m_attempt == 0)
        qCWarning(lcWebhook).noquote() << "webhook post failed:" << why << "- retrying";
    retryLater();
}

} // namespace edgegate
