// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/alert.h"

#include <QAbstractListModel>
#include <QQmlEngine>

/// The gateway's alerts, newest first: the snapshot and every change since. Owned by ApiClient.
class AlertModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("AlertModel belongs to ApiClient (ApiClient.alerts)")
    Q_PROPERTY(int count READ count NOTIFY countsChanged)
    Q_PROPERTY(int openCount READ openCount NOTIFY countsChanged)

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

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    [[nodiscard]] int count() const { return int(m_rows.size()); }
    [[nodiscard]] int openCount() const;
    /// The roles of one alert by name, empty when unknown.
    Q_INVOKABLE [[nodiscard]] QVariantMap get(int alertId) const;
    [[nodiscard]] const edgegate::Alert *find(quint64 alertId) const;

    void setAlerts(const QList<edgegate::Alert> &alerts);
    /// Adds the alert or replaces the one with its id, keeping newest first.
    void upsert(const edgegate::Alert &alert);
    void clear();

signals:
    void countsChanged();

private:
    [[nodiscard]] int indexOf(quint64 alertId) const;
    [[nodiscard]] int insertionRow(const edgegate::Alert &alert) const;
    [[nodiscard]] QVariant roleData(const edgegate::Alert &alert, int role) const;

    QList<edgegate::Alert> m_rows;
};
