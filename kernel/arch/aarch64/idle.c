/*
 * The idle wait: with no runnable thread the kernel waits for an interrupt (WFI) with
 * IRQs unmasked, on a fresh kernel stack (nothing below it is needed again). The
 * timer's IRQ then arrives at the current-EL vector; traps.c sees aarch64_idling and
 * hands it to the portable kernel instead of calling it a kernel fault. Under icount
 * QEMU advances virtual time to the next timer deadline at the WFI, deterministically.
 */
#include <stdbool.h>

#include "aarch64.h"
#include "arch_api.h"

extern char kernel_stack_top[];

volatile bool aarch64_idling;

noreturn void arch_idle(void)
{
    aarch64_idling = true;
    __asm__ volatile("mov sp, %0\n"
                     "msr daifclr, #2\n"
                     "1: wfi\n"
                     "b 1b"
                     :
                     : "r"(kernel_stack_top)
                     : "memory");
    __builtin_unreachable();
}
