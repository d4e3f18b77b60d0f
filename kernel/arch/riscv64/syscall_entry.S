/*
 * The trap vectors, system call entry and every return to user mode.
 *
 * stvec is in direct mode: every trap enters at trap_vectors. (Vectored mode would save
 * the dispatch on interrupts, but OpenSBI redirects the exceptions it takes first, an
 * illegal instruction among them, to stvec with its mode bit still set, an odd
 * address: a user's illegal instruction would then loop in the kernel for good.)
 * sscratch holds the running thread's TCB, whose register frame comes first (see
 * include/arch/regs.h). The entry swaps it with t6 and saves t5, and so has two
 * registers to tell an interrupt (every user register saved, the timer handler) from
 * an exception; an ecall or a fault then puts the TCB back in sscratch (t5 and t6 are
 * destroyed by a system call, as rcx and r11 are on x86_64). An ecall saves only what
 * the fast path needs (the caller's a0..a2, ra, sp and the pc after the ecall), takes
 * the kernel stack and calls fastpath_call; on success it loads the receiver's a0..a6,
 * t4..t6, ra, sp and pc and srets. The message registers s0..s11 stay in the CPU: the
 * C fast path is compiled without a frame pointer and never to use a7 or t0..t3, and
 * restores any callee-saved register it uses, so they reach the receiver as they are.
 * If the fast path declines, the rest of the frame is saved (a3..a6 and t4..t6, which
 * it may have overwritten, as zero) and the general path runs.
 *
 * Dispatch tests SYS_CALL first, then SYS_REPLY_WAIT, then the null system call,
 * which returns from here: the same order as on x86_64.
 */
#include <arch/regs_offsets.h>
#include <ipclab/abi.h>

#define SCAUSE_ECALL_U 8
#define SCAUSE_TIMER_S 5                /* with the interrupt bit shifted out */
#define SSTATUS_SPP 0x100

/* Save the registers x3..x9 and x13..x29 (x10..x12 and x1, x2 are saved already)
 * of the thread whose frame t6 points to. */
.macro SAVE_GP_TP_T0_T2_S0_S1
    sd x3, REGS_X(3)(t6)
    sd x4, REGS_X(4)(t6)
    sd x5, REGS_X(5)(t6)
    sd x6, REGS_X(6)(t6)
    sd x7, REGS_X(7)(t6)
    sd x8, REGS_X(8)(t6)
    sd x9, REGS_X(9)(t6)
.endm
.macro SAVE_S2_S11_T3
    sd x18, REGS_X(18)(t6)
    sd x19, REGS_X(19)(t6)
    sd x20, REGS_X(20)(t6)
    sd x21, REGS_X(21)(t6)
    sd x22, REGS_X(22)(t6)
    sd x23, REGS_X(23)(t6)
    sd x24, REGS_X(24)(t6)
    sd x25, REGS_X(25)(t6)
    sd x26, REGS_X(26)(t6)
    sd x27, REGS_X(27)(t6)
    sd x28, REGS_X(28)(t6)
.endm

    .section .text.vectors, "ax"
    .balign 4
    .global trap_vectors
trap_vectors:
    csrrw t6, sscratch, t6          /* t6: the TCB; sscratch: the user's t6 */
    sd t5, REGS_X(30)(t6)
    csrr t5, scause
    bltz t5, interrupt              /* the cause's top bit: an interrupt */
    csrw sscratch, t6               /* an exception: sscratch holds the TCB again */
    .global syscall_entry
syscall_entry:
    addi t5, t5, -SCAUSE_ECALL_U
    bnez t5, other_exception
    csrr t5, sepc
    sd ra, REGS_X(1)(t6)
    sd sp, REGS_X(2)(t6)
    addi t5, t5, 4                  /* resume after the ecall */
    sd t5, REGS_PC(t6)
    sd a0, REGS_X(10)(t6)
    sd a1, REGS_X(11)(t6)
    sd a2, REGS_X(12)(t6)
    ld sp, REGS_KERNEL_SP(t6)
    li t5, SYS_CALL
    bne a7, t5, not_call
    jal fastpath_call               /* (a0 dest, a1 tag) -> next thread or NULL */
    beqz a0, fast_declined
    .global fast_exit
fast_exit:                          /* a0: the thread to resume, already current */
    ld t6, REGS_PC(a0)
    csrw sepc, t6
    ld ra, REGS_X(1)(a0)
    ld sp, REGS_X(2)(a0)
    ld a1, REGS_X(11)(a0)
    ld a2, REGS_X(12)(a0)
    ld a3, REGS_X(13)(a0)
    ld a4, REGS_X(14)(a0)
    ld a5, REGS_X(15)(a0)
    ld a6, REGS_X(16)(a0)
    ld t4, REGS_X(29)(a0)
    ld t5, REGS_X(30)(a0)
    ld a0, REGS_X(10)(a0)
    sret

not_call:
    li t5, SYS_REPLY_WAIT
    bne a7, t5, 1f
    jal fastpath_reply_wait         /* (a0 dest, a1 tag, a2 from) */
    beqz a0, fast_declined
    j fast_exit
1:  bnez a7, slow_path
    ld t5, REGS_PC(t6)              /* SYS_NULL: E_OK, back after the ecall */
    csrw sepc, t5
    ld sp, REGS_X(2)(t6)
    li a0, 0
    li t6, 0                        /* t6 held the TCB: no kernel address to user */
    sret

fast_declined:                      /* a3..a6, t4..t6 may hold fast-path values: zeros */
    csrr t6, sscratch
    sd zero, REGS_X(13)(t6)
    sd zero, REGS_X(14)(t6)
    sd zero, REGS_X(15)(t6)
    sd zero, REGS_X(16)(t6)
    sd a7, REGS_X(17)(t6)
    sd zero, REGS_X(29)(t6)
    j 2f
slow_path:
    sd a3, REGS_X(13)(t6)
    sd a4, REGS_X(14)(t6)
    sd a5, REGS_X(15)(t6)
    sd a6, REGS_X(16)(t6)
    sd a7, REGS_X(17)(t6)
    sd t4, REGS_X(29)(t6)
2:  SAVE_GP_TP_T0_T2_S0_S1
    SAVE_S2_S11_T3
    sd zero, REGS_X(30)(t6)         /* t5, t6: the entry's scratch registers */
    sd zero, REGS_X(31)(t6)
    jal syscall_slowpath            /* never returns */
    j .

/* Interrupted (in user mode, or in the idle wait): the whole frame into the TCB, then
 * the C handler. Only the supervisor timer interrupt is enabled. */
interrupt:
    slli t5, t5, 1
    addi t5, t5, -2 * SCAUSE_TIMER_S
    bnez t5, unexpected_interrupt
    sd ra, REGS_X(1)(t6)
    sd sp, REGS_X(2)(t6)
    sd a0, REGS_X(10)(t6)
    sd a1, REGS_X(11)(t6)
    sd a2, REGS_X(12)(t6)
    sd a3, REGS_X(13)(t6)
    sd a4, REGS_X(14)(t6)
    sd a5, REGS_X(15)(t6)
    sd a6, REGS_X(16)(t6)
    sd a7, REGS_X(17)(t6)
    sd t4, REGS_X(29)(t6)
    SAVE_GP_TP_T0_T2_S0_S1
    SAVE_S2_S11_T3
    csrr t5, sscratch
    sd t5, REGS_X(31)(t6)
    csrw sscratch, t6
    csrr t5, sepc
    sd t5, REGS_PC(t6)
    ld sp, REGS_KERNEL_SP(t6)
    jal user_timer_handler          /* never returns */
    j .

/* Any other exception: a user fault (t5 and t6 are lost to the check above; the
 * thread is killed), or one taken in the kernel, a kernel bug. */
other_exception:
    csrr t5, sstatus
    andi t5, t5, SSTATUS_SPP
    bnez t5, kernel_exception
    sd ra, REGS_X(1)(t6)
    sd sp, REGS_X(2)(t6)
    sd a0, REGS_X(10)(t6)
    sd a1, REGS_X(11)(t6)
    sd a2, REGS_X(12)(t6)
    sd a3, REGS_X(13)(t6)
    sd a4, REGS_X(14)(t6)
    sd a5, REGS_X(15)(t6)
    sd a6, REGS_X(16)(t6)
    sd a7, REGS_X(17)(t6)
    sd t4, REGS_X(29)(t6)
    SAVE_GP_TP_T0_T2_S0_S1
    SAVE_S2_S11_T3
    sd zero, REGS_X(30)(t6)
    sd zero, REGS_X(31)(t6)
    csrr t5, sepc
    sd t5, REGS_PC(t6)
    ld sp, REGS_KERNEL_SP(t6)
    csrr a0, scause
    csrr a1, stval
    jal user_fault_handler          /* (scause, stval): never returns */
    j .

kernel_exception:
    la sp, kernel_stack_top
    csrr a0, scause
    csrr a1, sepc
    csrr a2, stval
    jal kernel_trap                 /* panics */
    j .

unexpected_interrupt:
    la sp, kernel_stack_top
    csrr a0, scause
    csrr a1, sepc
    li a2, 0
    jal kernel_trap
    j .

/* noreturn void arch_return_to_user(struct tcb *t): resume t from its whole frame. */
    .text
    .global arch_return_to_user
    .type arch_return_to_user, @function
arch_return_to_user:
    li t0, SSTATUS_SPP              /* sret goes to user mode */
    csrc sstatus, t0
    ld t0, REGS_PC(a0)
    csrw sepc, t0
    ld x1, REGS_X(1)(a0)
    ld x2, REGS_X(2)(a0)
    ld x3, REGS_X(3)(a0)
    ld x4, REGS_X(4)(a0)
    ld x5, REGS_X(5)(a0)
    ld x6, REGS_X(6)(a0)
    ld x7, REGS_X(7)(a0)
    ld x8, REGS_X(8)(a0)
    ld x9, REGS_X(9)(a0)
    ld x11, REGS_X(11)(a0)
    ld x12, REGS_X(12)(a0)
    ld x13, REGS_X(13)(a0)
    ld x14, REGS_X(14)(a0)
    ld x15, REGS_X(15)(a0)
    ld x16, REGS_X(16)(a0)
    ld x17, REGS_X(17)(a0)
    ld x18, REGS_X(18)(a0)
    ld x19, REGS_X(19)(a0)
    ld x20, REGS_X(20)(a0)
    ld x21, REGS_X(21)(a0)
    ld x22, REGS_X(22)(a0)
    ld x23, REGS_X(23)(a0)
    ld x24, REGS_X(24)(a0)
    ld x25, REGS_X(25)(a0)
    ld x26, REGS_X(26)(a0)
    ld x27, REGS_X(27)(a0)
    ld x28, REGS_X(28)(a0)
    ld x29, REGS_X(29)(a0)
    ld x30, REGS_X(30)(a0)
    ld x31, REGS_X(31)(a0)
    ld x10, REGS_X(10)(a0)
    sret

    .bss
    .balign 4096
    .global kernel_stack_top
kernel_stack:
    .skip 16384
kernel_stack_top:
