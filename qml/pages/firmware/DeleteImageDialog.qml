// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import EdgeGate.Client
import EdgeGate.Pages

/// Asks before a firmware image is deleted from the gateway.
Dialog {
    id: deleteDialog
    objectName: "deleteImageDialog"

    required property ApiClient api

    property string name
    property string version

    function ask(n, v) {
        name = n
        version = v
        open()
    }

    parent: Overlay.overlay
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 2 * Theme.spacing : 480, 520)
    modal: true
    title: qsTr("Delete firmware image")

    contentItem: Label {
        wrapMode: Text.Wrap
        text: qsTr("Delete %1 %2 from the gateway? Devices can no longer download it.").arg(deleteDialog.name).arg(deleteDialog.version)
    }

    footer: DialogButtonBox {
        TouchButton {
            text: qsTr("Keep")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
        TouchButton {
            objectName: "confirmDeleteImage"
            text: qsTr("Delete")
            enabled: deleteDialog.api.canWrite
            DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
        }
        onAccepted: {
            deleteDialog.api.deleteFirmware(deleteDialog.name, deleteDialog.version)
            deleteDialog.close()
        }
        onRejected: deleteDialog.close()
    }
}
