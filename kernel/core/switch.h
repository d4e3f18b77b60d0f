/*
 * Direct process switch, the SWITCH axis: whether an IPC that made `to` runnable
 * switches to it at once, bypassing the ready queue (the thread it released runs on
 * the sender's time). Both IPC paths and interrupt delivery ask this one rule; the fast
 * path declines whatever it would not allow, since a direct switch is all it can do.
 *
 *   direct-prio - only when that keeps priorities (seL4's rule):
 *                 self blocked (call, receive): to runs if its priority is at least
 *                 self's; self goes on (a send that did not block, an interrupt): to
 *                 runs only if it outranks self. The running thread being the highest
 *                 ready one, such a partner is at least every ready thread. A lower
 *                 partner is made ready and the scheduler picks (it picks that partner
 *                 when nothing ready outranks it, the choice seL4 makes directly).
 *   sched       - never: the partner is made ready and the scheduler always picks,
 *                 even when self goes on (switch_then_pick()).
 *   direct      - always, whatever the priorities (classic L4's blind timeslice
 *                 donation): a higher thread that is ready waits until the chain of
 *                 direct switches ends in a block or a timeslice end.
 */
#ifndef IPCLAB_CORE_SWITCH_H
#define IPCLAB_CORE_SWITCH_H

#include "tcb.h"

#if CONFIG_SWITCH_DIRECT_PRIO
static inline bool switch_directly(const struct tcb *self, const struct tcb *to,
                                   bool self_runs)
{
    return self_runs ? to->prio > self->prio : to->prio >= self->prio;
}

/* A released thread that was not switched to leaves self running if self runs on:
 * self outranks or equals it. */
static inline bool switch_then_pick(void)
{
    return false;
}
#elif CONFIG_SWITCH_SCHED
static inline bool switch_directly(const struct tcb *self, const struct tcb *to,
                                   bool self_runs)
{
    (void)self;
    (void)to;
    (void)self_runs;
    return false;
}

/* Every release is a scheduler invocation, also when self could go on. */
static inline bool switch_then_pick(void)
{
    return true;
}
#else /* CONFIG_SWITCH_DIRECT */
static inline bool switch_directly(const struct tcb *self, const struct tcb *to,
                                   bool self_runs)
{
    (void)self;
    (void)to;
    (void)self_runs;
    return true;
}

static inline bool switch_then_pick(void)
{
    return false;
}
#endif

#endif
