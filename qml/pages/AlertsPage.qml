// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import EdgeGate.Client
import EdgeGate.Pages

/// Alerts of the gateway, newest first: filter by severity, show or hide cleared ones,
/// acknowledge (with an optional note) and clear.
Page {
    id: page
    objectName: "alertsPage"

    required property ApiClient api

    /// "" (all), "info", "warning" or "critical"
    property alias severity: filter.severity
    property alias showCleared: filter.showCleared
    readonly property alias listView: list

    background: Rectangle {
        color: Theme.background
    }

    AlertFilterModel {
        id: filter
        sourceModel: page.api.alerts
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        PageHeader {
            Layout.fillWidth: true
            title: qsTr("Alerts")
            subtitle: qsTr("%n open", "", page.api.alerts.openCount)
        }

        Flow {
            id: filters
            Layout.fillWidth: true
            Layout.margins: Theme.spacing
            spacing: Theme.spacing

            Repeater {
                model: [
                    { value: "", label: qsTr("All") },
                    { value: "critical", label: Labels.alertSeverity("critical") },
                    { value: "warning", label: Labels.alertSeverity("warning") },
                    { value: "info", label: Labels.alertSeverity("info") }
                ]
                delegate: TouchButton {
                    required property var modelData
                    objectName: "severity-" + (modelData.value === "" ? "all" : modelData.value)
                    text: modelData.label
                    tone: modelData.value === "" ? Theme.accent : Theme.severityColor(modelData.value)
                    flat: true
                    checked: filter.severity === modelData.value
                    onClicked: filter.severity = modelData.value
                }
            }

            Switch {
                id: clearedSwitch
                objectName: "showCleared"
                height: Theme.touchTarget
                text: qsTr("Show cleared")
                checked: filter.showCleared
                onToggled: filter.showCleared = checked
            }
        }

        ReadOnlyHint {
            Layout.fillWidth: true
            Layout.leftMargin: Theme.spacing
            Layout.rightMargin: Theme.spacing
            api: page.api
        }

        ListView {
            id: list
            objectName: "alertList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.leftMargin: Theme.spacing
            Layout.rightMargin: Theme.spacing
            Layout.bottomMargin: Theme.spacing
            clip: true
            spacing: Theme.spacing / 2
            model: filter
            ScrollBar.vertical: ScrollBar {}

            delegate: AlertCard {
                width: ListView.view.width
                api: page.api
                severityColor: Theme.severityColor(severity)
                severityText: Labels.alertSeverity(severity)
                stateText: Labels.alertState(alertState)
                firstText: Theme.formatTime(model.firstAt)
                lastText: Theme.formatTime(model.lastAt)
                acknowledgedText: Theme.formatTime(model.acknowledgedAt)
                clearedText: Theme.formatTime(model.clearedAt)
                onAcknowledgeRequested: actionDialog.ask("acknowledge", alertId, message)
                onClearRequested: actionDialog.ask("clear", alertId, message)
            }

            Label {
                anchors.centerIn: parent
                visible: list.count === 0
                text: page.api.state === ApiClient.Connected ? qsTr("No alerts") : qsTr("Not connected")
                color: Theme.textMuted
                font.pixelSize: Theme.fontLarge
            }
        }
    }

    Dialog {
        id: actionDialog
        objectName: "alertActionDialog"

        property string action: "acknowledge"
        property int alertId: -1
        property string alertMessage

        function ask(what, id, message) {
            action = what
            alertId = id
            alertMessage = message
            noteField.text = ""
            open()
        }

        function confirm() {
            if (action === "acknowledge")
                page.api.acknowledgeAlert(alertId, noteField.text)
            else
                page.api.clearAlert(alertId)
            close()
        }

        parent: Overlay.overlay
        anchors.centerIn: parent
        width: Math.min(parent ? parent.width - 2 * Theme.spacing : 480, 520)
        modal: true
        focus: true
        title: action === "acknowledge" ? qsTr("Acknowledge alert") : qsTr("Clear alert")

        ColumnLayout {
            anchors.fill: parent
            spacing: Theme.spacing

            Label {
                Layout.fillWidth: true
                text: actionDialog.alertMessage
                wrapMode: Text.Wrap
                maximumLineCount: 3
                elide: Text.ElideRight
            }
            Label {
                Layout.fillWidth: true
                visible: actionDialog.action === "clear"
                text: qsTr("The alert is closed now; it is raised again if its condition returns.")
                wrapMode: Text.Wrap
                color: Theme.textMuted
            }
            TextField {
                id: noteField
                objectName: "alertNote"
                Layout.fillWidth: true
                Layout.preferredHeight: Theme.touchTarget
                visible: actionDialog.action === "acknowledge"
                placeholderText: qsTr("Note (optional)")
                maximumLength: 1024
                onAccepted: actionDialog.confirm()
            }
        }

        footer: DialogButtonBox {
            TouchButton {
                text: qsTr("Cancel")
                DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
            }
            TouchButton {
                objectName: "alertConfirm"
                text: actionDialog.action === "acknowledge" ? qsTr("Acknowledge") : qsTr("Clear")
                enabled: page.api.canWrite
                DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
            }
            onAccepted: actionDialog.confirm()
            onRejected: actionDialog.close()
        }
    }

    /// One alert in the alert list: severity stripe, message, who acknowledged or cleared it and when,
    /// and the buttons to acknowledge or clear it. The model roles arrive as required properties.
    component AlertCard: Rectangle {
        id: card

        required property ApiClient api
        /// The delegate's model data: alertId, deviceId, rule, severity, state, message, count, firstAt, lastAt,
        /// acknowledgedBy, acknowledgedAt, note, clearedAt, clearedBy.
        required property var model
        readonly property int alertId: model.alertId
        readonly property string deviceId: model.deviceId
        readonly property string rule: model.rule
        readonly property string severity: model.severity
        readonly property string alertState: model.state
        readonly property string message: model.message
        readonly property int count: model.count
        readonly property string acknowledgedBy: model.acknowledgedBy
        readonly property string note: model.note
        readonly property string clearedBy: model.clearedBy

        // Set by the list: colours and texts formatted by the page.
        property color severityColor: Theme.info
        property string severityText
        property string stateText
        property string firstText
        property string lastText
        property string acknowledgedText
        property string clearedText

        signal acknowledgeRequested
        signal clearRequested

        objectName: "alert-" + alertId
        implicitHeight: Math.max(content.implicitHeight, actions.implicitHeight) + 2 * Theme.spacing
        color: Theme.surface
        radius: Theme.radius
        opacity: alertState === "cleared" ? 0.7 : 1.0

        Rectangle {
            id: stripe
            anchors { left: parent.left; top: parent.top; bottom: parent.bottom }
            width: 8
            radius: Theme.radius
            color: card.severityColor
        }

        GridLayout {
            anchors.fill: parent
            anchors.leftMargin: stripe.width + Theme.spacing
            anchors.rightMargin: Theme.spacing
            anchors.topMargin: Theme.spacing
            anchors.bottomMargin: Theme.spacing
            // Buttons go below the text when the card is narrow.
            columns: card.width >= 640 ? 2 : 1
            columnSpacing: Theme.spacing
            rowSpacing: Theme.spacing / 2

            ColumnLayout {
                id: content
                Layout.fillWidth: true
                spacing: 2

                RowLayout {
                    Layout.fillWidth: true
                    spacing: Theme.spacing

                    Rectangle {
                        implicitWidth: severityLabel.implicitWidth + 12
                        implicitHeight: severityLabel.implicitHeight + 4
                        radius: 3
                        color: card.severityColor
                        Label {
                            id: severityLabel
                            anchors.centerIn: parent
                            text: card.severityText
                            color: "white"
                            font.bold: true
                        }
                    }
                    Label {
                        text: card.stateText
                        font.bold: card.alertState === "active"
                        color: Theme.text
                    }
                    Label {
                        Layout.fillWidth: true
                        text: card.deviceId
                        elide: Text.ElideRight
                        color: Theme.textMuted
                    }
                    Label {
                        text: card.lastText
                        color: Theme.textMuted
                    }
                }

                Label {
                    Layout.fillWidth: true
                    text: card.message
                    wrapMode: Text.Wrap
                    maximumLineCount: 2
                    elide: Text.ElideRight
                    color: Theme.text
                    font.pixelSize: Theme.fontLarge
                }

                Label {
                    Layout.fillWidth: true
                    text: card.count > 1 ? qsTr("Rule %1 · %n times since %2", "", card.count).arg(card.rule).arg(card.firstText)
                                         : qsTr("Rule %1 · since %2").arg(card.rule).arg(card.firstText)
                    elide: Text.ElideRight
                    color: Theme.textMuted
                }

                Label {
                    objectName: "acknowledgedBy"
                    Layout.fillWidth: true
                    visible: card.acknowledgedBy !== ""
                    text: qsTr("Acknowledged by %1 at %2").arg(card.acknowledgedBy).arg(card.acknowledgedText)
                          + (card.note !== "" ? " — " + card.note : "")
                    wrapMode: Text.Wrap
                    maximumLineCount: 2
                    elide: Text.ElideRight
                    color: Theme.textMuted
                }

                Label {
                    objectName: "clearedBy"
                    Layout.fillWidth: true
                    visible: card.alertState === "cleared"
                    text: card.clearedBy !== "" ? qsTr("Cleared by %1 at %2").arg(card.clearedBy).arg(card.clearedText)
                                                : qsTr("Cleared at %1").arg(card.clearedText)
                    elide: Text.ElideRight
                    color: Theme.textMuted
                }
            }

            RowLayout {
                id: actions
                Layout.alignment: Qt.AlignRight | Qt.AlignVCenter
                spacing: Theme.spacing
                visible: card.alertState !== "cleared"

                TouchButton {
                    objectName: "acknowledge"
                    text: qsTr("Acknowledge")
                    visible: card.alertState === "active"
                    enabled: card.api.canWrite
                    onClicked: card.acknowledgeRequested()
                }
                TouchButton {
                    objectName: "clear"
                    text: qsTr("Clear")
                    flat: true
                    enabled: card.api.canWrite
                    onClicked: card.clearRequested()
                }
            }
        }
    }

    /// A line telling a viewer why the controls on the page are disabled. Hidden for an admin
    /// and while not connected (the connection banner speaks then).
    component ReadOnlyHint: Rectangle {
        id: hint

        required property ApiClient api

        objectName: "readOnlyHint"
        visible: api.state === ApiClient.Connected && !api.canWrite
        implicitHeight: visible ? label.implicitHeight + Theme.spacing : 0
        radius: Theme.radius
        color: Theme.surface
        border.color: Theme.info

        Label {
            id: label
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
