// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtTest
import EdgeGate.Client
import EdgeGate.Pages
import EdgeGate.Test

// The alerts page against the test gateway: a threshold rule added over REST raises a critical alert for
// sensor-1 on its next reading; the page lists it, filters it, acknowledges it with a note and clears it
// (last: while the readings stay out of bounds a cleared alert is not raised again).
TestCase {
    id: testCase
    name: "Alerts"
    width: 1280
    height: 800
    visible: true
    when: windowShown

    readonly property string ruleId: "qml-hot"

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
        AlertsPage {
            api: admin
            width: testCase.width
            height: testCase.height
        }
    }

    Component {
        id: viewerPage
        AlertsPage {
            api: viewer
            width: 720
            height: 480
        }
    }

    /// An HTTP request to the gateway's REST API with the admin token; the result fills in when it is done.
    function rest(method, path, body) {
        const result = { done: false, status: 0, body: null }
        const xhr = new XMLHttpRequest()
        xhr.onreadystatechange = () => {
            if (xhr.readyState !== XMLHttpRequest.DONE)
                return
            result.status = xhr.status
            try {
                result.body = JSON.parse(xhr.responseText)
            } catch (e) {
                result.body = xhr.responseText
            }
            result.done = true
        }
        xhr.open(method, admin.httpBaseUrl + path)
        xhr.setRequestHeader("Authorization", "Bearer " + TestGateway.adminToken)
        xhr.setRequestHeader("Content-Type", "application/json")
        xhr.send(body === undefined ? "" : JSON.stringify(body))
        tryVerify(() => result.done, 10000, method + " " + path)
        return result
    }

    /// The list's delegate for an alert of our rule in `state` ("" any), or null.
    function cardOf(list, state) {
        for (let i = 0; i < list.count; ++i) {
            const card = list.itemAtIndex(i)
            if (card && card.rule === ruleId && (state === "" || card.alertState === state))
                return card
        }
        return null
    }

    function cardById(list, id) {
        for (let i = 0; i < list.count; ++i) {
            const card = list.itemAtIndex(i)
            if (card && card.alertId === id)
                return card
        }
        return null
    }

    function initTestCase() {
        admin.open()
        viewer.open()
        tryCompare(admin, "state", ApiClient.Connected, 20000)
        tryCompare(viewer, "state", ApiClient.Connected, 20000)
        const created = rest("POST", "/api/v1/alert-rules", {
            id: ruleId, kind: "threshold", metric: "temperature", above: -1000, severity: "critical",
            selector: { devices: ["sensor-1"] }
        })
        compare(created.status, 201, JSON.stringify(created.body))
    }

    function cleanupTestCase() {
        rest("DELETE", "/api/v1/alert-rules/" + ruleId)
        const openAlerts = () => {
            const reply = rest("GET", "/api/v1/alerts?state=open&limit=1000")
            return (reply.body && reply.body.alerts) ? reply.body.alerts.filter(a => a.rule === ruleId) : []
        }
        for (const alert of openAlerts())
            admin.clearAlert(alert.id)
        tryVerify(() => openAlerts().length === 0, 10000)
        admin.close()
        viewer.close()
    }

    function test_1_listFillsAndFilters() {
        const page = createTemporaryObject(adminPage, testCase)
        const list = findChild(page, "alertList")
        tryVerify(() => cardOf(list, "") !== null, 20000, "the rule's alert is listed")
        const card = cardOf(list, "")
        compare(card.severity, "critical")
        compare(card.deviceId, "sensor-1")
        verify(findChild(card, "acknowledge").enabled || card.alertState !== "active")
        verify(!findChild(page, "readOnlyHint").visible)

        // Severity filter: not among the warnings, back with critical and with all.
        mouseClick(findChild(page, "severity-warning"))
        compare(page.severity, "warning")
        tryVerify(() => cardOf(list, "") === null)
        mouseClick(findChild(page, "severity-critical"))
        tryVerify(() => cardOf(list, "") !== null)
        for (let i = 0; i < list.count; ++i)
            compare(list.itemAtIndex(i).severity, "critical")
        mouseClick(findChild(page, "severity-all"))
        compare(page.severity, "")
    }

    function test_2_acknowledgeWithNote() {
        const page = createTemporaryObject(adminPage, testCase)
        const list = findChild(page, "alertList")
        tryVerify(() => cardOf(list, "active") !== null, 20000)
        const id = cardOf(list, "active").alertId

        mouseClick(findChild(cardById(list, id), "acknowledge"))
        const dialog = findChild(page, "alertActionDialog")
        tryCompare(dialog, "opened", true)
        const note = findChild(page, "alertNote")
        verify(note.visible)
        note.text = "checked on site"
        mouseClick(findChild(page, "alertConfirm"))
        tryCompare(dialog, "visible", false)

        tryVerify(() => cardById(list, id) && cardById(list, id).alertState === "acknowledged", 10000)
        const card = cardById(list, id)
        compare(card.acknowledgedBy, "ops")
        compare(card.note, "checked on site")
        const by = findChild(card, "acknowledgedBy")
        verify(by.visible)
        verify(by.text.indexOf("ops") >= 0, by.text)
        verify(by.text.indexOf("checked on site") >= 0, by.text)
        verify(!findChild(card, "acknowledge").visible, "an acknowledged alert cannot be acknowledged again")
    }

    function test_4_clearAndShowCleared() {
        const page = createTemporaryObject(adminPage, testCase)
        const list = findChild(page, "alertList")
        tryVerify(() => cardOf(list, "") !== null, 20000)
        const id = cardOf(list, "").alertId

        mouseClick(findChild(cardById(list, id), "clear"))
        const dialog = findChild(page, "alertActionDialog")
        tryCompare(dialog, "opened", true)
        verify(!findChild(page, "alertNote").visible)
        mouseClick(findChild(page, "alertConfirm"))

        // Gone from the open list; listed as cleared, by whom, with "show cleared".
        // (The card may also leave the view for a moment as new alerts come in at the top: what counts
        // is the state the model settles on.)
        tryVerify(() => cardById(list, id) === null, 10000)
        mouseClick(findChild(page, "showCleared"))
        compare(page.showCleared, true)
        tryVerify(() => cardById(list, id) !== null && cardById(list, id).alertState === "cleared", 10000)
        const card = cardById(list, id)
        const by = findChild(card, "clearedBy")
        verify(by.visible)
        verify(by.text.indexOf("ops") >= 0, by.text)
        verify(!findChild(card, "clear").visible)
    }

    function test_3_viewerSeesControlsDisabled() {
        const page = createTemporaryObject(viewerPage, testCase)
        const list = findChild(page, "alertList")
        tryVerify(() => cardOf(list, "") !== null, 20000)
        verify(findChild(page, "readOnlyHint").visible)
        for (let i = 0; i < list.count; ++i) {
            const card = list.itemAtIndex(i)
            if (!card)
                continue
            verify(!findChild(card, "acknowledge").enabled)
            verify(!findChild(card, "clear").enabled)
        }
        // Filters still work for a viewer.
        verify(findChild(page, "severity-critical").enabled)
        verify(findChild(page, "showCleared").enabled)
    }
}
