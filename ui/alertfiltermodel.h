// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ui/filtermodelbase.h"

#include <QQmlEngine>

/// Alerts of an AlertModel of one severity, open ones only unless showCleared; keeps the source's order.
class AlertFilterModel : public FilterModelBase
{
    Q_OBJECT
    QML_ELEMENT
    /// "" for all, or "info", "warning", "critical".
    Q_PROPERTY(QString severity READ severity WRITE setSeverity NOTIFY severityChanged)
    Q_PROPERTY(bool showCleared READ showCleared WRITE setShowCleared NOTIFY showClearedChanged)

public:
    using FilterModelBase::FilterModelBase;

    [[nodiscard]] QString severity() const { return m_severity; }
    void setSeverity(const QString &severity);
    [[nodiscard]] bool showCleared() const { return m_showCleared; }
    void setShowCleared(bool showCleared);

signals:
    void severityChanged();
    void showClearedChanged();

protected:
    [[nodiscard]] bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_severity;
    bool m_showCleared = false;
};
