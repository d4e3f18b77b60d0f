/*
 * The one IPC stub every measurement uses, and its twin with the syscall replaced by
 * a nop (for overhead calibration, as sel4bench does). Both read the cycle counter
 * (lfence; rdtsc) just before the trap and just after it returns, into
 * args->t_before and args->t_after, so the instructions between a client's read and a
 * server's read are the same as between the twin's two reads, plus the kernel path.
 *
 *   void ipc_stub(struct ipc_args *args);      void ipc_stub_nop(struct ipc_args *args);
 *
 * struct ipc_args (sys.h): nr, dest, tag, from, mr[8], error, t_before, t_after, at the
 * offsets of ipc_args.h.
 */
#include "ipc_args.h"

#define A_NR IPC_ARGS_NR
#define A_DEST IPC_ARGS_DEST
#define A_TAG IPC_ARGS_TAG
#define A_FROM IPC_ARGS_FROM
#define A_MR IPC_ARGS_MR
#define A_ERROR IPC_ARGS_ERROR
#define A_T_BEFORE IPC_ARGS_T_BEFORE
#define A_T_AFTER IPC_ARGS_T_AFTER

.macro IPC_STUB name, trap
    .global \name
    .type \name, @function
\name:
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    pushq %rdi
    movq A_MR+0(%rdi), %r8
    movq A_MR+8(%rdi), %r9
    movq A_MR+16(%rdi), %r10
    movq A_MR+24(%rdi), %rbx
    movq A_MR+32(%rdi), %r12
    movq A_MR+40(%rdi), %r13
    movq A_MR+48(%rdi), %r14
    movq A_MR+56(%rdi), %r15
    lfence
    rdtsc
    shlq $32, %rdx
    orq %rdx, %rax
    movq %rax, A_T_BEFORE(%rdi)
    movq A_FROM(%rdi), %rdx
    movq A_TAG(%rdi), %rsi
    movq A_NR(%rdi), %rax
    movq A_DEST(%rdi), %rdi
    \trap
    movq %rax, %r11
    lfence
    rdtsc
    shlq $32, %rdx
    orq %rdx, %rax
    movq (%rsp), %rcx
    movq %rax, A_T_AFTER(%rcx)
    movq %r11, A_ERROR(%rcx)
    movq %rdi, A_DEST(%rcx)
    movq %rsi, A_TAG(%rcx)
    movq %r8, A_MR+0(%rcx)
    movq %r9, A_MR+8(%rcx)
    movq %r10, A_MR+16(%rcx)
    movq %rbx, A_MR+24(%rcx)
    movq %r12, A_MR+32(%rcx)
    movq %r13, A_MR+40(%rcx)
    movq %r14, A_MR+48(%rcx)
    movq %r15, A_MR+56(%rcx)
    popq %rdi
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    ret
.endm

    .text
IPC_STUB ipc_stub, syscall
IPC_STUB ipc_stub_nop, nop
