// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/otainfo.h"
#include "ui/apiclient.h"

#include <QAbstractListModel>
#include <QPointer>
#include <QQmlEngine>

/// The jobs of one OTA campaign: loaded with `ota.jobs` when the client or campaign is set (and after each
/// reconnect), then kept current from the client's `ota_job` frames.
class OtaJobModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(ApiClient *client READ client WRITE setClient NOTIFY clientChanged)
    Q_PROPERTY(QString campaign READ campaign WRITE setCampaign NOTIFY campaignChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)

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

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    [[nodiscard]] ApiClient *client() const { return m_client; }
    void setClient(ApiClient *client);
    [[nodiscard]] QString campaign() const { return m_campaign; }
    void setCampaign(const QString &campaign);
    [[nodiscard]] int count() const { return int(m_rows.size()); }

    /// Asks the gateway for the campaign's jobs again.
    Q_INVOKABLE void reload();

signals:
    void clientChanged();
    void campaignChanged();
    void countChanged();

private:
    void setJobs(const QList<edgegate::OtaJob> &jobs);
    void upsert(const edgegate::OtaJob &job);

    QPointer<ApiClient> m_client;
    QString m_campaign;
    QList<edgegate::OtaJob> m_rows;
    int m_loading = 0; ///< id of the ota.jobs request in flight
};
