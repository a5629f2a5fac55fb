// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Window
import EdgeGate.Client
import EdgeGate.Pages

/// The dashboard window: navigation, the connection banner, toasts and the pages.
/// Kiosk: full screen without frame, a compact rail. Desktop: a resizable window with keyboard shortcuts;
/// the side bar shows labels once the window is at least 1000 px wide.
ApplicationWindow {
    id: root

    required property bool kiosk
    required property string initialUrl
    required property string initialToken
    required property string initialCaFile

    /// "overview", "devices", "device", "alerts", "firmware" or "settings".
    property string currentPage: "overview"
    property string currentDevice: ""
    readonly property bool wide: width >= 1000
    readonly property var pageNames: ["overview", "devices", "device", "alerts", "firmware", "settings"]

    function showPage(name: string) {
        if (pageNames.indexOf(name) < 0) {
            console.warn("unknown page", name)
            return
        }
        currentPage = name
    }

    function showDevice(id: string) {
        currentDevice = id
        currentPage = "device"
    }

    function actionLabel(action: string): string {
        switch (action) {
        case "alert.acknowledge": return qsTr("Acknowledging the alert")
        case "alert.clear": return qsTr("Clearing the alert")
        case "device.approve": return qsTr("Approving the device")
        case "device.reject": return qsTr("Rejecting the device")
        case "device.maintenance": return qsTr("Changing maintenance mode")
        case "device.command": return qsTr("Sending the command")
        case "device.history": return qsTr("Loading the status history")
        case "telemetry.history": return qsTr("Loading the telemetry history")
        case "ota.create": return qsTr("Creating the campaign")
        case "ota.pause": return qsTr("Pausing the campaign")
        case "ota.resume": return qsTr("Resuming the campaign")
        case "ota.cancel": return qsTr("Cancelling the campaign")
        case "ota.jobs": return qsTr("Loading the campaign's jobs")
        case "firmware.list": return qsTr("Loading the firmware list")
        case "firmware.delete": return qsTr("Deleting the firmware")
        }
        return action
    }

    width: 1280
    height: 800
    minimumWidth: 640
    minimumHeight: 400
    visible: true
    visibility: kiosk ? Window.FullScreen : Window.AutomaticVisibility
    flags: kiosk ? (Qt.Window | Qt.FramelessWindowHint) : Qt.Window
    title: api.gatewayId.length > 0 ? qsTr("EdgeGate Dashboard — %1").arg(api.gatewayId) : qsTr("EdgeGate Dashboard")
    color: Theme.background

    palette.window: Theme.background
    palette.windowText: Theme.text
    palette.base: Theme.surfaceRaised
    palette.alternateBase: Theme.surface
    palette.text: Theme.text
    palette.button: Theme.surfaceRaised
    palette.buttonText: Theme.text
    palette.highlight: Theme.accent
    palette.highlightedText: Theme.accentText
    palette.placeholderText: Theme.textMuted
    palette.toolTipBase: Theme.surfaceRaised
    palette.toolTipText: Theme.text
    // Basic draws indicators, unchecked tabs and switch tracks with these.
    palette.light: Theme.text
    palette.mid: Theme.textMuted
    palette.dark: "#5b6570"
    palette.midlight: Theme.surfaceRaised
    palette.shadow: Theme.background

    AppSettings {
        id: settings
    }

    ApiClient {
        id: api
        url: root.initialUrl.length > 0 ? root.initialUrl : settings.url
        token: root.initialToken.length > 0 ? root.initialToken : settings.token
        caFile: root.initialCaFile
        onActionFailed: (action, code, message) => {
            const text = code === "forbidden"
                    ? qsTr("%1: read-only access").arg(root.actionLabel(action))
                    : qsTr("%1 failed: %2").arg(root.actionLabel(action)).arg(message)
            toast.show(text, "error")
        }
    }

    Component.onCompleted: api.open()

    Shortcut {
        sequences: ["Ctrl+1"]
        onActivated: root.showPage("overview")
    }
    Shortcut {
        sequences: ["Ctrl+2"]
        onActivated: root.showPage("devices")
    }
    Shortcut {
        sequences: ["Ctrl+3"]
        enabled: root.currentDevice.length > 0
        onActivated: root.showPage("device")
    }
    Shortcut {
        sequences: ["Ctrl+4"]
        onActivated: root.showPage("alerts")
    }
    Shortcut {
        sequences: ["Ctrl+5"]
        onActivated: root.showPage("firmware")
    }
    Shortcut {
        sequences: ["Ctrl+6"]
        onActivated: root.showPage("settings")
    }
    Shortcut {
        sequences: ["F5"]
        onActivated: api.reconnectNow()
    }
    Shortcut {
        sequences: ["Ctrl+F"]
        onActivated: {
            root.showPage("devices")
            devicesPage.focusSearch()
        }
    }
    Shortcut {
        sequences: ["Ctrl+Q"]
        enabled: !root.kiosk
        onActivated: Qt.quit()
    }

    /// One entry of the navigation: a glyph and a label, stacked in the rail, side by side when wide.
    component NavButton: AbstractButton {
        id: navButton

        property string glyph
        property int badgeCount: 0
        property bool current: false
        /// Side bar (glyph and label in a row) rather than the compact rail.
        property bool wide: false

        Layout.fillWidth: true
        implicitHeight: wide ? Theme.touchTarget + Theme.spacing : 64
        checkable: false
        Accessible.name: text

        background: Rectangle {
            color: navButton.current ? Theme.surfaceRaised : (navButton.hovered ? Qt.lighter(Theme.surface, 1.15) : "transparent")
            Rectangle {
                visible: navButton.current
                width: 4
                height: parent.height
                color: Theme.accent
            }
        }

        contentItem: Item {
            // Rail: the glyph above a small label.
            Column {
                visible: !navButton.wide
                anchors.centerIn: parent
                width: parent.width
                spacing: 2
                Text {
                    anchors.horizontalCenter: parent.horizontalCenter
                    text: navButton.glyph
                    color: navButton.current ? Theme.accent : Theme.text
                    font.pixelSize: 22
                }
                Text {
                    width: parent.width
                    text: navButton.text
                    color: navButton.current ? Theme.text : Theme.textMuted
                    font.pixelSize: 11
                    fontSizeMode: Text.HorizontalFit
                    minimumPixelSize: 8
                    horizontalAlignment: Text.AlignHCenter
                    elide: Text.ElideRight
                }
            }
            // Side bar: glyph and label side by side.
            Row {
                visible: navButton.wide
                anchors.verticalCenter: parent.verticalCenter
                x: Theme.spacingLarge
                width: parent.width - x
                spacing: Theme.spacingLarge
                Text {
                    id: wideGlyph
                    width: 24
                    text: navButton.glyph
                    color: navButton.current ? Theme.accent : Theme.text
                    font.pixelSize: 20
                    horizontalAlignment: Text.AlignHCenter
                }
                Text {
                    anchors.verticalCenter: wideGlyph.verticalCenter
                    width: parent.width - wideGlyph.width - parent.spacing - 40
                    text: navButton.text
                    color: navButton.current ? Theme.text : Theme.textMuted
                    font.pixelSize: Theme.fontNormal
                    font.bold: navButton.current
                    elide: Text.ElideRight
                }
            }
            Rectangle {
                visible: navButton.badgeCount > 0
                width: Math.max(20, countText.implicitWidth + 8)
                height: 20
                radius: 10
                color: Theme.danger
                x: navButton.wide ? parent.width - width - Theme.spacing : parent.width / 2 + 6
                y: navButton.wide ? (parent.height - height) / 2 : 4
                Text {
                    id: countText
                    anchors.centerIn: parent
                    text: navButton.badgeCount > 99 ? "99+" : navButton.badgeCount
                    color: Theme.accentText
                    font.pixelSize: 11
                    font.bold: true
                }
            }
        }
    }

    RowLayout {
        anchors.fill: parent
        spacing: 0

        Rectangle {
            id: navigation
            objectName: "navigation"
            Layout.fillHeight: true
            Layout.preferredWidth: root.wide ? 208 : 80
            color: Theme.surface

            ColumnLayout {
                anchors.fill: parent
                spacing: 0

                Item {
                    Layout.fillWidth: true
                    Layout.preferredHeight: root.wide ? 64 : Theme.touchTarget
                    Text {
                        anchors.fill: parent
                        anchors.leftMargin: root.wide ? Theme.spacingLarge : 0
                        text: root.wide ? qsTr("EdgeGate") : "EG"
                        color: Theme.text
                        font.pixelSize: root.wide ? Theme.fontTitle : Theme.fontLarge
                        font.bold: true
                        horizontalAlignment: root.wide ? Text.AlignLeft : Text.AlignHCenter
                        verticalAlignment: Text.AlignVCenter
                    }
                }

                NavButton {
                    objectName: "navOverview"
                    wide: root.wide
                    current: root.currentPage === "overview"
                    onClicked: root.showPage("overview")
                    glyph: "\u2302"
                    text: qsTr("Overview")
                }
                NavButton {
                    objectName: "navDevices"
                    wide: root.wide
                    current: root.currentPage === "devices" || root.currentPage === "device"
                    onClicked: root.showPage("devices")
                    glyph: "\u25A4"
                    text: qsTr("Devices")
                    badgeCount: api.devices.pendingCount
                }
                NavButton {
                    objectName: "navAlerts"
                    wide: root.wide
                    current: root.currentPage === "alerts"
                    onClicked: root.showPage("alerts")
                    glyph: "\u26A0"
                    text: qsTr("Alerts")
                    badgeCount: api.alerts.openCount
                }
                NavButton {
                    objectName: "navFirmware"
                    wide: root.wide
                    current: root.currentPage === "firmware"
                    onClicked: root.showPage("firmware")
                    glyph: "\u21EA"
                    text: qsTr("Firmware")
                }
                NavButton {
                    objectName: "navSettings"
                    wide: root.wide
                    current: root.currentPage === "settings"
                    onClicked: root.showPage("settings")
                    glyph: "\u2699"
                    text: qsTr("Settings")
                }

                Item {
                    Layout.fillHeight: true
                }

                Label {
                    objectName: "roleLabel"
                    Layout.fillWidth: true
                    Layout.margins: Theme.spacing
                    visible: api.role.length > 0
                    text: api.role === "admin" ? (root.wide ? qsTr("Admin access") : qsTr("Admin"))
                                               : (root.wide ? qsTr("Read-only access") : qsTr("Read-only"))
                    color: api.role === "admin" ? Theme.textMuted : Theme.warning
                    font.pixelSize: Theme.fontSmall
                    horizontalAlignment: root.wide ? Text.AlignLeft : Text.AlignHCenter
                    wrapMode: Text.Wrap
                }
            }

            Rectangle {
                anchors.right: parent.right
                width: 1
                height: parent.height
                color: Theme.border
            }
        }

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 0

            ConnectionBanner {
                objectName: "connectionBanner"
                Layout.fillWidth: true
                api: api
            }

            StackLayout {
                id: pages
                objectName: "pages"
                Layout.fillWidth: true
                Layout.fillHeight: true
                currentIndex: root.pageNames.indexOf(root.currentPage)

                OverviewPage {
                    objectName: "overviewPage"
                    api: api
                    onDeviceActivated: id => root.showDevice(id)
                    onPageRequested: name => root.showPage(name)
                    onDevicesRequested: status => {
                        devicesPage.showStatus(status)
                        root.showPage("devices")
                    }
                }
                DevicesPage {
                    id: devicesPage
                    objectName: "devicesPage"
                    api: api
                    onDeviceActivated: id => root.showDevice(id)
                }
                DeviceDetailPage {
                    objectName: "deviceDetailPage"
                    api: api
                    deviceId: root.currentDevice
                    onBackRequested: root.showPage("devices")
                }
                AlertsPage {
                    objectName: "alertsPage"
                    api: api
                }
                FirmwarePage {
                    objectName: "firmwarePage"
                    api: api
                }
                SettingsPage {
                    objectName: "settingsPage"
                    api: api
                }
            }
        }
    }

    Toast {
        id: toast
        objectName: "toast"
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        anchors.bottomMargin: Theme.spacingLarge
    }
}
