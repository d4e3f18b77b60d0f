/* User-level scheduling: see usched.h. */
#include "usched.h"

#include "cap.h"
#include "kernel.h"
#include "notify.h"
#include "sched.h"
#include "space.h"
#include "syscall.h"
#include "thread.h"

/* A parked thread's priority: below every thread that may run instead of it, so no
 * direct switch under the default rule reaches it (usched.h). */
#define PARK_PRIO 0
/* Thread number n is event bit n; the top bit is USCHED_EVENT_STOPPED. */
#define MANAGED_NUMBERS 63

bool usched_active;
static struct tcb *scheduler;
static struct notification *events;
static struct tcb *dispatched;
static bool managed[MAX_THREADS];
static uint8_t run_prio[MAX_THREADS];   /* a managed thread's priority when dispatched */

static unsigned number(const struct tcb *t)
{
    return (unsigned)(t->tid >> TID_VERSION_BITS);
}

void usched_init(void)
{
    usched_active = false;
    scheduler = NULL;
    events = NULL;
    dispatched = NULL;
    for (unsigned i = 0; i < MAX_THREADS; i++)
        managed[i] = false;
}

/* Signal the scheduler's events; a scheduler that waited for them becomes ready. */
static void tell(uint64_t bits)
{
    struct tcb *woken = notify_signal(events, bits);
    if (woken)
        sched_wake(woken);
}

/* Out of the ready queues and below everyone: it runs again only when dispatched. */
static void park(struct tcb *t)
{
    sched_remove(t);
    t->prio = PARK_PRIO;
}

bool usched_park_woken(struct tcb *t)
{
    if (!managed[number(t)] || t == dispatched)
        return false;
    tell(1ull << number(t));
    return true;
}

void usched_before_pick(void)
{
    if (!dispatched || thread_runnable(dispatched))
        return;
    park(dispatched);
    dispatched = NULL;
    tell(USCHED_EVENT_STOPPED);
}

/* t goes back to the kernel's scheduler at its own priority. */
static void release(struct tcb *t)
{
    managed[number(t)] = false;
    t->prio = run_prio[number(t)];
    if (t == dispatched)
        dispatched = NULL;
    if (thread_runnable(t))
        sched_wake(t);
}

static void stop(void)
{
    for (unsigned i = 0; i < MAX_THREADS; i++)
        if (managed[i] && tcb_at(i)->state != THREAD_FREE)
            release(tcb_at(i));
    notify_cap_deleted(events);
    usched_init();
}

static uint64_t control(struct tcb *self, uint64_t slot)
{
    if (slot == IPC_NIL) {
        if (self != scheduler)
            return E_NOT_OWNER;
        stop();
        return E_OK;
    }
    if (self->space != root_space)
        return E_NO_PERMISSION;     /* scheduling the machine is the root task's */
    if (scheduler)
        return scheduler == self ? E_INVALID_ARG : E_NOT_OWNER;
    struct cap *c = cap_lookup(self->space->caps, slot, CAP_NOTIFICATION, CAP_RIGHT_RECV);
    if (!c)
        return E_INVALID_CAP;
    events = c->ntfn;
    notify_cap_copied(events);
    scheduler = self;
    usched_active = true;
    return E_OK;
}

/* A live thread of the scheduler's own task, other than the scheduler. */
static uint64_t subject(struct tcb *self, uint64_t tid, struct tcb **out)
{
    struct tcb *t = thread_lookup(tid);
    if (!t)
        return E_INVALID_DEST;
    if (t == self || t->space != self->space || number(t) >= MANAGED_NUMBERS)
        return E_INVALID_ARG;
    *out = t;
    return E_OK;
}

static uint64_t manage(struct tcb *self, uint64_t tid, uint64_t on)
{
    struct tcb *t;
    uint64_t error = subject(self, tid, &t);
    if (error != E_OK)
        return error;
    if (!on) {
        if (!managed[number(t)])
            return E_NOT_MANAGED;
        release(t);
        return E_OK;
    }
    if (managed[number(t)])
        return E_OK;
    managed[number(t)] = true;
    run_prio[number(t)] = t->prio;
    park(t);
    if (thread_runnable(t))
        tell(1ull << number(t));
    return E_OK;
}

static uint64_t run(struct tcb *self, uint64_t tid, struct tcb **next)
{
    if (tid == IPC_NIL) {
        if (dispatched)
            park(dispatched);
        dispatched = NULL;
        return E_OK;
    }
    struct tcb *t;
    uint64_t error = subject(self, tid, &t);
    if (error != E_OK)
        return error;
    if (!managed[number(t)])
        return E_NOT_MANAGED;
    if (!thread_runnable(t))
        return E_WOULD_BLOCK;       /* not ready: the scheduler's view is stale */
    if (dispatched && dispatched != t)
        park(dispatched);
    dispatched = t;
    t->prio = run_prio[number(t)];
    sched_wake(t);
    if (t->prio > self->prio) {     /* the highest ready thread runs */
        sched_wake(self);
        *next = sched_pick();
    }
    return E_OK;
}

uint64_t usched_syscall(struct tcb *self, uint64_t nr, uint64_t a0, uint64_t a1,
                        struct tcb **next)
{
    if (!notify_available())
        return E_INVALID_SYSCALL;
    if (nr == SYS_SCHED_CONTROL)
        return control(self, a0);
    if (self != scheduler)
        return E_NOT_OWNER;
    if (nr == SYS_SCHED_MANAGE)
        return manage(self, a0, a1);
    return run(self, a0, next);
}

void usched_thread_exit(struct tcb *t)
{
    if (!usched_active)
        return;
    if (t == scheduler) {
        stop();
        return;
    }
    if (!managed[number(t)])
        return;
    managed[number(t)] = false;
    if (t == dispatched) {
        dispatched = NULL;
        tell(USCHED_EVENT_STOPPED);
    }
}

void usched_check(void)
{
    ASSERT(usched_active == (scheduler != NULL));
    ASSERT(!dispatched || managed[number(dispatched)]);
    for (unsigned i = 0; i < MAX_THREADS; i++) {
        const struct tcb *t = tcb_at(i);
        if (!managed[i])
            continue;
        ASSERT(usched_active && t->state != THREAD_FREE);
        if (t != dispatched)
            ASSERT(!t->queued && t->prio == PARK_PRIO);
    }
}
