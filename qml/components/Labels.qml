// SPDX-License-Identifier: Apache-2.0
pragma Singleton
import QtQuick

/// The words and colours for the states the gateway reports, in one place: device status, alert
/// severity and state, campaign and job state, link state. Unknown values are shown as they come.
QtObject {
    function deviceStatus(status: string): string {
        switch (status) {
        case "online": return qsTr("Online")
        case "offline": return qsTr("Offline")
        case "error": return qsTr("Error")
        case "maintenance": return qsTr("Maintenance")
        case "pending": return qsTr("Pending approval")
        }
        return status
    }

    function alertSeverity(severity: string): string {
        switch (severity) {
        case "critical": return qsTr("Critical")
        case "warning": return qsTr("Warning")
        case "info": return qsTr("Info")
        }
        return severity
    }

    function alertState(state: string): string {
        switch (state) {
        case "active": return qsTr("Active")
        case "acknowledged": return qsTr("Acknowledged")
        case "cleared": return qsTr("Cleared")
        }
        return state
    }

    function campaignState(state: string): string {
        switch (state) {
        case "running": return qsTr("Running")
        case "paused": return qsTr("Paused")
        case "completed": return qsTr("Completed")
        case "cancelled": return qsTr("Cancelled")
        }
        return state
    }

    function pausedReason(reason: string): string {
        switch (reason) {
        case "operator": return qsTr("Paused by an operator")
        case "failure_threshold": return qsTr("Paused: failure threshold reached")
        }
        return reason
    }

    function jobState(state: string): string {
        switch (state) {
        case "pending": return qsTr("Pending")
        case "notified": return qsTr("Notified")
        case "downloading": return qsTr("Downloading")
        case "downloaded": return qsTr("Downloaded")
        case "installing": return qsTr("Installing")
        case "succeeded": return qsTr("Succeeded")
        case "failed": return qsTr("Failed")
        case "rolled_back": return qsTr("Rolled back")
        case "timed_out": return qsTr("Timed out")
        case "cancelled": return qsTr("Cancelled")
        }
        return state
    }

    /// The colour of a campaign or job state.
    function otaStateColor(state: string): color {
        switch (state) {
        case "succeeded":
        case "completed":
        case "running":
            return Theme.online
        case "failed":
        case "rolled_back":
        case "timed_out":
            return Theme.error
        case "paused":
            return Theme.maintenance
        case "cancelled":
        case "pending":
            return Theme.offline
        }
        return Theme.pending
    }

    /// The broker and upstream links of /healthz and the gateway status frame.
    function linkState(state: string): string {
        switch (state) {
        case "connected": return qsTr("Connected")
        case "disconnected": return qsTr("Disconnected")
        case "disabled": return qsTr("Disabled")
        }
        return "—"
    }

    function linkStateColor(state: string): color {
        switch (state) {
        case "connected": return Theme.online
        case "disconnected": return Theme.error
        }
        return Theme.offline
    }
}
