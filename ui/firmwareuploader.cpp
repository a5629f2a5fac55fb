// SPDX-License-Identifier: Apache-2.0
#include "ui/firmwareuploader.h"

#include "ui/apiclient.h"
#include "ui/logging.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

FirmwareUploader::FirmwareUploader(QObject *parent)
    : QObject(parent)
{
}

FirmwareUploader::~FirmwareUploader()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
    cleanUp();
}

void FirmwareUploader::setClient(ApiClient *client)
{
    if (client == m_client)
        return;
    m_client = client;
    emit clientChanged();
}

double FirmwareUploader::progress() const
{
    return m_bytesTotal > 0 ? double(m_bytesSent) / double(m_bytesTotal) : 0.0;
}

void FirmwareUploader::setError(const QString &error)
{
    if (error == m_error)
        return;
    m_error = error;
    emit errorChanged();
}

bool FirmwareUploader::upload(const QUrl &fileUrl, const QString &name, const QString &version,
                              const QString &deviceType)
{
    if (m_reply) {
        setError(tr("an upload is already running"));
        return false;
    }
    if (!m_client || m_client->httpBaseUrl().isEmpty()) {
        setError(tr("no gateway"));
        return false;
    }
    if (name.isEmpty() || version.isEmpty()) {
        setError(tr("name and version are required"));
        return false;
    }
    const QString path = fileUrl.isLocalFile() ? fileUrl.toLocalFile() : fileUrl.path();
    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::ReadOnly)) {
        setError(tr("cannot read %1: %2").arg(path, file->errorString()));
        return false;
    }

    QUrl url(m_client->httpBaseUrl());
    url.setPath(u"/api/v1/firmware/"_s + name + u'/' + version);
    if (!deviceType.isEmpty()) {
        QUrlQuery query;
        query.addQueryItem(u"device_type"_s, deviceType);
        url.setQuery(query);
    }
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/octet-stream"));
    request.setHeader(QNetworkRequest::ContentLengthHeader, file->size());
    if (!m_client->token().isEmpty())
        request.setRawHeader(QByteArrayLiteral("Authorization"), "Bearer " + m_client->token().toUtf8());

    setError({});
    m_cancelled = false;
    m_bytesSent = 0;
    m_bytesTotal = file->size();
    m_file = file.release();
    m_file->setParent(this);
    m_reply = m_network.put(request, m_file);
    connect(m_reply, &QNetworkReply::uploadProgress, this, [this](qint64 sent, qint64 total) {
        m_bytesSent = sent;
        if (total > 0)
            m_bytesTotal = total;
        emit progressChanged();
    });
    connect(m_reply, &QNetworkReply::finished, this, &FirmwareUploader::onFinished);
    qCInfo(lcDashboard) << "uploading" << path << "to" << url;
    emit busyChanged();
    emit progressChanged();
    return true;
}

void FirmwareUploader::cancel()
{
    if (!m_reply)
        return;
    m_cancelled = true;
    m_reply->abort();
}

void FirmwareUploader::onFinished()
{
    QNetworkReply *reply = m_reply;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    bool ok = false;
    QString message;
    if (m_cancelled) {
        message = tr("upload cancelled");
    } else if (status == 201 || status == 200) {
        ok = true;
        m_bytesSent = m_bytesTotal;
        message = tr("uploaded");
    } else {
        const QJsonObject json = QJsonDocument::fromJson(body).object();
        const QString error = json.value(u"error").toString();
        const QString code = json.value(u"code").toString();
        if (!error.isEmpty())
            message = code.isEmpty() ? error : code + u": "_s + error;
        else if (status != 0)
            message = tr("HTTP status %1").arg(status);
        else
            message = reply->errorString();
    }
    cleanUp();
    if (!ok) {
        qCInfo(lcDashboard) << "firmware upload failed:" << message;
        setError(message);
    }
    emit progressChanged();
    emit busyChanged();
    if (ok && m_client)
        m_client->refreshFirmware();
    emit finished(ok, message);
}

void FirmwareUploader::cleanUp()
{
    if (m_reply) {
        m_reply->deleteLater();
        m_reply = nullptr;
    }
    if (m_file) {
        m_file->deleteLater();
        m_file = nullptr;
    }
}
