// SPDX-License-Identifier: Apache-2.0
import QtQuick
import EdgeGate.Pages

/// A coloured pill with a device status ("online", "offline", "error", "maintenance", "pending").
Rectangle {
    id: badge

    property string status
    property alias text: label.text
    property bool compact: false

    implicitWidth: compact ? 12 : label.implicitWidth + 2 * Theme.spacing + dot.width + Theme.spacingSmall
    implicitHeight: compact ? 12 : Math.max(24, label.implicitHeight + Theme.spacingSmall)
    radius: height / 2
    color: compact ? Theme.statusColor(status) : Qt.rgba(badge.statusColor.r, badge.statusColor.g, badge.statusColor.b, 0.18)
    border.width: compact ? 0 : 1
    border.color: statusColor

    readonly property color statusColor: Theme.statusColor(status)

    Rectangle {
        id: dot
        visible: !badge.compact
        width: 8
        height: 8
        radius: 4
        color: badge.statusColor
        anchors.left: parent.left
        anchors.leftMargin: Theme.spacing
        anchors.verticalCenter: parent.verticalCenter
    }

    Text {
        id: label
        visible: !badge.compact
        text: Labels.deviceStatus(badge.status)
        color: Theme.text
        font.pixelSize: Theme.fontSmall
        anchors.left: dot.right
        anchors.leftMargin: Theme.spacingSmall
        anchors.verticalCenter: parent.verticalCenter
    }
}
