/*
 * Clans and chiefs (COMMCTL=clans; the rule is stated in commctl.h and abi.h).
 *
 * A task's clan is fixed before it runs (SYS_CLAN_SET on a task with no threads, by its
 * creator), as L4 fixed it when it created the task; that keeps the chief relation a
 * tree (a task cannot become its own chief's chief) and keeps messages in flight from
 * changing route under them.
 *
 * Routing one send phase, from self towards the thread t->to:
 *   same clan, to its own chief, or a chief to a member of its clan: direct;
 *   else, walking up the destination's chiefs: the first one that is a member of
 *   self's clan, or whose chief is self, is where the message enters the destination's
 *   side: it goes there;
 *   else it leaves self's clan: to self's chief.
 * A chief on the way that is dead ends the send with E_INVALID_DEST.
 *
 * The chief that takes a redirected message holds it (held_sender, held_dest) until it
 * forwards it; the thread waiting for it (the caller awaiting its reply, or the
 * destination awaiting a reply from that sender) is linked to the chief (held_by), so
 * the chief's death, or a forward that fails, releases it with an error.
 */
#include "commctl.h"

#include "ipc.h"
#include "kernel.h"
#include "space.h"
#include "syscall.h"
#include "thread.h"

static uint64_t chief_of(const struct tcb *t)
{
    return t->clan;
}

static bool receives_from(const struct tcb *r, uint64_t sender_id)
{
    return r->state == THREAD_RECV_BLOCKED &&
           (r->wait_from == IPC_ANY || r->wait_from == sender_id);
}

/* The next thread on the way from self to `to` (see the top of the file). */
static uint64_t next_hop(const struct tcb *self, struct tcb *to, struct tcb **hop)
{
    uint64_t mine = chief_of(self);
    *hop = to;
    if (chief_of(to) == mine || to->tid == mine || chief_of(to) == self->tid)
        return E_OK;
    struct tcb *e = to;
    for (unsigned depth = 0; depth < MAX_THREADS; depth++) {
        uint64_t c = chief_of(e);
        if (c == self->tid || c == mine) {
            *hop = e;
            return E_OK;
        }
        if (c == IPC_NIL)
            break;                  /* e is in the top clan, self is not */
        e = thread_lookup(c);
        if (!e)
            return E_INVALID_DEST;  /* a chief on the way in is gone */
    }
    struct tcb *chief = thread_lookup(mine);
    if (!chief)
        return E_INVALID_DEST;      /* self's own chief is gone */
    *hop = chief;
    return E_OK;
}

uint64_t clans_route(struct tcb *self, unsigned op, struct send_target *t)
{
    struct tcb *to = t->to, *hop;
    bool forward = op == SYS_CLAN_FORWARD;
    if (forward) {
        t->sender_id = self->held_sender;  /* a forward goes as from the original sender */
        self->held_sender = IPC_NIL;
    }
    self->clan_dest = IPC_NIL;
    uint64_t error = next_hop(self, to, &hop);
    if (error != E_OK)
        return error;
    if (hop != to) {
        self->clan_dest = to->tid;
        t->to = hop;
    }
    if (hop != to || forward)
        t->receiver = receives_from(hop, t->sender_id) ? hop : NULL;
    return E_OK;
}

/* The thread waiting for the message a chief now holds, if it waits already. */
static void link_waiter(struct tcb *chief, uint64_t sender_id, uint64_t dest_id)
{
    struct tcb *s = thread_lookup(sender_id), *d = thread_lookup(dest_id);
    if (s && s->state == THREAD_RECV_BLOCKED && s->wait_from == dest_id)
        s->held_by = chief;         /* a request: its caller awaits the reply */
    if (d && d->state == THREAD_RECV_BLOCKED && d->wait_from == sender_id)
        d->held_by = chief;         /* a reply: its destination awaits it */
}

uint64_t clans_delivered(struct tcb *from, struct tcb *to, uint64_t sender_id)
{
    if (from->clan_dest != IPC_NIL) {
        to->held_sender = sender_id;
        to->held_dest = from->clan_dest;
        link_waiter(to, sender_id, from->clan_dest);
        return TAG_REDIRECTED;
    }
    if (sender_id != from->tid) {   /* a forward reached its destination */
        struct tcb *s = thread_lookup(sender_id);
        if (s && s->held_by == from)
            s->held_by = NULL;      /* the caller now awaits its callee as usual */
    }
    return 0;
}

void clans_caller_awaits(struct tcb *caller, struct tcb *callee)
{
    if (caller->clan_dest == IPC_NIL)
        return;
    caller->wait_from = caller->clan_dest;  /* the reply comes as from the one it called */
    caller->held_by = callee;               /* the chief that holds its request */
    caller->clan_dest = IPC_NIL;
}

void clans_thread_exit(struct tcb *t)
{
    for (unsigned i = 0; i < MAX_THREADS; i++) {
        struct tcb *w = &tcb_array[i];
        if (w != t && w->state != THREAD_FREE && w->held_by == t)
            ipc_abort(w, E_ABORTED);
    }
    t->held_by = NULL;
    t->held_dest = t->held_sender = t->clan_dest = IPC_NIL;
}

static bool space_has_threads(const struct space *s)
{
    for (unsigned i = 0; i < MAX_THREADS; i++)
        if (tcb_array[i].state != THREAD_FREE && tcb_array[i].space == s)
            return true;
    return false;
}

static uint64_t clan_set(struct tcb *self, uint64_t handle, uint64_t chief)
{
    struct space *s;
    uint64_t error = syscall_controlled_space(self, handle, false, &s);
    if (error != E_OK)
        return error;
    if (chief != IPC_NIL && !thread_lookup(chief))
        return E_INVALID_DEST;
    if (space_has_threads(s))
        return E_INVALID_ARG;       /* a clan is chosen before the task runs: its threads
                                       copy it (commctl_thread_init) */
    s->chief = chief;
    return E_OK;
}

/* The waiter linked to the message self holds (see link_waiter). */
static struct tcb *waiter_of(const struct tcb *self, uint64_t sender_id, uint64_t dest_id)
{
    struct tcb *s = thread_lookup(sender_id), *d = thread_lookup(dest_id);
    if (s && s->held_by == self)
        return s;
    if (d && d->held_by == self)
        return d;
    return NULL;
}

struct tcb *clans_syscall(struct tcb *self, uint64_t nr, uint64_t a0, uint64_t a1)
{
    if (nr == SYS_CLAN_SET) {
        arch_regs_set_result(&self->regs, clan_set(self, a0, a1), 0, 0);
        return self;
    }
    if (self->held_dest == IPC_NIL) {
        arch_regs_set_result(&self->regs, E_INVALID_ARG, 0, 0); /* holds no message */
        return self;
    }
    uint64_t dest = self->held_dest;
    self->held_dest = IPC_NIL;
    struct tcb *waiter = waiter_of(self, self->held_sender, dest);
    uint64_t error;
    struct tcb *next = ipc_general_send(self, SYS_CLAN_FORWARD, dest, a1, &error);
    if (error != E_OK && waiter && waiter->held_by == self)
        ipc_abort(waiter, error);   /* the message cannot go on: its waiter learns why */
    return next;
}

void clans_check_thread(const struct tcb *t)
{
    ASSERT(t->clan == t->space->chief);
    if (t->held_by) {
        ASSERT(t->state == THREAD_RECV_BLOCKED);
        ASSERT(t->held_by->state != THREAD_FREE);
    }
}
