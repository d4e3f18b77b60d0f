/*
 * The C side of interrupts and exceptions (the entry code in syscall_entry.S has saved
 * the whole user frame into the running thread's TCB): the timer ticks the scheduler,
 * a user fault kills the thread with a FAULT line, and an exception taken in the
 * kernel is a kernel bug: panic.
 */
#include <arch/cpu.h>

#include "arch_api.h"
#include "dispatch.h"
#include "irq.h"
#include "kernel.h"
#include "riscv.h"
#include "thread.h"

#define SCAUSE_INTERRUPT (1ul << 63)

noreturn void user_timer_handler(void);
noreturn void user_fault_handler(uint64_t scause, uint64_t stval);
noreturn void kernel_trap(uint64_t scause, uint64_t sepc, uint64_t stval);

noreturn void user_timer_handler(void)
{
    if (utimer_due()) {                 /* the user timer (a tick due too comes next) */
        if (riscv_idling) {
            riscv_idling = false;
            kernel_idle_irq(IRQ_LINE_TIMER);
        }
        kernel_irq(IRQ_LINE_TIMER);
    }
    timer_rearm();
    if (riscv_idling) {                 /* the tick ends an idle wait (idle.c) */
        riscv_idling = false;           /* the trap cleared sstatus.SIE already */
        kernel_idle_tick();
        kernel_idle_interrupt();
    }
    kernel_timer_tick();
}

static const char *exception_name(uint64_t cause)
{
    static const char *const names[] = {
        "instruction_misaligned", "instruction_access_fault", "illegal_instruction",
        "breakpoint", "load_misaligned", "load_access_fault", "store_misaligned",
        "store_access_fault", "ecall_user", "ecall_supervisor", "reserved",
        "ecall_machine", "instruction_page_fault", "load_page_fault", "reserved",
        "store_page_fault",
    };
    return cause < ARRAY_SIZE(names) ? names[cause] : "exception";
}

/* The FAULT line's vector is scause; its address is stval (the faulting address of an
 * access fault, 0 or the instruction bits otherwise: reported as the CPU gives it). */
noreturn void user_fault_handler(uint64_t scause, uint64_t stval)
{
    kernel_user_fault((unsigned)scause, current->regs.x[REG_PC], stval,
                      exception_name(scause));
}

noreturn void kernel_trap(uint64_t scause, uint64_t sepc, uint64_t stval)
{
    if (scause & SCAUSE_INTERRUPT)
        panic("unexpected interrupt %lu at pc %lx", scause & ~SCAUSE_INTERRUPT, sepc);
    panic("kernel exception %lu (%s) at pc %lx, address %lx", scause,
          exception_name(scause), sepc, stval);
}
