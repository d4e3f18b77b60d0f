/*
 * The idle wait: with no runnable thread the kernel waits for an interrupt (WFI) with
 * supervisor interrupts enabled, on a fresh kernel stack. RISC-V has one trap vector
 * for both privilege levels, and the timer's path saves the interrupted registers into
 * the frame sscratch names: so while idling sscratch names a frame of its own (whose
 * kernel_sp is the stack top), and traps.c, seeing riscv_idling, hands the tick to the
 * portable kernel. Under icount QEMU advances virtual time to the timer at the WFI.
 */
#include <stdbool.h>

#include <arch/cpu.h>

#include "arch_api.h"
#include "riscv.h"
#include "tcb.h"

#define SSTATUS_SIE (1ul << 1)

extern char kernel_stack_top[];

volatile bool riscv_idling;
static struct tcb idle_frame;

noreturn void arch_idle(void)
{
    riscv_idling = true;
    idle_frame.regs.kernel_sp = (uint64_t)(uintptr_t)kernel_stack_top;
    csr_write(sscratch, (uint64_t)(uintptr_t)&idle_frame);
    __asm__ volatile("mv sp, %0\n"
                     "csrs sstatus, %1\n"
                     "1: wfi\n"
                     "j 1b"
                     :
                     : "r"(kernel_stack_top), "r"(SSTATUS_SIE)
                     : "memory");
    __builtin_unreachable();
}
