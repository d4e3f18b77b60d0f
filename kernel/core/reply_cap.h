/*
 * REPLY=cap: the right to reply is a capability, as in seL4 (non-MCS). Every thread
 * has two slots in its TCB: its master reply capability (CAP_REPLY_MASTER, naming the
 * thread itself, revocable) and its caller slot. A call that is taken creates a
 * one-shot reply capability (CAP_REPLY, naming the caller) in the callee's caller
 * slot, derived from the caller's master: linked below it in the derivation tree. A
 * reply deletes it and unlinks it. A receive deletes any reply capability its thread
 * still holds (seL4 does so at the start of every receive), so a thread blocked in a
 * receive holds none and taking a call never has to delete one. A dying caller
 * revokes its master (the capability derived from it goes); a dying callee deletes
 * the one it holds. So a reply capability exists exactly while its caller awaits this
 * callee's reply, and the fast path needs no check of the caller's state.
 * The operations are those listed in reply.h; reply_pointer.h is the other
 * alternative.
 */
#ifndef IPCLAB_CORE_REPLY_CAP_H
#define IPCLAB_CORE_REPLY_CAP_H

#include "assert.h"
#include "tcb.h"

static inline void reply_thread_init(struct tcb *t)
{
    t->caller_slot = (struct reply_slot){.cap = {.type = CAP_EMPTY}};
    t->reply_master = (struct reply_slot){.cap = {.type = CAP_REPLY_MASTER, .tcb = t},
                                          .revocable = true};
}

/* Unlink a reply capability from its master and empty its slot. */
static inline void reply_delete(struct reply_slot *slot)
{
    ASSERT(slot->cap.type == CAP_REPLY && slot->child == NULL);
    ASSERT(slot->parent->child == slot);
    slot->parent->child = NULL;
    slot->parent = NULL;
    slot->cap.type = CAP_EMPTY;
}

/* A master's derived capabilities go (at most one: a caller awaits one reply). */
static inline void reply_revoke(struct reply_slot *master)
{
    ASSERT(master->revocable);
    if (master->child)
        reply_delete(master->child);
}

static inline void reply_grant(struct tcb *caller, struct tcb *callee)
{
    struct reply_slot *slot = &callee->caller_slot, *master = &caller->reply_master;
    ASSERT(slot->cap.type == CAP_EMPTY);  /* dropped when the callee began to receive */
    ASSERT(master->child == NULL);
    slot->cap.type = CAP_REPLY;
    slot->cap.tcb = caller;
    slot->parent = master;
    master->child = slot;
}

static inline struct tcb *reply_holder(const struct tcb *t)
{
    return t->caller_slot.cap.type == CAP_REPLY ? t->caller_slot.cap.tcb : NULL;
}

static inline struct tcb *reply_take(struct tcb *t)
{
    struct tcb *caller = reply_holder(t);
    if (caller)
        reply_delete(&t->caller_slot);
    return caller;
}

static inline void reply_drop(struct tcb *t)
{
    if (t->caller_slot.cap.type == CAP_REPLY)
        reply_delete(&t->caller_slot);
}

static inline void reply_thread_exit(struct tcb *t)
{
    reply_drop(t);                 /* a reply it will never send */
    reply_revoke(&t->reply_master); /* nobody may reply to it any more */
}

static inline void reply_forget(struct tcb *t, const struct tcb *dead)
{
    (void)t;                       /* reply_thread_exit() revoked it already */
    (void)dead;
}

static inline bool reply_fast_target(struct tcb *self, struct tcb **to)
{
    if (self->caller_slot.cap.type != CAP_REPLY)
        return false;
    *to = self->caller_slot.cap.tcb;
    ASSERT((*to)->state == THREAD_REPLY_BLOCKED && (*to)->partner == self);
    return true;
}

static inline void reply_fast_consume(struct tcb *self)
{
    reply_delete(&self->caller_slot);
}

static inline void reply_check(const struct tcb *t)
{
    const struct reply_slot *slot = &t->caller_slot, *master = &t->reply_master;
    ASSERT(slot->cap.type == CAP_EMPTY || slot->cap.type == CAP_REPLY);
    ASSERT(master->cap.type == CAP_REPLY_MASTER && master->cap.tcb == t && master->revocable);
    if (slot->cap.type == CAP_REPLY) {
        const struct tcb *caller = slot->cap.tcb;
        ASSERT(caller->state == THREAD_REPLY_BLOCKED && caller->partner == t);
        ASSERT(slot->parent == &caller->reply_master && caller->reply_master.child == slot);
        ASSERT(!slot->revocable && slot->child == NULL);
    } else {
        ASSERT(slot->parent == NULL);
    }
    if (master->child) {
        ASSERT(master->child->cap.type == CAP_REPLY && master->child->cap.tcb == t);
        ASSERT(master->child->parent == master);
    }
    if (t->state == THREAD_RECV_BLOCKED)
        ASSERT(slot->cap.type == CAP_EMPTY);
}

#endif
