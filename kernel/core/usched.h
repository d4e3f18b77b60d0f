/*
 * User-level scheduling (the paper's open "time" lesson; an experiment's mechanism, not
 * an axis). One thread may become the user-level scheduler (SYS_SCHED_CONTROL) and put
 * threads of its task under its control (SYS_SCHED_MANAGE). The kernel then runs a
 * managed thread only while the scheduler has dispatched it (SYS_SCHED_RUN); it tells
 * the scheduler, through a notification, when a parked managed thread becomes ready
 * (bit n for thread number n) and when the dispatched one stops running
 * (USCHED_EVENT_STOPPED), and the scheduler decides again.
 *
 * How a managed thread is kept from running without touching the IPC paths: a parked
 * thread has priority 0 and is never queued (usched_parks() in sched_wake), so no
 * scheduler pick finds it and no direct switch under SWITCH=direct-prio or sched
 * reaches it (a switch to a lower priority is never direct); the dispatched thread
 * runs at the priority it had when it was put under control. Under SWITCH=direct a
 * blind direct switch would still run a parked thread: the mechanism assumes the
 * default switch rule. Events need notifications (NOTIFY=notify); without them the
 * calls answer E_INVALID_SYSCALL.
 */
#ifndef IPCLAB_CORE_USCHED_H
#define IPCLAB_CORE_USCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "tcb.h"

/* A scheduler exists: the two hooks below have work to do. */
extern bool usched_active;

void usched_init(void);
/* SYS_SCHED_CONTROL, SYS_SCHED_MANAGE, SYS_SCHED_RUN. */
uint64_t usched_syscall(struct tcb *self, uint64_t nr, uint64_t a0, uint64_t a1,
                        struct tcb **next);
void usched_thread_exit(struct tcb *t);

bool usched_park_woken(struct tcb *t);
void usched_before_pick(void);

/* sched_wake(t): a parked managed thread became ready: the scheduler is told, and the
 * thread stays out of the ready queues (true). */
static inline bool usched_parks(struct tcb *t)
{
    return usched_active && usched_park_woken(t);
}

/* sched_pick(): before choosing, tell the scheduler if its dispatched thread stopped. */
static inline void usched_pick_hook(void)
{
    if (usched_active)
        usched_before_pick();
}

/* Invariant checks: parked threads are unqueued, the dispatched one is managed. */
void usched_check(void);

#endif
