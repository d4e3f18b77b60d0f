/*
 * The timeslice timer: the SBI timer (OpenSBI programs the CLINT's mtimecmp and raises
 * the supervisor timer interrupt). QEMU drives mtime from its virtual clock, which
 * under icount is the instruction count, so a tick lands at the same instruction in
 * every boot (the firmware's own instructions on the way count too, the same each
 * time). It is rearmed relative to the moment it is handled.
 */
#include <arch/cpu.h>

#include "riscv.h"

#define SBI_EXT_TIME 0x54494d45ul
#define SBI_TIME_SET_TIMER 0
#define TIMER_HZ 1000u /* with SCHED_TIMESLICE_TICKS = 10: a 10 ms timeslice */

static uint64_t interval;

void timer_rearm(void)
{
    sbi_call(SBI_EXT_TIME, SBI_TIME_SET_TIMER, csr_read(time) + interval);
}

void timer_init(uint64_t timebase_hz)
{
    interval = timebase_hz / TIMER_HZ;
    timer_rearm();
    csr_set(sie, SIE_STIE);
}
