/*
 * The general IPC path: send, receive, call and reply-and-wait, with the blocking and
 * non-blocking variants of each phase.
 *
 * An operation has a send phase and a receive phase. If the send phase fails, the
 * receive phase does not run and the error is returned (L4 semantics). A call's
 * receive phase is implicit: the caller waits for the reply of the very thread that
 * took its message. The send phase of reply-and-wait never blocks: a caller that is
 * not waiting for the reply gets none, and the server learns it from an error
 * (E_WOULD_BLOCK with thread IDs, E_INVALID_DEST with endpoints: the reply right is
 * gone).
 *
 * How a partner is named and found is the DEST axis (dest.h, one header per
 * addressing mode); how words travel is TRANSFER (transfer.h); whether a released
 * thread runs at once is the direct-switch rule (switch.h); which timeouts a phase
 * takes is TIMEOUTS (timeouts.h); whether a message goes where it was sent or to a
 * chief on the way is COMMCTL (commctl.h). This file tests no axis.
 */
#include "ipc.h"

#include "arch_api.h"
#include "commctl.h"
#include "dest.h"
#include "irq.h"
#include "kernel.h"
#include "notify.h"
#include "sched.h"
#include "space.h"
#include "switch.h"
#include "thread.h"
#include "timeouts.h"
#include "transfer.h"

/* Deliver from's message to the receiver to, which sees it as coming from sender_id.
 * Always inlined: with the COMMCTL hook GCC would call it out of line otherwise. */
static inline __attribute__((always_inline)) void deliver(struct tcb *from, struct tcb *to, uint64_t tag, uint64_t sender_id)
{
    transfer_message(from, to, tag_len(tag));
    arch_regs_set_result(&to->regs, E_OK, sender_id, (tag & (TAG_LEN_MASK | TAG_LABEL_MASK)) |
                                                         commctl_delivered(from, to, sender_id));
}

static void fail(struct tcb *t, uint64_t error)
{
    arch_regs_set_result(&t->regs, error, 0, 0);
}

/* Only a thread blocked in IPC becomes ready through IPC. */
static void make_ready(struct tcb *t)
{
    ASSERT(t->state == THREAD_SEND_BLOCKED || t->state == THREAD_RECV_BLOCKED ||
           t->state == THREAD_REPLY_BLOCKED);
    ASSERT(t->partner == NULL);
    timeouts_cancel(t);
    commctl_wait_ended(t);
    t->state = THREAD_READY;
}

void ipc_leave_wait_queue(struct tcb *t)
{
    timeouts_cancel(t);
    commctl_wait_ended(t);
    dest_leave_wait_queue(t);
}

void ipc_abort(struct tcb *t, uint64_t error)
{
    ipc_leave_wait_queue(t);
    t->partner = NULL; /* the wait is over: a later send must not inherit the link */
    fail(t, error);
    make_ready(t);
    sched_wake(t);
}

/* The receiver to is waiting: it takes the message; a caller then awaits the reply. */
static uint64_t send_to_waiting(struct tcb *self, struct tcb *to, unsigned op, uint64_t tag,
                                uint64_t sender_id, struct tcb **woken)
{
    ASSERT(to->state == THREAD_RECV_BLOCKED || to->state == THREAD_REPLY_BLOCKED);
    ASSERT(self->state == THREAD_READY);
    deliver(self, to, tag, sender_id);
    make_ready(to);
    *woken = to;
    if (op == SYS_CALL) {           /* a caller whose message was taken awaits the reply */
        dest_await_reply(self, to);
        commctl_caller_awaits(self, to);
        timeouts_arm(self, tag_recv_timeout(tag));
    }
    return E_OK;
}

/* Nobody waits for the message: self blocks holding it, queued where dest.h says. */
static void block_sending(struct tcb *self, unsigned op, uint64_t tag,
                          const struct send_target *t)
{
    self->state = THREAD_SEND_BLOCKED;
    self->send_tag = tag;
    self->send_id = t->sender_id;
    self->calling = op == SYS_CALL;
    dest_block_sending(self, t);
    timeouts_block_sending(self, tag);
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
    if (tag_len(tag) > TRANSFER_MAX_WORDS)
        return E_MSG_TOO_LONG;
    struct send_target t;
    uint64_t error = op == SYS_REPLY_WAIT ? dest_reply_target(self, dest, &t)
                                          : dest_send_target(self, dest, &t);
    if (error == E_OK)
        error = commctl_route(self, op, &t);
    if (error != E_OK)
        return error;
    if (t.receiver)
        return send_to_waiting(self, t.receiver, op, tag, t.sender_id, woken);
    if (nonblocking)
        return E_WOULD_BLOCK;
    block_sending(self, op, tag, &t);
    return E_OK;
}

/* The sender whose message self just took moves on: to await its reply, or to run
 * (an interrupt's pseudo-thread neither: irq.h). */
static struct tcb *release_sender(struct tcb *self, struct tcb *sender)
{
    if (__builtin_expect(irq_sender_taken(sender), 0))
        return NULL;
    if (sender->calling) {
        sender->calling = false;
        dest_await_reply(sender, self);
        commctl_caller_awaits(sender, self);
        timeouts_caller_awaits_reply(sender);
        return NULL;
    }
    arch_regs_set_result(&sender->regs, E_OK, 0, 0);
    make_ready(sender);
    return sender;
}

struct tcb *ipc_kernel_send(struct tcb *sender, const struct send_target *t, uint64_t tag)
{
    if (t->receiver) {
        deliver(sender, t->receiver, tag, t->sender_id);
        make_ready(t->receiver);
        return t->receiver;
    }
    block_sending(sender, SYS_SEND, tag, t);
    return NULL;
}

/*
 * Receive phase. Returns E_OK (self got a message, or blocked waiting for one) with
 * *woken set to a sender it released, or an error code.
 */
static uint64_t recv_phase(struct tcb *self, uint64_t from, uint64_t tag, struct tcb **woken)
{
    bool nonblocking = tag & TAG_RECV_NONBLOCK;
    *woken = NULL;
    struct recv_source src;
    uint64_t error = dest_recv_source(self, from, &src);
    if (error != E_OK)
        return error;
    if (notify_take_bound(self))    /* seL4's order: a pending signal first */
        return E_OK;
    struct tcb *sender = dest_take_sender(self, &src);
    if (sender) {
        deliver(sender, self, sender->send_tag, sender->send_id);
        *woken = release_sender(self, sender);
        return E_OK;
    }
    if (nonblocking)
        return E_WOULD_BLOCK;
    self->state = THREAD_RECV_BLOCKED;
    dest_block_receiving(self, &src);
    timeouts_arm(self, tag_recv_timeout(tag));
    return E_OK;
}

/*
 * Who runs next. Of the threads this IPC released (at most two: the client a reply
 * went to and a sender whose message was taken), the one of highest priority runs at
 * once if the direct-switch rule allows it (switch.h; by default: self blocked and its
 * priority is at least self's, or self goes on but it outranks self): a direct process
 * switch, no trip through the ready queue. Every other released thread is queued, and
 * if nobody was switched to the scheduler picks (under SWITCH=sched also when self
 * could go on).
 */
static inline __attribute__((always_inline)) struct tcb *choose_next(struct tcb *self,
                                                                     struct tcb *a, struct tcb *b)
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
        if (switch_directly(self, best, self_runs)) {
            if (self_runs)
                sched_wake(self);
            sched_activate_direct(best);
            return best;
        }
        sched_wake(best);
        if (switch_then_pick() && self_runs) {
            sched_wake(self);
            return sched_pick();
        }
    }
    return self_runs ? self : sched_pick();
}

struct tcb *ipc_schedule(struct tcb *self, struct tcb *woken)
{
    return choose_next(self, woken, NULL);
}

/* The error of the send phase that failed at once in the last ipc_general, for
 * ipc_general_send; written on the failure path only, so the common path pays nothing
 * for it. */
static uint64_t send_error;

/* Never inlined into ipc_general_send below: one copy of the general path. */
__attribute__((noinline)) struct tcb *ipc_general(struct tcb *self, unsigned op, uint64_t dest,
                                                  uint64_t tag, uint64_t from)
{
    struct tcb *replied = NULL;
    struct tcb *sender = NULL;
    arch_regs_set_result(&self->regs, E_OK, 0, 0);
    if (!timeouts_tag_ok(op, tag)) {    /* a timeout out of range, or none here */
        send_error = E_INVALID_ARG;
        fail(self, E_INVALID_ARG);
        return self;
    }
    if (op != SYS_RECV) {
        uint64_t error = send_phase(self, op, dest, tag, &replied);
        if (error != E_OK) {
            send_error = error;
            fail(self, error);
            return self;
        }
    }
    if (op == SYS_RECV || op == SYS_REPLY_WAIT) {
        uint64_t error = recv_phase(self, from, tag, &sender);
        if (error != E_OK)
            fail(self, error);
    }
    ASSERT(dest_partner_consistent(self));
    return choose_next(self, replied, sender);
}

struct tcb *ipc_general_send(struct tcb *self, unsigned op, uint64_t dest, uint64_t tag,
                             uint64_t *error)
{
    send_error = E_OK;
    struct tcb *next = ipc_general(self, op, dest, tag, 0);
    *error = send_error;
    return next;
}
