// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import EdgeGate.Pages

/// Short messages at the bottom of the window, one at a time; more wait in a queue.
/// Tap a message to dismiss it.
Item {
    id: toast

    property int duration: 4000
    property var queue: []
    readonly property alias text: label.text
    readonly property bool showing: box.opacity > 0

    /// kind: "error" (default) or "info".
    function show(message: string, kind: string) {
        queue = queue.concat([{ message: message, kind: kind || "error" }])
        if (!timer.running)
            next()
    }

    function next() {
        if (queue.length === 0) {
            box.opacity = 0
            return
        }
        const item = queue[0]
        queue = queue.slice(1)
        label.text = item.message
        box.kind = item.kind
        box.opacity = 1
        timer.restart()
    }

    implicitHeight: box.height
    z: 1000

    Timer {
        id: timer
        interval: toast.duration
        onTriggered: toast.next()
    }

    Rectangle {
        id: box

        property string kind: "error"

        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottom: parent.bottom
        width: Math.min(toast.width - 2 * Theme.spacingLarge, label.implicitWidth + 2 * Theme.spacingLarge)
        height: Math.max(Theme.touchTarget, label.implicitHeight + 2 * Theme.spacing)
        radius: Theme.radius
        color: kind === "error" ? Qt.darker(Theme.danger, 1.4) : Theme.surfaceRaised
        border.color: kind === "error" ? Theme.danger : Theme.border
        opacity: 0
        visible: opacity > 0

        Behavior on opacity {
            NumberAnimation { duration: 150 }
        }

        Label {
            id: label
            objectName: "toastText"
            anchors.fill: parent
            anchors.margins: Theme.spacing
            anchors.leftMargin: Theme.spacingLarge
            anchors.rightMargin: Theme.spacingLarge
            color: Theme.text
            font.pixelSize: Theme.fontNormal
            wrapMode: Text.Wrap
            verticalAlignment: Text.AlignVCenter
        }

        TapHandler {
            onTapped: toast.next()
        }
    }
}
