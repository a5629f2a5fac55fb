// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtTest
import EdgeGate.Client
import EdgeGate.Pages
import EdgeGate.Test

TestCase {
    id: testCase
    name: "DeviceDetail"
    width: 1280
    height: 800
    when: windowShown
    visible: true

    ApiClient {
        id: admin
        url: TestGateway.url
        token: TestGateway.adminToken
    }

    ApiClient {
        id: viewer
        url: TestGateway.url
        token: TestGateway.viewerToken
    }

    Component {
        id: adminPage
        DeviceDetailPage {
            api: admin
            width: testCase.width
            height: testCase.height
        }
    }

    Component {
        id: viewerPage
        DeviceDetailPage {
            api: viewer
            width: testCase.width
            height: testCase.height
        }
    }

    function initTestCase() {
        admin.open()
        viewer.open()
        tryCompare(admin, "state", ApiClient.Connected, 20000)
        tryCompare(viewer, "state", ApiClient.Connected, 20000)
        compare(admin.role, "admin")
        compare(viewer.role, "viewer")
        tryCompare(admin.devices, "count", TestGateway.devices.length, 20000)
        tryCompare(viewer.devices, "count", TestGateway.devices.length, 20000)
    }

    function cleanupTestCase() {
        admin.close()
        viewer.close()
    }

    /// Scrolls the page so that `item` is on screen (for clicks). The charts load after the page, so
    /// wait for them first: they move what is below.
    function scrollTo(page, item) {
        tryVerify(() => findChild(page, "charts").count > 0, 20000)
        const flick = findChild(page, "detailFlick")
        tryVerify(() => {
            const y = item.mapToItem(flick.contentItem, 0, 0).y
            flick.contentY = Math.max(0, Math.min(y - 40, flick.contentHeight - flick.height))
            const p = item.mapToItem(flick, 0, 0)
            return p.y >= 0 && p.y + item.height <= flick.height
        })
        waitForRendering(page)
    }

    function test_charts() {
        const page = createTemporaryObject(adminPage, testCase, { deviceId: "sensor-1" })
        verify(page)
        tryVerify(() => page.known)
        compare(page.device.type, "sensor")
        // The simulator's devices speak MQTT, where the broker vouches for them.
        compare(page.device.proof, "broker")
        compare(findChild(page, "proofValue").text, "the broker")
        const charts = findChild(page, "charts")
        tryVerify(() => charts.count >= 3, 20000) // temperature, humidity, battery
        for (const metric of ["temperature", "humidity", "battery"]) {
            const chart = findChild(page, "chart_" + metric)
            verify(chart, metric)
            tryVerify(() => chart.series.count > 0, 20000, metric)
        }
        compare(findChild(page, "lastValues").count, charts.count)

        // A shorter range keeps charts with points.
        const oneMinute = findChild(page, "range60")
        scrollTo(page, oneMinute)
        mouseClick(oneMinute)
        tryCompare(oneMinute, "checked", true)
        const temperature = findChild(page, "chart_temperature")
        tryVerify(() => temperature.series.count > 0, 20000)
        const first = temperature.series.at(0).x
        verify(first >= Date.now() - 2 * 60 * 1000, "points older than the range are gone")
    }

    function test_viewerReadOnly() {
        const page = createTemporaryObject(viewerPage, testCase, { deviceId: "sensor-2" })
        tryVerify(() => page.known)
        verify(findChild(page, "readOnlyHint").visible)
        verify(!findChild(page, "maintenanceSwitch").enabled)
        verify(!findChild(page, "commandName").enabled)
        verify(!findChild(page, "commandParams").enabled)
        verify(!findChild(page, "sendCommandButton").enabled)
        // Charts are for everyone.
        tryVerify(() => findChild(page, "charts").count > 0, 20000)

        page.deviceId = TestGateway.pendingDevice
        tryVerify(() => page.pending)
        verify(findChild(page, "approvalBar").visible)
        verify(!findChild(page, "approveButton").enabled)
        verify(!findChild(page, "rejectButton").enabled)
    }

    function test_adminControls() {
        const page = createTemporaryObject(adminPage, testCase, { deviceId: TestGateway.pendingDevice })
        tryVerify(() => page.pending)
        verify(findChild(page, "approvalBar").visible)
        verify(findChild(page, "approveButton").enabled)
        verify(findChild(page, "rejectButton").enabled)
        verify(!findChild(page, "readOnlyHint").visible)

        page.deviceId = "sensor-2"
        tryVerify(() => page.known && !page.pending)
        verify(!findChild(page, "approvalBar").visible)
        verify(findChild(page, "maintenanceSwitch").enabled)
        verify(findChild(page, "commandName").enabled)
    }

    function test_maintenance() {
        const page = createTemporaryObject(adminPage, testCase, { deviceId: "sensor-3" })
        tryVerify(() => page.known)
        tryVerify(() => page.device.status === "online", 20000)
        const toggle = findChild(page, "maintenanceSwitch")
        verify(!toggle.checked)
        scrollTo(page, toggle)

        mouseClick(toggle)
        // The gateway's device frame says so, and the switch follows it.
        tryCompare(page, "inMaintenance", true, 10000)
        tryCompare(page, "maintenanceRequest", -1, 10000)
        verify(toggle.checked)
        compare(admin.devices.get("sensor-3").status, "maintenance")
        // Every client sees it.
        tryVerify(() => viewer.devices.get("sensor-3").status === "maintenance", 10000)

        mouseClick(toggle)
        tryCompare(page, "inMaintenance", false, 10000)
        tryCompare(page, "maintenanceRequest", -1, 10000)
        verify(!toggle.checked)
    }

    function test_sendCommand() {
        const page = createTemporaryObject(adminPage, testCase, { deviceId: "sensor-1" })
        tryVerify(() => page.known)
        const name = findChild(page, "commandName")
        const params = findChild(page, "commandParams")
        const send = findChild(page, "sendCommandButton")
        verify(!send.enabled, "no name yet")
        name.text = "reboot"
        params.text = "[1, 2]"
        verify(!send.enabled, "parameters must be an object")
        compare(findChild(page, "commandStatus").text, "The parameters are not a JSON object.")
        params.text = "{\"delay_s\": 1}"
        verify(send.enabled)
        scrollTo(page, send)
        mouseClick(send)
        tryVerify(() => findChild(page, "commandStatus").text.startsWith("Command queued"), 10000)
    }
}
