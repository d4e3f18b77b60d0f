/*
 * The general IPC path: send, receive, call and reply-and-wait for both addressing
 * modes of the DEST axis, with the blocking and non-blocking variants of each phase.
 *
 * An operation has a send phase and a receive phase. If the send phase fails, the
 * receive phase does not run and the error is returned (L4 semantics). A call's
 * receive phase is implicit: the caller waits for the reply of the very thread that
 * took its message. The reply phase of reply-and-wait never blocks: a client that is
 * not waiting for the reply gets none, and the server learns it from E_WOULD_BLOCK.
 *
 * Addressing, side by side:
 *   tid      - the destination is a thread ID; each thread keeps the queue of threads
 *              blocked sending to it; a receiver names one sender or IPC_ANY and sees
 *              the sender's thread ID.
 *   endpoint - the destination is a capability slot naming an endpoint; the endpoint
 *              queues senders or receivers; a receiver sees the capability's badge; a
 *              call leaves the callee a one-shot reply right (tcb->reply_to).
 */
#include "ipc.h"

#include "arch_api.h"
#include "kernel.h"
#include "sched.h"
#include "space.h"
#include "thread.h"
#include "transfer.h"
#if CONFIG_DEST_ENDPOINT
#include "endpoint.h"
#endif

/* Deliver from's message to the receiver to, which sees it as coming from sender_id. */
static void deliver(struct tcb *from, struct tcb *to, uint64_t tag, uint64_t sender_id)
{
    transfer_message(from, to, tag_len(tag));
    arch_regs_set_result(&to->regs, E_OK, sender_id, tag & (TAG_LEN_MASK | TAG_LABEL_MASK));
}

static void fail(struct tcb *t, uint64_t error)
{
    arch_regs_set_result(&t->regs, error, 0, 0);
}

static void make_ready(struct tcb *t)
{
    t->state = THREAD_READY;
}

void ipc_leave_wait_queue(struct tcb *t)
{
#if CONFIG_DEST_TID
    if (t->state == THREAD_SEND_BLOCKED)
        list_remove(&t->wait_link);
#else
    if (t->blocked_on)
        endpoint_remove(t->blocked_on, t);
#endif
}

void ipc_abort(struct tcb *t, uint64_t error)
{
    ipc_leave_wait_queue(t);
    fail(t, error);
    make_ready(t);
    sched_wake(t);
}

/* A caller whose message was taken now waits for the callee's reply. */
static void await_reply(struct tcb *caller, struct tcb *callee)
{
#if CONFIG_DEST_TID
    caller->state = THREAD_RECV_BLOCKED;
    caller->wait_from = callee->tid;
#else
    caller->state = THREAD_REPLY_BLOCKED;
    caller->partner = callee;
    callee->reply_to = caller;
#endif
}

/* The receiver to is waiting: it takes the message; a caller then awaits the reply. */
static uint64_t send_to_waiting(struct tcb *self, struct tcb *to, unsigned op, uint64_t tag,
                                uint64_t sender_id, struct tcb **woken)
{
    deliver(self, to, tag, sender_id);
    make_ready(to);
    *woken = to;
    if (op == SYS_CALL)
        await_reply(self, to);
    return E_OK;
}

/* Nobody waits for the message: self blocks holding it. */
static void block_sending(struct tcb *self, unsigned op, uint64_t tag)
{
    self->state = THREAD_SEND_BLOCKED;
    self->send_tag = tag;
    self->calling = op == SYS_CALL;
}

/*
 * Send phase. Returns E_OK with *woken set to the receiver it released (or NULL when
 * self blocked instead), or an error code.
 */
static uint64_t send_phase(struct tcb *self, unsigned op, uint64_t dest, uint64_t tag,
                           struct tcb **woken)
{
    bool nonblocking = (tag & TAG_SEND_NONBLOCK) || op == SYS_REPLY_WAIT;
    *woken = NULL;
    if (tag_len(tag) > CONFIG_MAX_MSG_WORDS)
        return E_MSG_TOO_LONG;

#if CONFIG_DEST_TID
    struct tcb *to = thread_lookup(dest);
    if (!to)
        return E_INVALID_DEST;
    if (to == self)
        return E_SELF_IPC;
    if (to->state == THREAD_RECV_BLOCKED &&
        (to->wait_from == IPC_ANY || to->wait_from == self->tid))
        return send_to_waiting(self, to, op, tag, self->tid, woken);
    if (nonblocking)
        return E_WOULD_BLOCK;
    block_sending(self, op, tag);
    self->partner = to;
    list_add_tail(&to->senders, &self->wait_link);
    return E_OK;
#else
    if (op == SYS_REPLY_WAIT) {
        struct tcb *caller = self->reply_to;
        self->reply_to = NULL;  /* the reply right is one-shot, used or not */
        if (!caller || caller->state != THREAD_REPLY_BLOCKED || caller->partner != self)
            return E_INVALID_DEST;
        deliver(self, caller, tag, 0);
        caller->partner = NULL;
        make_ready(caller);
        *woken = caller;
        return E_OK;
    }
    struct cap *cap = cap_lookup(self->space->caps, dest, CAP_ENDPOINT, CAP_RIGHT_SEND);
    if (!cap)
        return E_INVALID_CAP;
    struct endpoint *ep = cap->ep;
    if (ep->state == EP_RECEIVERS)
        return send_to_waiting(self, endpoint_dequeue(ep), op, tag, cap->badge, woken);
    if (nonblocking)
        return E_WOULD_BLOCK;
    block_sending(self, op, tag);
    self->send_badge = cap->badge;
    endpoint_enqueue(ep, self, EP_SENDERS);
    return E_OK;
#endif
}

/* The sender whose message self just took moves on: to await its reply, or to run. */
static struct tcb *release_sender(struct tcb *self, struct tcb *sender)
{
    if (sender->calling) {
        sender->calling = false;
        await_reply(sender, self);
        return NULL;
    }
    arch_regs_set_result(&sender->regs, E_OK, 0, 0);
    make_ready(sender);
    return sender;
}

/*
 * Receive phase. Returns E_OK (self got a message, or blocked waiting for one) with
 * *woken set to a sender it released, or an error code.
 */
static uint64_t recv_phase(struct tcb *self, uint64_t from, uint64_t tag, struct tcb **woken)
{
    bool nonblocking = tag & TAG_RECV_NONBLOCK;
    *woken = NULL;
#if CONFIG_DEST_TID
    struct tcb *wanted = NULL;
    if (from != IPC_ANY) {
        wanted = thread_lookup(from);
        if (!wanted)
            return E_INVALID_DEST;
        if (wanted == self)
            return E_SELF_IPC;
    }
    for (struct link *l = self->senders.next; l != &self->senders; l = l->next) {
        struct tcb *sender = container_of(l, struct tcb, wait_link);
        if (wanted && sender != wanted)
            continue;
        list_remove(&sender->wait_link);
        sender->partner = NULL;
        deliver(sender, self, sender->send_tag, sender->tid);
        *woken = release_sender(self, sender);
        return E_OK;
    }
    if (nonblocking)
        return E_WOULD_BLOCK;
    self->state = THREAD_RECV_BLOCKED;
    self->wait_from = from;
    return E_OK;
#else
    struct cap *cap = cap_lookup(self->space->caps, from, CAP_ENDPOINT, CAP_RIGHT_RECV);
    if (!cap)
        return E_INVALID_CAP;
    struct endpoint *ep = cap->ep;
    if (ep->state == EP_SENDERS) {
        struct tcb *sender = endpoint_dequeue(ep);
        deliver(sender, self, sender->send_tag, sender->send_badge);
        *woken = release_sender(self, sender);
        return E_OK;
    }
    if (nonblocking)
        return E_WOULD_BLOCK;
    self->state = THREAD_RECV_BLOCKED;
    endpoint_enqueue(ep, self, EP_RECEIVERS);
    return E_OK;
#endif
}

/*
 * Who runs next. Of the threads this IPC released (at most two: the client a reply
 * went to and a sender whose message was taken), the one of highest priority runs at
 * once if self blocked and its priority is at least self's, or if self goes on but it
 * outranks self: a direct process switch, no trip through the ready queue. Every other
 * released thread is queued, and if nobody was switched to the scheduler picks.
 */
static struct tcb *choose_next(struct tcb *self, struct tcb *a, struct tcb *b)
{
    struct tcb *best = a;
    if (b && (!best || b->prio > best->prio))
        best = b;
    if (a && a != best)
        sched_wake(a);
    if (b && b != best)
        sched_wake(b);
    bool self_runs = thread_runnable(self);
    if (!self_runs)
        sched_block(self);
    if (best) {
        bool direct = self_runs ? best->prio > self->prio : best->prio >= self->prio;
        if (direct) {
            if (self_runs)
                sched_wake(self);
            sched_activate_direct(best);
            return best;
        }
        sched_wake(best);
    }
    return self_runs ? self : sched_pick();
}

struct tcb *ipc_general(struct tcb *self, unsigned op, uint64_t dest, uint64_t tag,
                        uint64_t from)
{
    struct tcb *replied = NULL;
    struct tcb *sender = NULL;
    arch_regs_set_result(&self->regs, E_OK, 0, 0);
    if (op != SYS_RECV) {
        uint64_t error = send_phase(self, op, dest, tag, &replied);
        if (error != E_OK) {
            fail(self, error);
            return self;
        }
    }
    if (op == SYS_RECV || op == SYS_REPLY_WAIT) {
        uint64_t error = recv_phase(self, from, tag, &sender);
        if (error != E_OK)
            fail(self, error);
    }
    return choose_next(self, replied, sender);
}
