// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "gateway/core/routing/route.h"
#include "gateway/storage/listbook.h"

namespace edgegate {

/// Keeps routes set through the REST API in `routes.json` in data_dir.
class RouteBook final : public ListBook<Route>
{
public:
    RouteBook(const QString &path, QList<Route> configured);

    [[nodiscard]] const QList<Route> &routes() const { return items(); }
};

} // namespace edgegate
