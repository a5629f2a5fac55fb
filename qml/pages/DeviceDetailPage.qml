// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtCharts
import EdgeGate.Client
import EdgeGate.Pages

/// One device: its last values, a chart per metric over a chosen range, what it is, and what an admin
/// may do with it (approve or reject it while pending, maintenance mode, send a command).
Page {
    id: page

    required property ApiClient api
    property string deviceId

    /// The back button was pressed.
    signal backRequested()

    /// The device's roles (DeviceModel.get), empty when unknown.
    property var device: ({})
    readonly property bool known: device !== undefined && device.deviceId !== undefined
    readonly property bool pending: known && device.approval === "pending"
    readonly property bool inMaintenance: known && device.status === "maintenance"
    property double now: Date.now()

    // A maintenance change on its way: the switch shows the wish until the gateway's device frame arrives.
    property int maintenanceRequest: -1
    property bool maintenanceWanted: false
    property int commandRequest: -1
    property string commandResult

    function refresh() {
        device = deviceId.length > 0 ? api.devices.get(deviceId) : ({})
    }

    function formatValue(value: var): string {
        if (typeof value === "number")
            return Number.isInteger(value) ? value.toLocaleString(Qt.locale(), "f", 0)
                                           : value.toLocaleString(Qt.locale(), "f", Math.abs(value) >= 100 ? 1 : 2)
        if (typeof value === "boolean")
            return value ? qsTr("true") : qsTr("false")
        return String(value)
    }

    /// The command parameters as an object, or null when they are not a JSON object.
    function commandParams(): var {
        const text = paramsField.text.trim()
        if (text.length === 0)
            return {}
        try {
            const value = JSON.parse(text)
            return value !== null && typeof value === "object" && !Array.isArray(value) ? value : null
        } catch (e) {
            return null
        }
    }

    function sendCommand() {
        const params = commandParams()
        if (params === null || commandName.text.trim().length === 0)
            return
        commandResult = ""
        commandRequest = api.sendCommand(deviceId, commandName.text.trim(), params)
    }

    onDeviceIdChanged: {
        refresh()
        maintenanceRequest = -1
        commandRequest = -1
        commandResult = ""
        flick.contentY = 0
    }
    Component.onCompleted: refresh()

    background: Rectangle {
        color: Theme.background
    }

    Connections {
        target: page.api.devices
        function onDataChanged() { page.refresh() }
        function onRowsInserted() { page.refresh() }
        function onRowsRemoved() { page.refresh() }
        function onModelReset() { page.refresh() }
    }

    Connections {
        target: page.api
        function onReplied(id: int, ok: bool, result: var, code: string, message: string) {
            if (id === page.maintenanceRequest) {
                page.maintenanceRequest = -1
            } else if (id === page.commandRequest) {
                page.commandRequest = -1
                page.commandResult = ok
                        ? qsTr("Command queued (id %1, %2).").arg(result.id).arg(result.state)
                        : qsTr("Command refused: %1").arg(message)
            }
        }
    }

    Timer {
        interval: 5000
        running: page.visible
        repeat: true
        triggeredOnStart: true
        onTriggered: page.now = Date.now()
    }

    DeviceTelemetry {
        id: telemetry
        client: page.api
        deviceId: page.deviceId
        rangeSeconds: 900
    }

    header: PageHeader {
        showBack: true
        title: page.known ? page.device.displayName : page.deviceId
        subtitle: page.known ? [page.device.deviceId, page.device.type, page.device.protocol]
                                   .filter(s => s && s.length > 0).join(" · ") : ""
        onBackClicked: page.backRequested()

        StatusBadge {
            visible: page.known
            status: page.pending ? "pending" : (page.known ? page.device.status : "")
        }
    }

    /// A titled box.
    component Card: Rectangle {
        id: card

        property string title
        default property alias content: cardColumn.data

        Layout.fillWidth: true
        implicitHeight: cardColumn.implicitHeight + 2 * Theme.spacingLarge
        radius: Theme.radius
        color: Theme.surface
        border.color: Theme.border

        ColumnLayout {
            id: cardColumn
            x: Theme.spacingLarge
            y: Theme.spacingLarge
            width: card.width - 2 * Theme.spacingLarge
            spacing: Theme.spacing

            Label {
                Layout.fillWidth: true
                visible: card.title.length > 0
                text: card.title
                color: Theme.text
                font.pixelSize: Theme.fontLarge
                font.bold: true
            }
        }
    }

    /// A label and its value in a two-column grid.
    component Field: Label {
        color: Theme.textMuted
        font.pixelSize: Theme.fontSmall
    }
    component Value: Label {
        Layout.fillWidth: true
        color: Theme.text
        font.pixelSize: Theme.fontNormal
        wrapMode: Text.WrapAnywhere
    }

    Label {
        anchors.centerIn: parent
        width: parent.width - 2 * Theme.spacingLarge
        visible: !page.known
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.Wrap
        text: page.deviceId.length === 0 ? qsTr("Pick a device on the Devices page.")
                                         : qsTr("The gateway does not know device %1 (any more).").arg(page.deviceId)
        color: Theme.textMuted
        font.pixelSize: Theme.fontLarge
    }

    Flickable {
        id: flick
        objectName: "detailFlick"
        anchors.fill: parent
        visible: page.known
        contentWidth: width
        contentHeight: content.implicitHeight + 2 * Theme.spacingLarge
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar {}

        ColumnLayout {
            id: content
            x: Theme.spacingLarge
            y: Theme.spacingLarge
            width: flick.width - 2 * Theme.spacingLarge
            spacing: Theme.spacingLarge

            // Waiting for approval.
            Rectangle {
                objectName: "approvalBar"
                Layout.fillWidth: true
                visible: page.pending
                implicitHeight: approvalRow.implicitHeight + 2 * Theme.spacing
                radius: Theme.radius
                color: Qt.rgba(Theme.pending.r, Theme.pending.g, Theme.pending.b, 0.18)
                border.color: Theme.pending

                RowLayout {
                    id: approvalRow
                    anchors.fill: parent
                    anchors.margins: Theme.spacing
                    anchors.leftMargin: Theme.spacingLarge
                    spacing: Theme.spacing
                    Label {
                        Layout.fillWidth: true
                        text: page.api.canWrite
                              ? qsTr("This device waits for approval. Its messages are held until then.")
                              : qsTr("This device waits for approval (read-only access).")
                        color: Theme.text
                        font.pixelSize: Theme.fontNormal
                        wrapMode: Text.Wrap
                    }
                    TouchButton {
                        objectName: "approveButton"
                        text: qsTr("Approve")
                        tone: Theme.success
                        enabled: page.api.canWrite
                        onClicked: page.api.approveDevice(page.deviceId)
                    }
                    TouchButton {
                        objectName: "rejectButton"
                        text: qsTr("Reject")
                        tone: Theme.danger
                        enabled: page.api.canWrite
                        onClicked: rejectDialog.open()
                    }
                }
            }

            // Last values.
            Card {
                title: qsTr("Last values")

                Label {
                    visible: telemetry.metrics.length === 0
                    text: qsTr("No telemetry in the last %1.").arg(rangeLabel(telemetry.rangeSeconds))
                    color: Theme.textMuted
                    font.pixelSize: Theme.fontNormal
                    function rangeLabel(seconds) {
                        return seconds >= 3600 ? qsTr("hour") : qsTr("%n minute(s)", "", seconds / 60)
                    }
                }

                Flow {
                    Layout.fillWidth: true
                    spacing: Theme.spacing
                    Repeater {
                        objectName: "lastValues"
                        model: telemetry.metrics
                        delegate: Rectangle {
                            required property int index
                            required property string modelData
                            // Before the first live sample: the newest point of the chart (a 10 s mean).
                            readonly property Item chart: charts.count > index ? charts.itemAt(index) : null
                            readonly property var sample: telemetry.latest[modelData]
                                                          || (chart && chart.lastPoint ? chart.lastPoint : undefined)
                            width: Math.max(120, valueColumn.implicitWidth + 2 * Theme.spacing)
                            height: valueColumn.implicitHeight + 2 * Theme.spacing
                            radius: Theme.radius
                            color: Theme.surfaceRaised
                            ColumnLayout {
                                id: valueColumn
                                x: Theme.spacing
                                y: Theme.spacing
                                spacing: 0
                                Label {
                                    text: modelData
                                    color: Theme.textMuted
                                    font.pixelSize: Theme.fontSmall
                                }
                                Label {
                                    text: sample ? page.formatValue(sample.value) : "—"
                                    color: Theme.text
                                    font.pixelSize: Theme.fontTitle
                                    font.bold: true
                                }
                                Label {
                                    text: sample ? Theme.formatAgo(sample.time, page.now) : ""
                                    color: Theme.textMuted
                                    font.pixelSize: Theme.fontSmall
                                }
                            }
                        }
                    }
                }
            }

            // Charts.
            Card {
                title: qsTr("Telemetry")

                RowLayout {
                    objectName: "rangeSelector"
                    spacing: Theme.spacingSmall
                    Repeater {
                        model: [
                            { seconds: 60, text: qsTr("1 min") },
                            { seconds: 300, text: qsTr("5 min") },
                            { seconds: 900, text: qsTr("15 min") },
                            { seconds: 3600, text: qsTr("1 h") }
                        ]
                        delegate: TouchButton {
                            required property var modelData
                            objectName: "range" + modelData.seconds
                            text: modelData.text
                            flat: true
                            checkable: true
                            autoExclusive: true
                            checked: telemetry.rangeSeconds === modelData.seconds
                            onClicked: telemetry.rangeSeconds = modelData.seconds
                        }
                    }
                }

                GridLayout {
                    Layout.fillWidth: true
                    columns: width >= 900 ? 2 : 1
                    columnSpacing: Theme.spacing
                    rowSpacing: Theme.spacing

                    Repeater {
                        id: charts
                        objectName: "charts"
                        model: telemetry.metrics

                        delegate: ChartView {
                            id: chart

                            required property string modelData
                            readonly property alias series: lineSeries
                            readonly property string metric: modelData
                            /// {value, time} of the newest point, null when there is none.
                            property var lastPoint: null

                            function refresh() {
                                telemetry.fill(lineSeries, metric)
                                if (lineSeries.count > 0) {
                                    const p = lineSeries.at(lineSeries.count - 1)
                                    lastPoint = { value: p.y, time: new Date(p.x) }
                                } else {
                                    lastPoint = null
                                }
                                const b = telemetry.bounds(metric)
                                xAxis.min = new Date(b.minX)
                                xAxis.max = new Date(b.maxX)
                                yAxis.min = b.minY
                                yAxis.max = b.maxY
                            }

                            objectName: "chart_" + metric
                            Layout.fillWidth: true
                            Layout.preferredWidth: 1
                            Layout.preferredHeight: page.height >= 600 ? 240 : 190
                            title: metric
                            titleColor: Theme.text
                            titleFont.pixelSize: Theme.fontNormal
                            titleFont.bold: true
                            theme: ChartView.ChartThemeDark
                            backgroundColor: Theme.surfaceRaised
                            backgroundRoundness: Theme.radius
                            antialiasing: true
                            legend.visible: false
                            margins.top: 0
                            margins.bottom: 0
                            margins.left: 0
                            margins.right: 0

                            DateTimeAxis {
                                id: xAxis
                                format: telemetry.rangeSeconds <= 300 ? "hh:mm:ss" : "hh:mm"
                                tickCount: chart.width >= 500 ? 6 : 4
                                labelsColor: Theme.textMuted
                                labelsFont.pixelSize: Theme.fontSmall
                                gridLineColor: Theme.border
                            }
                            ValueAxis {
                                id: yAxis
                                tickCount: 5
                                labelFormat: "%.4g"
                                labelsColor: Theme.textMuted
                                labelsFont.pixelSize: Theme.fontSmall
                                gridLineColor: Theme.border
                            }
                            LineSeries {
                                id: lineSeries
                                name: chart.metric
                                axisX: xAxis
                                axisY: yAxis
                                color: Theme.accent
                                width: 2
                            }

                            Component.onCompleted: refresh()
                            Connections {
                                target: telemetry
                                function onChanged(metric: string) {
                                    if (metric === chart.metric)
                                        chart.refresh()
                                }
                            }
                        }
                    }
                }
            }

            GridLayout {
                Layout.fillWidth: true
                columns: width >= 760 ? 2 : 1
                columnSpacing: Theme.spacingLarge
                rowSpacing: Theme.spacingLarge

                // What the device is.
                Card {
                    Layout.alignment: Qt.AlignTop
                    Layout.preferredWidth: 1
                    title: qsTr("Details")

                    GridLayout {
                        Layout.fillWidth: true
                        columns: 2
                        columnSpacing: Theme.spacingLarge
                        rowSpacing: Theme.spacingSmall

                        Field { text: qsTr("Id") }
                        Value { text: page.known ? page.device.deviceId : "" }
                        Field { text: qsTr("Name") }
                        Value { text: page.known && page.device.name.length > 0 ? page.device.name : "—" }
                        Field { text: qsTr("Type") }
                        Value { text: page.known && page.device.type.length > 0 ? page.device.type : "—" }
                        Field { text: qsTr("Model") }
                        Value { text: page.known && page.device.model.length > 0 ? page.device.model : "—" }
                        Field { text: qsTr("Firmware") }
                        Value { objectName: "firmwareValue"; text: page.known && page.device.firmware.length > 0 ? page.device.firmware : "—" }
                        Field { text: qsTr("Protocol") }
                        Value { text: page.known && page.device.protocol.length > 0 ? page.device.protocol : "—" }
                        Field { text: qsTr("Proven by") }
                        Value {
                            objectName: "proofValue"
                            text: {
                                switch (page.known ? page.device.proof : "") {
                                case "token": return qsTr("its token")
                                case "psk": return qsTr("its DTLS key (PSK)")
                                case "certificate": return qsTr("its certificate")
                                case "broker": return qsTr("the broker")
                                case "none": return qsTr("nothing: no credentials")
                                default: return "—"
                                }
                            }
                        }
                        Field { text: qsTr("Last seen") }
                        Value {
                            text: page.known ? qsTr("%1 (%2)").arg(Theme.formatAgo(page.device.lastSeen, page.now))
                                                               .arg(Theme.formatTime(page.device.lastSeen)) : ""
                        }
                        Field { text: qsTr("Uptime") }
                        Value {
                            text: page.known && page.device.uptime >= 0 ? Theme.formatDuration(page.device.uptime) : qsTr("unknown")
                        }
                        Field { text: qsTr("Messages") }
                        Value { text: page.known ? qsTr("%1 per minute").arg(page.device.messagesPerMinute) : "" }
                        Field {
                            visible: page.known && page.device.lastError.length > 0
                            text: qsTr("Last error")
                        }
                        Value {
                            visible: page.known && page.device.lastError.length > 0
                            text: page.known ? page.device.lastError : ""
                            color: Theme.error
                        }
                        Field {
                            visible: page.known && page.device.capabilities.length > 0
                            text: qsTr("Capabilities")
                        }
                        Value {
                            visible: page.known && page.device.capabilities.length > 0
                            text: page.known ? page.device.capabilities.join(", ") : ""
                        }
                        // Metadata as key, value, key, value ... in the same two columns.
                        Repeater {
                            model: {
                                if (!page.known)
                                    return []
                                const meta = page.device.metadata || {}
                                return Object.keys(meta).sort().reduce((cells, key) => cells.concat([key, String(meta[key])]), [])
                            }
                            delegate: Label {
                                required property int index
                                required property string modelData
                                Layout.fillWidth: index % 2 === 1
                                text: modelData
                                color: index % 2 === 1 ? Theme.text : Theme.textMuted
                                font.pixelSize: index % 2 === 1 ? Theme.fontNormal : Theme.fontSmall
                                wrapMode: index % 2 === 1 ? Text.WrapAnywhere : Text.NoWrap
                            }
                        }
                    }
                }

                // What an admin may do.
                Card {
                    Layout.alignment: Qt.AlignTop
                    Layout.preferredWidth: 1
                    title: qsTr("Control")

                    Label {
                        objectName: "readOnlyHint"
                        Layout.fillWidth: true
                        visible: !page.api.canWrite
                        text: qsTr("Read-only access: changes need an admin token.")
                        color: Theme.warning
                        font.pixelSize: Theme.fontNormal
                        wrapMode: Text.Wrap
                    }

                    RowLayout {
                        Layout.fillWidth: true
                        spacing: Theme.spacing
                        ColumnLayout {
                            Layout.fillWidth: true
                            spacing: 0
                            Label {
                                text: qsTr("Maintenance mode")
                                color: Theme.text
                                font.pixelSize: Theme.fontNormal
                            }
                            Label {
                                Layout.fillWidth: true
                                text: qsTr("No offline alerts while the device is worked on.")
                                color: Theme.textMuted
                                font.pixelSize: Theme.fontSmall
                                wrapMode: Text.Wrap
                            }
                        }
                        BusyIndicator {
                            Layout.preferredWidth: 32
                            Layout.preferredHeight: 32
                            running: page.maintenanceRequest >= 0
                            visible: running
                        }
                        Switch {
                            id: maintenanceSwitch
                            objectName: "maintenanceSwitch"
                            implicitHeight: Theme.touchTarget
                            enabled: page.api.canWrite && page.known && !page.pending && page.maintenanceRequest < 0
                            checked: page.maintenanceRequest >= 0 ? page.maintenanceWanted : page.inMaintenance
                            Accessible.name: qsTr("Maintenance mode")
                            indicator: Rectangle {
                                implicitWidth: 52
                                implicitHeight: 28
                                x: maintenanceSwitch.leftPadding
                                y: (maintenanceSwitch.height - height) / 2
                                radius: height / 2
                                opacity: maintenanceSwitch.enabled ? 1 : 0.45
                                color: maintenanceSwitch.checked ? Theme.maintenance : Theme.surfaceRaised
                                border.color: maintenanceSwitch.checked ? Theme.maintenance : Theme.textMuted
                                Rectangle {
                                    width: 22
                                    height: 22
                                    radius: 11
                                    y: 3
                                    x: maintenanceSwitch.checked ? parent.width - width - 3 : 3
                                    color: Theme.text
                                    Behavior on x {
                                        NumberAnimation { duration: 120 }
                                    }
                                }
                            }
                            onToggled: {
                                page.maintenanceWanted = checked
                                page.maintenanceRequest = page.api.setMaintenance(page.deviceId, checked)
                                checked = Qt.binding(() => page.maintenanceRequest >= 0 ? page.maintenanceWanted
                                                                                         : page.inMaintenance)
                            }
                        }
                    }

                    Rectangle {
                        Layout.fillWidth: true
                        implicitHeight: 1
                        color: Theme.border
                    }

                    Label {
                        text: qsTr("Send a command")
                        color: Theme.text
                        font.pixelSize: Theme.fontNormal
                    }
                    Flow {
                        Layout.fillWidth: true
                        spacing: Theme.spacingSmall
                        visible: page.known && page.device.capabilities.length > 0
                        Repeater {
                            model: page.known ? page.device.capabilities : []
                            delegate: TouchButton {
                                required property string modelData
                                text: modelData
                                flat: true
                                enabled: page.api.canWrite
                                onClicked: commandName.text = modelData
                            }
                        }
                    }
                    TextField {
                        id: commandName
                        objectName: "commandName"
                        Layout.fillWidth: true
                        implicitHeight: Theme.touchTarget
                        enabled: page.api.canWrite
                        placeholderText: qsTr("Command name, e.g. reboot")
                        selectByMouse: true
                        background: Rectangle {
                            radius: Theme.radius
                            color: Theme.surfaceRaised
                            opacity: commandName.enabled ? 1 : 0.5
                            border.color: commandName.activeFocus ? Theme.accent : Theme.border
                        }
                    }
                    TextArea {
                        id: paramsField
                        objectName: "commandParams"
                        Layout.fillWidth: true
                        Layout.minimumHeight: Theme.touchTarget * 1.5
                        enabled: page.api.canWrite
                        placeholderText: qsTr("Parameters as a JSON object, e.g. {\"delay_s\": 5}")
                        wrapMode: TextEdit.Wrap
                        selectByMouse: true
                        font.family: "monospace"
                        background: Rectangle {
                            radius: Theme.radius
                            color: Theme.surfaceRaised
                            opacity: paramsField.enabled ? 1 : 0.5
                            border.color: paramsField.activeFocus ? Theme.accent : Theme.border
                        }
                    }
                    RowLayout {
                        Layout.fillWidth: true
                        spacing: Theme.spacing
                        Label {
                            objectName: "commandStatus"
                            Layout.fillWidth: true
                            text: page.commandParams() === null ? qsTr("The parameters are not a JSON object.")
                                                                : page.commandResult
                            color: page.commandParams() === null ? Theme.error : Theme.textMuted
                            font.pixelSize: Theme.fontSmall
                            wrapMode: Text.Wrap
                        }
                        TouchButton {
                            objectName: "sendCommandButton"
                            text: qsTr("Send")
                            enabled: page.api.canWrite && commandName.text.trim().length > 0
                                     && page.commandParams() !== null && page.commandRequest < 0
                            onClicked: page.sendCommand()
                        }
                    }
                }
            }
        }
    }

    Dialog {
        id: rejectDialog
        objectName: "rejectDialog"
        parent: Overlay.overlay
        x: Math.round((parent.width - width) / 2)
        y: Math.round((parent.height - height) / 2)
        width: Math.min(parent.width - 2 * Theme.spacingLarge, 460)
        modal: true
        title: qsTr("Reject device?")
        standardButtons: Dialog.Cancel | Dialog.Ok
        contentItem: Label {
            text: qsTr("%1 is removed from the gateway and its held messages are dropped.").arg(page.deviceId)
            wrapMode: Text.Wrap
        }
        onAccepted: page.api.rejectDevice(page.deviceId)
    }
}
