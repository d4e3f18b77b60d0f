/*
 * The IPC fast path (FASTPATH=on) for the two operations of a client-server exchange:
 * call, and reply-and-wait. Entered straight from the system call entry with only part
 * of the user registers saved (see arch/<arch>/syscall_entry.S). It runs its checks in
 * order; any failed check returns NULL and the entry code saves the rest of the
 * registers and takes the general path (ipc.c), which then redoes the whole operation.
 * After the point of no return it only commits the switch.
 *
 * Conditions, all needed: no non-blocking flag, a message short enough to go in
 * registers (or, with mem transfer, as many UTCB words), a destination that is
 * waiting for exactly this message (dest.h), a partner the ready queue needs no
 * operation for (sched.h) and that the direct-switch rule lets run at once (switch.h),
 * and, for reply-and-wait, no sender already queued for us (the general path would
 * receive from it at once).
 *
 * The axes reach this file only through those headers: dest_fast_*_partner() are the
 * addressing mode's checks, dest_fast_*_commit() its commit, transfer_fast() the
 * message, regframe_fast_words() the register words under FRAME=full. FASTPATH=off
 * compiles fastpath_none.c instead.
 */
#include "ipc.h"

#include "arch_api.h"
#include "dest.h"
#include "fpu.h"
#include "kernel.h"
#include "notify.h"
#include "regframe.h"
#include "sched.h"
#include "space.h"
#include "switch.h"
#include "thread.h"
#include "transfer.h"

#define FASTPATH_MAX_WORDS ABI_REG_WORDS
#define FASTPATH_TAG_OK (TAG_LEN_MASK | TAG_LABEL_MASK)

/* Message and results into the receiver's frame, then the switch itself. */
static inline struct tcb *commit_switch(struct tcb *self, struct tcb *to, uint64_t tag,
                                        uint64_t sender_id)
{
    ASSERT(to->state == THREAD_RECV_BLOCKED || to->state == THREAD_REPLY_BLOCKED);
    ASSERT(self->state == THREAD_RECV_BLOCKED || self->state == THREAD_REPLY_BLOCKED);
    to->state = THREAD_READY; /* no queue operation: see partner_schedulable() */
    transfer_fast(self, to, tag_len(tag));
    regframe_fast_words(self, to, tag_len(tag));
    arch_regs_set_result(&to->regs, E_OK, sender_id, tag);
    if (to->space != self->space)
        arch_switch_space(&to->space->arch);
    fpu_switch(to);
    current = to;
    arch_set_current(to);
    return to;
}

/* No flags but length and label, and few enough words for the message registers. */
static inline bool tag_fast(uint64_t tag)
{
    return !(tag & ~FASTPATH_TAG_OK) && tag_len(tag) <= FASTPATH_MAX_WORDS;
}

/* The caller blocks in both operations, so the rule is the one for a blocking self. */
static inline bool partner_schedulable(const struct tcb *self, const struct tcb *to)
{
    return sched_fast_switch_ok(to) && switch_directly(self, to, false);
}

struct tcb *fastpath_call(uint64_t dest, uint64_t tag)
{
    struct tcb *self = current;
    struct fast_call fc;
    if (!tag_fast(tag))
        return NULL;
    if (!dest_fast_call_partner(self, dest, &fc) || !partner_schedulable(self, fc.to))
        return NULL;
    struct tcb *to = fc.to;

    /* Point of no return. The caller blocks; under both policies it is not in the
     * ready queue's way (lazy leaves it there on purpose, Benno never queued the
     * running thread), so no queue operation is needed for it. */
    uint64_t sender_id = dest_fast_call_commit(self, to, &fc);
    return commit_switch(self, to, tag, sender_id);
}

struct tcb *fastpath_reply_wait(uint64_t dest, uint64_t tag, uint64_t from)
{
    struct tcb *self = current;
    struct fast_reply fr;
    if (!tag_fast(tag))
        return NULL;
    if (!dest_fast_reply_partner(self, dest, from, &fr) || !partner_schedulable(self, fr.to) ||
        !notify_fast_ok(self))
        return NULL;
    struct tcb *to = fr.to;

    /* Point of no return: the server waits for the next request, the client runs. */
    self->state = THREAD_RECV_BLOCKED;
    uint64_t sender_id = dest_fast_reply_commit(self, to, &fr);
    return commit_switch(self, to, tag, sender_id);
}
