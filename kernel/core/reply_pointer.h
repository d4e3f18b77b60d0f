/*
 * REPLY=pointer: the right to reply is a pointer in the callee's TCB to its caller,
 * set when the callee takes the call, cleared when used; a newer call taken before
 * replying overwrites it (the older caller waits until the callee dies), and a dying
 * caller is forgotten by every TCB that names it. The operations are those listed in
 * reply.h; reply_cap.h is the other alternative.
 */
#ifndef IPCLAB_CORE_REPLY_POINTER_H
#define IPCLAB_CORE_REPLY_POINTER_H

#include "assert.h"
#include "tcb.h"

static inline void reply_thread_init(struct tcb *t)
{
    (void)t;                     /* thread_create zeroed the TCB */
}

static inline void reply_thread_exit(struct tcb *t)
{
    (void)t;                     /* reply_forget() runs for every other thread */
}

static inline void reply_grant(struct tcb *caller, struct tcb *callee)
{
    callee->reply_to = caller;
}

static inline struct tcb *reply_holder(const struct tcb *t)
{
    return t->reply_to;
}

/* One-shot: used or not, the right is gone after this. */
static inline struct tcb *reply_take(struct tcb *t)
{
    struct tcb *caller = t->reply_to;
    t->reply_to = NULL;
    return caller;
}

static inline void reply_drop(struct tcb *t)
{
    (void)t;                     /* the right survives a receive */
}

static inline void reply_forget(struct tcb *t, const struct tcb *dead)
{
    if (t->reply_to == dead)
        t->reply_to = NULL;
}

/* The pointer may outlive the wait it was made for (a newer call overwrote it), so
 * the caller must still await exactly this thread's reply. */
static inline bool reply_fast_target(struct tcb *self, struct tcb **to)
{
    struct tcb *caller = self->reply_to;
    if (!caller || caller->state != THREAD_REPLY_BLOCKED || caller->partner != self)
        return false;
    *to = caller;
    return true;
}

static inline void reply_fast_consume(struct tcb *self)
{
    self->reply_to = NULL;
}

static inline void reply_check(const struct tcb *t)
{
    if (t->reply_to) {
        ASSERT(t->reply_to->state == THREAD_REPLY_BLOCKED);
        ASSERT(t->reply_to->partner == t);
    }
}

#endif
