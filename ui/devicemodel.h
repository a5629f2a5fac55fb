// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/deviceinfo.h"

#include <QAbstractListModel>
#include <QQmlEngine>
#include <QStringList>

/// The gateway's devices as the last snapshot and the changes since gave them, in arrival order
/// (DeviceFilterModel sorts). Owned by ApiClient.
class DeviceModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("DeviceModel belongs to ApiClient (ApiClient.devices)")
    Q_PROPERTY(int count READ count NOTIFY countsChanged)
    Q_PROPERTY(int onlineCount READ onlineCount NOTIFY countsChanged)
    Q_PROPERTY(int offlineCount READ offlineCount NOTIFY countsChanged)
    Q_PROPERTY(int pendingCount READ pendingCount NOTIFY countsChanged)
    Q_PROPERTY(QStringList types READ types NOTIFY typesChanged)

public:
    enum Role {
        DeviceIdRole = Qt::UserRole + 1,
        NameRole,
        DisplayNameRole,
        TypeRole,
        StatusRole,
        ApprovalRole,
        ProtocolRole,
        FirmwareRole,
        ModelRole,
        LastSeenRole,
        LastErrorRole,
        MetadataRole,
        CapabilitiesRole,
        MetricsRole,
        MessagesPerMinuteRole,
        UptimeRole,
        OnlineSinceRole,
    };
    Q_ENUM(Role)

    explicit DeviceModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    [[nodiscard]] int count() const { return int(m_rows.size()); }
    [[nodiscard]] int onlineCount() const;
    [[nodiscard]] int offlineCount() const;
    [[nodiscard]] int pendingCount() const;
    [[nodiscard]] QStringList types() const { return m_types; }

    /// The roles of one device by name, empty when unknown.
    Q_INVOKABLE [[nodiscard]] QVariantMap get(const QString &deviceId) const;
    [[nodiscard]] const edgegate::DeviceInfo *find(const QString &deviceId) const;

    /// A snapshot replaces everything.
    void setDevices(const QList<edgegate::DeviceInfo> &devices);
    /// Adds the device or replaces the row with its id.
    void upsert(const edgegate::DeviceInfo &device);
    void remove(const QString &deviceId);
    void clear();

signals:
    void countsChanged();
    void typesChanged();

private:
    [[nodiscard]] int indexOf(const QString &deviceId) const;
    [[nodiscard]] QVariant roleData(const edgegate::DeviceInfo &device, int role) const;
    void updateDerived();

    QList<edgegate::DeviceInfo> m_rows;
    QStringList m_types;
};
