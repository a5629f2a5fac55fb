// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/otainfo.h"

#include <QAbstractListModel>
#include <QQmlEngine>

/// OTA campaigns with their job counts, newest first. Owned by ApiClient.
class CampaignModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("CampaignModel belongs to ApiClient (ApiClient.campaigns)")
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    enum Role {
        CampaignIdRole = Qt::UserRole + 1,
        NameRole,
        FirmwareRole,
        VersionRole,
        StateRole,
        PausedReasonRole,
        TotalRole,
        SucceededRole,
        FailedRole,
        ActiveRole,
        PendingRole,
        ProgressRole,
        CreatedAtRole,
    };
    Q_ENUM(Role)

    explicit CampaignModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    [[nodiscard]] int count() const { return int(m_rows.size()); }
    /// The roles of one campaign by name, empty when unknown.
    Q_INVOKABLE [[nodiscard]] QVariantMap get(const QString &campaignId) const;
    [[nodiscard]] const edgegate::OtaCampaign *find(const QString &campaignId) const;

    void setCampaigns(const QList<edgegate::OtaCampaign> &campaigns);
    void upsert(const edgegate::OtaCampaign &campaign);
    void clear();

signals:
    void countChanged();

private:
    [[nodiscard]] int indexOf(const QString &campaignId) const;
    [[nodiscard]] QVariant roleData(const edgegate::OtaCampaign &campaign, int role) const;

    QList<edgegate::OtaCampaign> m_rows;
};
