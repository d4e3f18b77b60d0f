/*
 * The one IPC stub every measurement uses, and its twin with the syscall replaced by
 * a nop (for overhead calibration, as sel4bench does). Both read the cycle counter
 * (lfence; rdtsc) just before the trap and just after it returns, into
 * args->t_before and args->t_after, so the instructions between a client's read and a
 * server's read are the same as between the twin's two reads, plus the kernel path.
 *
 *   void ipc_stub(struct ipc_args *args);      void ipc_stub_nop(struct ipc_args *args);
 *
 * struct ipc_args (sys.h): nr, dest, tag, from, mr[8], error, t_before, t_after.
 */
#define A_NR 0
#define A_DEST 8
#define A_TAG 16
#define A_FROM 24
#define A_MR 32
#define A_ERROR 96
#define A_T_BEFORE 104
#define A_T_AFTER 112

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
