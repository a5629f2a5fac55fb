// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtTest
import EdgeGate.Client
import EdgeGate.Pages
import EdgeGate.Test

// The firmware page against the test gateway: an image uploaded through the page's dialog (this very
// file serves as the image) is listed; a campaign created with the form for one device shows its job,
// and its pause, resume and cancel buttons work. A viewer sees every control disabled.
TestCase {
    id: testCase
    name: "Firmware"
    width: 1280
    height: 800
    visible: true
    when: windowShown

    readonly property string imageName: "qml-fw"
    readonly property string imageVersion: "9.8.7"
    readonly property string target: "sensor-3"

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
        FirmwarePage {
            api: admin
            width: testCase.width
            height: testCase.height
        }
    }

    Component {
        id: viewerPage
        FirmwarePage {
            api: viewer
            width: 720
            height: 480
        }
    }

    function imageRow(page) {
        return findChild(page, "firmware-" + imageName + "-" + imageVersion)
    }

    function campaignCard(page, id) {
        return findChild(page, "campaign-" + id)
    }

    function initTestCase() {
        admin.open()
        viewer.open()
        tryCompare(admin, "state", ApiClient.Connected, 20000)
        tryCompare(viewer, "state", ApiClient.Connected, 20000)
    }

    function cleanupTestCase() {
        // Leave the devices as the other tests expect them: the updated one back online.
        tryVerify(() => admin.devices.get(target).status === "online", 30000, target + " back online")
        admin.close()
        viewer.close()
    }

    // Runs first (alphabetical order): the image the other tests use.
    function test_1_upload() {
        const page = createTemporaryObject(adminPage, testCase)
        verify(findChild(page, "uploadButton").enabled)
        mouseClick(findChild(page, "uploadButton"))
        const dialog = findChild(page, "uploadDialog")
        tryCompare(dialog, "opened", true)

        const start = findChild(page, "startUpload")
        verify(!start.enabled, "nothing to upload yet")
        findChild(page, "filePath").text = Qt.resolvedUrl("tst_firmware.qml").toString()
        findChild(page, "firmwareName").text = imageName
        findChild(page, "firmwareVersion").text = imageVersion
        findChild(page, "firmwareDeviceType").editText = "sensor"
        verify(start.enabled)
        mouseClick(start)

        const uploader = page.uploader
        tryCompare(uploader, "progress", 1, 20000)
        tryCompare(uploader, "busy", false, 20000)
        compare(uploader.error, "")
        tryCompare(dialog, "visible", false)
        tryVerify(() => imageRow(page) !== null, 20000, "the uploaded image is listed")
        const row = imageRow(page)
        compare(row.deviceType, "sensor")
        verify(row.size > 0)
    }

    function test_2_campaignControls() {
        const page = createTemporaryObject(adminPage, testCase)
        tryVerify(() => imageRow(page) !== null, 20000)
        mouseClick(findChild(imageRow(page), "rollOut"))
        const dialog = findChild(page, "campaignDialog")
        tryCompare(dialog, "opened", true)
        const image = findChild(page, "campaignImage")
        compare(image.currentText, imageName + " " + imageVersion)
        compare(findChild(page, "campaignTargetType").editText, "sensor")

        mouseClick(findChild(page, "targetByDevices"))
        findChild(page, "campaignDevices").text = target
        findChild(page, "campaignBatchSize").value = 1
        findChild(page, "campaignMaxConcurrent").value = 1
        findChild(page, "campaignFailureThreshold").value = 1
        findChild(page, "campaignName").text = "qml rollout"
        const create = findChild(page, "createCampaign")
        verify(create.enabled)
        mouseClick(create)
        tryCompare(dialog, "visible", false)

        // The page switches to the campaigns and shows the new one with its job.
        compare(page.section, 1)
        tryVerify(() => page.campaignId !== "", 10000, "the created campaign is picked")
        const id = page.campaignId
        tryVerify(() => campaignCard(page, id) !== null, 10000)
        const jobs = findChild(page, "jobList")
        tryCompare(jobs, "count", 1, 10000)
        verify(findChild(page, "job-" + target) !== null)

        // Pause, resume, cancel (the campaign may not end on its own first: a cancel needs a running one).
        let card = campaignCard(page, id)
        tryCompare(card, "campaignState", "running", 10000)
        mouseClick(findChild(card, "pauseCampaign"))
        tryCompare(card, "campaignState", "paused", 10000)
        verify(findChild(card, "resumeCampaign").visible)
        verify(!findChild(card, "pauseCampaign").visible)
        mouseClick(findChild(card, "resumeCampaign"))
        tryVerify(() => card.campaignState === "running" || card.campaignState === "completed", 10000)
        if (card.campaignState === "running") {
            mouseClick(findChild(card, "cancelCampaign"))
            const confirm = findChild(page, "cancelCampaignDialog")
            tryCompare(confirm, "opened", true)
            mouseClick(findChild(page, "confirmCancelCampaign"))
            tryVerify(() => card.campaignState === "cancelled" || card.campaignState === "completed", 10000)
        }
        verify(!findChild(card, "pauseCampaign").visible)
        verify(!findChild(card, "cancelCampaign").visible)
    }

    function test_3_viewerReadOnly() {
        const page = createTemporaryObject(viewerPage, testCase)
        viewer.refreshFirmware()
        tryVerify(() => imageRow(page) !== null, 20000,
                  "listed for the viewer (" + viewer.firmware.count + " images, list " + findChild(page, "firmwareList").count + ")")
        verify(findChild(page, "readOnlyHint").visible)
        verify(!findChild(page, "uploadButton").enabled)
        verify(!findChild(imageRow(page), "rollOut").enabled)
        page.section = 1
        verify(!findChild(page, "newCampaign").enabled)
        tryVerify(() => findChild(page, "campaignList").count > 0, 10000)
    }

    // Last: the campaign that used the image has ended, so the gateway lets it go.
    function test_4_deleteImage() {
        const page = createTemporaryObject(adminPage, testCase)
        tryVerify(() => imageRow(page) !== null, 20000)
        mouseClick(findChild(imageRow(page), "deleteImage"))
        const dialog = findChild(page, "deleteImageDialog")
        tryCompare(dialog, "opened", true)
        mouseClick(findChild(page, "confirmDeleteImage"))
        tryVerify(() => imageRow(page) === null, 20000, "the deleted image is gone from the list")
    }
}
