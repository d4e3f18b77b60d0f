/*
 * The COMMCTL axis: whether the kernel controls who may send to whom (the lesson
 * "communication control").
 *   none  - any thread may send to any thread it can name; every hook is empty.
 *   clans - clans and chiefs, as L4 had them (clans.c). Every task belongs to the clan
 *           of its chief, a thread of another task (IPC_NIL: the top clan). IPC inside
 *           a clan, to one's own chief, and from a chief to a member of its clan is
 *           direct; any other IPC is redirected by the kernel to the chief on the way
 *           (the sender's own chief on the way out, the chief of the clan it enters on
 *           the way in). The chief, an ordinary user thread, receives it with
 *           TAG_REDIRECTED and the original sender's ID, and may pass it on with
 *           SYS_CLAN_FORWARD, which routes it again from the chief's place and delivers
 *           it as from the original sender. Needs DEST=tid (axes.conf).
 * A caller whose request or reply a chief holds is linked to that chief: if the chief
 * dies, or cannot send it on, the caller is released with an error, not left waiting.
 * The IPC paths call these hooks and never test the axis.
 */
#ifndef IPCLAB_CORE_COMMCTL_H
#define IPCLAB_CORE_COMMCTL_H

#include "config.h"
#include "dest.h"
#include "kernel.h"
#include "tcb.h"

#if CONFIG_COMMCTL_CLANS
#include "space.h"

/* clans.c */
uint64_t clans_route(struct tcb *self, unsigned op, struct send_target *t);
uint64_t clans_delivered(struct tcb *from, struct tcb *to, uint64_t sender_id);
void clans_caller_awaits(struct tcb *caller, struct tcb *callee);
void clans_thread_exit(struct tcb *t);
struct tcb *clans_syscall(struct tcb *self, uint64_t nr, uint64_t a0, uint64_t a1);
void clans_check_thread(const struct tcb *t);

/* A send phase found its destination (t->to): where the message really goes. Inside
 * one clan, and not a forward, that is t->to, decided inline. */
static inline uint64_t commctl_route(struct tcb *self, unsigned op, struct send_target *t)
{
    if (self->clan == t->to->clan && op != SYS_CLAN_FORWARD) {
        self->clan_dest = IPC_NIL;
        return E_OK;
    }
    return clans_route(self, op, t);
}

/* from's message reached to: the tag bits that tell to it was redirected. A plain
 * message (not redirected, from its own sender) is decided inline. */
static inline uint64_t commctl_delivered(struct tcb *from, struct tcb *to, uint64_t sender_id)
{
    if (from->clan_dest == IPC_NIL && sender_id == from->tid)
        return 0;
    return clans_delivered(from, to, sender_id);
}

/* A caller whose message callee took now awaits its reply: from the thread it meant. */
static inline void commctl_caller_awaits(struct tcb *caller, struct tcb *callee)
{
    if (caller->clan_dest != IPC_NIL)
        clans_caller_awaits(caller, callee);
}

/* t's wait ended: no chief holds what it waited for any more. */
static inline void commctl_wait_ended(struct tcb *t)
{
    t->held_by = NULL;
}

static inline void commctl_thread_exit(struct tcb *t)
{
    clans_thread_exit(t);
}

/* The fast path takes only IPC inside one clan; the rest needs the general path. */
static inline bool commctl_fast_ok(const struct tcb *self, const struct tcb *to)
{
    return self->clan == to->clan;
}

/* A new thread belongs to its task's clan (fixed before the task had threads). */
static inline void commctl_thread_init(struct tcb *t)
{
    t->clan = t->space->chief;
}

/* SYS_CLAN_SET and SYS_CLAN_FORWARD: results set, the thread to run next returned. */
static inline struct tcb *commctl_syscall(struct tcb *self, uint64_t nr, uint64_t a0,
                                          uint64_t a1)
{
    return clans_syscall(self, nr, a0, a1);
}

static inline void commctl_check_thread(const struct tcb *t)
{
    clans_check_thread(t);
}

#else /* CONFIG_COMMCTL_NONE */
static inline uint64_t commctl_route(struct tcb *self, unsigned op, struct send_target *t)
{
    (void)self;
    (void)op;
    (void)t;
    return E_OK;
}

static inline uint64_t commctl_delivered(struct tcb *from, struct tcb *to, uint64_t sender_id)
{
    (void)from;
    (void)to;
    (void)sender_id;
    return 0;
}

static inline void commctl_caller_awaits(struct tcb *caller, struct tcb *callee)
{
    (void)caller;
    (void)callee;
}

static inline void commctl_wait_ended(struct tcb *t)
{
    (void)t;
}

static inline void commctl_thread_exit(struct tcb *t)
{
    (void)t;
}

static inline bool commctl_fast_ok(const struct tcb *self, const struct tcb *to)
{
    (void)self;
    (void)to;
    return true;
}

static inline void commctl_thread_init(struct tcb *t)
{
    (void)t;
}

static inline struct tcb *commctl_syscall(struct tcb *self, uint64_t nr, uint64_t a0,
                                          uint64_t a1)
{
    (void)nr;
    (void)a0;
    (void)a1;
    arch_regs_set_result(&self->regs, E_INVALID_SYSCALL, 0, 0);
    return self;
}

static inline void commctl_check_thread(const struct tcb *t)
{
    (void)t;
}
#endif

#endif
