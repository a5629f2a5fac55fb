// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import EdgeGate.Client
import EdgeGate.Pages

/// Asks before a campaign is cancelled.
Dialog {
    id: cancelDialog
    objectName: "cancelCampaignDialog"

    required property ApiClient api

    property string campaign

    function ask(id) {
        campaign = id
        open()
    }

    parent: Overlay.overlay
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 2 * Theme.spacing : 480, 520)
    modal: true
    title: qsTr("Cancel campaign")

    contentItem: Label {
        wrapMode: Text.Wrap
        text: qsTr("Cancel campaign %1? Devices that have not started installing keep their firmware.").arg(cancelDialog.campaign)
    }

    footer: DialogButtonBox {
        TouchButton {
            text: qsTr("Keep running")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
        TouchButton {
            objectName: "confirmCancelCampaign"
            text: qsTr("Cancel campaign")
            enabled: cancelDialog.api.canWrite
            DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
        }
        onAccepted: {
            cancelDialog.api.cancelCampaign(cancelDialog.campaign)
            cancelDialog.close()
        }
        onRejected: cancelDialog.close()
    }
}
