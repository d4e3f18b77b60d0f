/*
 * The aarch64 side of user-level interrupts (core/irq.h) and of preemption points
 * (core/preempt.h). One line: IRQ_LINE_TIMER, the EL1 physical timer (CNTP, private
 * interrupt 30 on the virt board; the kernel's tick is the virtual timer, 27). It is a
 * level source: masking the line disables it at the GIC, and the timer, once fired,
 * is switched off (one shot), so an interrupt that arrives while the line is masked
 * waits in the GIC and is taken when the handler unmasks it.
 *
 * Deadlines are values of the cycle counter user code reads (PMCCNTR_EL0, 1 GHz of
 * QEMU's virtual clock), the timer compares against CNTPCT_EL0 (CNTFRQ, 62.5 MHz on
 * virt): the conversion rounds up, so the timer never fires before the deadline and
 * at most one CNTPCT tick (16 counter ticks) after it.
 */
#include <arch/cpu.h>

#include "aarch64.h"
#include "arch_api.h"
#include "kernel.h"

#define CNTP_INTID 30
#define CNT_ENABLE 1u
#define ISR_I (1u << 7)
#define NS_PER_S 1000000000ull

bool arch_irq_line_valid(unsigned line)
{
    return line == IRQ_LINE_TIMER;
}

void arch_irq_mask(unsigned line)
{
    (void)line;
    gic_disable(CNTP_INTID);
}

void arch_irq_unmask(unsigned line)
{
    (void)line;
    gic_enable(CNTP_INTID);
}

void arch_utimer_arm(uint64_t deadline)
{
    if (!deadline) {
        write_sysreg(cntp_ctl_el0, 0);
        return;
    }
    uint64_t freq = read_sysreg(cntfrq_el0);
    isb();
    uint64_t now = read_sysreg(pmccntr_el0);
    uint64_t ticks = read_sysreg(cntpct_el0);
    uint64_t delta = deadline > now ? deadline - now : 0;
    if (delta > NS_PER_S)
        delta = NS_PER_S;       /* a second at most: the product below stays in range */
    write_sysreg(cntp_cval_el0, ticks + (delta * freq + NS_PER_S - 1) / NS_PER_S);
    write_sysreg(cntp_ctl_el0, CNT_ENABLE);
    isb();
}

/* The timer's interrupt: the shot is spent (the level drops), and irq.c delivers it. */
bool utimer_handle(unsigned intid)
{
    if (intid != CNTP_INTID)
        return false;
    write_sysreg(cntp_ctl_el0, 0);
    isb();
    return true;
}

/* ISR_EL1.I: an IRQ is pending at the PE, whatever PSTATE's mask says. */
bool arch_irq_pending(void)
{
    return read_sysreg(isr_el1) & ISR_I;
}
