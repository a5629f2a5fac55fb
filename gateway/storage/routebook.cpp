// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/routebook.h"

namespace edgegate {

using namespace Qt::StringLiterals;

RouteBook::RouteBook(const QString &path, QList<Route> configured)
    : ListBook(path, std::move(configured), u"routes"_s, -1, &routesFromJson, &routesToJson)
{
}

} // namespace edgegate
