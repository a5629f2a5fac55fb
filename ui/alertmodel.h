// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/alert.h"
#include "ui/keyedlistmodel.h"

#include <QQmlEngine>

/// The gateway's alerts, newest first: the snapshot and every change since. Owned by ApiClient.
class AlertModel : public KeyedListModel<edgegate::Alert, quint64>
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("AlertModel belongs to ApiClient (ApiClient.alerts)")
    Q_PROPERTY(int openCount READ openCount NOTIFY countChanged)

public:
    enum Role {
        AlertIdRole = Qt::UserRole + 1,
        DeviceIdRole,
        KindRole,
        RuleRole,
        SeverityRole,
        StateRole,
        MessageRole,
        MetricRole,
        ValueRole,
        CountRole,
        FirstAtRole,
        LastAtRole,
        AcknowledgedByRole,
        AcknowledgedAtRole,
        NoteRole,
        ClearedAtRole,
        ClearedByRole,
    };
    Q_ENUM(Role)

    explicit AlertModel(QObject *parent = nullptr);

    [[nodiscard]] int openCount() const;
    /// The roles of one alert by name, empty when unknown.
    Q_INVOKABLE [[nodiscard]] QVariantMap get(int alertId) const;

    void setAlerts(const QList<edgegate::Alert> &alerts) { resetRows(alerts); }
    /// Adds the alert or replaces the one with its id, keeping newest first.
    void upsert(const edgegate::Alert &alert) { upsertRow(alert); }
    void clear() { resetRows({}); }

private:
    /// openCount may change with any change.
    void changed(bool) override { emit countChanged(); }
};
