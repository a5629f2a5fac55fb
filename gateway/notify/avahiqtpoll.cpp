// SPDX-License-Identifier: Apache-2.0
#include "gateway/notify/avahiqtpoll.h"

#include <QSocketNotifier>
#include <QTimer>

#include <sys/time.h>

#include <algorithm>
#include <limits>

// avahi declares these opaque; each poll implementation defines them.
struct AvahiWatch
{
    int fd = -1;
    AvahiWatchCallback callback = nullptr;
    void *userdata = nullptr;
    AvahiWatchEvent lastEvents = AvahiWatchEvent(0);
    QSocketNotifier *read = nullptr;
    QSocketNotifier *write = nullptr;
};

struct AvahiTimeout
{
    AvahiTimeoutCallback callback = nullptr;
    void *userdata = nullptr;
    QTimer *timer = nullptr;
};

namespace edgegate {

namespace {

// avahi may free a watch or timeout from inside its own callback, i.e. inside the notifier's or
// timer's signal: the Qt object is handed to the event loop instead of deleted there.
void dispose(QObject *object)
{
    if (!object)
        return;
    object->disconnect();
    object->deleteLater();
}

void dispatch(AvahiWatch *w, AvahiWatchEvent event)
{
    w->lastEvents = event;
    w->callback(w, w->fd, event, w->userdata);
}

void watchUpdate(AvahiWatch *w, AvahiWatchEvent events)
{
    const bool wantRead = (events & AVAHI_WATCH_IN) != 0;
    const bool wantWrite = (events & AVAHI_WATCH_OUT) != 0;
    if (wantRead && !w->read) {
        w->read = new QSocketNotifier(w->fd, QSocketNotifier::Read);
        QObject::connect(w->read, &QSocketNotifier::activated, w->read, [w] { dispatch(w, AVAHI_WATCH_IN); });
    }
    if (wantWrite && !w->write) {
        w->write = new QSocketNotifier(w->fd, QSocketNotifier::Write);
        QObject::connect(w->write, &QSocketNotifier::activated, w->write, [w] { dispatch(w, AVAHI_WATCH_OUT); });
    }
    if (w->read)
        w->read->setEnabled(wantRead);
    if (w->write)
        w->write->setEnabled(wantWrite);
}

AvahiWatch *watchNew(const AvahiPoll * /*api*/, int fd, AvahiWatchEvent events, AvahiWatchCallback callback,
                     void *userdata)
{
    auto *w = new AvahiWatch;
    w->fd = fd;
    w->callback = callback;
    w->userdata = userdata;
    watchUpdate(w, events);
    return w;
}

AvahiWatchEvent watchGetEvents(AvahiWatch *w)
{
    return w->lastEvents;
}

void watchFree(AvahiWatch *w)
{
    // The descriptor may be closed and reused before the loop deletes the notifiers.
    for (QSocketNotifier *n : {w->read, w->write}) {
        if (n)
            n->setEnabled(false);
    }
    dispose(w->read);
    dispose(w->write);
    delete w;
}

void timeoutUpdate(AvahiTimeout *t, const struct timeval *tv)
{
    if (!tv) {
        t->timer->stop();
        return;
    }
    // avahi's deadlines are absolute wall-clock times.
    timeval now{};
    gettimeofday(&now, nullptr);
    const qint64 ms = (qint64(tv->tv_sec) - now.tv_sec) * 1000 + (qint64(tv->tv_usec) - now.tv_usec + 999) / 1000;
    t->timer->start(int(std::clamp<qint64>(ms, 0, std::numeric_limits<int>::max())));
}

AvahiTimeout *timeoutNew(const AvahiPoll * /*api*/, const struct timeval *tv, AvahiTimeoutCallback callback,
                         void *userdata)
{
    auto *t = new AvahiTimeout;
    t->callback = callback;
    t->userdata = userdata;
    t->timer = new QTimer;
    t->timer->setSingleShot(true);
    QObject::connect(t->timer, &QTimer::timeout, t->timer, [t] { t->callback(t, t->userdata); });
    timeoutUpdate(t, tv);
    return t;
}

void timeoutFree(AvahiTimeout *t)
{
    dispose(t->timer);
    delete t;
}

} // namespace

AvahiQtPoll::AvahiQtPoll()
{
    m_poll.userdata = this;
    m_poll.watch_new = &watchNew;
    m_poll.watch_update = &watchUpdate;
    m_poll.watch_get_events = &watchGetEvents;
    m_poll.watch_free = &watchFree;
    m_poll.timeout_new = &timeoutNew;
    m_poll.timeout_update = &timeoutUpdate;
    m_poll.timeout_free = &timeoutFree;
}

} // namespace edgegate
