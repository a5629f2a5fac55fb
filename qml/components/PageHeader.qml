// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import EdgeGate.Pages

/// A page's title row: an optional back button, title and subtitle, and actions on the right
/// (children of the header go there).
Rectangle {
    id: header

    property string title
    property string subtitle
    property bool showBack: false
    default property alias actions: actionRow.data

    signal backClicked()

    implicitHeight: Math.max(Theme.touchTarget, titleColumn.implicitHeight) + 2 * Theme.spacing
    color: Theme.surface

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: header.showBack ? Theme.spacingSmall : Theme.spacingLarge
        anchors.rightMargin: Theme.spacing
        spacing: Theme.spacing

        TouchButton {
            objectName: "backButton"
            visible: header.showBack
            flat: true
            text: "\u2190"
            font.pixelSize: Theme.fontTitle
            Accessible.name: qsTr("Back")
            onClicked: header.backClicked()
        }

        ColumnLayout {
            id: titleColumn
            Layout.fillWidth: true
            spacing: 0
            Label {
                Layout.fillWidth: true
                text: header.title
                color: Theme.text
                font.pixelSize: Theme.fontTitle
                font.bold: true
                elide: Text.ElideRight
            }
            Label {
                Layout.fillWidth: true
                visible: text.length > 0
                text: header.subtitle
                color: Theme.textMuted
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
            }
        }

        RowLayout {
            id: actionRow
            spacing: Theme.spacing
        }
    }

    Rectangle {
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        height: 1
        color: Theme.border
    }
}
