/*
 * Leaving the kernel: every way in (system call, timer, user fault, an interrupt that
 * ends the idle wait) ends by choosing a thread and resuming it here. The kernel is not preemptible and keeps no state on
 * its stack between entries, so one kernel stack serves every thread.
 */
#include "dispatch.h"

#include "arch_api.h"
#include "console.h"
#include "fpu.h"
#include "invariants.h"
#include "kernel.h"
#include "sched.h"
#include "space.h"
#include "syscall.h"
#include "thread.h"

noreturn void kernel_resume(struct tcb *next)
{
    if (!next) {
        /* Every thread is blocked: the kernel idles until an interrupt, which is what
         * the idle thread of an L4 kernel does. Threads that deadlock stop only
         * themselves, never the kernel; the run ends when the root task says so. */
        current = NULL;
        arch_idle();
    }
    if (!current || next->space != current->space)
        arch_switch_space(&next->space->arch);
    fpu_switch(next);
    current = next;
    arch_set_current(next);
    arch_return_to_user(next);
}

noreturn void kernel_idle_interrupt(void)
{
    kernel_resume(sched_pick());
}

noreturn void syscall_slowpath(void)
{
    struct tcb *next = syscall_dispatch(current);
    if (CONFIG_DEBUG)
        kernel_check_invariants();
    kernel_resume(next);
}

noreturn void kernel_timer_tick(void)
{
    struct tcb *self = current;
    if (CONFIG_DEBUG)
        kernel_check_invariants();
    if (sched_tick(self)) {
        sched_rotate(self);
        kernel_resume(sched_pick());
    }
    kernel_resume(self);
}

noreturn void kernel_user_fault(unsigned vector, uint64_t ip, uint64_t addr,
                                const char *reason)
{
    struct tcb *self = current;
    console_start_line();
    kprintf(RESULT_LINE("FAULT") " thread=%lx vector=%u rip=%lx addr=%lx reason=%s\n",
            self->tid, vector, ip, addr, reason);
    thread_kill(self);
    kernel_resume(sched_pick());
}
