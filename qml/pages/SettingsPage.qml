// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import EdgeGate.Client
import EdgeGate.Pages

/// Where the dashboard connects (gateway URL, API token) and in which language it speaks.
/// Apply saves the settings, reconnects and switches the language; the connection state and
/// the role the token gives are shown below.
Page {
    id: page
    objectName: "settingsPage"

    required property ApiClient api
    /// The application's settings; the page keeps its own when none is passed in.
    property AppSettings settings: ownSettings

    /// Copies the saved settings into the form.
    function load() {
        urlField.text = settings.url !== "" ? settings.url : api.url
        tokenField.text = settings.token !== "" ? settings.token : api.token
        caField.text = settings.caFile !== "" ? settings.caFile : api.caFile
        const i = languageBox.indexOfValue(settings.language)
        languageBox.currentIndex = i >= 0 ? i : 0
    }

    /// Saves the form, reconnects with it and switches the language.
    function apply() {
        const url = urlField.text.trim()
        const token = tokenField.text.trim()
        const caFile = caField.text.trim()
        const languageChanged = settings.language !== languageBox.currentValue
        settings.url = url
        settings.token = token
        settings.caFile = caFile
        settings.language = languageBox.currentValue
        if (api.url !== url || api.token !== token || api.caFile !== caFile) {
            api.url = url
            api.token = token
            api.caFile = caFile
            api.open()
        } else {
            api.reconnectNow()
        }
        if (languageChanged)
            settings.applyLanguage()
        status.text = qsTr("Settings saved")
    }

    function stateName(state) {
        switch (state) {
        case ApiClient.Disconnected:
            return qsTr("Disconnected")
        case ApiClient.Connecting:
            return qsTr("Connecting")
        case ApiClient.Authenticating:
            return qsTr("Authenticating")
        case ApiClient.Connected:
            return qsTr("Connected")
        case ApiClient.Waiting:
            return qsTr("Reconnecting in %1 s").arg(api.reconnectIn)
        default:
            return ""
        }
    }

    function roleName(role) {
        switch (role) {
        case "admin":
            return qsTr("Administrator: may change everything")
        case "viewer":
            return qsTr("Viewer: read-only access")
        default:
            return qsTr("none (not connected)")
        }
    }

    Component.onCompleted: load()

    background: Rectangle {
        color: Theme.background
    }

    AppSettings {
        id: ownSettings
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        PageHeader {
            Layout.fillWidth: true
            title: qsTr("Settings")
            subtitle: page.stateName(page.api.state)
        }

        Flickable {
            id: flick
            Layout.fillWidth: true
            Layout.fillHeight: true
            contentHeight: form.implicitHeight + 2 * Theme.spacing
            clip: true
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}

            GridLayout {
                id: form
                x: Theme.spacing
                y: Theme.spacing
                width: Math.min(flick.width - 2 * Theme.spacing, 900)
                columns: 2
                columnSpacing: Theme.spacing * 2
                rowSpacing: Theme.spacing

                Label {
                    Layout.columnSpan: 2
                    text: qsTr("Connection")
                    font.bold: true
                    font.pixelSize: Theme.fontLarge
                    color: Theme.text
                }

                Label {
                    text: qsTr("Gateway URL")
                    color: Theme.text
                }
                TextField {
                    id: urlField
                    objectName: "urlField"
                    Layout.fillWidth: true
                    Layout.preferredHeight: Theme.touchTarget
                    placeholderText: "ws://127.0.0.1:8080/ws"
                    inputMethodHints: Qt.ImhUrlCharactersOnly | Qt.ImhNoAutoUppercase
                    onAccepted: page.apply()
                }

                Label {
                    text: qsTr("API token")
                    color: Theme.text
                }
                RowLayout {
                    Layout.fillWidth: true
                    TextField {
                        id: tokenField
                        objectName: "tokenField"
                        Layout.fillWidth: true
                        Layout.preferredHeight: Theme.touchTarget
                        echoMode: showToken.checked ? TextInput.Normal : TextInput.Password
                        placeholderText: qsTr("empty when the gateway has no tokens")
                        inputMethodHints: Qt.ImhSensitiveData | Qt.ImhNoPredictiveText | Qt.ImhNoAutoUppercase
                        onAccepted: page.apply()
                    }
                    TouchButton {
                        id: showToken
                        objectName: "showToken"
                        checkable: true
                        text: checked ? qsTr("Hide") : qsTr("Show")
                    }
                }

                Label {
                    text: qsTr("CA certificate")
                    color: Theme.text
                }
                TextField {
                    id: caField
                    objectName: "caField"
                    Layout.fillWidth: true
                    Layout.preferredHeight: Theme.touchTarget
                    placeholderText: qsTr("PEM file, for a wss:// gateway with a certificate of its own CA")
                    inputMethodHints: Qt.ImhNoPredictiveText | Qt.ImhNoAutoUppercase
                    onAccepted: page.apply()
                }

                Label {
                    text: qsTr("Language")
                    color: Theme.text
                }
                ComboBox {
                    id: languageBox
                    objectName: "languageBox"
                    Layout.preferredHeight: Theme.touchTarget
                    Layout.preferredWidth: 280
                    textRole: "text"
                    valueRole: "value"
                    model: [
                        { value: "", text: qsTr("System") },
                        //: The language's own name; stays as it is in every translation.
                        { value: "en", text: qsTr("English") },
                        //: The language's own name; stays as it is in every translation.
                        { value: "de", text: qsTr("Deutsch") }
                    ]
                }

                RowLayout {
                    Layout.columnSpan: 2
                    spacing: Theme.spacing
                    TouchButton {
                        objectName: "applyButton"
                        text: qsTr("Apply")
                        highlighted: true
                        onClicked: page.apply()
                    }
                    TouchButton {
                        objectName: "revertButton"
                        text: qsTr("Revert")
                        flat: true
                        onClicked: {
                            page.load()
                            status.text = ""
                        }
                    }
                    Label {
                        id: status
                        objectName: "settingsStatus"
                        Layout.fillWidth: true
                        color: Theme.textMuted
                        elide: Text.ElideRight
                    }
                }

                Label {
                    Layout.columnSpan: 2
                    Layout.topMargin: Theme.spacing
                    text: qsTr("Current connection")
                    font.bold: true
                    font.pixelSize: Theme.fontLarge
                    color: Theme.text
                }

                Label {
                    text: qsTr("State")
                    color: Theme.textMuted
                }
                RowLayout {
                    Rectangle {
                        Layout.preferredWidth: 12
                        Layout.preferredHeight: 12
                        radius: 6
                        color: page.api.state === ApiClient.Connected ? Theme.online
                             : page.api.state === ApiClient.Disconnected ? Theme.error : Theme.pending
                    }
                    Label {
                        objectName: "connectionState"
                        text: page.stateName(page.api.state)
                        color: Theme.text
                    }
                    TouchButton {
                        objectName: "reconnectButton"
                        text: qsTr("Reconnect now")
                        visible: page.api.state !== ApiClient.Connected
                        onClicked: page.api.reconnectNow()
                    }
                }

                Label {
                    text: qsTr("Gateway")
                    color: Theme.textMuted
                }
                Label {
                    Layout.fillWidth: true
                    text: page.api.gatewayId !== ""
                          ? qsTr("%1 (version %2) at %3").arg(page.api.gatewayId).arg(page.api.gatewayVersion).arg(page.api.url)
                          : page.api.url
                    elide: Text.ElideMiddle
                    color: Theme.text
                }

                Label {
                    text: qsTr("Role")
                    color: Theme.textMuted
                }
                Label {
                    objectName: "roleLabel"
                    Layout.fillWidth: true
                    text: page.roleName(page.api.role)
                    elide: Text.ElideRight
                    color: Theme.text
                }

                Label {
                    text: qsTr("Last error")
                    color: Theme.textMuted
                    visible: page.api.lastError !== ""
                }
                Label {
                    objectName: "lastError"
                    Layout.fillWidth: true
                    visible: page.api.lastError !== ""
                    text: page.api.lastError
                    wrapMode: Text.Wrap
                    color: Theme.error
                }

                Label {
                    Layout.columnSpan: 2
                    Layout.fillWidth: true
                    Layout.topMargin: Theme.spacing
                    text: qsTr("The token is kept in the dashboard's settings file of this user. An administrator token may change everything; a viewer token only reads.")
                    wrapMode: Text.Wrap
                    color: Theme.textMuted
                }
            }
        }
    }
}
