/*
 * The timers: the kernel's tick and the user timer (IRQ_LINE_TIMER), both on the one
 * SBI timer (OpenSBI programs the CLINT's mtimecmp and raises the supervisor timer
 * interrupt), which is set to whichever is due first. QEMU drives mtime from its
 * virtual clock, which under icount is the instruction count, so both land at the
 * same instruction in every boot (the firmware's own instructions on the way count
 * too, the same each time). The tick is rearmed relative to the moment it is handled.
 *
 * The user timer's deadline is a value of the counter user code reads (instret, one
 * per virtual nanosecond under icount); `time` runs at the device tree's timebase
 * (10 MHz on virt), so the conversion rounds up: it never fires early and at most one
 * `time` tick (100 instructions) late. It is a software line: masking it is irq.c's
 * business alone.
 */
#include <arch/cpu.h>

#include "arch_api.h"
#include "riscv.h"

#define SBI_EXT_TIME 0x54494d45ul
#define SBI_TIME_SET_TIMER 0
#define TIMER_HZ 1000u /* with SCHED_TIMESLICE_TICKS = 10: a 10 ms timeslice */
#define NS_PER_S 1000000000ull

static uint64_t interval;
static uint64_t timebase;
static uint64_t tick_at;        /* `time` of the next tick */
static uint64_t user_at;        /* `time` the user timer fires at; 0: disarmed */

static void program(void)
{
    uint64_t at = user_at && user_at < tick_at ? user_at : tick_at;
    sbi_call(SBI_EXT_TIME, SBI_TIME_SET_TIMER, at);
}

void timer_rearm(void)
{
    tick_at = csr_read(time) + interval;
    program();
}

void timer_init(uint64_t timebase_hz)
{
    timebase = timebase_hz;
    interval = timebase_hz / TIMER_HZ;
    timer_rearm();
    csr_set(sie, SIE_STIE);
}

bool utimer_due(void)
{
    if (!user_at || csr_read(time) < user_at)
        return false;
    user_at = 0;
    program();      /* a tick due too fires as soon as the user line is handled */
    return true;
}

void arch_utimer_arm(uint64_t deadline)
{
    if (!deadline) {
        user_at = 0;
    } else {
        uint64_t now = csr_read(instret);
        uint64_t delta = deadline > now ? deadline - now : 0;
        if (delta > NS_PER_S)
            delta = NS_PER_S;
        user_at = csr_read(time) + (delta * timebase + NS_PER_S - 1) / NS_PER_S;
        if (user_at == 0)
            user_at = 1;
    }
    program();
}
