// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtTest
import EdgeGate.Client
import EdgeGate.Pages
import EdgeGate.Test

// The settings page: Apply connects with the URL and token typed in, shows the state and the role the
// token gives, and switches the language at once. The user's saved settings are put back afterwards.
TestCase {
    id: testCase
    name: "Settings"
    width: 800
    height: 480
    visible: true
    when: windowShown

    property var saved: ({})

    ApiClient {
        id: client
    }

    AppSettings {
        id: settings
    }

    Component {
        id: pageComponent
        SettingsPage {
            api: client
            width: testCase.width
            height: testCase.height
        }
    }

    function initTestCase() {
        saved = { url: settings.url, token: settings.token, language: settings.language }
        settings.language = "en"
        settings.applyLanguage()
    }

    function cleanupTestCase() {
        client.close()
        settings.url = saved.url
        settings.token = saved.token
        settings.language = "en"
        settings.applyLanguage()
        settings.language = saved.language
    }

    function apply(page, url, token, language) {
        findChild(page, "urlField").text = url
        findChild(page, "tokenField").text = token
        const box = findChild(page, "languageBox")
        box.currentIndex = box.indexOfValue(language)
        mouseClick(findChild(page, "applyButton"))
    }

    function test_1_connectsWithTheToken() {
        const page = createTemporaryObject(pageComponent, testCase)
        compare(findChild(page, "tokenField").echoMode, TextInput.Password)
        apply(page, TestGateway.url, TestGateway.adminToken, "en")
        tryCompare(client, "state", ApiClient.Connected, 20000)
        compare(findChild(page, "connectionState").text, "Connected")
        verify(findChild(page, "roleLabel").text.indexOf("Administrator") >= 0)
        compare(settings.url, TestGateway.url)
        compare(settings.token, TestGateway.adminToken)

        apply(page, TestGateway.url, TestGateway.viewerToken, "en")
        tryCompare(client, "role", "viewer", 20000)
        verify(findChild(page, "roleLabel").text.indexOf("Viewer") >= 0)
        // A viewer may still change where the dashboard connects.
        verify(findChild(page, "applyButton").enabled)
    }

    function test_2_wrongTokenIsShown() {
        const page = createTemporaryObject(pageComponent, testCase)
        apply(page, TestGateway.url, "not-the-right-token-at-all", "en")
        tryVerify(() => findChild(page, "lastError").visible, 20000)
        compare(client.state, ApiClient.Disconnected)
        apply(page, TestGateway.url, TestGateway.adminToken, "en")
        tryCompare(client, "state", ApiClient.Connected, 20000)
        verify(!findChild(page, "lastError").visible)
    }

    function test_3_languageSwitch() {
        const page = createTemporaryObject(pageComponent, testCase)
        const applyButton = findChild(page, "applyButton")
        compare(applyButton.text, "Apply")
        apply(page, TestGateway.url, TestGateway.adminToken, "de")
        tryCompare(applyButton, "text", "Übernehmen")
        compare(settings.language, "de")
        tryCompare(client, "state", ApiClient.Connected, 20000)
        tryCompare(findChild(page, "connectionState"), "text", "Verbunden")

        apply(page, TestGateway.url, TestGateway.adminToken, "en")
        tryCompare(applyButton, "text", "Apply")
        tryCompare(findChild(page, "connectionState"), "text", "Connected")
    }
}
