// SPDX-License-Identifier: Apache-2.0
#include "gateway/core/common/cbordepth.h"

#include <QCborStreamReader>

namespace edgegate {

namespace {

bool tooDeep(QCborStreamReader &reader, int depthLeft)
{
    if (reader.isTag()) {
        if (depthLeft == 0)
            return true;
        return reader.next() && tooDeep(reader, depthLeft - 1);
    }
    if (reader.isContainer()) {
        if (depthLeft == 0)
            return true;
        if (!reader.enterContainer())
            return false;
        while (reader.lastError() == QCborError::NoError && reader.hasNext()) {
            if (tooDeep(reader, depthLeft - 1))
                return true;
        }
        if (reader.lastError() == QCborError::NoError)
            reader.leaveContainer();
        return false;
    }
    reader.next();
    return false;
}

} // namespace

bool cborNestsDeeperThan(const QByteArray &data, int maxDepth)
{
    QCborStreamReader reader(data);
    return tooDeep(reader, maxDepth);
}

} // namespace edgegate
