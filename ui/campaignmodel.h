// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/otainfo.h"
#include "ui/keyedlistmodel.h"

#include <QQmlEngine>

/// OTA campaigns with their job counts, newest first. Owned by ApiClient.
class CampaignModel : public KeyedListModel<edgegate::OtaCampaign, QString>
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("CampaignModel belongs to ApiClient (ApiClient.campaigns)")

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

    /// The roles of one campaign by name, empty when unknown.
    Q_INVOKABLE [[nodiscard]] QVariantMap get(const QString &campaignId) const { return mapOf(campaignId); }

    void setCampaigns(const QList<edgegate::OtaCampaign> &campaigns) { resetRows(campaigns); }
    void upsert(const edgegate::OtaCampaign &campaign) { upsertRow(campaign); }
    void clear() { resetRows({}); }
};
