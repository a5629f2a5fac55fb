// SPDX-License-Identifier: Apache-2.0
import QtQuick
import QtQuick.Controls
import EdgeGate.Client

Page {
    required property ApiClient api
}
