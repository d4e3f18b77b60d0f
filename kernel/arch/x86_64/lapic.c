/*
 * The local APIC, for the user timer (IRQ_LINE_TIMER): its timer in one-shot mode on
 * vector 48. The kernel's own tick stays on the PIT through the legacy PIC (timer.c),
 * which reaches the CPU through the APIC's LINT0 in ExtINT mode, as the BIOS left it.
 * QEMU drives the APIC timer from its virtual clock, which under icount is the
 * instruction count, as is the TSC: a count of n fires n instructions (TSC ticks)
 * after it is written, at the same instruction in every boot. (No TSC-deadline mode
 * and no x2APIC under TCG: the xAPIC's MMIO registers it is.)
 *
 * The registers are reached through the last 2 MiB of the kernel's identity-mapped
 * gigabyte, remapped to the APIC's physical page, uncached (no RAM lies there with the
 * machine's 256 MiB; multiboot.c keeps frames below it).
 */
#include <arch/cpu.h>

#include "kernel.h"
#include "x86.h"

#define MSR_APIC_BASE 0x1Bu
#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_PHYS 0xFEE00000ull

#define APIC_EOI 0x0B0
#define APIC_SVR 0x0F0
#define APIC_IRR 0x200
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_DIVIDE 0x3E0

#define SVR_ENABLE 0x100u
#define LVT_MASKED (1u << 16)
#define LVT_EXTINT (7u << 8)
#define DIVIDE_BY_1 0xBu

#define PDE_PRESENT 0x01ull
#define PDE_WRITE 0x02ull
#define PDE_PWT 0x08ull
#define PDE_PCD 0x10ull
#define PDE_LARGE 0x80ull

extern uint64_t boot_pml4[512];

static volatile uint32_t *regs(unsigned offset)
{
    return (volatile uint32_t *)(uintptr_t)(LAPIC_WINDOW + offset);
}

static uint32_t lapic_read(unsigned offset)
{
    return *regs(offset);
}

static void lapic_write(unsigned offset, uint32_t value)
{
    *regs(offset) = value;
}

void lapic_init(void)
{
    uint64_t *pdpt = (uint64_t *)(uintptr_t)(boot_pml4[0] & ~0xFFFull);
    uint64_t *pd = (uint64_t *)(uintptr_t)(pdpt[0] & ~0xFFFull);
    pd[LAPIC_WINDOW >> 21] = APIC_PHYS | PDE_PRESENT | PDE_WRITE | PDE_PWT | PDE_PCD |
                             PDE_LARGE;
    __asm__ volatile("invlpg (%0)" : : "r"((uint64_t)LAPIC_WINDOW) : "memory");

    uint64_t base = rdmsr(MSR_APIC_BASE);
    if ((base & ~0xFFFull) != APIC_PHYS)
        panic("local APIC at %lx, expected %lx", base & ~0xFFFul, (uint64_t)APIC_PHYS);
    if (!(base & APIC_BASE_ENABLE))
        wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
    /* Software-enable it (spurious vector 39, which traps.c resumes from), with the
     * PIC's interrupts passed through LINT0 as ExtINT, and the timer quiet. */
    lapic_write(APIC_SVR, SVR_ENABLE | VECTOR_SPURIOUS);
    lapic_write(APIC_LVT_LINT0, LVT_EXTINT);
    lapic_write(APIC_TIMER_INIT, 0);
    lapic_write(APIC_TIMER_DIVIDE, DIVIDE_BY_1);
    lapic_write(APIC_LVT_TIMER, VECTOR_USER_TIMER);
}

void lapic_eoi(void)
{
    lapic_write(APIC_EOI, 0);
}

/* Fire once `count` bus cycles (= nanoseconds of QEMU's virtual clock) from now; 0
 * stops it. */
void lapic_timer_oneshot(uint32_t count)
{
    lapic_write(APIC_TIMER_INIT, count);
}

/* Whether an accepted interrupt of vectors 32..63 waits in the APIC. */
bool lapic_irr_pending(void)
{
    return lapic_read(APIC_IRR + 0x10) != 0;
}
