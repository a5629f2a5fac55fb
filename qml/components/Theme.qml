// SPDX-License-Identifier: Apache-2.0
pragma Singleton
import QtQuick

/// Colours, sizes and small formatting helpers shared by every page.
QtObject {
    // Surfaces and text (dark: readable on wall panels, no glare at night).
    readonly property color background: "#14171b"
    readonly property color surface: "#1d2228"
    readonly property color surfaceRaised: "#272e36"
    readonly property color border: "#38414b"
    readonly property color text: "#e8ebee"
    readonly property color textMuted: "#9aa4ae"
    readonly property color accent: "#2f8cff"
    readonly property color accentText: "#ffffff"
    readonly property color danger: "#e5534b"
    readonly property color success: "#2ea44f"

    // Device status colours.
    readonly property color online: "#3fb950"
    readonly property color offline: "#8b949e"
    readonly property color error: "#f85149"
    readonly property color maintenance: "#4c9aff"
    readonly property color pending: "#b083f0"

    // Alert severity colours.
    readonly property color info: "#39c5cf"
    readonly property color warning: "#e3b341"
    readonly property color critical: "#f85149"

    // Sizes.
    readonly property int touchTarget: 48
    readonly property int spacing: 8
    readonly property int spacingSmall: 4
    readonly property int spacingLarge: 16
    readonly property int radius: 6
    readonly property int fontSmall: 12
    readonly property int fontNormal: 14
    readonly property int fontLarge: 17
    readonly property int fontTitle: 20
    readonly property int fontHuge: 28

    function statusColor(status: string): color {
        switch (status) {
        case "online": return online
        case "offline": return offline
        case "error": return error
        case "maintenance": return maintenance
        case "pending": return pending
        }
        return offline
    }

    function severityColor(severity: string): color {
        switch (severity) {
        case "info": return info
        case "warning": return warning
        case "critical": return critical
        }
        return info
    }

    /// "3.4 KiB" style sizes.
    function formatBytes(bytes: double): string {
        if (bytes < 1024)
            return qsTr("%1 B").arg(Math.round(bytes))
        if (bytes < 1024 * 1024)
            return qsTr("%1 KiB").arg((bytes / 1024).toFixed(1))
        if (bytes < 1024 * 1024 * 1024)
            return qsTr("%1 MiB").arg((bytes / (1024 * 1024)).toFixed(1))
        return qsTr("%1 GiB").arg((bytes / (1024 * 1024 * 1024)).toFixed(2))
    }

    /// "2 d 3 h", "4 h 12 min", "38 s"; an empty string for a negative (unknown) duration.
    function formatDuration(seconds: double): string {
        if (seconds < 0)
            return ""
        const s = Math.floor(seconds)
        if (s < 60)
            return qsTr("%1 s").arg(s)
        if (s < 3600)
            return qsTr("%1 min %2 s").arg(Math.floor(s / 60)).arg(s % 60)
        if (s < 86400)
            return qsTr("%1 h %2 min").arg(Math.floor(s / 3600)).arg(Math.floor((s % 3600) / 60))
        return qsTr("%1 d %2 h").arg(Math.floor(s / 86400)).arg(Math.floor((s % 86400) / 3600))
    }

    /// How long ago `time` was, relative to `nowMs`; "never" for an invalid time.
    function formatAgo(time: var, nowMs: double): string {
        if (!time)
            return qsTr("never")
        const ms = new Date(time).getTime()
        if (isNaN(ms) || ms <= 0)
            return qsTr("never")
        const seconds = Math.max(0, (nowMs - ms) / 1000)
        if (seconds < 5)
            return qsTr("just now")
        if (seconds < 60)
            return qsTr("%1 s ago").arg(Math.floor(seconds))
        if (seconds < 3600)
            return qsTr("%1 min ago").arg(Math.floor(seconds / 60))
        if (seconds < 86400)
            return qsTr("%1 h ago").arg(Math.floor(seconds / 3600))
        return qsTr("%1 d ago").arg(Math.floor(seconds / 86400))
    }

    /// Date and time in the user's locale, or an empty string for an invalid time.
    function formatTime(time: var): string {
        if (!time)
            return ""
        const d = new Date(time)
        if (isNaN(d.getTime()) || d.getTime() <= 0)
            return ""
        return d.toLocaleString(Qt.locale(), Locale.ShortFormat)
    }
}
