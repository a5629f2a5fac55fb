// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtTest
import EdgeGate.Client
import EdgeGate.Pages
import EdgeGate.Test

TestCase {
    id: testCase
    name: "Overview"
    width: 1280
    height: 800
    when: windowShown
    visible: true

    ApiClient {
        id: client
        url: TestGateway.url
        token: TestGateway.adminToken
    }

    Component {
        id: pageComponent
        OverviewPage {
            api: client
        }
    }

    SignalSpy {
        id: devicesSpy
        signalName: "devicesRequested"
    }

    SignalSpy {
        id: pageSpy
        signalName: "pageRequested"
    }

    function initTestCase() {
        client.open()
        tryCompare(client, "state", ApiClient.Connected, 20000)
        tryCompare(client.devices, "count", TestGateway.devices.length, 20000)
        tryCompare(client.devices, "pendingCount", 1, 20000)
        tryVerify(() => client.devices.onlineCount >= TestGateway.devices.length - 1, 20000)
    }

    function cleanupTestCase() {
        client.close()
    }

    // The page as it is in kiosk (800x480 less the rail) and on the desktop (1280x800 less the side bar).
    function test_tiles_data() {
        return [
            { tag: "800x480", width: 720, height: 480 },
            { tag: "1280x800", width: 1072, height: 800 }
        ]
    }

    function test_tiles(data) {
        const page = createTemporaryObject(pageComponent, testCase, { width: data.width, height: data.height })
        verify(page)
        tryVerify(() => Number(findChild(page, "tileOnline").value) >= TestGateway.devices.length - 1)
        compare(findChild(page, "tileOnline").value, String(client.devices.onlineCount))
        compare(findChild(page, "tilePending").value, "1")
        compare(findChild(page, "tileAlerts").value, String(client.alerts.openCount))
        // The status frame comes every 2 s.
        tryCompare(findChild(page, "tileBroker"), "value", "Connected", 10000)
        compare(findChild(page, "tileUpstream").value, "Disabled")
        verify(findChild(page, "tileRate").value !== "—")
        tryVerify(() => Number(findChild(page, "tileRate").value) > 0, 20000)

        // Every tile fits the width and is a touch target.
        for (const name of ["tileOnline", "tileOffline", "tilePending", "tileAlerts", "tileRate", "tileOutbox",
                            "tileBroker", "tileUpstream"]) {
            const tile = findChild(page, name)
            const pos = tile.mapToItem(page, 0, 0)
            verify(pos.x >= 0 && pos.x + tile.width <= page.width, name)
            verify(tile.height >= Theme.touchTarget, name)
        }

        // The device waiting for approval is listed.
        tryCompare(findChild(page, "list_pending"), "count", 1)
    }

    function test_tilesLead_data() {
        return [
            { tag: "pending", tile: "tilePending", status: "pending" },
            { tag: "online", tile: "tileOnline", status: "online" },
            { tag: "offline", tile: "tileOffline", status: "offline" }
        ]
    }

    function test_tilesLead(data) {
        const page = createTemporaryObject(pageComponent, testCase, { width: testCase.width, height: testCase.height })
        devicesSpy.target = page
        devicesSpy.clear()
        waitForRendering(page)
        mouseClick(findChild(page, data.tile))
        compare(devicesSpy.count, 1)
        compare(devicesSpy.signalArguments[0][0], data.status)
    }

    function test_alertsTile() {
        const page = createTemporaryObject(pageComponent, testCase, { width: testCase.width, height: testCase.height })
        pageSpy.target = page
        pageSpy.clear()
        waitForRendering(page)
        mouseClick(findChild(page, "tileAlerts"))
        compare(pageSpy.count, 1)
        compare(pageSpy.signalArguments[0][0], "alerts")
    }
}
