// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QAbstractListModel>
#include <QJsonArray>
#include <QQmlEngine>

/// The firmware images in the gateway's store, as `firmware.list` answers them. Owned by ApiClient.
class FirmwareModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("FirmwareModel belongs to ApiClient (ApiClient.firmware)")
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    enum Role {
        NameRole = Qt::UserRole + 1,
        VersionRole,
        SizeRole,
        Sha256Role,
        DeviceTypeRole,
        UploadedAtRole,
    };
    Q_ENUM(Role)

    struct Image
    {
        QString name;
        QString version;
        qint64 size = 0;
        QString sha256;
        QString deviceType;
        qint64 uploadedMs = 0;
    };

    explicit FirmwareModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;
    [[nodiscard]] int count() const { return int(m_rows.size()); }
    [[nodiscard]] const QList<Image> &images() const { return m_rows; }

    /// Replaces the list with the image objects of the array (entries without name or version are skipped).
    void setImages(const QJsonArray &images);
    void clear();

signals:
    void countChanged();

private:
    QList<Image> m_rows;
};
