// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "shared/deviceinfo.h"
#include "ui/keyedlistmodel.h"

#include <QQmlEngine>
#include <QStringList>

/// The gateway's devices as the last snapshot and the changes since gave them, in arrival order
/// (DeviceFilterModel sorts). Owned by ApiClient.
class DeviceModel : public KeyedListModel<edgegate::DeviceInfo, QString>
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("DeviceModel belongs to ApiClient (ApiClient.devices)")
    Q_PROPERTY(int onlineCount READ onlineCount NOTIFY countChanged)
    Q_PROPERTY(int offlineCount READ offlineCount NOTIFY countChanged)
    Q_PROPERTY(int pendingCount READ pendingCount NOTIFY countChanged)
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
        ProofRole,
    };
    Q_ENUM(Role)

    explicit DeviceModel(QObject *parent = nullptr);

    [[nodiscard]] int onlineCount() const;
    [[nodiscard]] int offlineCount() const;
    [[nodiscard]] int pendingCount() const;
    [[nodiscard]] QStringList types() const { return m_types; }

    /// The roles of one device by name, empty when unknown.
    Q_INVOKABLE [[nodiscard]] QVariantMap get(const QString &deviceId) const;

    /// A snapshot replaces everything.
    void setDevices(const QList<edgegate::DeviceInfo> &devices) { resetRows(devices); }
    /// Adds the device or replaces the row with its id.
    void upsert(const edgegate::DeviceInfo &device) { upsertRow(device); }
    void remove(const QString &deviceId) { removeRow(deviceId); }
    void clear() { resetRows({}); }

signals:
    void typesChanged();

private:
    /// The counts (always: a status may have changed), and the types.
    void changed(bool rowCountChanged) override;

    QStringList m_types;
};
