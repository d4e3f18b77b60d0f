/*
 * The timed system call (struct sc in linuxbench.h) and its nop twin, and the
 * back-to-back pair of them that a round trip uses.
 *
 * Counter reads sit right around the trap: everything between a sender's "before"
 * read and a receiver's "after" read that is not kernel is the tail of one stub and
 * the head of another, the same instructions as one call of the nop twin, which is
 * what the overhead calibration subtracts (the sel4bench method).
 *
 * rbx holds the struct across the trap: `syscall` clobbers only rcx, r11 and rax, and
 * rbx is callee-saved in the C ABI, so it is pushed and popped.
 */
#define SC_NR 0
#define SC_ARG 8
#define SC_RET 56
#define SC_T_BEFORE 64
#define SC_T_AFTER 72

.macro TIMED_CALL name, trap
    .globl \name
    .type \name, @function
\name:
    pushq %rbx
    movq %rdi, %rbx
    movq SC_ARG+0(%rbx), %rdi
    movq SC_ARG+8(%rbx), %rsi
    movq SC_ARG+24(%rbx), %r10
    movq SC_ARG+32(%rbx), %r8
    movq SC_ARG+40(%rbx), %r9
    lfence
    rdtsc
    shlq $32, %rdx
    orq %rdx, %rax
    movq %rax, SC_T_BEFORE(%rbx)
    movq SC_ARG+16(%rbx), %rdx      /* rdx last: rdtsc wrote it */
    movq SC_NR(%rbx), %rax
    \trap
    movq %rax, SC_RET(%rbx)
    lfence
    rdtsc
    shlq $32, %rdx
    orq %rdx, %rax
    movq %rax, SC_T_AFTER(%rbx)
    popq %rbx
    ret
    .size \name, . - \name
.endm

/* Two timed calls in a row; the second struct pointer is kept in a callee-saved
 * register so nothing but this fixed glue runs between the two stubs. */
.macro TIMED_PAIR name, call
    .globl \name
    .type \name, @function
\name:
    pushq %r12
    movq %rsi, %r12
    call \call
    movq %r12, %rdi
    call \call
    popq %r12
    ret
    .size \name, . - \name
.endm

    .text
TIMED_CALL sc_timed, syscall
TIMED_CALL sc_timed_nop, nop
TIMED_PAIR sc_pair, sc_timed
TIMED_PAIR sc_pair_nop, sc_timed_nop

    .section .note.GNU-stack, "", @progbits
