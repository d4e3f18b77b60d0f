/*
 * System call entry and every return to user mode.
 *
 * Entry saves only what the fast path needs, straight into the running thread's TCB
 * (entry_frame_top points just past the partial frame, see regs.h): user rsp, rflags
 * (r11), rip (rcx), and the call number and arguments. The message registers (r8-r10,
 * rbx, r12-r15) and rbp stay in the CPU: the C fast path never touches them, so they
 * reach the receiver as they are. If the fast path declines, they are saved too and
 * the general path runs.
 *
 * Dispatch tests SYS_CALL first, then SYS_REPLY_WAIT, then the null system call,
 * which returns from here: through the same entry and exit code as the fast path.
 * FASTPATH=asm jumps to the assembly fast path (fastpath_asm.S) instead of calling the
 * C one; it comes back to pop_frame or slow_path.
 *
 * FRAME=full (kernel/core/regframe.h): the entry saves every register, not just the
 * partial frame, and the exit restores the receiver's whole frame; the fast path then
 * copies the message words frame to frame, and a receiver's registers past the
 * message keep its own values.
 */
#include "config.h"
#include <arch/regs_offsets.h>
#include <arch/skim.h>
#include <arch/tcb_region.h>
#include <ipclab/abi.h>

#define SEL_USER_DATA (0x18 | 3)
#define SEL_USER_CODE (0x20 | 3)

/* The registers past the partial frame, saved to or loaded from the frame at `base`,
 * which the assembler offsets by `adjust` bytes. */
.macro SAVE_REST base, adjust
    movq %rbx, (REGS_RBX - \adjust)(\base)
    movq %rbp, (REGS_RBP - \adjust)(\base)
    movq %r8, (REGS_R8 - \adjust)(\base)
    movq %r9, (REGS_R9 - \adjust)(\base)
    movq %r10, (REGS_R10 - \adjust)(\base)
    movq %r12, (REGS_R12 - \adjust)(\base)
    movq %r13, (REGS_R13 - \adjust)(\base)
    movq %r14, (REGS_R14 - \adjust)(\base)
    movq %r15, (REGS_R15 - \adjust)(\base)
.endm
.macro LOAD_REST base
    movq REGS_RBX(\base), %rbx
    movq REGS_RBP(\base), %rbp
    movq REGS_R8(\base), %r8
    movq REGS_R9(\base), %r9
    movq REGS_R10(\base), %r10
    movq REGS_R12(\base), %r12
    movq REGS_R13(\base), %r13
    movq REGS_R14(\base), %r14
    movq REGS_R15(\base), %r15
.endm

/* KPTI=on: the kernel's page tables on entry (rsp is the only free register, its user
 * value is in the scratch word) and the user's on exit (kpti_user_cr3, arch/kpti.c).
 * Exit has no free register either: the user rsp waits in the scratch word while rsp
 * carries the CR3 value. */
.macro KPTI_ENTRY
#if CONFIG_KPTI_ON
    movl $boot_pml4, %esp
    movq %rsp, %cr3
#endif
.endm
.macro EXIT_USER_RSP
#if CONFIG_KPTI_ON
    movq (%rsp), %rsp
    movq %rsp, user_rsp_scratch(%rip)
    movq kpti_user_cr3(%rip), %rsp
    movq %rsp, %cr3
    movq user_rsp_scratch(%rip), %rsp
#else
    popq %rsp
#endif
.endm

/* The kernel stack of a system call, from rsp at the frame's start (the TCB's start):
 * the one kernel stack, or under TCB=varray the running thread's own, above its TCB
 * (process orientation). Traps and the idle wait use the one kernel stack in every
 * configuration: a thread killed by its fault gives its TCB block back at once. */
.macro STACK_FROM_FRAME
#if CONFIG_TCB_VARRAY
    leaq TCB_BLOCK_SIZE(%rsp), %rsp
#else
    leaq kernel_stack_top(%rip), %rsp
#endif
.endm

    SKIM_TEXT_SECTION
    .global syscall_entry
    .type syscall_entry, @function
syscall_entry:
    movq %rsp, user_rsp_scratch(%rip)
    KPTI_ENTRY
    movq entry_frame_top(%rip), %rsp
    pushq user_rsp_scratch(%rip)
    pushq %r11
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rax
#if CONFIG_FRAME_FULL
    SAVE_REST %rsp, 0               /* rsp is the frame's start now */
#endif
    cmpq $SYS_CALL, %rax
    jne 1f
#if CONFIG_FASTPATH_ASM
    jmp fastpath_asm_call           /* fastpath_asm.S: back to pop_frame or slow_path */
#else
    STACK_FROM_FRAME
    call fastpath_call              /* (rdi dest, rsi tag) -> next thread or NULL */
    testq %rax, %rax
    jz slow_path
    movq %rax, %rsp                 /* the TCB starts with its register frame */
#endif
/* The exits: pop_frame restores what the fast path's receiver needs from the frame
 * at rsp (under FRAME=full, all of it), pop_partial_frame the partial frame alone. */
#if CONFIG_FASTPATH_ASM
    .global pop_frame, slow_path    /* where fastpath_asm.S leaves to */
#endif
pop_frame:
#if CONFIG_FRAME_FULL
    LOAD_REST %rsp
#endif
pop_partial_frame:
    popq %rax
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %r11
    EXIT_USER_RSP
    sysretq
1:  cmpq $SYS_REPLY_WAIT, %rax
    jne 2f
#if CONFIG_FASTPATH_ASM
    jmp fastpath_asm_reply_wait
#else
    STACK_FROM_FRAME
    call fastpath_reply_wait        /* (rdi dest, rsi tag, rdx from) */
    testq %rax, %rax
    jz slow_path
    movq %rax, %rsp
    jmp pop_frame
#endif
2:  testq %rax, %rax
    jz pop_partial_frame            /* SYS_NULL: rax (E_OK) is already in place, and
                                       the registers past the partial frame too */
slow_path:
#if !CONFIG_FRAME_FULL              /* (full: the entry saved them already) */
    movq entry_frame_top(%rip), %rax
    SAVE_REST %rax, REGS_PARTIAL_END
#endif
#if CONFIG_TCB_VARRAY
    movq entry_frame_top(%rip), %rsp
    subq $REGS_PARTIAL_END, %rsp
    STACK_FROM_FRAME
#else
    leaq kernel_stack_top(%rip), %rsp
#endif
    call syscall_slowpath           /* never returns */
    ud2

/* noreturn void arch_return_to_user(struct tcb *t): resume t from its frame. */
    .global arch_return_to_user
    .type arch_return_to_user, @function
arch_return_to_user:
    cmpq $RESUME_KIND_IRET, REGS_RESUME_KIND(%rdi)
    je 3f
#if CONFIG_FRAME_FULL
    movq %rdi, %rsp
    jmp pop_frame
#else
    LOAD_REST %rdi
    movq %rdi, %rsp
    jmp pop_partial_frame
#endif
3:  /* Interrupted or faulted: every register back, through iretq. */
    movq $0, REGS_RESUME_KIND(%rdi)
#if CONFIG_KPTI_ON
    /* The iret frame must stay mapped once CR3 is the user's: the trap stack is, and
     * the user rdi waits in the scratch word (rdi is the base register below). */
    leaq trap_stack_top(%rip), %rsp
    movq REGS_RDI(%rdi), %rax
    movq %rax, user_rsp_scratch(%rip)
#else
    leaq kernel_stack_top(%rip), %rsp
#endif
    pushq $SEL_USER_DATA
    pushq REGS_RSP(%rdi)
    pushq REGS_RFLAGS(%rdi)
    pushq $SEL_USER_CODE
    pushq REGS_RIP(%rdi)
    movq REGS_RAX(%rdi), %rax
    movq REGS_RBX(%rdi), %rbx
    movq REGS_RCX(%rdi), %rcx
    movq REGS_RDX(%rdi), %rdx
    movq REGS_RSI(%rdi), %rsi
    movq REGS_RBP(%rdi), %rbp
    movq REGS_R8(%rdi), %r8
    movq REGS_R9(%rdi), %r9
    movq REGS_R10(%rdi), %r10
    movq REGS_R11(%rdi), %r11
    movq REGS_R12(%rdi), %r12
    movq REGS_R13(%rdi), %r13
    movq REGS_R14(%rdi), %r14
    movq REGS_R15(%rdi), %r15
#if CONFIG_KPTI_ON
    movq kpti_user_cr3(%rip), %rdi
    movq %rdi, %cr3
    movq user_rsp_scratch(%rip), %rdi
#else
    movq REGS_RDI(%rdi), %rdi
#endif
    iretq

    SKIM_BSS_SECTION
    .align 16
user_rsp_scratch:
    .skip 8
    .bss
    .align 4096
    .global kernel_stack_top
kernel_stack:
    .skip 16384
kernel_stack_top:
