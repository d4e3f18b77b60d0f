/*
 * Interrupt and exception stubs: each pushes a vector number (and a zero where the
 * CPU pushes no error code), then all general registers, and calls trap_handler with
 * a pointer to that struct trap_frame (traps.c).
 *
 * With a separate trap stack (include/arch/skim.h: KPTI=on) a trap from user mode
 * lands on that stack; trap_common switches to the kernel's page tables, then to the
 * kernel stack, and passes the frame where it lies. Under TCB=varray too, traps run on
 * the one kernel stack (only system calls run on the thread's own, syscall_entry.S):
 * a fault kills its thread, whose TCB block, stack included, then goes back.
 * trap_handler reads the frame before anything could overwrite it, and never returns.
 */
#include "config.h"
#include <arch/skim.h>

#define TRAP_FRAME_CS 144           /* struct trap_frame: 15 registers, vector, error, rip */

    SKIM_TEXT_SECTION
.macro TRAP_NOERR vec
    .global trap_\vec
trap_\vec:
    pushq $0
    pushq $\vec
    jmp trap_common
.endm
.macro TRAP_ERR vec
    .global trap_\vec
trap_\vec:
    pushq $\vec
    jmp trap_common
.endm

TRAP_NOERR 0
TRAP_NOERR 1
TRAP_NOERR 2
TRAP_NOERR 3
TRAP_NOERR 4
TRAP_NOERR 5
TRAP_NOERR 6
TRAP_NOERR 7
TRAP_ERR 8
TRAP_NOERR 9
TRAP_ERR 10
TRAP_ERR 11
TRAP_ERR 12
TRAP_ERR 13
TRAP_ERR 14
TRAP_NOERR 15
TRAP_NOERR 16
TRAP_ERR 17
TRAP_NOERR 18
TRAP_NOERR 19
TRAP_NOERR 20
TRAP_ERR 21
TRAP_NOERR 32
TRAP_NOERR 39
TRAP_NOERR 48

trap_common:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    cld
#if CONFIG_KPTI_ON
    movl $boot_pml4, %eax           /* rax is saved: the kernel's page tables */
    movq %rax, %cr3
#endif
    movq %rsp, %rdi
#if TRAP_STACK_SEPARATE
    testb $3, TRAP_FRAME_CS(%rsp)
    jz 1f                           /* from kernel mode (the idle wait): stay */
    leaq kernel_stack_top(%rip), %rsp
1:
#endif
    call trap_handler               /* never returns */
    ud2

#if TRAP_STACK_SEPARATE
    /* Room for the CPU's frame, the stub's words and trap_common's registers. */
    SKIM_BSS_SECTION
    .align 16
    .global trap_stack_top
trap_stack:
    .skip 512
trap_stack_top:
#endif

    .section .rodata
    .global trap_vectors
trap_vectors:
    .quad trap_0, trap_1, trap_2, trap_3, trap_4, trap_5, trap_6, trap_7
    .quad trap_8, trap_9, trap_10, trap_11, trap_12, trap_13, trap_14, trap_15
    .quad trap_16, trap_17, trap_18, trap_19, trap_20, trap_21
    .global trap_timer_vector, trap_spurious_vector, trap_user_timer_vector
trap_timer_vector:
    .quad trap_32
trap_spurious_vector:
    .quad trap_39
trap_user_timer_vector:
    .quad trap_48
