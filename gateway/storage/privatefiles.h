// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

namespace edgegate {

/// Makes `dir` (created when missing) and everything below it this user's alone: no group or other
/// permission bits on the folder, its subfolders and its files (links are left as they are). How
/// many entries had to change goes to `changed`.
[[nodiscard]] bool makePrivate(const QString &dir, int *changed, QString *error);

} // namespace edgegate
