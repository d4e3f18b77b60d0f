/*
 * The x86_64 side of user-level interrupts (core/irq.h) and of preemption points
 * (core/preempt.h). One line: IRQ_LINE_TIMER, the local APIC timer (lapic.c), an edge
 * source: its line needs no masking at the APIC (irq.c keeps an interrupt that arrives
 * while the line is masked pending), and a free line's timer is disarmed.
 */
#include <arch/cpu.h>

#include "arch_api.h"
#include "kernel.h"
#include "x86.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define OCW3_READ_IRR 0x0A

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

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* The deadline is a TSC value; the APIC counts the same virtual nanoseconds under
 * icount. One past is due at once (a count of 1); 0 disarms. */
void arch_utimer_arm(uint64_t deadline)
{
    if (!deadline) {
        lapic_timer_oneshot(0);
        return;
    }
    uint64_t now = rdtsc();
    uint64_t count = deadline > now ? deadline - now : 1;
    lapic_timer_oneshot(count > 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint32_t)count);
}

/* An interrupt waits if the PIC holds an unmasked request (the PIT's IRQ0 is the only
 * line it lets through) or the APIC has accepted one. */
bool arch_irq_pending(void)
{
    outb(PIC1_CMD, OCW3_READ_IRR);
    uint8_t irr = inb(PIC1_CMD);
    return (irr & ~inb(PIC1_DATA)) || lapic_irr_pending();
}
