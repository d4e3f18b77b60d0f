/*
 * The user register frame of a riscv64 thread, kept at the start of its TCB.
 *
 * x[n] is register xn; x0 is hard-wired zero, so its slot holds the pc instead (where
 * sret resumes the thread). A system call saves a0..a2, ra, sp and the pc and nothing
 * else before the fast path: the message registers s0..s11 are callee-saved in the C
 * ABI and fastpath.c is compiled never to use a7 or t0..t3, so they reach the receiver
 * in the CPU untouched. The general path, interrupts and faults save the whole frame.
 * kernel_sp is where the kernel stack starts on an entry from this thread (the one
 * kernel stack's top; a load from the frame costs one instruction, its address two).
 * Offsets are mirrored in regs_offsets.h for the assembly; static assertions in regs.c
 * keep the two in step.
 */
#ifndef IPCLAB_ARCH_RISCV64_REGS_H
#define IPCLAB_ARCH_RISCV64_REGS_H

#include <stdint.h>

struct arch_regs {
    uint64_t x[32];         /* x1..x31; x[0] is the pc */
    uint64_t kernel_sp;
};

#define REG_PC 0
#define REG_A0 10

/* Message register i (0 <= i < ABI_REG_WORDS): s0, s1 (x8, x9), then s2..s11 (x18..x27). */
static inline uint64_t *arch_regs_mr(struct arch_regs *r, unsigned i)
{
    return &r->x[i < 2 ? 8 + i : 16 + i];
}

static inline uint64_t arch_regs_syscall(const struct arch_regs *r)
{
    return r->x[17]; /* a7 */
}

/* System call argument n: a0..a4. */
static inline uint64_t arch_regs_arg(const struct arch_regs *r, unsigned n)
{
    return r->x[REG_A0 + n];
}

static inline void arch_regs_set_result(struct arch_regs *r, uint64_t error,
                                        uint64_t value0, uint64_t value1)
{
    r->x[REG_A0] = error;
    r->x[REG_A0 + 1] = value0;
    r->x[REG_A0 + 2] = value1;
}

#endif
