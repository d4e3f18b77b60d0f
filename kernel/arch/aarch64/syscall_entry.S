/*
 * The exception vectors, system call entry and every return to user mode.
 *
 * TPIDR_EL1 holds the running thread's TCB, whose register frame comes first (see
 * include/arch/regs.h); SP_EL1 is the one kernel stack, at its top whenever a thread
 * runs in user mode. A system call enters at the lower-EL synchronous vector, which
 * holds the whole fast path for a call: it saves only what the fast path needs (the
 * caller's x0..x2, x30, sp and pc; the flags are undefined after a system call, so
 * pstate is not kept), calls fastpath_call, and on success loads the receiver's
 * x0..x11, x30, sp and pc and erets. The message registers x19..x28 stay in the CPU:
 * the C fast path is compiled without a frame pointer and never to use x8 or x12..x18,
 * so it needs no callee-saved register and they reach the receiver as they are. If
 * the fast path declines, the rest of the frame is saved (x3..x7, which it may have
 * overwritten, as zero) and the general path runs.
 *
 * Dispatch tests SYS_CALL first, then SYS_REPLY_WAIT, then the null system call,
 * which returns from here: the same order as on x86_64.
 */
#include <arch/regs_offsets.h>
#include <ipclab/abi.h>

#define ESR_EC_SHIFT 26
#define ESR_EC_SVC64 0x15

/* Save x3..x29 and pstate of the thread whose frame x10 points to (x0..x2, x30, sp and
 * pc are saved already); x9..x11 go in as zero: the entry has used them, and x10
 * holds a kernel address. */
.macro SAVE_REST_FROM_X3
    stp x3, x4, [x10, #REGS_X(3)]
    stp x5, x6, [x10, #REGS_X(5)]
    stp x7, x8, [x10, #REGS_X(7)]
.endm
.macro SAVE_REST_FROM_X9
    stp xzr, xzr, [x10, #REGS_X(9)]
    stp xzr, x12, [x10, #REGS_X(11)]
    stp x13, x14, [x10, #REGS_X(13)]
    stp x15, x16, [x10, #REGS_X(15)]
    stp x17, x18, [x10, #REGS_X(17)]
    stp x19, x20, [x10, #REGS_X(19)]
    stp x21, x22, [x10, #REGS_X(21)]
    stp x23, x24, [x10, #REGS_X(23)]
    stp x25, x26, [x10, #REGS_X(25)]
    stp x27, x28, [x10, #REGS_X(27)]
    str x29, [x10, #REGS_X(29)]
    mrs x9, spsr_el1
    str x9, [x10, #REGS_PSTATE]
.endm

    .section .text.vectors, "ax"
    .balign 2048
    .global exception_vectors
exception_vectors:
    /* From EL1 with SP_EL0 (never used), then from EL1 with SP_EL1: kernel bugs. */
    .balign 0x80
    b kernel_trap_sync
    .balign 0x80
    b kernel_trap_other
    .balign 0x80
    b kernel_trap_other
    .balign 0x80
    b kernel_trap_other
    .balign 0x80
    b kernel_trap_sync
    .balign 0x80
    b kernel_irq                    /* the interrupt that ends an idle wait (idle.c) */
    .balign 0x80
    b kernel_trap_other
    .balign 0x80
    b kernel_trap_other

    /* From EL0 in AArch64, synchronous: system calls, and user faults. */
    .balign 0x80
    .global syscall_entry
syscall_entry:
    mrs x9, esr_el1
    lsr x9, x9, #ESR_EC_SHIFT
    cmp x9, #ESR_EC_SVC64
    b.ne user_sync_trap
    mrs x10, tpidr_el1
    mrs x9, sp_el0
    stp x30, x9, [x10, #REGS_X30]
    mrs x9, elr_el1
    str x9, [x10, #REGS_PC]
    stp x0, x1, [x10, #REGS_X(0)]
    str x2, [x10, #REGS_X(2)]
    cmp x8, #SYS_CALL
    b.ne not_call
    bl fastpath_call                /* (x0 dest, x1 tag) -> next thread or NULL */
    cbz x0, fast_declined
    .global fast_exit
fast_exit:                          /* x0: the thread to resume, already current */
    ldp x30, x9, [x0, #REGS_X30]
    msr sp_el0, x9
    ldp x10, x11, [x0, #REGS_PC]    /* x11: only so that it holds no kernel value */
    msr elr_el1, x10
    ldp x2, x3, [x0, #REGS_X(2)]
    ldp x4, x5, [x0, #REGS_X(4)]
    ldp x6, x7, [x0, #REGS_X(6)]
    ldp x0, x1, [x0, #REGS_X(0)]
    eret
    .org syscall_entry + 0x80       /* the fast path fits its vector slot */

    /* From EL0 in AArch64: IRQ (the timer), FIQ and SError (never enabled). */
    .balign 0x80
    b user_irq
    .balign 0x80
    b kernel_trap_other
    .balign 0x80
    b kernel_trap_other
    /* From EL0 in AArch32: impossible, every thread runs in AArch64. */
    .balign 0x80
    b kernel_trap_other
    .balign 0x80
    b kernel_trap_other
    .balign 0x80
    b kernel_trap_other
    .balign 0x80
    b kernel_trap_other
    .balign 0x80

    .text
not_call:
    cmp x8, #SYS_REPLY_WAIT
    b.ne 1f
    bl fastpath_reply_wait          /* (x0 dest, x1 tag, x2 from) */
    cbz x0, fast_declined
    b fast_exit
1:  cbnz x8, slow_path
    mov x0, #0                      /* SYS_NULL: E_OK; nothing else changes */
    mov x10, #0                     /* x10 held the TCB: no kernel address to user */
    eret

fast_declined:                      /* x3..x7 may hold fast-path values: save zeros */
    mrs x10, tpidr_el1
    stp xzr, xzr, [x10, #REGS_X(3)]
    stp xzr, xzr, [x10, #REGS_X(5)]
    stp xzr, x8, [x10, #REGS_X(7)]
    b 2f
slow_path:
    SAVE_REST_FROM_X3
2:  SAVE_REST_FROM_X9
    bl syscall_slowpath             /* never returns */
    b .

/* x13..x30, sp, pc and pstate of the interrupted thread into the frame at x10. */
.macro SAVE_FROM_X13
    stp x13, x14, [x10, #REGS_X(13)]
    stp x15, x16, [x10, #REGS_X(15)]
    stp x17, x18, [x10, #REGS_X(17)]
    stp x19, x20, [x10, #REGS_X(19)]
    stp x21, x22, [x10, #REGS_X(21)]
    stp x23, x24, [x10, #REGS_X(23)]
    stp x25, x26, [x10, #REGS_X(25)]
    stp x27, x28, [x10, #REGS_X(27)]
    stp x29, x30, [x10, #REGS_X(29)]
    mrs x0, sp_el0
    str x0, [x10, #REGS_SP]
    mrs x0, elr_el1
    mrs x1, spsr_el1
    stp x0, x1, [x10, #REGS_PC]
.endm

/* Interrupted in user mode: the whole frame into the TCB, then the C handler. */
user_irq:
    stp x9, x10, [sp, #-16]!
    mrs x10, tpidr_el1
    stp x0, x1, [x10, #REGS_X(0)]
    stp x2, x3, [x10, #REGS_X(2)]
    ldp x0, x1, [sp], #16           /* the user's x9 and x10 */
    stp x0, x1, [x10, #REGS_X(9)]
    stp x4, x5, [x10, #REGS_X(4)]
    stp x6, x7, [x10, #REGS_X(6)]
    str x8, [x10, #REGS_X(8)]
    stp x11, x12, [x10, #REGS_X(11)]
    SAVE_FROM_X13
    bl user_irq_handler             /* never returns */
    b .

/* A user fault: the whole frame (x9 and x10 are lost to the checks above), then the C
 * handler, which reports the fault and kills the thread. */
user_sync_trap:
    mrs x10, tpidr_el1
    stp x0, x1, [x10, #REGS_X(0)]
    stp x2, x3, [x10, #REGS_X(2)]
    stp x4, x5, [x10, #REGS_X(4)]
    stp x6, x7, [x10, #REGS_X(6)]
    stp x8, xzr, [x10, #REGS_X(8)]
    stp xzr, x11, [x10, #REGS_X(10)]
    str x12, [x10, #REGS_X(12)]
    SAVE_FROM_X13
    mrs x0, esr_el1
    mrs x1, far_el1
    bl user_fault_handler           /* (esr, far): never returns */
    b .

/* An exception taken in the kernel is a kernel bug. */
kernel_trap_sync:
    mrs x0, esr_el1
    mrs x1, elr_el1
    mrs x2, far_el1
    bl kernel_trap                  /* panics */
    b .
kernel_irq:
    bl kernel_irq_handler           /* never returns */
    b .
kernel_trap_other:
    mov x0, #0
    mrs x1, elr_el1
    mov x2, #0
    bl kernel_trap
    b .

/* noreturn void arch_return_to_user(struct tcb *t): resume t from its whole frame. */
    .global arch_return_to_user
    .type arch_return_to_user, @function
arch_return_to_user:
    adrp x1, kernel_stack_top       /* the next entry starts on an empty stack */
    add x1, x1, :lo12:kernel_stack_top
    mov sp, x1
    ldp x1, x2, [x0, #REGS_PC]
    msr elr_el1, x1
    msr spsr_el1, x2
    ldr x1, [x0, #REGS_SP]
    msr sp_el0, x1
    ldp x2, x3, [x0, #REGS_X(2)]
    ldp x4, x5, [x0, #REGS_X(4)]
    ldp x6, x7, [x0, #REGS_X(6)]
    ldp x8, x9, [x0, #REGS_X(8)]
    ldp x10, x11, [x0, #REGS_X(10)]
    ldp x12, x13, [x0, #REGS_X(12)]
    ldp x14, x15, [x0, #REGS_X(14)]
    ldp x16, x17, [x0, #REGS_X(16)]
    ldp x18, x19, [x0, #REGS_X(18)]
    ldp x20, x21, [x0, #REGS_X(20)]
    ldp x22, x23, [x0, #REGS_X(22)]
    ldp x24, x25, [x0, #REGS_X(24)]
    ldp x26, x27, [x0, #REGS_X(26)]
    ldp x28, x29, [x0, #REGS_X(28)]
    ldr x30, [x0, #REGS_X30]
    ldp x0, x1, [x0, #REGS_X(0)]
    eret

    .bss
    .balign 4096
    .global kernel_stack_top
kernel_stack:
    .skip 16384
kernel_stack_top:
