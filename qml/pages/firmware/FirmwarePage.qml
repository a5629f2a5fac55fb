// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import EdgeGate.Client
import EdgeGate.Pages

/// Firmware images and update campaigns: upload an image, list the images, create a campaign,
/// follow campaigns (pause, resume, cancel) and the jobs of one campaign device by device.
Page {
    id: page
    objectName: "firmwarePage"

    required property ApiClient api

    /// 0: firmware images, 1: campaigns
    property alias section: tabs.currentIndex
    /// The campaign whose jobs are shown ("" for none).
    property string campaignId
    readonly property bool wide: width >= 900
    readonly property alias firmwareList: firmwareList
    readonly property alias campaignList: campaignList
    readonly property alias jobList: jobList
    readonly property alias uploader: uploader

    /// The images as plain objects {name, version, deviceType}, for the campaign form.
    property var images: []

    function askCancel(campaign) {
        cancelDialog.ask(campaign)
    }


    background: Rectangle {
        color: Theme.background
    }

    FirmwareUploader {
        id: uploader
        client: page.api
        onFinished: (ok, message) => {
            uploadStatus.ok = ok
            uploadStatus.text = ok ? qsTr("Uploaded %1 %2").arg(uploadDialog.uploadedName).arg(uploadDialog.uploadedVersion)
                                   : qsTr("Upload failed: %1").arg(message)
        }
    }

    OtaJobModel {
        id: jobs
        client: page.api
        campaign: page.campaignId
    }

    // Keeps page.images in step with the firmware model.
    Instantiator {
        id: imageRows
        model: page.api.firmware
        delegate: QtObject {
            required property string name
            required property string version
            required property string deviceType
        }
        onObjectAdded: Qt.callLater(rebuild)
        onObjectRemoved: Qt.callLater(rebuild)
        function rebuild() {
            const list = []
            for (let i = 0; i < count; ++i) {
                const o = objectAt(i)
                if (o)
                    list.push({ name: o.name, version: o.version, deviceType: o.deviceType })
            }
            page.images = list
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        PageHeader {
            Layout.fillWidth: true
            title: qsTr("Firmware")
            subtitle: qsTr("%n image(s)", "", page.api.firmware.count) + " · " + qsTr("%n campaign(s)", "", page.api.campaigns.count)
        }

        RowLayout {
            id: tabs
            property int currentIndex: 0
            Layout.fillWidth: true
            Layout.leftMargin: Theme.spacing
            Layout.rightMargin: Theme.spacing
            Layout.topMargin: Theme.spacing
            spacing: Theme.spacing

            TouchButton {
                objectName: "imagesTab"
                Layout.fillWidth: true
                text: qsTr("Images")
                flat: true
                checked: tabs.currentIndex === 0
                onClicked: tabs.currentIndex = 0
            }
            TouchButton {
                objectName: "campaignsTab"
                Layout.fillWidth: true
                text: qsTr("Campaigns")
                flat: true
                checked: tabs.currentIndex === 1
                onClicked: tabs.currentIndex = 1
            }
        }

        ReadOnlyHint {
            Layout.fillWidth: true
            Layout.margins: Theme.spacing
            Layout.bottomMargin: 0
            api: page.api
        }

        StackLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            currentIndex: tabs.currentIndex

            // Images
            ColumnLayout {
                spacing: Theme.spacing

                RowLayout {
                    Layout.fillWidth: true
                    Layout.margins: Theme.spacing
                    Layout.bottomMargin: 0
                    spacing: Theme.spacing

                    TouchButton {
                        objectName: "uploadButton"
                        text: qsTr("Upload image…")
                        enabled: page.api.canWrite
                        onClicked: uploadDialog.open()
                    }
                    TouchButton {
                        text: qsTr("Refresh")
                        flat: true
                        enabled: page.api.state === ApiClient.Connected
                        onClicked: page.api.refreshFirmware()
                    }
                    Label {
                        id: uploadStatus
                        property bool ok: true
                        Layout.fillWidth: true
                        elide: Text.ElideRight
                        color: ok ? Theme.textMuted : Theme.error
                    }
                }

                ListView {
                    id: firmwareList
                    objectName: "firmwareList"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    Layout.leftMargin: Theme.spacing
                    Layout.rightMargin: Theme.spacing
                    Layout.bottomMargin: Theme.spacing
                    clip: true
                    spacing: Theme.spacing / 2
                    model: page.api.firmware
                    ScrollBar.vertical: ScrollBar {}

                    delegate: Rectangle {
                        id: imageRow
                        required property string name
                        required property string version
                        required property var size
                        required property string sha256
                        required property string deviceType
                        required property var uploadedAt

                        objectName: "firmware-" + name + "-" + version
                        width: ListView.view.width
                        implicitHeight: Math.max(Theme.touchTarget, imageText.implicitHeight) + Theme.spacing
                        color: Theme.surface
                        radius: Theme.radius

                        RowLayout {
                            anchors.fill: parent
                            anchors.leftMargin: Theme.spacing
                            anchors.rightMargin: Theme.spacing
                            spacing: Theme.spacing

                            ColumnLayout {
                                id: imageText
                                Layout.fillWidth: true
                                spacing: 0
                                Label {
                                    Layout.fillWidth: true
                                    text: imageRow.name + "  " + imageRow.version
                                    font.bold: true
                                    font.pixelSize: Theme.fontLarge
                                    color: Theme.text
                                    elide: Text.ElideRight
                                }
                                Label {
                                    Layout.fillWidth: true
                                    text: (imageRow.deviceType !== "" ? qsTr("for %1").arg(imageRow.deviceType) : qsTr("any device type"))
                                          + " · " + Theme.formatBytes(imageRow.size)
                                          + " · " + qsTr("uploaded %1").arg(Theme.formatTime(imageRow.uploadedAt))
                                          + " · SHA-256 " + imageRow.sha256.substring(0, 12)
                                    color: Theme.textMuted
                                    elide: Text.ElideRight
                                }
                            }
                            TouchButton {
                                objectName: "rollOut"
                                text: qsTr("Roll out…")
                                enabled: page.api.canWrite
                                onClicked: campaignDialog.openFor(imageRow.name, imageRow.version)
                            }
                            TouchButton {
                                objectName: "deleteImage"
                                text: qsTr("Delete")
                                tone: Theme.danger
                                flat: true
                                enabled: page.api.canWrite
                                onClicked: deleteDialog.ask(imageRow.name, imageRow.version)
                            }
                        }
                    }

                    Label {
                        anchors.centerIn: parent
                        visible: firmwareList.count === 0
                        text: qsTr("No firmware images yet")
                        color: Theme.textMuted
                        font.pixelSize: Theme.fontLarge
                    }
                }
            }

            // Campaigns
            ColumnLayout {
                spacing: Theme.spacing

                RowLayout {
                    Layout.fillWidth: true
                    Layout.margins: Theme.spacing
                    Layout.bottomMargin: 0
                    spacing: Theme.spacing

                    TouchButton {
                        objectName: "newCampaign"
                        text: qsTr("New campaign…")
                        visible: page.wide || page.campaignId === ""
                        enabled: page.api.canWrite && page.images.length > 0
                        onClicked: campaignDialog.openFor("", "")
                    }
                    Item {
                        Layout.fillWidth: true
                    }
                    TouchButton {
                        objectName: "backToCampaigns"
                        text: qsTr("All campaigns")
                        visible: !page.wide && page.campaignId !== ""
                        onClicked: page.campaignId = ""
                    }
                }

                RowLayout {
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    Layout.leftMargin: Theme.spacing
                    Layout.rightMargin: Theme.spacing
                    Layout.bottomMargin: Theme.spacing
                    spacing: Theme.spacing

                    ListView {
                        id: campaignList
                        objectName: "campaignList"
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        Layout.preferredWidth: page.wide ? 1 : -1
                        visible: page.wide || page.campaignId === ""
                        clip: true
                        spacing: Theme.spacing / 2
                        model: page.api.campaigns
                        ScrollBar.vertical: ScrollBar {}

                        delegate: CampaignCard {
                            host: page
                            width: ListView.view.width
                            selected: page.campaignId === campaignId
                            onPicked: page.campaignId = campaignId
                        }

                        Label {
                            anchors.centerIn: parent
                            visible: campaignList.count === 0
                            text: qsTr("No campaigns yet")
                            color: Theme.textMuted
                            font.pixelSize: Theme.fontLarge
                        }
                    }

                    ColumnLayout {
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        Layout.preferredWidth: page.wide ? 1 : -1
                        visible: page.campaignId !== ""
                        spacing: Theme.spacing / 2

                        Label {
                            Layout.fillWidth: true
                            Layout.leftMargin: Theme.spacing
                            text: qsTr("Jobs of campaign %1").arg(page.campaignId)
                            font.bold: true
                            color: Theme.text
                            elide: Text.ElideRight
                        }

                        ListView {
                            id: jobList
                            objectName: "jobList"
                            Layout.fillWidth: true
                            Layout.fillHeight: true
                            clip: true
                            spacing: 2
                            model: jobs
                            ScrollBar.vertical: ScrollBar {}

                            delegate: Rectangle {
                                id: jobRow
                                required property string jobId
                                required property string deviceId
                                required property var model
                                readonly property string jobState: model.state
                                required property int progress
                                required property string error
                                required property var updatedAt

                                objectName: "job-" + deviceId
                                width: ListView.view.width
                                implicitHeight: Theme.touchTarget
                                color: Theme.surface
                                radius: Theme.radius

                                RowLayout {
                                    anchors.fill: parent
                                    anchors.leftMargin: Theme.spacing
                                    anchors.rightMargin: Theme.spacing
                                    spacing: Theme.spacing

                                    Label {
                                        Layout.preferredWidth: jobRow.width * 0.3
                                        text: jobRow.deviceId
                                        elide: Text.ElideRight
                                        color: Theme.text
                                    }
                                    ProgressBar {
                                        Layout.fillWidth: true
                                        from: 0
                                        to: 100
                                        palette.dark: Theme.accent
                                        palette.midlight: Theme.surfaceRaised
                                        value: jobRow.jobState === "succeeded" ? 100 : jobRow.progress
                                    }
                                    Rectangle {
                                        Layout.preferredWidth: jobStateLabel.implicitWidth + 12
                                        Layout.preferredHeight: jobStateLabel.implicitHeight + 4
                                        radius: 3
                                        color: Labels.otaStateColor(jobRow.jobState)
                                        Label {
                                            id: jobStateLabel
                                            anchors.centerIn: parent
                                            text: jobRow.jobState === "downloading"
                                                  ? qsTr("%1 %2%").arg(Labels.jobState(jobRow.jobState)).arg(jobRow.progress)
                                                  : Labels.jobState(jobRow.jobState)
                                            color: "white"
                                        }
                                    }
                                    Label {
                                        visible: jobRow.error !== ""
                                        Layout.maximumWidth: jobRow.width * 0.25
                                        text: jobRow.error
                                        elide: Text.ElideRight
                                        color: Theme.error
                                    }
                                }
                            }
                        }
                    }

                    Label {
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        Layout.preferredWidth: 1
                        visible: page.wide && page.campaignId === ""
                        horizontalAlignment: Text.AlignHCenter
                        verticalAlignment: Text.AlignVCenter
                        wrapMode: Text.Wrap
                        text: qsTr("Pick a campaign to see its devices")
                        color: Theme.textMuted
                    }
                }
            }
        }
    }

    UploadDialog {
        id: uploadDialog
        api: page.api
        uploader: uploader
        onStarted: uploadStatus.text = ""
    }

    CampaignDialog {
        id: campaignDialog
        api: page.api
        images: page.images
        onImagesNeeded: imageRows.rebuild()
        onSubmitted: tabs.currentIndex = 1
        onCreated: id => page.campaignId = id
    }

    DeleteImageDialog {
        id: deleteDialog
        api: page.api
    }

    CancelCampaignDialog {
        id: cancelDialog
        api: page.api
    }

    /// Why the controls are disabled, for a viewer.
    component ReadOnlyHint: Rectangle {
        required property ApiClient api

        objectName: "readOnlyHint"
        visible: api.state === ApiClient.Connected && !api.canWrite
        implicitHeight: visible ? hintLabel.implicitHeight + Theme.spacing : 0
        radius: Theme.radius
        color: Theme.surface
        border.color: Theme.info

        Label {
            id: hintLabel
            anchors.fill: parent
            anchors.leftMargin: Theme.spacing
            anchors.rightMargin: Theme.spacing
            verticalAlignment: Text.AlignVCenter
            text: qsTr("Read-only access: this token may look but not change anything.")
            elide: Text.ElideRight
            color: Theme.text
        }
    }
}
