// SPDX-License-Identifier: Apache-2.0
#include "gateway/app/logging.h"

#include <QLoggingCategory>

namespace edgegate {

using namespace Qt::StringLiterals;

bool setupLogging(const QString &level)
{
    QString rules;
    if (level == u"debug")
        rules = u"*.debug=true\nqt.*.debug=false"_s;
    else if (level == u"info")
        rules = u"*.debug=false"_s;
    else if (level == u"warning")
        rules = u"*.debug=false\n*.info=false"_s;
    else if (level == u"error")
        rules = u"*.debug=false\n*.info=false\n*.warning=false"_s;
    else
        return false;
    QLoggingCategory::setFilterRules(rules);
    qSetMessagePattern(u"%{time yyyy-MM-ddThh:mm:ss.zzz} "
                       "%{if-debug}debug%{endif}%{if-info}info%{endif}%{if-warning}warning%{endif}"
                       "%{if-critical}error%{endif}%{if-fatal}fatal%{endif} %{category}: %{message}"_s);
    return true;
}

} // namespace edgegate
