// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import EdgeGate.Client
import EdgeGate.Pages

/// The gateway at a glance: device counts, message rate, open alerts, outbox depth, broker and
/// upstream state, and the devices that need someone (in error, waiting for approval).
Page {
    id: page

    required property ApiClient api

    /// A device was tapped.
    signal deviceActivated(string deviceId)
    /// A tile asks for another page ("alerts", ...).
    signal pageRequested(string name)
    /// A device tile asks for the device list filtered by a status ("online", "offline", "pending").
    signal devicesRequested(string status)

    readonly property var gatewayStatus: api.status
    readonly property bool hasStatus: gatewayStatus !== undefined && gatewayStatus.uptime_s !== undefined
    readonly property int outboxMessages: {
        let total = 0
        for (const sink of (gatewayStatus.outbox || []))
            total += sink.messages
        return total
    }
    readonly property double outboxBytes: {
        let total = 0
        for (const sink of (gatewayStatus.outbox || []))
            total += sink.bytes
        return total
    }
    readonly property double outboxLimit: {
        let total = 0
        for (const sink of (gatewayStatus.outbox || []))
            total += sink.limit_bytes
        return total
    }

    background: Rectangle {
        color: Theme.background
    }

    header: PageHeader {
        title: qsTr("Overview")
        subtitle: {
            if (page.api.gatewayId.length === 0)
                return ""
            let text = qsTr("Gateway %1, version %2").arg(page.api.gatewayId).arg(page.api.gatewayVersion)
            if (page.hasStatus)
                text += " · " + qsTr("up %1").arg(Theme.formatDuration(page.gatewayStatus.uptime_s))
            return text
        }
    }

    /// A number with a title; tapping it may lead somewhere.
    component Tile: AbstractButton {
        id: tile

        property string title
        property string value
        property string detail
        property color tone: Theme.accent
        property bool tappable: true

        Layout.fillWidth: true
        Layout.fillHeight: true
        Layout.preferredWidth: 1
        implicitHeight: Math.max(Theme.touchTarget, tileColumn.implicitHeight + 2 * Theme.spacing)
        enabled: true
        hoverEnabled: tappable
        Accessible.name: title + ": " + value
        focusPolicy: tappable ? Qt.StrongFocus : Qt.NoFocus

        background: Rectangle {
            radius: Theme.radius
            color: tile.tappable && tile.down ? Theme.surfaceRaised
                 : tile.tappable && tile.hovered ? Qt.lighter(Theme.surface, 1.15) : Theme.surface
            border.width: tile.visualFocus ? 2 : 1
            border.color: tile.visualFocus ? Theme.accent : Theme.border
            Rectangle {
                width: 4
                height: parent.height - 2 * Theme.radius
                anchors.verticalCenter: parent.verticalCenter
                color: tile.tone
                radius: 2
            }
        }

        contentItem: ColumnLayout {
            id: tileColumn
            spacing: 0
            Label {
                Layout.fillWidth: true
                Layout.leftMargin: Theme.spacing + 4
                text: tile.title
                color: Theme.textMuted
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
            }
            Label {
                Layout.fillWidth: true
                Layout.leftMargin: Theme.spacing + 4
                text: tile.value
                color: Theme.text
                // Numbers big; words ("Disconnected") smaller, so they fit a quarter of 800 px.
                font.pixelSize: isNaN(Number(tile.value)) ? Theme.fontTitle : Theme.fontHuge
                font.bold: true
                fontSizeMode: Text.HorizontalFit
                minimumPixelSize: Theme.fontNormal
                Layout.preferredHeight: Theme.fontHuge * 1.3
                verticalAlignment: Text.AlignVCenter
                elide: Text.ElideRight
            }
            Label {
                // Kept when empty, so every tile has the same height.
                Layout.fillWidth: true
                Layout.leftMargin: Theme.spacing + 4
                text: tile.detail
                color: Theme.textMuted
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
            }
        }
    }

    /// Devices of one status, tappable.
    component DeviceList: ColumnLayout {
        id: list

        property ApiClient api
        property string title
        property string status
        property string emptyText

        /// A device was tapped.
        signal activated(string deviceId)

        spacing: Theme.spacingSmall

        DeviceFilterModel {
            id: filter
            sourceModel: list.api ? list.api.devices : null
            status: list.status
            sortBy: "name"
        }

        Label {
            Layout.fillWidth: true
            text: list.title
            color: Theme.text
            font.pixelSize: Theme.fontLarge
            font.bold: true
        }
        Label {
            Layout.fillWidth: true
            visible: listView.count === 0
            text: list.emptyText
            color: Theme.textMuted
            font.pixelSize: Theme.fontNormal
            wrapMode: Text.Wrap
        }
        ListView {
            id: listView
            objectName: "list_" + list.status
            Layout.fillWidth: true
            Layout.preferredHeight: contentHeight
            interactive: false
            model: filter
            spacing: 2
            delegate: ItemDelegate {
                id: entry

                required property string deviceId
                required property string displayName
                required property string type
                required property string status
                required property string approval
                required property string lastError

                width: ListView.view.width
                implicitHeight: Math.max(Theme.touchTarget, rowLayout.implicitHeight + Theme.spacing)
                onClicked: list.activated(entry.deviceId)
                background: Rectangle {
                    radius: Theme.radius
                    color: entry.down ? Theme.surfaceRaised : Theme.surface
                }
                contentItem: RowLayout {
                    id: rowLayout
                    spacing: Theme.spacing
                    StatusBadge {
                        compact: true
                        status: entry.approval === "pending" ? "pending" : entry.status
                    }
                    Label {
                        Layout.fillWidth: true
                        text: entry.displayName
                        color: Theme.text
                        font.pixelSize: Theme.fontNormal
                        elide: Text.ElideRight
                    }
                    Label {
                        Layout.maximumWidth: parent.width / 2
                        text: entry.lastError.length > 0 && entry.status === "error" ? entry.lastError : entry.type
                        color: Theme.textMuted
                        font.pixelSize: Theme.fontSmall
                        elide: Text.ElideRight
                    }
                }
            }
        }
    }

    Flickable {
        id: flick
        anchors.fill: parent
        contentWidth: width
        contentHeight: content.implicitHeight + 2 * Theme.spacingLarge
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar {}

        ColumnLayout {
            id: content
            x: Theme.spacingLarge
            y: Theme.spacingLarge
            width: flick.width - 2 * Theme.spacingLarge
            spacing: Theme.spacingLarge

            GridLayout {
                id: tiles
                Layout.fillWidth: true
                columns: width >= 520 ? 4 : 2
                columnSpacing: Theme.spacing
                rowSpacing: Theme.spacing

                Tile {
                    objectName: "tileOnline"
                    title: qsTr("Online")
                    value: page.api.devices.onlineCount
                    detail: qsTr("of %n device(s)", "", page.api.devices.count)
                    tone: Theme.online
                    onClicked: page.devicesRequested("online")
                }
                Tile {
                    objectName: "tileOffline"
                    title: qsTr("Offline")
                    value: page.api.devices.offlineCount
                    // Devices in error or maintenance count as neither online nor offline; say so when there are any.
                    detail: {
                        if (!page.hasStatus)
                            return ""
                        const counts = page.gatewayStatus.devices
                        const parts = []
                        if (counts.error > 0)
                            parts.push(qsTr("%1 in error").arg(counts.error))
                        if (counts.maintenance > 0)
                            parts.push(qsTr("%1 in maintenance").arg(counts.maintenance))
                        return width >= 240 ? parts.join(", ") : (parts.length > 0 ? parts[0] : "")
                    }
                    tone: Theme.offline
                    onClicked: page.devicesRequested("offline")
                }
                Tile {
                    objectName: "tilePending"
                    title: qsTr("Pending approval")
                    value: page.api.devices.pendingCount
                    tone: Theme.pending
                    onClicked: page.devicesRequested("pending")
                }
                Tile {
                    objectName: "tileAlerts"
                    title: qsTr("Open alerts")
                    value: page.api.alerts.openCount
                    tone: page.api.alerts.openCount > 0 ? Theme.critical : Theme.online
                    onClicked: page.pageRequested("alerts")
                }
                Tile {
                    objectName: "tileRate"
                    title: qsTr("Messages/s")
                    value: page.hasStatus ? Number(page.gatewayStatus.messages_per_second).toLocaleString(Qt.locale(), "f", 1) : "—"
                    detail: qsTr("mean over 10 s")
                    tappable: false
                }
                Tile {
                    objectName: "tileOutbox"
                    title: qsTr("Outbox")
                    value: page.hasStatus && (page.gatewayStatus.outbox || []).length > 0 ? page.outboxMessages : "—"
                    detail: page.outboxLimit > 0
                            ? qsTr("%1 of %2").arg(Theme.formatBytes(page.outboxBytes)).arg(Theme.formatBytes(page.outboxLimit))
                            : (page.hasStatus ? qsTr("no outbox") : "")
                    tone: page.outboxLimit > 0 && page.outboxBytes > page.outboxLimit / 2 ? Theme.warning : Theme.accent
                    tappable: false
                }
                Tile {
                    objectName: "tileBroker"
                    title: qsTr("Broker")
                    value: page.hasStatus ? Labels.linkState(page.gatewayStatus.broker) : "—"
                    tone: Labels.linkStateColor(page.hasStatus ? page.gatewayStatus.broker : "")
                    tappable: false
                }
                Tile {
                    objectName: "tileUpstream"
                    title: qsTr("Upstream")
                    value: page.hasStatus ? Labels.linkState(page.gatewayStatus.upstream) : "—"
                    tone: Labels.linkStateColor(page.hasStatus ? page.gatewayStatus.upstream : "")
                    tappable: false
                }
            }

            GridLayout {
                Layout.fillWidth: true
                columns: width >= 700 ? 2 : 1
                columnSpacing: Theme.spacingLarge
                rowSpacing: Theme.spacingLarge

                DeviceList {
                    Layout.fillWidth: true
                    Layout.alignment: Qt.AlignTop
                    Layout.preferredWidth: 1
                    api: page.api
                    title: qsTr("Devices in error")
                    onActivated: id => page.deviceActivated(id)
                    status: "error"
                    emptyText: qsTr("No device reports an error.")
                }
                DeviceList {
                    Layout.fillWidth: true
                    Layout.alignment: Qt.AlignTop
                    Layout.preferredWidth: 1
                    api: page.api
                    title: qsTr("Waiting for approval")
                    onActivated: id => page.deviceActivated(id)
                    status: "pending"
                    emptyText: qsTr("No device is waiting for approval.")
                }
            }
        }
    }
}
