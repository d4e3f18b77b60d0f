/*
 * The user register frame of an x86_64 thread, kept at the start of its TCB.
 *
 * The order is the entry code's push order, reversed. A system call saves the first
 * seven words (up to rsp) and nothing else: the fast path leaves every message
 * register (r8-r10, rbx, r12-r15) and rbp in the CPU, where they reach the receiver
 * untouched (rbx, rbp and r12-r15 are callee-saved in the C ABI, and fastpath.c is
 * compiled never to use r8-r10). The general path and interrupts save the remaining
 * words too. Offsets are mirrored in regs_offsets.h for the assembly; static
 * assertions in regs.c keep the two in step.
 */
#ifndef IPCLAB_ARCH_X86_64_REGS_H
#define IPCLAB_ARCH_X86_64_REGS_H

#include <stdint.h>

enum resume_kind {
    RESUME_SYSRET = 0,  /* the thread is in a system call: sysretq, rcx/r11 are free */
    RESUME_IRET = 1,    /* interrupted or faulted: every register must come back */
};

struct arch_regs {
    uint64_t rax, rdi, rsi, rdx;        /* call number and arguments; results */
    uint64_t rip, rflags, rsp;          /* from rcx, r11 and the user stack pointer */
    uint64_t rbx, rbp;                  /* saved from here on: general path only */
    uint64_t r8, r9, r10;
    uint64_t r12, r13, r14, r15;
    uint64_t rcx, r11;                  /* live only in an interrupted thread */
    uint64_t resume_kind;               /* enum resume_kind */
};

/* Message register i (0 <= i < ABI_REG_WORDS) as a slot of the frame. */
static inline uint64_t *arch_regs_mr(struct arch_regs *r, unsigned i)
{
    static const uint8_t slot[8] = {
        __builtin_offsetof(struct arch_regs, r8) / 8,
        __builtin_offsetof(struct arch_regs, r9) / 8,
        __builtin_offsetof(struct arch_regs, r10) / 8,
        __builtin_offsetof(struct arch_regs, rbx) / 8,
        __builtin_offsetof(struct arch_regs, r12) / 8,
        __builtin_offsetof(struct arch_regs, r13) / 8,
        __builtin_offsetof(struct arch_regs, r14) / 8,
        __builtin_offsetof(struct arch_regs, r15) / 8,
    };
    return (uint64_t *)r + slot[i];
}

static inline uint64_t arch_regs_syscall(const struct arch_regs *r)
{
    return r->rax;
}

/* System call argument n: rdi, rsi, rdx, r8, r9 (the message registers double up). */
static inline uint64_t arch_regs_arg(const struct arch_regs *r, unsigned n)
{
    switch (n) {
    case 0: return r->rdi;
    case 1: return r->rsi;
    case 2: return r->rdx;
    case 3: return r->r8;
    default: return r->r9;
    }
}

static inline void arch_regs_set_result(struct arch_regs *r, uint64_t error,
                                        uint64_t value0, uint64_t value1)
{
    r->rax = error;
    r->rdi = value0;
    r->rsi = value1;
}

#endif
