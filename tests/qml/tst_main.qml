// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtTest
import EdgeGate.Client
import EdgeGate.Pages
import EdgeGate.Test

TestCase {
    id: testCase
    name: "Main"
    when: windowShown

    Component {
        id: mainComponent
        Main {}
    }

    function createMain(url, token, kiosk) {
        const main = createTemporaryObject(mainComponent, testCase,
                                           { kiosk: kiosk, initialUrl: url, initialToken: token,
                                             initialCaFile: "" })
        verify(main)
        // Kiosk asks for full screen; the test looks at a kiosk panel's size.
        main.visibility = Window.Windowed
        return main
    }

    function api(main) {
        return findChild(main.contentItem, "overviewPage").api
    }

    function test_navigation() {
        const main = createMain(TestGateway.url, TestGateway.adminToken, false)
        tryCompare(api(main), "state", ApiClient.Connected, 20000)
        const pages = findChild(main.contentItem, "pages")
        compare(pages.currentIndex, 0)
        main.showPage("devices")
        compare(pages.currentIndex, 1)
        main.showDevice("sensor-1")
        compare(pages.currentIndex, 2)
        compare(findChild(main.contentItem, "deviceDetailPage").deviceId, "sensor-1")
        for (const [index, name] of ["overview", "devices", "device", "alerts", "firmware", "settings"].entries()) {
            main.showPage(name)
            compare(pages.currentIndex, index, name)
        }
        verify(!findChild(main.contentItem, "connectionBanner").visible)
        compare(findChild(main.contentItem, "roleLabel").text, "Admin access")
    }

    function test_shortcuts() {
        const main = createMain(TestGateway.url, TestGateway.adminToken, false)
        tryCompare(api(main), "state", ApiClient.Connected, 20000)
        main.requestActivate()
        tryVerify(() => main.active)
        const pages = findChild(main.contentItem, "pages")
        keySequence("Ctrl+4")
        compare(main.currentPage, "alerts")
        keySequence("Ctrl+2")
        compare(pages.currentIndex, 1)
        keySequence("Ctrl+1")
        compare(main.currentPage, "overview")
        // Ctrl+F: the device list with the keyboard in its search field.
        keySequence("Ctrl+F")
        compare(main.currentPage, "devices")
        const search = findChild(main.contentItem, "searchField")
        tryVerify(() => search.activeFocus)
        keyClick(Qt.Key_S)
        compare(search.text, "s")
        keyClick(Qt.Key_Escape)
        compare(search.text, "")
        // Ctrl+3 only once a device was shown.
        keySequence("Ctrl+3")
        compare(main.currentPage, "devices")
        main.showDevice("sensor-2")
        main.showPage("overview")
        keySequence("Ctrl+3")
        compare(main.currentPage, "device")
    }

    function test_layout_data() {
        return [
            { tag: "kiosk 800x480", kiosk: true, width: 800, height: 480, rail: 80 },
            { tag: "desktop 1280x800", kiosk: false, width: 1280, height: 800, rail: 208 }
        ]
    }

    // A compact rail on a small panel, a side bar with labels from 1000 px; nav entries are touch targets.
    function test_layout(data) {
        const main = createMain(TestGateway.url, TestGateway.adminToken, data.kiosk)
        main.width = data.width
        main.height = data.height
        const nav = findChild(main.contentItem, "navigation")
        tryCompare(nav, "width", data.rail)
        for (const name of ["navOverview", "navDevices", "navAlerts", "navFirmware", "navSettings"]) {
            const entry = findChild(main.contentItem, name)
            verify(entry.height >= Theme.touchTarget, name)
            const pos = entry.mapToItem(main.contentItem, 0, 0)
            verify(pos.y + entry.height <= data.height, name)
        }
    }

    // Nothing listens on the port: the banner counts down to the next try.
    function test_bannerCountdown() {
        const main = createMain("ws://127.0.0.1:9/ws", "", false)
        const banner = findChild(main.contentItem, "connectionBanner")
        tryVerify(() => banner.visible, 10000)
        const message = findChild(banner, "connectionMessage")
        tryVerify(() => /Reconnecting in \d+ s/.test(message.text), 10000, message.text)
        verify(findChild(banner, "reconnectButton").visible)
    }

    // A viewer's change is refused by the gateway: a toast says so.
    function test_toastOnRefusal() {
        const main = createMain(TestGateway.url, TestGateway.viewerToken, false)
        const client = api(main)
        tryCompare(client, "state", ApiClient.Connected, 20000)
        compare(findChild(main.contentItem, "roleLabel").text, "Read-only access")
        client.setMaintenance("sensor-1", true)
        const toast = findChild(main.contentItem, "toast")
        tryVerify(() => toast.showing, 10000)
        compare(toast.text, "Changing maintenance mode: read-only access")
    }
}
