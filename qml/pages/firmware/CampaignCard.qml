// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import EdgeGate.Client
import EdgeGate.Pages

/// One campaign: name, image, state, progress, counts, and pause / resume / cancel.
Rectangle {
    id: card

    required property string campaignId
    required property string name
    required property string firmware
    required property string version
    required property var model
    required property string pausedReason
    required property int total
    required property int succeeded
    required property int failed
    required property int active
    required property int pending
    required property real progress
    /// The page: its api, state names and colours, and the cancel confirmation.
    required property var host
    property bool selected: false
    readonly property string campaignState: model.state

    signal picked

    objectName: "campaign-" + campaignId
    implicitHeight: cardLayout.implicitHeight + 2 * Theme.spacing
    color: selected ? Theme.surfaceRaised : Theme.surface
    radius: Theme.radius
    border.color: selected ? Theme.accent : "transparent"

    TapHandler {
        onTapped: card.picked()
    }

    ColumnLayout {
        id: cardLayout
        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.spacing / 2

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            Label {
                Layout.fillWidth: true
                text: (card.name !== "" ? card.name : card.campaignId) + " · " + card.firmware + " " + card.version
                font.bold: true
                font.pixelSize: Theme.fontLarge
                elide: Text.ElideRight
                color: Theme.text
            }
            Rectangle {
                Layout.preferredWidth: campaignStateLabel.implicitWidth + 12
                Layout.preferredHeight: campaignStateLabel.implicitHeight + 4
                radius: 3
                color: Labels.otaStateColor(card.campaignState)
                Label {
                    id: campaignStateLabel
                    objectName: "campaignState"
                    anchors.centerIn: parent
                    text: Labels.campaignState(card.campaignState)
                    color: "white"
                    font.bold: true
                }
            }
        }

        ProgressBar {
            Layout.fillWidth: true
            from: 0
            to: 1
            value: card.progress
            palette.dark: Theme.accent
            palette.midlight: Theme.surfaceRaised
        }

        Label {
            Layout.fillWidth: true
            text: qsTr("%1 of %2 done · %3 succeeded · %4 failed · %5 in progress · %6 waiting")
                  .arg(card.succeeded + card.failed).arg(card.total).arg(card.succeeded).arg(card.failed)
                  .arg(card.active).arg(card.pending)
                  + (card.campaignState === "paused" && card.pausedReason !== ""
                     ? " · " + Labels.pausedReason(card.pausedReason) : "")
            wrapMode: Text.Wrap
            color: Theme.textMuted
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            visible: card.campaignState === "running" || card.campaignState === "paused"

            TouchButton {
                objectName: "pauseCampaign"
                text: qsTr("Pause")
                visible: card.campaignState === "running"
                enabled: card.host.api.canWrite
                onClicked: card.host.api.pauseCampaign(card.campaignId)
            }
            TouchButton {
                objectName: "resumeCampaign"
                text: qsTr("Resume")
                visible: card.campaignState === "paused"
                enabled: card.host.api.canWrite
                onClicked: card.host.api.resumeCampaign(card.campaignId)
            }
            TouchButton {
                objectName: "cancelCampaign"
                text: qsTr("Cancel campaign")
                tone: Theme.danger
                flat: true
                enabled: card.host.api.canWrite
                onClicked: card.host.askCancel(card.campaignId)
            }
            Item {
                Layout.fillWidth: true
            }
            TouchButton {
                text: qsTr("Devices")
                visible: !card.host.wide
                onClicked: card.picked()
            }
        }
    }
}
