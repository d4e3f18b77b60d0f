/*
 * The aarch64 hooks the IPC fast path calls, inline so that the path has no calls.
 */
#ifndef IPCLAB_ARCH_AARCH64_INLINE_H
#define IPCLAB_ARCH_AARCH64_INLINE_H

#include <stdint.h>

#include <arch/cpu.h>
#include <arch/regs.h>
#include <arch/space.h>

#include "tcb.h"

/* TPIDR_EL1 holds the running thread's TCB (its frame comes first): the next entry
 * from user mode saves into it. */
static inline void arch_set_current(struct tcb *t)
{
    write_sysreg(tpidr_el1, (uint64_t)(uintptr_t)t);
}

/* The new TTBR0 (table and ASID) needs no TLB flush: each space has its own ASID and
 * the kernel's mappings are global and the same in every space. No ISB either: the
 * kernel reaches only its own mappings before the eret that leaves, and eret is a
 * context synchronisation event. */
static inline void arch_switch_space(const struct arch_space *to)
{
    write_sysreg(ttbr0_el1, to->ttbr0);
}

#endif
