// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import EdgeGate.Pages

/// A text field for searching, with a clear button; Escape clears it too.
TextField {
    id: field

    implicitHeight: Theme.touchTarget
    implicitWidth: 240
    placeholderText: qsTr("Search…")
    placeholderTextColor: Theme.textMuted
    color: Theme.text
    font.pixelSize: Theme.fontNormal
    rightPadding: clearButton.visible ? clearButton.width + Theme.spacingSmall : Theme.spacing
    leftPadding: Theme.spacing
    selectByMouse: true
    inputMethodHints: Qt.ImhNoPredictiveText
    Accessible.name: qsTr("Search")

    Keys.onEscapePressed: field.clear()

    background: Rectangle {
        radius: Theme.radius
        color: Theme.surfaceRaised
        border.width: field.activeFocus ? 2 : 1
        border.color: field.activeFocus ? Theme.accent : Theme.border
    }

    ToolButton {
        id: clearButton
        objectName: "clearSearchButton"
        visible: field.text.length > 0
        anchors.right: parent.right
        anchors.verticalCenter: parent.verticalCenter
        width: Theme.touchTarget
        height: Theme.touchTarget
        text: "\u2715"
        Accessible.name: qsTr("Clear search")
        onClicked: {
            field.clear()
            field.forceActiveFocus()
        }
    }
}
