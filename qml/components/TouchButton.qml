// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import EdgeGate.Pages

/// A button at least Theme.touchTarget high and wide. `tone` colours it (accent, danger, ...);
/// `flat` draws only the text until pressed or checked.
Button {
    id: control

    property color tone: Theme.accent

    implicitWidth: Math.max(Theme.touchTarget, implicitContentWidth + leftPadding + rightPadding)
    implicitHeight: Math.max(Theme.touchTarget, implicitContentHeight + topPadding + bottomPadding)
    leftPadding: Theme.spacingLarge
    rightPadding: Theme.spacingLarge
    font.pixelSize: Theme.fontNormal
    focusPolicy: Qt.StrongFocus

    contentItem: Text {
        text: control.text
        font: control.font
        color: !control.enabled ? Theme.textMuted
             : (control.flat && !control.checked && !control.down) ? Theme.text : Theme.accentText
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }

    background: Rectangle {
        implicitWidth: Theme.touchTarget
        implicitHeight: Theme.touchTarget
        radius: Theme.radius
        color: {
            if (!control.enabled)
                return Theme.surfaceRaised
            if (control.down)
                return Qt.darker(control.tone, 1.35)
            if (control.checked)
                return control.tone
            if (control.flat)
                return control.hovered ? Theme.surfaceRaised : "transparent"
            return control.hovered ? Qt.lighter(control.tone, 1.12) : control.tone
        }
        border.width: control.visualFocus ? 2 : (control.flat && !control.checked ? 1 : 0)
        border.color: control.visualFocus ? Theme.text : Theme.border
    }
}
