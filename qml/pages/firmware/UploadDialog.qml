// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import EdgeGate.Client
import EdgeGate.Pages

/// Image upload: file, name, version, device type; progress while it runs.
Dialog {
    id: uploadDialog
    objectName: "uploadDialog"

    required property ApiClient api
    required property FirmwareUploader uploader

    /// An upload was started from the form.
    signal started

    /// A file URL from what was typed or picked: a URL stays as it is, a path becomes file://.
    function fileUrl(text) {
        const t = text.trim()
        if (t.startsWith("file:"))
            return t
        return "file://" + t
    }

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
                model: uploadDialog.api.devices.types
            }

            ProgressBar {
                objectName: "uploadProgress"
                Layout.columnSpan: 2
                Layout.fillWidth: true
                visible: uploadDialog.uploader.busy || uploadDialog.uploader.progress > 0
                palette.dark: Theme.accent
                palette.midlight: Theme.surfaceRaised
                from: 0
                to: 1
                value: uploadDialog.uploader.progress
            }
            Label {
                Layout.columnSpan: 2
                Layout.fillWidth: true
                visible: uploadDialog.uploader.busy || uploadDialog.uploader.error !== ""
                text: uploadDialog.uploader.error !== "" ? uploadDialog.uploader.error
                                            : qsTr("%1 of %2").arg(Theme.formatBytes(uploadDialog.uploader.bytesSent)).arg(Theme.formatBytes(uploadDialog.uploader.bytesTotal))
                color: uploadDialog.uploader.error !== "" ? Theme.error : Theme.textMuted
                elide: Text.ElideRight
            }
        }
    }

    footer: DialogButtonBox {
        TouchButton {
            text: uploadDialog.uploader.busy ? qsTr("Cancel upload") : qsTr("Close")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
        TouchButton {
            objectName: "startUpload"
            text: qsTr("Upload")
            enabled: uploadDialog.api.canWrite && !uploadDialog.uploader.busy && filePath.text.trim() !== ""
                     && fwName.text !== "" && fwVersion.text !== ""
            // Not the accept role: the dialog stays open and shows the progress.
            DialogButtonBox.buttonRole: DialogButtonBox.ActionRole
            onClicked: {
                uploadDialog.uploadedName = fwName.text
                uploadDialog.uploadedVersion = fwVersion.text
                uploadDialog.started()
                uploadDialog.uploader.upload(uploadDialog.fileUrl(filePath.text), fwName.text, fwVersion.text, fwType.editText.trim())
            }
        }
        onRejected: {
            if (uploadDialog.uploader.busy)
                uploadDialog.uploader.cancel()
            uploadDialog.close()
        }
    }

    Connections {
        target: uploadDialog.uploader
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
