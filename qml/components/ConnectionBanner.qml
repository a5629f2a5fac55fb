// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import EdgeGate.Client
import EdgeGate.Pages

/// A strip that says why the dashboard is not connected (and when it tries again), with a button
/// to try now. Hidden while connected.
Rectangle {
    id: banner

    property ApiClient api

    readonly property bool shown: api !== null && api.state !== ApiClient.Connected
    readonly property string message: {
        if (!api)
            return ""
        switch (api.state) {
        case ApiClient.Connecting:
            return qsTr("Connecting to %1…").arg(api.url)
        case ApiClient.Authenticating:
            return qsTr("Signing in to %1…").arg(api.url)
        case ApiClient.Waiting:
            return api.lastError.length > 0
                    ? qsTr("Connection lost (%1). Reconnecting in %2 s").arg(api.lastError).arg(api.reconnectIn)
                    : qsTr("Reconnecting in %1 s").arg(api.reconnectIn)
        case ApiClient.Disconnected:
            return api.lastError.length > 0 ? qsTr("Disconnected: %1").arg(api.lastError) : qsTr("Disconnected")
        }
        return ""
    }

    visible: shown
    implicitHeight: shown ? Math.max(Theme.touchTarget, row.implicitHeight) + Theme.spacing : 0
    color: api && (api.state === ApiClient.Waiting || api.state === ApiClient.Disconnected)
           ? Qt.darker(Theme.danger, 1.6) : Qt.darker(Theme.accent, 1.9)

    Accessible.role: Accessible.AlertMessage
    Accessible.name: message

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.leftMargin: Theme.spacingLarge
        anchors.rightMargin: Theme.spacingSmall
        spacing: Theme.spacing

        BusyIndicator {
            Layout.preferredWidth: 28
            Layout.preferredHeight: 28
            running: banner.api !== null && (banner.api.state === ApiClient.Connecting
                                              || banner.api.state === ApiClient.Authenticating)
            visible: running
        }

        Label {
            objectName: "connectionMessage"
            Layout.fillWidth: true
            text: banner.message
            color: Theme.text
            font.pixelSize: Theme.fontNormal
            wrapMode: Text.Wrap
            maximumLineCount: 2
            elide: Text.ElideRight
        }

        TouchButton {
            objectName: "reconnectButton"
            visible: banner.api !== null && (banner.api.state === ApiClient.Waiting
                                              || banner.api.state === ApiClient.Disconnected)
            text: qsTr("Retry now")
            onClicked: banner.api.reconnectNow()
        }
    }
}
