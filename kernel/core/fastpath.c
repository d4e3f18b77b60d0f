/*
 * The IPC fast path for the two operations of a client-server exchange: call, and
 * reply-and-wait. Entered straight from the system call entry with only part of the
 * user registers saved (see arch/<arch>/syscall_entry.S). It runs its checks in
 * order; any failed check returns NULL and the entry code saves the rest of the
 * registers and takes the general path (ipc.c), which then redoes the whole operation.
 * After the point of no return it only commits the switch.
 *
 * Conditions, all needed: no non-blocking flag, a message short enough to go in
 * registers (or, with mem transfer, as many UTCB words), a destination that is
 * waiting for exactly this message, a partner of at least our priority (so a direct
 * switch is what the general path would do too) and, for reply-and-wait, no sender
 * already queued for us (the general path would receive from it at once).
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

#if CONFIG_FASTPATH_ON

#define FASTPATH_MAX_WORDS ABI_REG_WORDS
#define FASTPATH_TAG_OK (TAG_LEN_MASK | TAG_LABEL_MASK)

/* Message and results into the receiver's frame, then the switch itself. */
static inline struct tcb *commit_switch(struct tcb *self, struct tcb *to, uint64_t tag,
                                        uint64_t sender_id)
{
    to->state = THREAD_READY; /* no queue operation: see partner_schedulable() */
#if CONFIG_TRANSFER_MEM
    transfer_utcb_words(self, to, 0, tag_len(tag));
#endif
    /* regs and vregs: the words are still in the CPU's message registers, which this
     * code never touches (see <arch/regs.h>); they reach the receiver as they are. */
    arch_regs_set_result(&to->regs, E_OK, sender_id, tag);
    if (to->space != self->space)
        arch_switch_space(&to->space->arch);
    current = to;
    arch_set_current(to);
    return to;
}

/*
 * The thread we switch to must not need a ready-queue operation. Lazy: it must still be
 * queued (if the scheduler dropped it while it was blocked, the general path puts it
 * back). Benno: a blocked thread is never queued and the one running never is, so
 * nothing to do. Then a direct switch must be allowed: priority at least ours.
 */
static inline bool partner_schedulable(const struct tcb *self, const struct tcb *to)
{
#if CONFIG_SCHED_LAZY
    if (!to->queued)
        return false;
#endif
    return to->prio >= self->prio;
}

struct tcb *fastpath_call(uint64_t dest, uint64_t tag)
{
    struct tcb *self = current;
    if ((tag & ~FASTPATH_TAG_OK) || tag_len(tag) > FASTPATH_MAX_WORDS)
        return NULL;
#if CONFIG_DEST_TID
    struct tcb *to = thread_lookup(dest);
    if (!to || to->state != THREAD_RECV_BLOCKED)
        return NULL;
    if (to->wait_from != self->tid && to->wait_from != IPC_ANY)
        return NULL;
#else
    struct cap *cap = cap_lookup(self->space->caps, dest, CAP_ENDPOINT, CAP_RIGHT_SEND);
    if (!cap || cap->ep->state != EP_RECEIVERS)
        return NULL;
    struct tcb *to = container_of(cap->ep->queue.next, struct tcb, wait_link);
#endif
    if (!partner_schedulable(self, to))
        return NULL;

    /* Point of no return. The caller blocks; under both policies it is not in the
     * ready queue's way (lazy leaves it there on purpose, Benno never queued the
     * running thread), so no queue operation is needed for it. */
#if CONFIG_DEST_TID
    self->state = THREAD_RECV_BLOCKED;
    self->wait_from = to->tid;
    return commit_switch(self, to, tag, self->tid);
#else
    endpoint_remove(cap->ep, to);
    self->state = THREAD_REPLY_BLOCKED;
    self->partner = to;
    to->reply_to = self;
    return commit_switch(self, to, tag, cap->badge);
#endif
}

struct tcb *fastpath_reply_wait(uint64_t dest, uint64_t tag, uint64_t from)
{
    struct tcb *self = current;
    if ((tag & ~FASTPATH_TAG_OK) || tag_len(tag) > FASTPATH_MAX_WORDS)
        return NULL;
#if CONFIG_DEST_TID
    if (from != IPC_ANY || !list_empty(&self->senders))
        return NULL;
    struct tcb *to = thread_lookup(dest);
    if (!to || to->state != THREAD_RECV_BLOCKED || to->wait_from != self->tid)
        return NULL;
#else
    (void)dest;
    struct tcb *to = self->reply_to;
    if (!to || to->state != THREAD_REPLY_BLOCKED || to->partner != self)
        return NULL;
    struct cap *cap = cap_lookup(self->space->caps, from, CAP_ENDPOINT, CAP_RIGHT_RECV);
    if (!cap || cap->ep->state == EP_SENDERS)
        return NULL;
#endif
    if (!partner_schedulable(self, to))
        return NULL;

    /* Point of no return: the server waits for the next request, the client runs. */
    self->state = THREAD_RECV_BLOCKED;
#if CONFIG_DEST_TID
    self->wait_from = IPC_ANY;
    return commit_switch(self, to, tag, self->tid);
#else
    self->reply_to = NULL;
    to->partner = NULL;
    endpoint_enqueue(cap->ep, self, EP_RECEIVERS);
    return commit_switch(self, to, tag, 0);
#endif
}

#else /* CONFIG_FASTPATH_OFF: every IPC takes the general path. */

struct tcb *fastpath_call(uint64_t dest, uint64_t tag)
{
    (void)dest;
    (void)tag;
    return NULL;
}

struct tcb *fastpath_reply_wait(uint64_t dest, uint64_t tag, uint64_t from)
{
    (void)dest;
    (void)tag;
    (void)from;
    return NULL;
}

#endif
