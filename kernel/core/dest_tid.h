/*
 * DEST=tid: an IPC names its partner by a global thread ID (number and version, see
 * thread.h). Each thread keeps the queue of threads blocked sending to it; a receiver
 * names one sender or IPC_ANY and sees the sender's thread ID. A reply is a plain send
 * to a caller that waits to receive from exactly the callee. The operations are those
 * listed in dest.h; dest_endpoint.h is the other alternative.
 */
#ifndef IPCLAB_CORE_DEST_TID_H
#define IPCLAB_CORE_DEST_TID_H

#include "cap.h"
#include "kernel.h"
#include "thread.h"

/* The partner of a send phase. */
struct send_target {
    struct tcb *receiver;   /* the named thread, if it waits to receive from us now */
    struct tcb *to;         /* the named thread, where a blocking sender queues */
    uint64_t sender_id;     /* what the receiver will see: our thread ID */
};

/* The partner of a receive phase. */
struct recv_source {
    struct tcb *wanted;     /* the one sender accepted, or NULL for any */
    uint64_t from;          /* the receive specifier as given */
};

/* What the fast path's checks found, for its commit. */
struct fast_call {
    struct tcb *to;
};
struct fast_reply {
    struct tcb *to;
};

static inline bool dest_receives_from(const struct tcb *receiver, const struct tcb *sender)
{
    return receiver->state == THREAD_RECV_BLOCKED &&
           (receiver->wait_from == IPC_ANY || receiver->wait_from == sender->tid);
}

static inline uint64_t dest_send_target(struct tcb *self, uint64_t dest, struct send_target *t)
{
    struct tcb *to = thread_lookup(dest);
    if (!to)
        return E_INVALID_DEST;
    if (to == self)
        return E_SELF_IPC;
    t->to = to;
    t->sender_id = self->tid;
    t->receiver = dest_receives_from(to, self) ? to : NULL;
    return E_OK;
}

/* A reply is a send to the caller, which awaits it in a receive from us. */
static inline uint64_t dest_reply_target(struct tcb *self, uint64_t dest, struct send_target *t)
{
    return dest_send_target(self, dest, t);
}

static inline void dest_block_sending(struct tcb *self, const struct send_target *t)
{
    self->partner = t->to;
    list_add_tail(&t->to->senders, &self->wait_link);
}

static inline uint64_t dest_recv_source(struct tcb *self, uint64_t from, struct recv_source *s)
{
    s->from = from;
    s->wanted = NULL;
    if (from == IPC_ANY)
        return E_OK;
    s->wanted = thread_lookup(from);
    if (!s->wanted)
        return E_INVALID_DEST;
    if (s->wanted == self)
        return E_SELF_IPC;
    return E_OK;
}

/* Whether a queued sender's message comes as from the one thread a receive wants: the
 * sender itself, or under COMMCTL=clans also a chief passing that thread's message on
 * (clans.c), which the receiver must see as from the thread it named. */
static inline bool dest_sender_is(const struct tcb *sender, const struct recv_source *s)
{
#if CONFIG_COMMCTL_CLANS
    return sender->send_id == s->from;
#else
    return sender == s->wanted;
#endif
}

/* The first sender queued on self that the receive accepts, taken off the queue. */
static inline struct tcb *dest_take_sender(struct tcb *self, const struct recv_source *s)
{
    for (struct link *l = self->senders.next; l != &self->senders; l = l->next) {
        struct tcb *sender = container_of(l, struct tcb, wait_link);
        if (s->wanted && !dest_sender_is(sender, s))
            continue;
        list_remove(&sender->wait_link);
        sender->partner = NULL;
        return sender;
    }
    return NULL;
}

static inline void dest_block_receiving(struct tcb *self, const struct recv_source *s)
{
    self->wait_from = s->from;
}

/* The caller receives from the callee only: the reply is an ordinary send. */
static inline void dest_await_reply(struct tcb *caller, struct tcb *callee)
{
    caller->state = THREAD_RECV_BLOCKED;
    caller->wait_from = callee->tid;
}

static inline void dest_leave_wait_queue(struct tcb *t)
{
    if (t->state == THREAD_SEND_BLOCKED)
        list_remove(&t->wait_link);
}

/* Waiting in a receive from anyone (not for one thread, not for a reply): what a bound
 * notification may end (notification.c). */
static inline bool dest_open_receive(const struct tcb *t)
{
    return t->state == THREAD_RECV_BLOCKED && t->wait_from == IPC_ANY;
}

/* Thread IDs carry a version: a dead thread's ID needs no forgetting. */
static inline void dest_forget(struct tcb *t, const struct tcb *dead)
{
    (void)t;
    (void)dead;
}

/* A dying thread holds no right of the addressing mode's own. */
static inline void dest_thread_exit(struct tcb *t)
{
    (void)t;
}

/* Whether t waits to receive from partner alone (it must be released if partner dies). */
static inline bool dest_waits_for(const struct tcb *t, const struct tcb *partner)
{
    return t->state == THREAD_RECV_BLOCKED && t->wait_from == partner->tid;
}

/* The invariant of the partner link (checked in debug builds): it is set exactly while
 * t is a sender queued on the thread it names, and cleared on every path that ends that wait. */
static inline bool dest_partner_consistent(const struct tcb *t)
{
    return (t->partner != NULL) == (t->state == THREAD_SEND_BLOCKED);
}

/* A sender is queued on the thread it names and nowhere else; every thread queued on
 * t sends to t (invariant checks). */
static inline void dest_check_thread(const struct tcb *t)
{
    if (t->state == THREAD_SEND_BLOCKED) {
        ASSERT(t->partner && t->partner->state != THREAD_FREE);
        ASSERT(list_contains(&t->partner->senders, &t->wait_link));
    } else if (t->state != THREAD_NOTIFY_BLOCKED) { /* a notification's waiter: notify.h */
        ASSERT(t->wait_link.next == &t->wait_link);
    }
    for (const struct link *l = t->senders.next; l != &t->senders; l = l->next) {
        const struct tcb *s = container_of(l, struct tcb, wait_link);
        ASSERT(s->state == THREAD_SEND_BLOCKED);
        ASSERT(s->partner == t);
    }
}

/* Thread-ID addressing has no IPC objects beyond the threads. */
static inline bool dest_objects_consistent(void)
{
    return true;
}

static inline void dest_thread_init(struct tcb *t)
{
    list_init(&t->senders);
}

static inline void dest_objects_init(void)
{
}

/* Bytes of one endpoint object: none exist under thread-ID addressing. */
#define DEST_ENDPOINT_BYTES 0u

/* Thread-ID addressing has no endpoint objects, so no capability ever names one. */
static inline uint64_t dest_endpoint_create(struct tcb *self, uint64_t *slot)
{
    (void)self;
    (void)slot;
    return E_INVALID_SYSCALL;
}

static inline void dest_cap_copied(struct cap *c)
{
    (void)c;
}

static inline void dest_cap_deleted(struct cap *c)
{
    (void)c;
}

/* The fast path's checks for a call: the named thread waits to receive from us. The
 * checks answer true or false and leave what they found in fc: written this way (not
 * as a pointer or NULL) GCC keeps the fast path's register use as in a hand-inlined
 * version; a NULL-returning form cost up to five instructions more. */
static inline bool dest_fast_call_partner(struct tcb *self, uint64_t dest,
                                          struct fast_call *fc)
{
    struct tcb *to = thread_lookup(dest);
    if (!to || to->state != THREAD_RECV_BLOCKED)
        return false;
    if (to->wait_from != self->tid && to->wait_from != IPC_ANY)
        return false;
    fc->to = to;
    return true;
}

/* After the point of no return: the caller awaits the reply. Returns the sender ID. */
static inline uint64_t dest_fast_call_commit(struct tcb *self, struct tcb *to,
                                             const struct fast_call *fc)
{
    (void)fc;
    dest_await_reply(self, to);
    return self->tid;
}

/* The fast path's checks for reply-and-wait: an open receive with no sender queued
 * (the general path would take it at once), and a caller waiting for our reply. */
static inline bool dest_fast_reply_partner(struct tcb *self, uint64_t dest, uint64_t from,
                                           struct fast_reply *fr)
{
    if (from != IPC_ANY || !list_empty(&self->senders))
        return false;
    struct tcb *to = thread_lookup(dest);
    if (!to || to->state != THREAD_RECV_BLOCKED || to->wait_from != self->tid)
        return false;
    fr->to = to;
    return true;
}

/* After the point of no return: self (already RECV_BLOCKED) waits for anyone. */
static inline uint64_t dest_fast_reply_commit(struct tcb *self, struct tcb *to,
                                              const struct fast_reply *fr)
{
    (void)to;
    (void)fr;
    self->wait_from = IPC_ANY;
    return self->tid;
}

/* An interrupt line's pseudo-thread (IRQ=ipc, irq_ipc.c) sends to the thread that
 * registered the line, which takes it in an open receive (sender IRQ_SENDER_ID). */
struct dest_irq {
    struct tcb *handler;
};

static inline uint64_t dest_irq_attach(struct tcb *self, uint64_t object, struct dest_irq *d)
{
    if (object != IPC_NIL)
        return E_INVALID_ARG;   /* nothing to name: the handler itself receives it */
    d->handler = self;
    return E_OK;
}

static inline void dest_irq_target(const struct tcb *sender, const struct dest_irq *d,
                                   struct send_target *t)
{
    t->to = d->handler;
    t->sender_id = sender->tid;
    t->receiver = dest_receives_from(d->handler, sender) ? d->handler : NULL;
}

static inline void dest_irq_detach(struct dest_irq *d)
{
    d->handler = NULL;
}

#endif
