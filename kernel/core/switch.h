/*
 * Direct process switch: whether an IPC that made `to` runnable switches to it at once,
 * bypassing the ready queue (the thread it released runs on the sender's time). Both
 * IPC paths ask this one rule: the fast path declines whatever it would not allow.
 *   self blocked (call, receive): to runs if its priority is at least self's;
 *   self goes on (a send that did not block): to runs only if it outranks self.
 */
#ifndef IPCLAB_CORE_SWITCH_H
#define IPCLAB_CORE_SWITCH_H

#include "tcb.h"

static inline bool switch_directly(const struct tcb *self, const struct tcb *to,
                                   bool self_runs)
{
    return self_runs ? to->prio > self->prio : to->prio >= self->prio;
}

#endif
