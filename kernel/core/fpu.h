/*
 * The FPU axis, as the portable core sees it: which user thread's state the FPU
 * registers hold, and whether the running thread may use them.
 *   none - the FPU is denied to user threads (the architecture makes every use a
 *          fault that kills the thread); the hooks below are empty.
 *   lazy - the registers hold the state of one thread, their owner. A switch to any
 *          other thread turns the FPU off for it, a switch to the owner turns it back
 *          on; a thread's first use while it is off traps (fpu_first_use()), which
 *          saves the owner's state into the owner's TCB and loads the user's (or, at
 *          its very first use, a clean state, so nothing leaks). A switch costs a
 *          comparison while nobody owns the FPU, and a control-register write when
 *          the owner comes or goes.
 * The architecture's part (<arch/fpu.h>, FPU=lazy only): struct arch_fpu_state and
 * arch_fpu_enable/disable/save/restore/reset.
 */
#ifndef IPCLAB_CORE_FPU_H
#define IPCLAB_CORE_FPU_H

#include <stdbool.h>

#include "config.h"
#include "tcb.h"

#if CONFIG_FPU_LAZY
#include <arch/fpu.h>

extern struct tcb *fpu_owner;    /* whose state the registers hold, or NULL */
extern bool fpu_enabled;         /* the running thread may use them (owner == running) */

/* The next thread to run is to: the FPU is on exactly when it is the owner. Inline:
 * the IPC fast path calls it. */
static inline void fpu_switch(struct tcb *to)
{
    if (__builtin_expect(fpu_owner == NULL, 1))
        return;                  /* nobody's state to protect, and the FPU is off */
    bool on = to == fpu_owner;
    if (on == fpu_enabled)
        return;
    if (on)
        arch_fpu_enable();
    else
        arch_fpu_disable();
    fpu_enabled = on;
}

/* t, the running thread, used the FPU while it was off: make t the owner. */
void fpu_first_use(struct tcb *t);
/* t dies (or its TCB is reused): its state is not kept, and it owns nothing. */
void fpu_thread_exit(struct tcb *t);
/* At boot: nobody owns the FPU, and it is off. */
void fpu_init_owner(void);
#else
static inline void fpu_switch(struct tcb *to)
{
    (void)to;
}

static inline void fpu_thread_exit(struct tcb *t)
{
    (void)t;
}
#endif

#endif
