/*
 * Interrupts delivered to user threads (user-level device drivers). A line has at most
 * one handler thread; an interrupt masks its line until the handler acknowledges it
 * (SYS_IRQ_ACK), and one that arrives meanwhile is kept pending and delivered at the
 * ack. How the interrupt reaches the handler is the IRQ axis, one file per value:
 *
 *   irq_ipc.c     IRQ=ipc: an IPC from the line's pseudo-thread, a TCB that is never
 *                 scheduled and queues like a blocked sender (classic L4, Fiasco's
 *                 Irq_sender); the IPC paths need no test for it: a pending interrupt
 *                 makes the fast path decline as any queued sender does
 *   irq_notify.c  IRQ=notify: a signal of a notification (seL4)
 *
 * The architecture decodes its interrupt and calls kernel_irq() (user mode was
 * interrupted) or kernel_idle_irq() (the kernel idled); it masks and unmasks its line
 * (arch_irq_mask/unmask) and drives the device behind IRQ_LINE_TIMER (arch_utimer_arm).
 */
#ifndef IPCLAB_CORE_IRQ_H
#define IPCLAB_CORE_IRQ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "config.h"
#include "tcb.h"

/* Lines the table can hold; the architecture says which exist (arch_irq_line_valid). */
#define IRQ_MAX_LINES 4

void irq_table_init(void);

/* SYS_IRQ_REGISTER, SYS_IRQ_ACK, SYS_IRQ_RELEASE, SYS_TIMER_ARM. */
uint64_t irq_syscall(struct tcb *self, uint64_t nr, uint64_t a0, uint64_t a1,
                     struct tcb **next);

/* An interrupt on line arrived (its device is quiet or the line masked): deliver it or
 * keep it pending. Returns the thread it made runnable (READY, not queued), or NULL. */
struct tcb *irq_raise(unsigned line);

/* The architecture's entries: the interrupted thread's registers are saved. */
noreturn void kernel_irq(unsigned line);
noreturn void kernel_idle_irq(unsigned line);

/* A dying thread gives up its lines. */
void irq_thread_exit(struct tcb *t);

/* Invariant checks: every line's state agrees with its owner and delivery object. */
void irq_check_lines(void);

/* ---- the IRQ axis: what irq_ipc.c or irq_notify.c implements ---- */

/* The delivery part of a registration: a1 of SYS_IRQ_REGISTER names its object. */
uint64_t irq_attach(struct tcb *self, unsigned line, uint64_t object);
void irq_detach(unsigned line);
/* Deliver one interrupt of line; the thread it made runnable, or NULL. */
struct tcb *irq_deliver(unsigned line);
/* The axis's own invariant checks of line. */
void irq_check_delivery(unsigned line, bool registered);

#if CONFIG_IRQ_IPC
extern struct tcb irq_senders[IRQ_MAX_LINES];

/* The general receive path took `sender`'s message: true if it was an interrupt's
 * pseudo-thread, which then rests (never runs) until its next interrupt. */
static inline bool irq_sender_taken(struct tcb *sender)
{
    if (sender < irq_senders || sender >= irq_senders + IRQ_MAX_LINES)
        return false;
    sender->state = THREAD_INACTIVE;
    return true;
}
#else
static inline bool irq_sender_taken(struct tcb *sender)
{
    (void)sender;
    return false;
}
#endif

#endif
