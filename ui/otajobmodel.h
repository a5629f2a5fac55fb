// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/otainfo.h"
#include "ui/apiclient.h"
#include "ui/keyedlistmodel.h"

#include <QPointer>
#include <QQmlEngine>

/// The jobs of one OTA campaign: loaded with `ota.jobs` when the client or campaign is set (and after each
/// reconnect), then kept current from the client's `ota_job` frames.
class OtaJobModel : public KeyedListModel<edgegate::OtaJob, QString>
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(ApiClient *client READ client WRITE setClient NOTIFY clientChanged)
    Q_PROPERTY(QString campaign READ campaign WRITE setCampaign NOTIFY campaignChanged)

public:
    enum Role {
        JobIdRole = Qt::UserRole + 1,
        DeviceIdRole,
        StateRole,
        ProgressRole,
        ErrorRole,
        UpdatedAtRole,
    };
    Q_ENUM(Role)

    explicit OtaJobModel(QObject *parent = nullptr);

    [[nodiscard]] ApiClient *client() const { return m_client; }
    void setClient(ApiClient *client);
    [[nodiscard]] QString campaign() const { return m_campaign; }
    void setCampaign(const QString &campaign);

    /// Asks the gateway for the campaign's jobs again.
    Q_INVOKABLE void reload();

signals:
    void clientChanged();
    void campaignChanged();

private:
    QPointer<ApiClient> m_client;
    QString m_campaign;
    int m_loading = 0; ///< id of the ota.jobs request in flight
};
