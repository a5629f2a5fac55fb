// SPDX-License-Identifier: Apache-2.0
#include "gateway/app/logging.h"

#include <QHash>
#include <QLoggingCategory>

namespace edgegate {

using namespace Qt::StringLiterals;

bool setupLogging(const QString &level)
{
    // Each level and the filter rules that keep what is below it out.
    static const QHash<QString, QString> rules{
        {u"debug"_s, u"*.debug=true\nqt.*.debug=false"_s},
        {u"info"_s, u"*.debug=false"_s},
        {u"warning"_s, u"*.debug=false\n*.info=false"_s},
        {u"error"_s, u"*.debug=false\n*.info=false\n*.warning=false"_s},
    };
    const auto it = rules.constFind(level);
    if (it == rules.cend())
        return false;
    QLoggingCategory::setFilterRules(*it);
    qSetMessagePattern(u"%{time yyyy-MM-ddThh:mm:ss.zzz} "
                       "%{if-debug}debug%{endif}%{if-info}info%{endif}%{if-warning}warning%{endif}"
                       "%{if-critical}error%{endif}%{if-fatal}fatal%{endif} %{category}: %{message}"_s);
    return true;
}

} // namespace edgegate
