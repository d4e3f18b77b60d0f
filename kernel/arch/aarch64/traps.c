/*
 * The C side of interrupts and exceptions (the entry code in syscall_entry.S has saved
 * the whole user frame into the running thread's TCB): the timer ticks the scheduler,
 * a user fault kills the thread with a FAULT line, and an exception taken in the
 * kernel is a kernel bug: panic.
 */
#include <arch/cpu.h>

#include "aarch64.h"
#include "arch_api.h"
#include "dispatch.h"
#include "irq.h"
#include "kernel.h"
#include "thread.h"

#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define GIC_SPURIOUS 1023

noreturn void user_irq_handler(void);
noreturn void user_fault_handler(uint64_t esr, uint64_t far);
noreturn void kernel_trap(uint64_t esr, uint64_t elr, uint64_t far);
noreturn void kernel_irq_handler(void);

noreturn void user_irq_handler(void)
{
    uint32_t iar = gic_acknowledge();
    unsigned intid = iar & 0x3ff;
    if (intid == GIC_SPURIOUS)
        kernel_resume(current);
    bool tick = timer_handle(intid);
    bool user_timer = utimer_handle(intid);
    gic_end(iar);
    if (tick)
        kernel_timer_tick();
    if (user_timer)
        kernel_irq(IRQ_LINE_TIMER);
    kernel_resume(current); /* nothing else is enabled */
}

static const char *exception_name(uint64_t ec)
{
    switch (ec) {
    case 0x00: return "unknown_instruction";
    case 0x01: return "wfi_wfe";
    case 0x07: return "fp_simd_access";
    case 0x0e: return "illegal_state";
    case 0x18: return "system_register";
    case 0x20: return "instruction_abort";
    case 0x21: return "instruction_abort_el1";
    case 0x22: return "pc_alignment";
    case 0x24: return "data_abort";
    case 0x25: return "data_abort_el1";
    case 0x26: return "sp_alignment";
    case 0x2f: return "serror";
    case 0x30: return "breakpoint";
    case 0x32: return "software_step";
    case 0x34: return "watchpoint";
    case 0x3c: return "brk";
    default: return "exception";
    }
}

/* The FAULT line's vector is the exception class; its address is FAR_EL1 where the
 * class defines it (aborts, watchpoints), else 0. */
noreturn void user_fault_handler(uint64_t esr, uint64_t far)
{
    uint64_t ec = ESR_EC(esr);
    bool has_far = ec == 0x20 || ec == 0x22 || ec == 0x24 || ec == 0x34;
    kernel_user_fault((unsigned)ec, current->regs.pc, has_far ? far : 0, exception_name(ec));
}

/* An IRQ taken in the kernel: expected only while it idles (idle.c). */
noreturn void kernel_irq_handler(void)
{
    if (!aarch64_idling)
        kernel_trap(0, read_sysreg(elr_el1), 0);
    uint32_t iar = gic_acknowledge();
    unsigned intid = iar & 0x3ff;
    bool tick = false, user_timer = false;
    if (intid != GIC_SPURIOUS) {
        tick = timer_handle(intid);
        user_timer = utimer_handle(intid);
        gic_end(iar);
    }
    aarch64_idling = false;
    if (tick)
        kernel_idle_tick();
    if (user_timer)
        kernel_idle_irq(IRQ_LINE_TIMER);
    kernel_idle_interrupt();
}

noreturn void kernel_trap(uint64_t esr, uint64_t elr, uint64_t far)
{
    panic("kernel exception class %lx (%s) at pc %lx, esr %lx, address %lx", ESR_EC(esr),
          esr ? exception_name(ESR_EC(esr)) : "irq", elr, esr, far);
}
