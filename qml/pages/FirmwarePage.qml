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

    function campaignStateName(state) {
        switch (state) {
        case "running":
            return qsTr("Running")
        case "paused":
            return qsTr("Paused")
        case "completed":
            return qsTr("Completed")
        case "cancelled":
            return qsTr("Cancelled")
        default:
            return state
        }
    }

    function pausedReasonName(reason) {
        switch (reason) {
        case "operator":
            return qsTr("Paused by an operator")
        case "failure_threshold":
            return qsTr("Paused: failure threshold reached")
        default:
            return reason
        }
    }

    function jobStateName(state) {
        switch (state) {
        case "pending":
            return qsTr("Pending")
        case "notified":
            return qsTr("Notified")
        case "downloading":
            return qsTr("Downloading")
        case "downloaded":
            return qsTr("Downloaded")
        case "installing":
            return qsTr("Installing")
        case "succeeded":
            return qsTr("Succeeded")
        case "failed":
            return qsTr("Failed")
        case "rolled_back":
            return qsTr("Rolled back")
        case "timed_out":
            return qsTr("Timed out")
        case "cancelled":
            return qsTr("Cancelled")
        default:
            return state
        }
    }

    function stateColor(state) {
        switch (state) {
        case "succeeded":
        case "completed":
        case "running":
            return Theme.online
        case "failed":
        case "rolled_back":
        case "timed_out":
            return Theme.error
        case "paused":
            return Theme.maintenance
        case "cancelled":
        case "pending":
            return Theme.offline
        default:
            return Theme.pending
        }
    }

    function askCancel(campaign) {
        cancelDialog.ask(campaign)
    }

    /// A file URL from what was typed or picked: a URL stays as it is, a path becomes file://.
    function fileUrl(text) {
        const t = text.trim()
        if (t.startsWith("file:"))
            return t
        return "file://" + t
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
                                        color: page.stateColor(jobRow.jobState)
                                        Label {
                                            id: jobStateLabel
                                            anchors.centerIn: parent
                                            text: jobRow.jobState === "downloading"
                                                  ? qsTr("%1 %2%").arg(page.jobStateName(jobRow.jobState)).arg(jobRow.progress)
                                                  : page.jobStateName(jobRow.jobState)
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

    // Image upload: file, name, version, device type; progress while it runs.
    Dialog {
        id: uploadDialog
        objectName: "uploadDialog"

        property string uploadedName
        property string uploadedVersion

        parent: Overlay.overlay
        anchors.centerIn: parent
        width: Math.min(parent ? parent.width - 2 * Theme.spacing : 600, 640)
        height: Math.min(implicitHeight, parent ? parent.height - 2 * Theme.spacing : implicitHeight)
        modal: true
        title: qsTr("Upload firmware image")

        FileDialog {
            id: fileDialog
            title: qsTr("Firmware image")
            onAccepted: filePath.text = selectedFile.toString()
        }

        contentItem: Flickable {
            contentHeight: uploadForm.implicitHeight
            implicitHeight: uploadForm.implicitHeight
            clip: true
            boundsBehavior: Flickable.StopAtBounds

            GridLayout {
                id: uploadForm
                width: parent.width
                columns: 2
                columnSpacing: Theme.spacing
                rowSpacing: Theme.spacing / 2

                Label {
                    text: qsTr("File")
                }
                RowLayout {
                    Layout.fillWidth: true
                    TextField {
                        id: filePath
                        objectName: "filePath"
                        Layout.fillWidth: true
                        Layout.preferredHeight: Theme.touchTarget
                        placeholderText: qsTr("/path/to/image.bin")
                        onTextChanged: {
                            // Suggest name and version from a file name like "sensor-fw-1.2.0.bin".
                            const base = text.substring(text.lastIndexOf("/") + 1).replace(/\.(bin|img|hex|fw)$/, "")
                            const m = base.match(/^(.*?)[-_]v?(\d+(\.\d+)+.*)$/)
                            if (m && fwName.text === "" && fwVersion.text === "") {
                                fwName.text = m[1]
                                fwVersion.text = m[2]
                            }
                        }
                    }
                    TouchButton {
                        text: qsTr("Browse…")
                        onClicked: fileDialog.open()
                    }
                }

                Label {
                    text: qsTr("Name")
                }
                TextField {
                    id: fwName
                    objectName: "firmwareName"
                    Layout.fillWidth: true
                    Layout.preferredHeight: Theme.touchTarget
                    placeholderText: qsTr("e.g. sensor-fw")
                    validator: RegularExpressionValidator {
                        regularExpression: /[A-Za-z0-9._-]{0,64}/
                    }
                }

                Label {
                    text: qsTr("Version")
                }
                TextField {
                    id: fwVersion
                    objectName: "firmwareVersion"
                    Layout.fillWidth: true
                    Layout.preferredHeight: Theme.touchTarget
                    placeholderText: qsTr("e.g. 1.2.0")
                    validator: RegularExpressionValidator {
                        regularExpression: /[A-Za-z0-9._+-]{0,64}/
                    }
                }

                Label {
                    text: qsTr("Device type")
                }
                ComboBox {
                    id: fwType
                    objectName: "firmwareDeviceType"
                    Layout.fillWidth: true
                    Layout.preferredHeight: Theme.touchTarget
                    editable: true
                    model: page.api.devices.types
                }

                ProgressBar {
                    objectName: "uploadProgress"
                    Layout.columnSpan: 2
                    Layout.fillWidth: true
                    visible: uploader.busy || uploader.progress > 0
                    palette.dark: Theme.accent
                    palette.midlight: Theme.surfaceRaised
                    from: 0
                    to: 1
                    value: uploader.progress
                }
                Label {
                    Layout.columnSpan: 2
                    Layout.fillWidth: true
                    visible: uploader.busy || uploader.error !== ""
                    text: uploader.error !== "" ? uploader.error
                                                : qsTr("%1 of %2").arg(Theme.formatBytes(uploader.bytesSent)).arg(Theme.formatBytes(uploader.bytesTotal))
                    color: uploader.error !== "" ? Theme.error : Theme.textMuted
                    elide: Text.ElideRight
                }
            }
        }

        footer: DialogButtonBox {
            TouchButton {
                text: uploader.busy ? qsTr("Cancel upload") : qsTr("Close")
                DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
            }
            TouchButton {
                objectName: "startUpload"
                text: qsTr("Upload")
                enabled: page.api.canWrite && !uploader.busy && filePath.text.trim() !== ""
                         && fwName.text !== "" && fwVersion.text !== ""
                // Not the accept role: the dialog stays open and shows the progress.
                DialogButtonBox.buttonRole: DialogButtonBox.ActionRole
                onClicked: {
                    uploadDialog.uploadedName = fwName.text
                    uploadDialog.uploadedVersion = fwVersion.text
                    uploadStatus.text = ""
                    uploader.upload(page.fileUrl(filePath.text), fwName.text, fwVersion.text, fwType.editText.trim())
                }
            }
            onRejected: {
                if (uploader.busy)
                    uploader.cancel()
                uploadDialog.close()
            }
        }

        Connections {
            target: uploader
            function onFinished(ok) {
                if (ok) {
                    uploadDialog.close()
                    filePath.text = ""
                    fwName.text = ""
                    fwVersion.text = ""
                }
            }
        }
    }

    // New campaign: which image, which devices, how fast.
    Dialog {
        id: campaignDialog
        objectName: "campaignDialog"

        function openFor(name, version) {
            imageRows.rebuild()
            let index = 0
            for (let i = 0; i < page.images.length; ++i) {
                if (page.images[i].name === name && page.images[i].version === version)
                    index = i
            }
            imageBox.currentIndex = page.images.length > 0 ? index : -1
            useImageType()
            campaignName.text = ""
            open()
        }

        /// An image made for one device type only goes to devices of that type: preset it.
        function useImageType() {
            const image = page.images[imageBox.currentIndex]
            if (image && image.deviceType !== "")
                targetType.editText = image.deviceType
        }

        function body() {
            const image = page.images[imageBox.currentIndex]
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
                    model: page.images.map(i => i.name + " " + i.version)
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
                        model: page.api.devices.types
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
                enabled: page.api.canWrite && campaignDialog.valid
                DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
            }
            onAccepted: {
                campaignDialog.pending = page.api.createCampaign(campaignDialog.body())
                campaignDialog.close()
                tabs.currentIndex = 1
            }
            onRejected: campaignDialog.close()
        }

        property int pending: -1
        Connections {
            target: page.api
            function onReplied(id, ok, result) {
                if (id === campaignDialog.pending && ok && result && result.id)
                    page.campaignId = result.id
            }
        }
    }

    Dialog {
        id: deleteDialog
        objectName: "deleteImageDialog"

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
                enabled: page.api.canWrite
                DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
            }
            onAccepted: {
                page.api.deleteFirmware(deleteDialog.name, deleteDialog.version)
                deleteDialog.close()
            }
            onRejected: deleteDialog.close()
        }
    }

    /// One campaign: name, image, state, progress, counts, and pause / resume / cancel.
    component CampaignCard: Rectangle {
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
                    color: card.host.stateColor(card.campaignState)
                    Label {
                        id: campaignStateLabel
                        objectName: "campaignState"
                        anchors.centerIn: parent
                        text: card.host.campaignStateName(card.campaignState)
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
                         ? " · " + card.host.pausedReasonName(card.pausedReason) : "")
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

    Dialog {
        id: cancelDialog
        objectName: "cancelCampaignDialog"

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
                enabled: page.api.canWrite
                DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
            }
            onAccepted: {
                page.api.cancelCampaign(cancelDialog.campaign)
                cancelDialog.close()
            }
            onRejected: cancelDialog.close()
        }
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
