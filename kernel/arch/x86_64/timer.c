/*
 * The timeslice timer: the PIT on IRQ0 through the legacy PIC, which QEMU's TCG
 * emulates exactly under icount (its clock is the instruction count, so ticks land
 * at the same instruction in every boot). The xAPIC would do as well; the PIT needs
 * no MMIO mapping.
 */
#include <arch/cpu.h>

#include "x86.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define PIT_CHANNEL0 0x40
#define PIT_COMMAND 0x43
#define PIT_HZ 1193182u
#define TIMER_HZ 1000u /* with SCHED_TIMESLICE_TICKS = 10: a 10 ms timeslice */

void timer_init(void)
{
    /* Remap the PICs to vectors 32-47, then mask every line but IRQ0. */
    outb(PIC1_CMD, 0x11);
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, 32);
    outb(PIC2_DATA, 40);
    outb(PIC1_DATA, 4);
    outb(PIC2_DATA, 2);
    outb(PIC1_DATA, 1);
    outb(PIC2_DATA, 1);
    outb(PIC1_DATA, 0xFE);
    outb(PIC2_DATA, 0xFF);

    unsigned divisor = PIT_HZ / TIMER_HZ;
    outb(PIT_COMMAND, 0x34); /* channel 0, lobyte/hibyte, rate generator */
    outb(PIT_CHANNEL0, divisor & 0xff);
    outb(PIT_CHANNEL0, (divisor >> 8) & 0xff);
}

void timer_eoi(void)
{
    outb(PIC1_CMD, 0x20);
}
