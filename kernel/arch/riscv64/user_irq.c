/*
 * The riscv64 side of user-level interrupts (core/irq.h) and of preemption points
 * (core/preempt.h). One line: IRQ_LINE_TIMER, the user timer that timer.c multiplexes
 * onto the SBI timer beside the kernel's tick; a software line, so masking it is the
 * core's latch (irq.c) and nothing here.
 */
#include <arch/cpu.h>

#include "arch_api.h"
#include "riscv.h"

#define SIP_SSIP (1ul << 1)
#define SIP_STIP (1ul << 5)
#define SIP_SEIP (1ul << 9)

bool arch_irq_line_valid(unsigned line)
{
    return line == IRQ_LINE_TIMER;
}

void arch_irq_mask(unsigned line)
{
    (void)line;
}

void arch_irq_unmask(unsigned line)
{
    (void)line;
}

/* A supervisor interrupt this kernel enables is pending (sstatus.SIE is off in it). */
bool arch_irq_pending(void)
{
    return csr_read(sip) & csr_read(sie) & (SIP_SSIP | SIP_STIP | SIP_SEIP);
}
