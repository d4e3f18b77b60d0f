/*
 * The timeslice timer: the EL1 virtual timer of the generic timer (private interrupt
 * 27 on the virt board). QEMU drives it from its virtual clock, which under icount is
 * the instruction count, so a tick lands at the same instruction in every boot. It is
 * rearmed relative to the moment it is handled, as a periodic tick needs no better.
 */
#include <arch/cpu.h>

#include "aarch64.h"

#define TIMER_INTID 27
#define TIMER_HZ 1000u /* with SCHED_TIMESLICE_TICKS = 10: a 10 ms timeslice */
#define CNTV_CTL_ENABLE 1u

static uint64_t interval;

void timer_init(void)
{
    interval = read_sysreg(cntfrq_el0) / TIMER_HZ;
    write_sysreg(cntv_tval_el0, interval);
    write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE);
    gic_enable(TIMER_INTID);
}

bool timer_handle(unsigned intid)
{
    if (intid != TIMER_INTID)
        return false;
    write_sysreg(cntv_tval_el0, interval);
    return true;
}
