// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtTest
import EdgeGate.Client
import EdgeGate.Pages
import EdgeGate.Test

TestCase {
    id: testCase
    name: "Devices"
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
        DevicesPage {
            api: client
        }
    }

    SignalSpy {
        id: activatedSpy
        signalName: "deviceActivated"
    }

    function initTestCase() {
        client.open()
        tryCompare(client, "state", ApiClient.Connected, 20000)
        tryCompare(client.devices, "count", TestGateway.devices.length, 20000)
    }

    function cleanupTestCase() {
        client.close()
    }

    function createPage(width, height) {
        const page = createTemporaryObject(pageComponent, testCase, { width: width, height: height })
        verify(page)
        tryCompare(findChild(page, "deviceList"), "count", TestGateway.devices.length)
        return page
    }

    function test_search() {
        const page = createPage(720, 480)
        const list = findChild(page, "deviceList")
        const search = findChild(page, "searchField")
        search.text = "sensor"
        tryCompare(list, "count", 3)
        search.text = "METER-2"
        tryCompare(list, "count", 1)
        search.text = "no such device"
        tryCompare(list, "count", 0)
        search.text = ""
        tryCompare(list, "count", TestGateway.devices.length)
    }

    function test_typing() {
        const page = createPage(720, 480)
        const list = findChild(page, "deviceList")
        const search = findChild(page, "searchField")
        mouseClick(search)
        keyClick(Qt.Key_M)
        keyClick(Qt.Key_E)
        tryCompare(list, "count", 2)
        keyClick(Qt.Key_Escape)
        tryCompare(list, "count", TestGateway.devices.length)
    }

    function test_statusFilter() {
        const page = createPage(720, 480)
        const list = findChild(page, "deviceList")
        page.showStatus("pending")
        compare(findChild(page, "statusFilter").currentValue, "pending")
        tryCompare(list, "count", 1)
        tryVerify(() => list.itemAtIndex(0) && list.itemAtIndex(0).deviceId === TestGateway.pendingDevice)
        page.showStatus("maintenance")
        tryCompare(list, "count", 0)
        page.showStatus("")
        tryCompare(list, "count", TestGateway.devices.length)
    }

    function test_typeFilter() {
        const page = createPage(720, 480)
        const list = findChild(page, "deviceList")
        const types = findChild(page, "typeFilter")
        compare(types.count, 3) // all, meter, sensor
        types.currentIndex = types.find("meter")
        tryCompare(list, "count", 2)
        types.currentIndex = types.find("sensor")
        tryCompare(list, "count", 3)
        types.currentIndex = 0
        tryCompare(list, "count", TestGateway.devices.length)
    }

    function test_sort() {
        const page = createPage(720, 480)
        const list = findChild(page, "deviceList")
        compare(list.itemAtIndex(0).deviceId, "meter-1")
        mouseClick(findChild(page, "descendingButton"))
        tryCompare(list.itemAtIndex(0), "deviceId", "sensor-3")
        const sort = findChild(page, "sortBy")
        sort.currentIndex = sort.indexOfValue("type")
        // Descending by type: sensors first.
        tryVerify(() => list.itemAtIndex(0).type === "sensor")
    }

    function test_tapOpensDevice() {
        const page = createPage(testCase.width, testCase.height)
        activatedSpy.target = page
        activatedSpy.clear()
        const list = findChild(page, "deviceList")
        waitForRendering(list)
        const row = list.itemAtIndex(0)
        mouseClick(row)
        compare(activatedSpy.count, 1)
        compare(activatedSpy.signalArguments[0][0], row.deviceId)
    }

    function test_rowsFit_data() {
        return [
            { tag: "800x480", width: 720, height: 480 },
            { tag: "1280x800", width: 1072, height: 800 }
        ]
    }

    // Rows are touch targets and nothing in the filter row runs off the page.
    function test_rowsFit(data) {
        const page = createPage(data.width, data.height)
        const list = findChild(page, "deviceList")
        const row = list.itemAtIndex(0)
        verify(row.height >= Theme.touchTarget)
        for (const name of ["statusFilter", "typeFilter", "sortBy", "descendingButton", "searchField"]) {
            const item = findChild(page, name)
            const pos = item.mapToItem(page, 0, 0)
            verify(pos.x >= 0 && pos.x + item.width <= page.width + 0.5, name)
            verify(item.height >= Theme.touchTarget, name)
        }
    }
}
