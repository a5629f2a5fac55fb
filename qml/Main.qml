// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import EdgeGate.Client

ApplicationWindow {
    id: window
    required property bool kiosk
    required property string initialUrl
    required property string initialToken

    width: 1280
    height: 800
    visible: true
    title: qsTr("EdgeGate")

    ApiClient {
        id: api
        url: window.initialUrl
        token: window.initialToken
        Component.onCompleted: open()
    }

    Label {
        anchors.centerIn: parent
        text: qsTr("%1 devices").arg(api.devices.count)
    }
}
