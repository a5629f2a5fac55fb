// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QStringList>
#include <QTextStream>

namespace edgegate {

struct Config;

/// What `edgegated ca ...` was asked to do, from the command line.
struct CaCommand
{
    QStringList arguments; ///< after "ca": init | issue ID | revoke ID | list
    QString csrFile; ///< --csr
    QString outDir; ///< --out
    QString days; ///< --days
};

/// Runs one CA command on the CA in the configuration's data_dir. The exit code: 0 done, 1 failed,
/// 2 a usage error.
[[nodiscard]] int runCaCommand(const CaCommand &command, const Config &config, QTextStream &out, QTextStream &err);

} // namespace edgegate
