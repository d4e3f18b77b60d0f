/*
 * The NOTIFY axis: whether the kernel has asynchronous notifications beside
 * synchronous IPC (the lesson "synchronous IPC plus notifications").
 *   none   - synchronous IPC only; the calls below compile to nothing or to
 *            E_INVALID_SYSCALL.
 *   notify - notification objects (notification.c), signal / wait / poll, bindable to a
 *            thread whose open receives they also end.
 * The IPC paths and the thread table call these hooks and never test the axis.
 */
#ifndef IPCLAB_CORE_NOTIFY_H
#define IPCLAB_CORE_NOTIFY_H

#include "config.h"
#include "kernel.h"
#include "tcb.h"

#if CONFIG_NOTIFY_NOTIFY
#include "notification.h"

static inline bool notify_take_bound(struct tcb *self)
{
    return self->bound && notification_take_bound(self);
}

/* The fast path's reply-and-wait declines a server whose bound notification holds bits:
 * its receive must end at once with them, which the general path does. */
static inline bool notify_fast_ok(const struct tcb *self)
{
    return !self->bound || !self->bound->word;
}

static inline void notify_thread_exit(struct tcb *t)
{
    notification_thread_exit(t);
}

static inline uint64_t notify_syscall(struct tcb *self, uint64_t nr, uint64_t a0,
                                      uint64_t *value, struct tcb **next)
{
    return notification_syscall(self, nr, a0, value, next);
}

static inline void notify_objects_init(void)
{
    notification_table_init();
}

#define NOTIFY_OBJECT_BYTES ((unsigned)sizeof(struct notification))

static inline void notify_cap_copied(struct notification *n)
{
    notification_ref(n);
}

static inline void notify_cap_deleted(struct notification *n)
{
    notification_unref(n);
}

static inline void notify_check_thread(const struct tcb *t)
{
    notification_check_thread(t);
}

/* For the kernel's own signals (user-level scheduling events, usched.c). */
static inline bool notify_available(void)
{
    return true;
}

static inline struct tcb *notify_signal(struct notification *n, uint64_t bits)
{
    return notification_signal(n, bits);
}

#else /* CONFIG_NOTIFY_NONE */
struct notification;

static inline bool notify_take_bound(struct tcb *self)
{
    (void)self;
    return false;
}

static inline bool notify_fast_ok(const struct tcb *self)
{
    (void)self;
    return true;
}

static inline void notify_thread_exit(struct tcb *t)
{
    (void)t;
}

static inline uint64_t notify_syscall(struct tcb *self, uint64_t nr, uint64_t a0,
                                      uint64_t *value, struct tcb **next)
{
    (void)self;
    (void)nr;
    (void)a0;
    (void)value;
    (void)next;
    return E_INVALID_SYSCALL;
}

static inline void notify_objects_init(void)
{
}

#define NOTIFY_OBJECT_BYTES 0u      /* no notification objects are compiled in */

static inline void notify_cap_copied(struct notification *n)
{
    (void)n;
}

static inline void notify_cap_deleted(struct notification *n)
{
    (void)n;
}

static inline void notify_check_thread(const struct tcb *t)
{
    ASSERT(t->state != THREAD_NOTIFY_BLOCKED);
}

static inline bool notify_available(void)
{
    return false;
}

static inline struct tcb *notify_signal(struct notification *n, uint64_t bits)
{
    (void)n;
    (void)bits;
    return NULL;
}
#endif

#endif
