// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QString>

namespace edgegate {

/// Names the running application and its version (for --version, QSettings and the logs).
inline void nameApplication(const QString &name, const QString &version)
{
    QCoreApplication::setApplicationName(name);
    QCoreApplication::setApplicationVersion(version);
}

/// The options every EdgeGate program has: its description, --help and --version.
inline void addStandardOptions(QCommandLineParser &parser, const QString &description)
{
    parser.setApplicationDescription(description);
    parser.addHelpOption();
    parser.addVersionOption();
}

} // namespace edgegate
