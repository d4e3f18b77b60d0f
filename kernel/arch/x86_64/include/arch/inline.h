/*
 * The x86_64 hooks the IPC fast path calls, inline so that the path has no calls.
 */
#ifndef IPCLAB_ARCH_X86_64_INLINE_H
#define IPCLAB_ARCH_X86_64_INLINE_H

#include <stdint.h>

#include <arch/cpu.h>
#include <arch/regs.h>
#include <arch/regs_offsets.h>
#include <arch/space.h>

#include "tcb.h"

/* Where the next system call entry starts pushing: just past t's partial frame. */
extern uint64_t entry_frame_top;

static inline void arch_set_current(struct tcb *t)
{
    entry_frame_top = (uint64_t)(uintptr_t)&t->regs + REGS_PARTIAL_END;
}

#if CONFIG_KPTI_ON
/* KPTI: the kernel keeps its own page tables until the exit loads these (kpti.c). */
extern uint64_t kpti_user_cr3;

static inline void arch_switch_space(const struct arch_space *to)
{
    kpti_user_cr3 = to->pml4;
}
#else
static inline void arch_switch_space(const struct arch_space *to)
{
    write_cr3(to->pml4);
}
#endif

#endif
