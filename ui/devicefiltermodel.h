// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ui/filtermodelbase.h"

#include <QQmlEngine>

/// Devices of a DeviceModel filtered by a search text, status and type, and sorted.
class DeviceFilterModel : public FilterModelBase
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QString search READ search WRITE setSearch NOTIFY searchChanged)
    /// "" for all, a device status ("online", "offline", "error", "maintenance") or "pending" (approval).
    Q_PROPERTY(QString status READ status WRITE setStatus NOTIFY statusChanged)
    Q_PROPERTY(QString type READ type WRITE setType NOTIFY typeChanged)
    /// "name" (the display name), "status", "type" or "lastSeen".
    Q_PROPERTY(QString sortBy READ sortBy WRITE setSortBy NOTIFY sortByChanged)
    Q_PROPERTY(bool descending READ descending WRITE setDescending NOTIFY descendingChanged)

public:
    explicit DeviceFilterModel(QObject *parent = nullptr);

    [[nodiscard]] QString search() const { return m_search; }
    void setSearch(const QString &search);
    [[nodiscard]] QString status() const { return m_status; }
    void setStatus(const QString &status);
    [[nodiscard]] QString type() const { return m_type; }
    void setType(const QString &type);
    [[nodiscard]] QString sortBy() const { return m_sortBy; }
    void setSortBy(const QString &sortBy);
    [[nodiscard]] bool descending() const { return m_descending; }
    void setDescending(bool descending);

    /// The device id of a row of this model ("" when out of range).
    Q_INVOKABLE [[nodiscard]] QString deviceIdAt(int row) const;

signals:
    void searchChanged();
    void statusChanged();
    void typeChanged();
    void sortByChanged();
    void descendingChanged();

protected:
    [[nodiscard]] bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    [[nodiscard]] bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    void resort();

    QString m_search;
    QString m_status;
    QString m_type;
    QString m_sortBy = QStringLiteral("name");
    bool m_descending = false;
};
