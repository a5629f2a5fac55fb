// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import EdgeGate.Client
import EdgeGate.Pages

/// Every device the gateway knows, searchable, filtered by status and type, sorted; tap one for its details.
Page {
    id: page

    required property ApiClient api

    /// A device was tapped.
    signal deviceActivated(string deviceId)

    readonly property alias visibleCount: listView.count
    property double now: Date.now()

    /// Puts the keyboard focus into the search field.
    function focusSearch() {
        searchField.forceActiveFocus()
        searchField.selectAll()
    }

    /// Shows only devices of `status` ("" for all).
    function showStatus(status: string) {
        statusBox.currentIndex = Math.max(0, statusBox.indexOfValue(status))
    }

    background: Rectangle {
        color: Theme.background
    }

    Timer {
        interval: 5000
        running: page.visible
        repeat: true
        triggeredOnStart: true
        onTriggered: page.now = Date.now()
    }

    DeviceFilterModel {
        id: filter
        sourceModel: page.api.devices
        search: searchField.text
        status: statusBox.currentValue !== undefined ? statusBox.currentValue : ""
        type: typeBox.currentIndex > 0 ? typeBox.currentText : ""
        sortBy: sortBox.currentValue !== undefined ? sortBox.currentValue : "name"
        descending: descendingButton.checked
    }

    header: PageHeader {
        title: qsTr("Devices")
        subtitle: listView.count === page.api.devices.count
                  ? qsTr("%n device(s)", "", page.api.devices.count)
                  : qsTr("%1 of %2 devices").arg(listView.count).arg(page.api.devices.count)

        SearchField {
            id: searchField
            objectName: "searchField"
            Layout.preferredWidth: Math.min(320, page.width / 2.5)
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        RowLayout {
            Layout.fillWidth: true
            Layout.margins: Theme.spacing
            Layout.leftMargin: Theme.spacingLarge
            Layout.rightMargin: Theme.spacingLarge
            spacing: Theme.spacing

            ComboBox {
                id: statusBox
                objectName: "statusFilter"
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                implicitHeight: Theme.touchTarget
                textRole: "text"
                valueRole: "value"
                Accessible.name: qsTr("Status")
                model: [
                    { value: "", text: qsTr("All statuses") },
                    { value: "online", text: Labels.deviceStatus("online") },
                    { value: "offline", text: Labels.deviceStatus("offline") },
                    { value: "error", text: Labels.deviceStatus("error") },
                    { value: "maintenance", text: Labels.deviceStatus("maintenance") },
                    { value: "pending", text: Labels.deviceStatus("pending") }
                ]
            }

            ComboBox {
                id: typeBox
                objectName: "typeFilter"
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                implicitHeight: Theme.touchTarget
                Accessible.name: qsTr("Type")
                model: [qsTr("All types")].concat(page.api.devices.types)
            }

            ComboBox {
                id: sortBox
                objectName: "sortBy"
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                implicitHeight: Theme.touchTarget
                textRole: "text"
                valueRole: "value"
                Accessible.name: qsTr("Sort by")
                model: [
                    { value: "name", text: qsTr("Sort by name") },
                    { value: "status", text: qsTr("Sort by status") },
                    { value: "type", text: qsTr("Sort by type") },
                    { value: "lastSeen", text: qsTr("Sort by last seen") }
                ]
            }

            TouchButton {
                id: descendingButton
                objectName: "descendingButton"
                checkable: true
                flat: true
                text: checked ? "\u2193" : "\u2191"
                font.pixelSize: Theme.fontLarge
                Accessible.name: checked ? qsTr("Descending") : qsTr("Ascending")
                ToolTip.visible: hovered
                ToolTip.text: checked ? qsTr("Descending") : qsTr("Ascending")
            }
        }

        ListView {
            id: listView
            objectName: "deviceList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: filter
            spacing: 1
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}

            delegate: ItemDelegate {
                id: row

                required property int index
                required property string deviceId
                required property string displayName
                required property string type
                required property string status
                required property string approval
                required property string firmware
                required property string protocol
                required property var lastSeen
                required property int messagesPerMinute

                readonly property string shownStatus: approval === "pending" ? "pending" : status
                readonly property bool roomy: width >= 640

                width: ListView.view.width
                implicitHeight: Math.max(56, rowLayout.implicitHeight + Theme.spacing)
                onClicked: page.deviceActivated(deviceId)
                Accessible.name: displayName + ", " + Labels.deviceStatus(shownStatus)

                background: Rectangle {
                    color: row.down ? Theme.surfaceRaised : (row.hovered ? Qt.lighter(Theme.surface, 1.15) : Theme.surface)
                    Rectangle {
                        width: 4
                        height: parent.height
                        color: Theme.statusColor(row.shownStatus)
                    }
                }

                contentItem: RowLayout {
                    id: rowLayout
                    spacing: Theme.spacingLarge

                    ColumnLayout {
                        Layout.fillWidth: true
                        Layout.leftMargin: Theme.spacing
                        spacing: 0
                        Label {
                            Layout.fillWidth: true
                            text: row.displayName
                            color: Theme.text
                            font.pixelSize: Theme.fontNormal
                            font.bold: true
                            elide: Text.ElideRight
                        }
                        Label {
                            Layout.fillWidth: true
                            text: row.displayName !== row.deviceId ? row.deviceId : row.protocol
                            color: Theme.textMuted
                            font.pixelSize: Theme.fontSmall
                            elide: Text.ElideRight
                        }
                    }
                    Label {
                        Layout.preferredWidth: 96
                        text: row.type
                        color: Theme.textMuted
                        font.pixelSize: Theme.fontSmall
                        elide: Text.ElideRight
                    }
                    Label {
                        visible: row.roomy
                        Layout.preferredWidth: 72
                        text: row.firmware
                        color: Theme.textMuted
                        font.pixelSize: Theme.fontSmall
                        elide: Text.ElideRight
                    }
                    Label {
                        visible: row.width >= 900
                        Layout.preferredWidth: 90
                        text: qsTr("%1 msg/min").arg(row.messagesPerMinute)
                        color: Theme.textMuted
                        font.pixelSize: Theme.fontSmall
                        horizontalAlignment: Text.AlignRight
                    }
                    Item {
                        Layout.preferredWidth: row.roomy ? 136 : 12
                        Layout.preferredHeight: badge.height
                        StatusBadge {
                            id: badge
                            status: row.shownStatus
                            compact: !row.roomy
                        }
                    }
                    Label {
                        Layout.preferredWidth: row.roomy ? 90 : 70
                        text: Theme.formatAgo(row.lastSeen, page.now)
                        color: Theme.textMuted
                        font.pixelSize: Theme.fontSmall
                        horizontalAlignment: Text.AlignRight
                        elide: Text.ElideRight
                    }
                }
            }

            Label {
                anchors.centerIn: parent
                width: parent.width - 2 * Theme.spacingLarge
                visible: listView.count === 0
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.Wrap
                text: page.api.devices.count === 0 ? qsTr("No devices yet.") : qsTr("No device matches the filter.")
                color: Theme.textMuted
                font.pixelSize: Theme.fontLarge
            }
        }
    }
}
