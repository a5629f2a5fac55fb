// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ui/apiclient.h"

#include <QNetworkAccessManager>
#include <QPointer>
#include <QQmlEngine>
#include <QUrl>

class QFile;
class QNetworkReply;

/// Uploads a firmware image to the gateway's store over REST (PUT /api/v1/firmware/{name}/{version}),
/// streaming the file, with the client's token; refreshes the client's firmware list when it worked.
class FirmwareUploader : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(ApiClient *client READ client WRITE setClient NOTIFY clientChanged)
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    /// 0..1
    Q_PROPERTY(double progress READ progress NOTIFY progressChanged)
    Q_PROPERTY(qint64 bytesSent READ bytesSent NOTIFY progressChanged)
    Q_PROPERTY(qint64 bytesTotal READ bytesTotal NOTIFY progressChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)

public:
    explicit FirmwareUploader(QObject *parent = nullptr);
    ~FirmwareUploader() override;

    [[nodiscard]] ApiClient *client() const { return m_client; }
    void setClient(ApiClient *client);
    [[nodiscard]] bool busy() const { return m_reply != nullptr; }
    [[nodiscard]] double progress() const;
    [[nodiscard]] qint64 bytesSent() const { return m_bytesSent; }
    [[nodiscard]] qint64 bytesTotal() const { return m_bytesTotal; }
    [[nodiscard]] QString error() const { return m_error; }

    /// Starts an upload of a local file (file:// URL); false (with error set) when it could not start.
    Q_INVOKABLE bool upload(const QUrl &fileUrl, const QString &name, const QString &version,
                            const QString &deviceType = {});
    Q_INVOKABLE void cancel();

signals:
    void clientChanged();
    void busyChanged();
    void progressChanged();
    void errorChanged();
    void finished(bool ok, const QString &message);

private:
    void setError(const QString &error);
    void onFinished();
    void cleanUp();

    QPointer<ApiClient> m_client;
    QNetworkAccessManager m_network;
    QNetworkReply *m_reply = nullptr;
    QFile *m_file = nullptr;
    qint64 m_bytesSent = 0;
    qint64 m_bytesTotal = 0;
    bool m_cancelled = false;
    QString m_error;
};
