/*
 * The user register frame of an aarch64 thread, kept at the start of its TCB.
 *
 * x0..x30 in order, then the user stack pointer (SP_EL0), the return address (ELR_EL1)
 * and the saved PSTATE (SPSR_EL1): pairs the entry code stores and loads with one
 * stp/ldp each. A system call saves x0..x2, x30, sp and pc and nothing else before
 * the fast path: the message registers x19..x28 are callee-saved in the C ABI and
 * fastpath.c is compiled never to use x8 or x12..x18, so they reach the receiver in
 * the CPU untouched; pstate is not kept (the flags are undefined after a system call).
 * The general path, interrupts and faults save the whole frame.
 * Offsets are mirrored in regs_offsets.h for the assembly; static assertions in regs.c
 * keep the two in step.
 */
#ifndef IPCLAB_ARCH_AARCH64_REGS_H
#define IPCLAB_ARCH_AARCH64_REGS_H

#include <stdint.h>

struct arch_regs {
    uint64_t x[31];         /* x0..x30 */
    uint64_t sp;            /* SP_EL0 */
    uint64_t pc;            /* ELR_EL1: where eret resumes the thread */
    uint64_t pstate;        /* SPSR_EL1: EL0t, flags, interrupt masks clear */
};

/* Message register i (0 <= i < ABI_REG_WORDS): x19 + i. */
static inline uint64_t *arch_regs_mr(struct arch_regs *r, unsigned i)
{
    return &r->x[19 + i];
}

static inline uint64_t arch_regs_syscall(const struct arch_regs *r)
{
    return r->x[8];
}

/* System call argument n: x0..x4. */
static inline uint64_t arch_regs_arg(const struct arch_regs *r, unsigned n)
{
    return r->x[n];
}

static inline void arch_regs_set_result(struct arch_regs *r, uint64_t error,
                                        uint64_t value0, uint64_t value1)
{
    r->x[0] = error;
    r->x[1] = value0;
    r->x[2] = value1;
}

#endif
