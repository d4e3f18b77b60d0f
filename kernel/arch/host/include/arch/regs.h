/*
 * The "host" architecture: what the portable kernel core needs of a register frame
 * when it is compiled into a Linux program for unit tests and host benchmarks. The
 * frame is a plain array; no code here ever enters user mode.
 */
#ifndef IPCLAB_ARCH_HOST_REGS_H
#define IPCLAB_ARCH_HOST_REGS_H

#include <stdint.h>

struct arch_regs {
    uint64_t syscall;
    uint64_t arg[5];
    uint64_t mr[8];
    uint64_t ip, sp;
};

static inline uint64_t *arch_regs_mr(struct arch_regs *r, unsigned i)
{
    return &r->mr[i];
}

static inline uint64_t arch_regs_syscall(const struct arch_regs *r)
{
    return r->syscall;
}

static inline uint64_t arch_regs_arg(const struct arch_regs *r, unsigned n)
{
    return r->arg[n];
}

/* Results land where a real frame has them: error, then two values. */
static inline void arch_regs_set_result(struct arch_regs *r, uint64_t error,
                                        uint64_t value0, uint64_t value1)
{
    r->syscall = error;
    r->arg[0] = value0;
    r->arg[1] = value1;
}

#endif
