/*
 * The host's stand-ins for interrupt hardware, for unit tests of irq.c and of
 * preemption points: lines are flags, the user timer a stored deadline, and whether an
 * interrupt is pending is what the test says.
 */
#ifndef IPCLAB_ARCH_HOST_IRQ_H
#define IPCLAB_ARCH_HOST_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#define HOST_IRQ_LINES 1
#define HOST_SYSCALL_BYTES 2    /* how far a restart rewinds ip (as x86_64's syscall) */

extern bool host_irq_masked[HOST_IRQ_LINES];
extern uint64_t host_utimer_deadline;
/* arch_irq_pending() answers false this many times, then true; negative: never. */
extern long host_irq_pending_after;
extern unsigned long host_irq_pending_checks;

#endif
