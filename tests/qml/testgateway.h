// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QObject>
#include <QQmlEngine>
#include <QString>
#include <QStringList>

/// What the Qt Quick tests need to know about the gateway the test run started: its WebSocket URL,
/// an admin and a viewer token, and the simulated devices.
class TestGateway : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    Q_PROPERTY(QString url READ url CONSTANT)
    Q_PROPERTY(QString adminToken READ adminToken CONSTANT)
    Q_PROPERTY(QString viewerToken READ viewerToken CONSTANT)
    /// Every simulated device, approved or not.
    Q_PROPERTY(QStringList devices READ devices CONSTANT)
    /// The one device left waiting for approval.
    Q_PROPERTY(QString pendingDevice READ pendingDevice CONSTANT)

public:
    struct Settings
    {
        QString url;
        QString adminToken;
        QString viewerToken;
        QStringList devices;
        QString pendingDevice;
    };
    /// Set once by the test setup before any QML runs.
    static void configure(const Settings &settings);

    explicit TestGateway(QObject *parent = nullptr);

    [[nodiscard]] QString url() const;
    [[nodiscard]] QString adminToken() const;
    [[nodiscard]] QString viewerToken() const;
    [[nodiscard]] QStringList devices() const;
    [[nodiscard]] QString pendingDevice() const;
};
