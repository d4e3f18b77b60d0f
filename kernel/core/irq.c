/*
 * Interrupt lines owned by user threads: registration, masking until the handler
 * acknowledges, the user timer's authority, and the kernel's entry for an interrupt
 * (see irq.h; how an interrupt is delivered is irq_ipc.c or irq_notify.c).
 *
 * A line's states: free (no owner; masked in hardware), armed (owner, unmasked),
 * masked (an interrupt was delivered and not yet acknowledged), masked + pending (one
 * more arrived meanwhile: an edge source such as a one-shot timer would lose it
 * otherwise; a level source simply asserts again when unmasked).
 */
#include "irq.h"

#include "arch_api.h"
#include "dispatch.h"
#include "invariants.h"
#include "ipc.h"
#include "kernel.h"
#include "kstat.h"
#include "sched.h"
#include "space.h"
#include "syscall.h"
#include "thread.h"

struct irq_line {
    struct tcb *owner;      /* the handler thread, NULL when the line is free */
    bool masked;            /* delivered, not yet acknowledged */
    bool pending;           /* arrived while masked: delivered at the ack */
};

static struct irq_line lines[IRQ_MAX_LINES];

void irq_table_init(void)
{
    for (unsigned i = 0; i < IRQ_MAX_LINES; i++) {
        lines[i] = (struct irq_line){0};
        if (arch_irq_line_valid(i))
            arch_irq_mask(i);
    }
}

static bool line_exists(uint64_t line)
{
    return line < IRQ_MAX_LINES && arch_irq_line_valid((unsigned)line);
}

/* Deliver now: the line becomes masked until the ack. */
static struct tcb *deliver(unsigned line)
{
    lines[line].masked = true;
    arch_irq_mask(line);
    kstat_count(KSTAT_IRQS);
    return irq_deliver(line);
}

struct tcb *irq_raise(unsigned line)
{
    struct irq_line *l = &lines[line];
    if (!l->owner) {            /* nobody handles it (released while in flight) */
        arch_irq_mask(line);
        return NULL;
    }
    if (l->masked) {
        l->pending = true;
        return NULL;
    }
    return deliver(line);
}

static void release(unsigned line)
{
    struct irq_line *l = &lines[line];
    irq_detach(line);
    *l = (struct irq_line){0};
    arch_irq_mask(line);
    if (line == IRQ_LINE_TIMER)
        arch_utimer_arm(0);     /* the device belongs to the line: quiet it */
}

/* The root task owns the machine's interrupt lines, as it owns the right to create
 * spaces and threads: only its threads register handlers. */
static uint64_t do_register(struct tcb *self, uint64_t line, uint64_t object)
{
    if (self->space != root_space)
        return E_NO_PERMISSION;
    if (!line_exists(line))
        return E_INVALID_ARG;
    struct irq_line *l = &lines[line];
    if (l->owner)
        return E_IRQ_BUSY;
    uint64_t error = irq_attach(self, (unsigned)line, object);
    if (error != E_OK)
        return error;
    *l = (struct irq_line){.owner = self};
    arch_irq_unmask((unsigned)line);
    return E_OK;
}

/* The handler is done with the interrupt: unmask, or deliver the one kept pending. */
static uint64_t ack(struct tcb *self, unsigned line, struct tcb **next)
{
    struct irq_line *l = &lines[line];
    if (!l->masked)
        return E_OK;            /* nothing outstanding: an ack is idempotent */
    l->masked = false;
    if (l->pending) {
        l->pending = false;
        *next = ipc_schedule(self, deliver(line));
        return E_OK;
    }
    arch_irq_unmask(line);
    return E_OK;
}

uint64_t irq_syscall(struct tcb *self, uint64_t nr, uint64_t a0, uint64_t a1,
                     struct tcb **next)
{
    if (nr == SYS_IRQ_REGISTER)
        return do_register(self, a0, a1);
    if (nr == SYS_TIMER_ARM) {
        /* The user timer is the device behind its line: its handler's task drives it. */
        struct tcb *owner = lines[IRQ_LINE_TIMER].owner;
        if (!owner || owner->space != self->space)
            return E_NOT_OWNER;
        arch_utimer_arm(a0);
        return E_OK;
    }
    if (!line_exists(a0))
        return E_INVALID_ARG;
    if (lines[a0].owner != self)
        return E_NOT_OWNER;
    if (nr == SYS_IRQ_ACK)
        return ack(self, (unsigned)a0, next);
    release((unsigned)a0);      /* SYS_IRQ_RELEASE */
    return E_OK;
}

void irq_thread_exit(struct tcb *t)
{
    for (unsigned i = 0; i < IRQ_MAX_LINES; i++)
        if (lines[i].owner == t)
            release(i);
}

noreturn void kernel_irq(unsigned line)
{
    struct tcb *self = current;
    struct tcb *woken = irq_raise(line);
    struct tcb *next = woken ? ipc_schedule(self, woken) : self;
    if (CONFIG_DEBUG)
        kernel_check_invariants();
    kernel_resume(next);
}

noreturn void kernel_idle_irq(unsigned line)
{
    struct tcb *woken = irq_raise(line);
    if (woken)
        sched_wake(woken);
    kernel_resume(sched_pick());
}

void irq_check_lines(void)
{
    for (unsigned i = 0; i < IRQ_MAX_LINES; i++) {
        const struct irq_line *l = &lines[i];
        ASSERT(!l->pending || l->masked);
        ASSERT(!l->owner || (line_exists(i) && l->owner->state != THREAD_FREE));
        ASSERT(l->owner || (!l->masked && !l->pending));
        irq_check_delivery(i, l->owner != NULL);
    }
}
