// SPDX-License-Identifier: Apache-2.0
#include "gateway/storage/privatefiles.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>

namespace edgegate {

using namespace Qt::StringLiterals;

namespace {

// Clears the group and other bits of `path`; false with `error` set when that fails.
bool clearOthers(const QString &path, int *changed, QString *error)
{
    const QByteArray name = QFile::encodeName(path);
    struct stat info = {};
    if (::lstat(name.constData(), &info) != 0) {
        *error = u"cannot read the permissions of %1: %2"_s.arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    if (S_ISLNK(info.st_mode) || (info.st_mode & 077) == 0)
        return true;
    if (::chmod(name.constData(), info.st_mode & 07700) != 0) {
        *error = u"cannot make %1 private: %2"_s.arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    ++*changed;
    return true;
}

} // namespace

bool makePrivate(const QString &dir, int *changed, QString *error)
{
    *changed = 0;
    if (!QDir().mkpath(dir)) {
        *error = u"cannot create %1"_s.arg(dir);
        return false;
    }
    if (!clearOthers(dir, changed, error))
        return false;
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        if (!clearOthers(it.next(), changed, error))
            return false;
    }
    return true;
}

} // namespace edgegate
