/*
 * The riscv64 hooks the IPC fast path calls, inline so that the path has no calls.
 */
#ifndef IPCLAB_ARCH_RISCV64_INLINE_H
#define IPCLAB_ARCH_RISCV64_INLINE_H

#include <stdint.h>

#include <arch/cpu.h>
#include <arch/regs.h>
#include <arch/space.h>

#include "tcb.h"

/* sscratch holds the running thread's TCB (its frame comes first): the next entry
 * from user mode saves into it. */
static inline void arch_set_current(struct tcb *t)
{
    csr_write(sscratch, (uint64_t)(uintptr_t)t);
}

/* The new satp (root table and ASID) needs no sfence.vma: each space has its own ASID,
 * its tables were fenced when they changed (mmu.c), and the kernel's mappings are
 * global and the same in every space. */
static inline void arch_switch_space(const struct arch_space *to)
{
    csr_write(satp, to->satp);
}

#endif
