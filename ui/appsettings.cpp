// SPDX-License-Identifier: Apache-2.0
#include "ui/appsettings.h"

#include "ui/logging.h"

#include <QCoreApplication>
#include <QLocale>
#include <QTranslator>

using namespace Qt::StringLiterals;

namespace {

const QString TranslatorName = u"edgegate-translator"_s;

} // namespace

AppSettings::AppSettings(QObject *parent)
    : QObject(parent)
    , m_settings(u"EdgeGate"_s, u"Dashboard"_s)
{
}

QString AppSettings::saved(QAnyStringView key) const
{
    return m_settings.value(key).toString();
}

void AppSettings::save(QAnyStringView key, const QString &value, void (AppSettings::*changed)())
{
    if (value == saved(key))
        return;
    m_settings.setValue(key, value);
    emit(this->*changed)();
}

void AppSettings::applyLanguage()
{
    m_settings.sync();
    installTranslator(language());
    if (QQmlEngine *engine = qmlEngine(this))
        engine->retranslate();
}

bool AppSettings::installTranslator(const QString &language)
{
    QCoreApplication *app = QCoreApplication::instance();
    if (!app)
        return false;
    auto *translator = app->findChild<QTranslator *>(TranslatorName, Qt::FindDirectChildrenOnly);
    if (translator) {
        QCoreApplication::removeTranslator(translator);
        delete translator;
    }
    auto next = std::make_unique<QTranslator>();
    next->setObjectName(TranslatorName);
    const bool loaded = language.isEmpty() ? next->load(QLocale(), u"edgegate"_s, u"_"_s, u":/i18n"_s)
                                           : next->load(u"edgegate_"_s + language, u":/i18n"_s);
    if (!loaded) {
        qCDebug(lcDashboard) << "no translation for" << (language.isEmpty() ? QLocale().name() : language);
        return false;
    }
    QTranslator *installed = next.release();
    installed->setParent(app);
    QCoreApplication::installTranslator(installed);
    return true;
}
