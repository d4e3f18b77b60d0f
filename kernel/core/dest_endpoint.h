/*
 * DEST=endpoint: an IPC names its partner by a slot of its task's capability table
 * (cap.h) holding an endpoint (endpoint.h), whose single queue holds blocked senders or
 * blocked receivers. A receiver sees the capability's badge, never a thread ID. A call
 * leaves the callee a one-shot reply right (reply.h), which reply-and-wait uses.
 * The operations are those listed in dest.h; dest_tid.h is the other alternative.
 */
#ifndef IPCLAB_CORE_DEST_ENDPOINT_H
#define IPCLAB_CORE_DEST_ENDPOINT_H

#include "cap.h"
#include "cspace.h"
#include "endpoint.h"
#include "kernel.h"
#include "reply.h"
#include "space.h"
#include "tcb.h"

/* The partner of a send phase. */
struct send_target {
    struct tcb *receiver;   /* a receiver taken off the endpoint, or the replied-to caller */
    struct endpoint *ep;    /* where a blocking sender queues */
    uint64_t sender_id;     /* what the receiver will see: the capability's badge */
};

/* The partner of a receive phase. */
struct recv_source {
    struct endpoint *ep;
};

/* State the fast path carries from its checks to its commit: the capability itself,
 * so that its fields are read where they are used (after the point of no return). */
struct fast_call {
    struct cap *cap;
    struct tcb *to;
};
struct fast_reply {
    struct cap *cap;
    struct tcb *to;
};

static inline uint64_t dest_send_target(struct tcb *self, uint64_t dest, struct send_target *t)
{
    struct cap *cap = cspace_lookup(self->space, dest, CAP_ENDPOINT, CAP_RIGHT_SEND);
    if (!cap)
        return E_INVALID_CAP;
    t->ep = cap->ep;
    t->sender_id = cap->badge;
    t->receiver = cap->ep->state == EP_RECEIVERS ? endpoint_dequeue(cap->ep) : NULL;
    return E_OK;
}

/* The reply right is one-shot: used or not, it is gone after this. */
static inline uint64_t dest_reply_target(struct tcb *self, uint64_t dest, struct send_target *t)
{
    (void)dest;
    struct tcb *caller = reply_take(self);
    if (!caller || caller->state != THREAD_REPLY_BLOCKED || caller->partner != self)
        return E_INVALID_DEST;
    caller->partner = NULL;
    t->receiver = caller;
    t->ep = NULL;
    t->sender_id = 0;
    return E_OK;
}

static inline void dest_block_sending(struct tcb *self, const struct send_target *t)
{
    endpoint_enqueue(t->ep, self, EP_SENDERS);
}

static inline uint64_t dest_recv_source(struct tcb *self, uint64_t from, struct recv_source *s)
{
    struct cap *cap = cspace_lookup(self->space, from, CAP_ENDPOINT, CAP_RIGHT_RECV);
    if (!cap)
        return E_INVALID_CAP;
    reply_drop(self);
    s->ep = cap->ep;
    return E_OK;
}

static inline struct tcb *dest_take_sender(struct tcb *self, const struct recv_source *s)
{
    (void)self;
    return s->ep->state == EP_SENDERS ? endpoint_dequeue(s->ep) : NULL;
}

static inline void dest_block_receiving(struct tcb *self, const struct recv_source *s)
{
    endpoint_enqueue(s->ep, self, EP_RECEIVERS);
}

/* The caller holds no queue place: the callee's reply right names it. */
static inline void dest_await_reply(struct tcb *caller, struct tcb *callee)
{
    caller->state = THREAD_REPLY_BLOCKED;
    caller->partner = callee;
    reply_grant(caller, callee);
}

static inline void dest_leave_wait_queue(struct tcb *t)
{
    if (t->blocked_on)
        endpoint_remove(t->blocked_on, t);
}

/* Waiting on an endpoint for a message (a caller awaiting its reply is REPLY_BLOCKED):
 * what a bound notification may end (notification.c). */
static inline bool dest_open_receive(const struct tcb *t)
{
    return t->state == THREAD_RECV_BLOCKED;
}

/* A reply right to a thread that dies goes with it (a later thread in the same TCB
 * slot must not inherit it). */
static inline void dest_forget(struct tcb *t, const struct tcb *dead)
{
    reply_forget(t, dead);
}

/* t dies: the reply rights it holds and those naming it (reply.h). */
static inline void dest_thread_exit(struct tcb *t)
{
    reply_thread_exit(t);
}

/* Receivers wait on endpoints, never on one thread. */
static inline bool dest_waits_for(const struct tcb *t, const struct tcb *partner)
{
    (void)t;
    (void)partner;
    return false;
}

/* The invariant of the partner link (checked in debug builds): it is set exactly while
 * t is a caller awaiting its callee's reply, and cleared on every path that ends that wait. */
static inline bool dest_partner_consistent(const struct tcb *t)
{
    return (t->partner != NULL) == (t->state == THREAD_REPLY_BLOCKED);
}

/* A thread blocked in send or receive is on exactly the endpoint queue it names, of
 * the right kind; a reply right names a caller that awaits this thread's reply; a
 * caller awaits a live thread (invariant checks). A caller need not be the one its
 * callee's reply right names: a callee that takes a new call before replying loses
 * the older right (seL4's single reply slot), and that caller waits until the callee
 * dies. */
static inline void dest_check_thread(const struct tcb *t)
{
    bool queued = t->state == THREAD_SEND_BLOCKED || t->state == THREAD_RECV_BLOCKED;
    ASSERT(queued == (t->blocked_on != NULL));
    if (queued) {
        const struct endpoint *ep = t->blocked_on;
        ASSERT(ep->used);
        ASSERT(ep->state == (t->state == THREAD_SEND_BLOCKED ? EP_SENDERS : EP_RECEIVERS));
        ASSERT(list_contains(&ep->queue, &t->wait_link));
    } else if (t->state != THREAD_NOTIFY_BLOCKED) { /* a notification's waiter: notify.h */
        ASSERT(t->wait_link.next == &t->wait_link);
    }
    if (t->state == THREAD_REPLY_BLOCKED)
        ASSERT(t->partner->state != THREAD_FREE);
    reply_check(t);
}

static inline bool dest_objects_consistent(void)
{
    return endpoint_table_consistent();
}

static inline void dest_thread_init(struct tcb *t)
{
    reply_thread_init(t);
}

static inline void dest_objects_init(void)
{
    endpoint_table_init();
}

/* Bytes of one endpoint object (what an IPC destination costs the kernel). */
#define DEST_ENDPOINT_BYTES ((unsigned)sizeof(struct endpoint))

/* A new endpoint with every right, in the lowest free slot of self's table, counted
 * against its task's quota. */
static inline uint64_t dest_endpoint_create(struct tcb *self, uint64_t *slot)
{
    struct space *s = self->space;
    if (!s->object_quota)
        return E_QUOTA;
    uint64_t free_slot = cap_free_slot(s);
    struct endpoint *ep = free_slot ? endpoint_create(s) : NULL;
    if (!ep)
        return E_NO_MEMORY;
    s->object_quota--;
    *cspace_slot(s, free_slot) = (struct cap){.type = CAP_ENDPOINT, .rights = CAP_RIGHTS_ALL,
                                              .ep = ep};
    endpoint_ref(ep);
    *slot = free_slot;
    return E_OK;
}

/* A capability was copied (mint) or deleted: the endpoint's count of them follows. */
static inline void dest_cap_copied(struct cap *c)
{
    endpoint_ref(c->ep);
}

static inline void dest_cap_deleted(struct cap *c)
{
    endpoint_unref(c->ep);
}

/* The fast path's checks for a call: a send capability, a receiver waiting on it. */
static inline bool dest_fast_call_partner(struct tcb *self, uint64_t dest,
                                          struct fast_call *fc)
{
    struct cap *cap = cspace_lookup(self->space, dest, CAP_ENDPOINT, CAP_RIGHT_SEND);
    if (!cap || cap->ep->state != EP_RECEIVERS)
        return false;
    fc->cap = cap;
    fc->to = container_of(cap->ep->queue.next, struct tcb, wait_link);
    return true;
}

/* After the point of no return: the receiver leaves the endpoint, the caller awaits
 * its reply. Returns the badge the receiver sees. */
static inline uint64_t dest_fast_call_commit(struct tcb *self, struct tcb *to,
                                             const struct fast_call *fc)
{
    endpoint_remove(fc->cap->ep, to);
    dest_await_reply(self, to);
    return fc->cap->badge;
}

/* The fast path's checks for reply-and-wait: a caller waiting for our reply, and a
 * receive capability whose endpoint holds no sender (the general path would take it). */
static inline bool dest_fast_reply_partner(struct tcb *self, uint64_t dest, uint64_t from,
                                           struct fast_reply *fr)
{
    (void)dest;
    struct tcb *to;
    if (!reply_fast_target(self, &to))
        return false;
    struct cap *cap = cspace_lookup(self->space, from, CAP_ENDPOINT, CAP_RIGHT_RECV);
    if (!cap || cap->ep->state == EP_SENDERS)
        return false;
    fr->cap = cap;
    fr->to = to;
    return true;
}

/* After the point of no return: the reply right is used up, self (already
 * RECV_BLOCKED) waits on the endpoint. A reply carries no badge. */
static inline uint64_t dest_fast_reply_commit(struct tcb *self, struct tcb *to,
                                              const struct fast_reply *fr)
{
    reply_fast_consume(self);
    to->partner = NULL;
    endpoint_enqueue(fr->cap->ep, self, EP_RECEIVERS);
    return 0;
}

/* An interrupt line's pseudo-thread (IRQ=ipc, irq_ipc.c) sends through the endpoint
 * the registration named, with that capability's badge; the line holds a reference,
 * so the endpoint outlives every interrupt queued on it. */
struct dest_irq {
    struct endpoint *ep;
    uint64_t badge;
};

static inline uint64_t dest_irq_attach(struct tcb *self, uint64_t object, struct dest_irq *d)
{
    struct cap *cap = cap_lookup(self->space->caps, object, CAP_ENDPOINT, CAP_RIGHT_SEND);
    if (!cap)
        return E_INVALID_CAP;
    d->ep = cap->ep;
    d->badge = cap->badge;
    endpoint_ref(d->ep);
    return E_OK;
}

static inline void dest_irq_target(const struct tcb *sender, const struct dest_irq *d,
                                   struct send_target *t)
{
    (void)sender;
    t->ep = d->ep;
    t->sender_id = d->badge;
    t->receiver = d->ep->state == EP_RECEIVERS ? endpoint_dequeue(d->ep) : NULL;
}

static inline void dest_irq_detach(struct dest_irq *d)
{
    endpoint_unref(d->ep);
    d->ep = NULL;
}

#endif
