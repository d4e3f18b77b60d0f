/*
 * Ready queues and the choice of the next thread: fixed priorities, round robin within
 * a priority, and a constant-time lookup of the highest non-empty priority.
 *
 * The two policies of the SCHED axis share every function here:
 *   lazy  (CONFIG_SCHED_LAZY)  - the queue holds the running thread too; a thread that
 *         blocks is left queued and sched_pick() drops it when it walks past.
 *   benno (CONFIG_SCHED_BENNO) - the queue holds only runnable threads other than the
 *         one running; a thread switched to directly by IPC never enters it.
 */
#ifndef IPCLAB_CORE_SCHED_H
#define IPCLAB_CORE_SCHED_H

#include "tcb.h"

#define SCHED_PRIOS 256
#define SCHED_TIMESLICE_TICKS 10

void sched_init(void);

/* t became runnable and is not the one about to run: make it eligible. */
void sched_wake(struct tcb *t);

/* t stopped being runnable: it blocked (killing uses sched_remove()). */
void sched_block(struct tcb *t);

/* t leaves the scheduler for good (it is being killed), whatever the policy. */
void sched_remove(struct tcb *t);

/*
 * The two points of the SCHED axis on the IPC paths, inline (the fast path calls them):
 *   sched_activate_direct(t)  IPC switches straight to t, bypassing sched_pick()
 *   sched_fast_switch_ok(t)   the fast path may switch to t with no queue operation
 * (the other two, blocking and picking, are in sched.c).
 */
#if CONFIG_SCHED_LAZY
/* The running thread belongs to the queue; it usually still is there. */
static inline void sched_activate_direct(struct tcb *t)
{
    if (!t->queued)
        sched_wake(t);
}

/* t must still be queued: if a scheduler pass dropped it while it was blocked, the
 * general path puts it back. */
static inline bool sched_fast_switch_ok(const struct tcb *t)
{
    return t->queued;
}
#else
/* Benno: the running thread is never queued, and neither is a blocked one. */
static inline void sched_activate_direct(struct tcb *t)
{
    (void)t;
}

static inline bool sched_fast_switch_ok(const struct tcb *t)
{
    (void)t;
    return true;
}
#endif

/* The running thread t used up its timeslice or yielded: move it behind its peers. */
void sched_rotate(struct tcb *t);

/* The highest-priority runnable thread, now to run; NULL when none is runnable. */
struct tcb *sched_pick(void);

/* One timer tick charged to the running thread t; true when its timeslice is over. */
bool sched_tick(struct tcb *t);

/* Invariant checks (invariants.c): t is on its priority's queue; every queue and the
 * priority bitmap agree, and each queued thread may be there under the policy. */
bool sched_is_queued(const struct tcb *t);
bool sched_queues_consistent(void);

/* Threads sched_pick() stepped over and dropped (lazy), for tests and benchmarks. */
extern uint64_t sched_lazy_dropped;

#endif
