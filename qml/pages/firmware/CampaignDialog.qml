// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import EdgeGate.Client
import EdgeGate.Pages

/// New campaign: which image, which devices, how fast.
Dialog {
    id: campaignDialog
    objectName: "campaignDialog"

    required property ApiClient api
    /// The images as plain objects {name, version, deviceType}.
    property var images: []

    /// The image list should be brought up to date before the form opens.
    signal imagesNeeded
    /// The form was sent to the gateway.
    signal submitted
    /// The gateway created the campaign.
    signal created(string id)

    function openFor(name, version) {
        imagesNeeded()
        let index = 0
        for (let i = 0; i < campaignDialog.images.length; ++i) {
            if (campaignDialog.images[i].name === name && campaignDialog.images[i].version === version)
                index = i
        }
        imageBox.currentIndex = campaignDialog.images.length > 0 ? index : -1
        useImageType()
        campaignName.text = ""
        open()
    }

    /// An image made for one device type only goes to devices of that type: preset it.
    function useImageType() {
        const image = campaignDialog.images[imageBox.currentIndex]
        if (image && image.deviceType !== "")
            targetType.editText = image.deviceType
    }

    function body() {
        const image = campaignDialog.images[imageBox.currentIndex]
        const target = {}
        if (byDevices.checked) {
            target.devices = deviceIds.text.split(/[\s,;]+/).filter(s => s !== "")
        } else {
            target.type = targetType.editText.trim()
        }
        const b = {
            firmware: image.name,
            version: image.version,
            target: target,
            batch_size: batchSize.value,
            max_concurrent: maxConcurrent.value,
            failure_threshold: failureThreshold.value
        }
        if (campaignName.text.trim() !== "")
            b.name = campaignName.text.trim()
        return b
    }

    readonly property bool valid: imageBox.currentIndex >= 0
                                  && (byDevices.checked ? deviceIds.text.trim() !== "" : targetType.editText.trim() !== "")

    parent: Overlay.overlay
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 2 * Theme.spacing : 600, 640)
    height: Math.min(implicitHeight, parent ? parent.height - 2 * Theme.spacing : implicitHeight)
    modal: true
    title: qsTr("New update campaign")

    contentItem: Flickable {
        contentHeight: campaignForm.implicitHeight
        implicitHeight: campaignForm.implicitHeight
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar {}

        GridLayout {
            id: campaignForm
            width: parent.width
            columns: 2
            columnSpacing: Theme.spacing
            rowSpacing: Theme.spacing / 2

            Label {
                text: qsTr("Firmware")
            }
            ComboBox {
                id: imageBox
                objectName: "campaignImage"
                Layout.fillWidth: true
                Layout.preferredHeight: Theme.touchTarget
                model: campaignDialog.images.map(i => i.name + " " + i.version)
                onActivated: campaignDialog.useImageType()
            }

            Label {
                text: qsTr("Name")
            }
            TextField {
                id: campaignName
                objectName: "campaignName"
                Layout.fillWidth: true
                Layout.preferredHeight: Theme.touchTarget
                placeholderText: qsTr("optional, e.g. spring rollout")
                maximumLength: 128
            }

            Label {
                text: qsTr("Target")
            }
            RowLayout {
                Layout.fillWidth: true
                RadioButton {
                    id: byType
                    objectName: "targetByType"
                    text: qsTr("Device type")
                    checked: true
                    implicitHeight: Theme.touchTarget
                }
                RadioButton {
                    id: byDevices
                    objectName: "targetByDevices"
                    text: qsTr("Devices")
                    implicitHeight: Theme.touchTarget
                }
            }

            Label {
                text: byDevices.checked ? qsTr("Device ids") : qsTr("Device type")
            }
            Item {
                Layout.fillWidth: true
                Layout.preferredHeight: Theme.touchTarget
                ComboBox {
                    id: targetType
                    objectName: "campaignTargetType"
                    anchors.fill: parent
                    visible: !byDevices.checked
                    editable: true
                    model: campaignDialog.api.devices.types
                }
                TextField {
                    id: deviceIds
                    objectName: "campaignDevices"
                    anchors.fill: parent
                    visible: byDevices.checked
                    placeholderText: qsTr("ids separated by commas")
                }
            }

            Label {
                text: qsTr("Batch size")
            }
            SpinBox {
                id: batchSize
                objectName: "campaignBatchSize"
                Layout.preferredHeight: Theme.touchTarget
                from: 1
                to: 10000
                value: 5
                editable: true
            }

            Label {
                text: qsTr("Max. concurrent")
            }
            SpinBox {
                id: maxConcurrent
                objectName: "campaignMaxConcurrent"
                Layout.preferredHeight: Theme.touchTarget
                from: 1
                to: 1000
                value: 5
                editable: true
            }

            Label {
                text: qsTr("Failure threshold")
            }
            RowLayout {
                SpinBox {
                    id: failureThreshold
                    objectName: "campaignFailureThreshold"
                    Layout.preferredHeight: Theme.touchTarget
                    from: 0
                    to: 10000
                    value: 3
                    editable: true
                }
                Label {
                    Layout.fillWidth: true
                    text: failureThreshold.value === 0 ? qsTr("never pause") : qsTr("failures pause the campaign")
                    color: Theme.textMuted
                    elide: Text.ElideRight
                }
            }
        }
    }

    footer: DialogButtonBox {
        TouchButton {
            text: qsTr("Cancel")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
        TouchButton {
            objectName: "createCampaign"
            text: qsTr("Start campaign")
            enabled: campaignDialog.api.canWrite && campaignDialog.valid
            DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
        }
        onAccepted: {
            campaignDialog.pending = campaignDialog.api.createCampaign(campaignDialog.body())
            campaignDialog.close()
            campaignDialog.submitted()
        }
        onRejected: campaignDialog.close()
    }

    property int pending: -1
    Connections {
        target: campaignDialog.api
        function onReplied(id, ok, result) {
            if (id === campaignDialog.pending && ok && result && result.id)
                campaignDialog.created(result.id)
        }
    }
}
