/*
 * Preemption points, the PREEMPT axis. The kernel runs with interrupts off and keeps no
 * state on its one stack between entries, so a long operation cannot be suspended in
 * the middle; it can only stop where every object is consistent and be restarted:
 *
 *   none   - preempt_point() is constant false: the operation runs to completion, and
 *            an interrupt that arrives meanwhile waits for it.
 *   points - after every PREEMPT_UNITS units of work, preempt_point() asks the
 *            machine whether an interrupt is pending (arch_irq_pending: one register
 *            read on aarch64 and riscv64, the interrupt controllers' request registers
 *            on x86_64). If one is, the operation records its progress in the
 *            caller's argument registers and preempt_restart() rewinds the call, so the
 *            thread re-enters it (seL4's way: restart the system call) once the
 *            interrupt has been taken on the way out to user mode.
 *
 * The operations that have points: SYS_UNMAP (space.c). Nothing on the IPC paths.
 */
#ifndef IPCLAB_CORE_PREEMPT_H
#define IPCLAB_CORE_PREEMPT_H

#include <stdbool.h>
#include <stdint.h>

#include "arch_api.h"
#include "config.h"
#include "kstat.h"
#include "tcb.h"

/* What a long operation returns when it stopped at a point (never seen by user code:
 * the system call is restarted instead of returning). */
#define E_RESTART (~0ull)

#if CONFIG_PREEMPT_POINTS
#define PREEMPT_UNITS CONFIG_PREEMPT_UNITS

/* One unit of work done: true when the operation must stop here (it is consistent). */
static inline bool preempt_point(uint64_t *since_check)
{
    if (++*since_check < PREEMPT_UNITS)
        return false;
    *since_check = 0;
    return arch_irq_pending();
}
#else
#define PREEMPT_UNITS 0

static inline bool preempt_point(uint64_t *since_check)
{
    (void)since_check;
    return false;
}
#endif

/* t's system call nr stopped at a point: it resumes at its trap instruction, with the
 * arguments the operation left in its registers. */
static inline void preempt_restart(struct tcb *t, uint64_t nr)
{
    arch_regs_restart_syscall(&t->regs, nr);
    kstat_count(KSTAT_PREEMPTIONS);
}

#endif
