// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/alert.h"

#include <QNetworkAccessManager>
#include <QObject>
#include <QTimer>
#include <QUrl>

#include <chrono>
#include <deque>

class QNetworkReply;

namespace edgegate {

class Counter;
class Metrics;

/// POSTs each alert change as JSON to a webhook, one at a time in order. Errors, 5xx answers and
/// timeouts are retried with jittered exponential backoff; 4xx answers are final (counted as
/// failed). The queue is bounded: when it is full the oldest waiting alert is dropped (counted).
class AlertWebhook : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        QUrl url;
        std::chrono::milliseconds timeout{5000};
        std::chrono::milliseconds retryMin{1000};
        std::chrono::milliseconds retryMax{60000};
        int maxQueued = 1000;
    };

    AlertWebhook(const Settings &settings, Metrics &metrics, QObject *parent = nullptr);
    ~AlertWebhook() override;

    void post(const Alert &alert);
    [[nodiscard]] qsizetype queued() const { return static_cast<qsizetype>(m_queue.size()); }

private:
    void sendNext();
    void finished(QNetworkReply *reply);
    void retryLater();

    Settings m_settings;
    QNetworkAccessManager m_network;
    std::deque<QByteArray> m_queue;
    QNetworkReply *m_inFlight = nullptr;
    QTimer m_retryTimer;
    int m_attempt = 0;
    Counter &m_sent;
    Counter &m_retries;
    Counter &m_failed;
    Counter &m_dropped;
};

} // namespace edgegate
