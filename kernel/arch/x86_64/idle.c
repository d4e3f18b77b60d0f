/*
 * The idle wait: with no runnable thread the kernel halts with interrupts on, on a
 * fresh kernel stack (nothing below it is needed again). The timer's interrupt then
 * arrives in kernel mode; traps.c sees x86_idling and hands it to the portable kernel
 * instead of calling it a kernel fault. Under -icount sleep=off QEMU advances virtual
 * time to the next timer deadline at the hlt, so idling is deterministic too.
 */
#include <stdbool.h>

#include "arch_api.h"
#include "x86.h"

extern char kernel_stack_top[];

volatile bool x86_idling;

noreturn void arch_idle(void)
{
    x86_idling = true;
    __asm__ volatile("mov %0, %%rsp\n"
                     "1: sti\n"
                     "hlt\n"
                     "cli\n"
                     "jmp 1b"
                     :
                     : "r"(kernel_stack_top)
                     : "memory");
    __builtin_unreachable();
}
