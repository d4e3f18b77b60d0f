/*
 * Leaving the kernel: every way in (system call, timer, user fault) ends by choosing
 * a thread and resuming it here. The kernel is not preemptible and keeps no state on
 * its stack between entries, so one kernel stack serves every thread.
 */
#include "dispatch.h"

#include "arch_api.h"
#include "kernel.h"
#include "sched.h"
#include "space.h"
#include "syscall.h"
#include "thread.h"

noreturn void kernel_resume(struct tcb *next)
{
    if (!next)
        panic("no runnable thread left: every thread is blocked or dead");
    if (!current || next->space != current->space)
        arch_switch_space(&next->space->arch);
    current = next;
    arch_set_current(next);
    arch_return_to_user(next);
}

noreturn void syscall_slowpath(void)
{
    kernel_resume(syscall_dispatch(current));
}

noreturn void kernel_timer_tick(void)
{
    struct tcb *self = current;
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
    kprintf(RESULT_LINE("FAULT") " thread=%lx vector=%u rip=%lx addr=%lx reason=%s\n",
            self->tid, vector, ip, addr, reason);
    thread_kill(self);
    kernel_resume(sched_pick());
}
