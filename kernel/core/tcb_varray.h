/*
 * TCB=varray: the virtual TCB array of Liedtke's kernels. Thread number n's TCB is at
 * a fixed virtual address, TCB_REGION_BASE + n * TCB_BLOCK_SIZE, in a region of the
 * kernel's address space (<arch/tcb_region.h>), so a thread ID becomes its TCB by a
 * shift and an add, with no table in memory. A block holds the TCB at its bottom and
 * the thread's kernel stack above it (process orientation: a kernel entry runs on the
 * running thread's own stack, arch/<arch>/syscall_entry.S). Memory follows use: at
 * boot every block maps one shared zero page, read-only, so looking up a number that
 * no thread has reads a free TCB and faults nothing; a thread taking a number gets a
 * fresh page for its block (tcb_prepare()), and gives it back when it dies
 * (tcb_release(): the block maps the zero page again), so the TCBs take memory in
 * proportion to the threads alive and the kernel's frame count stays exact. A dying
 * thread's kernel stack is never in use: a thread is killed by another thread's system
 * call, or by its own fault, whose trap runs on the one kernel stack. The operations
 * are those listed in tcb_store.h; tcb_table.h is the other alternative.
 */
#ifndef IPCLAB_CORE_TCB_VARRAY_H
#define IPCLAB_CORE_TCB_VARRAY_H

#include <stdbool.h>
#include <stdint.h>

#include "tcb.h"
#include <arch/tcb_region.h>

_Static_assert(sizeof(struct tcb) <= TCB_BLOCK_SIZE / 2,
               "a TCB block keeps at least half for the thread's kernel stack");

static inline struct tcb *tcb_at(uint64_t number)
{
    return (struct tcb *)(TCB_REGION_BASE + (number << TCB_BLOCK_SHIFT));
}

bool tcb_prepare(uint64_t number);
void tcb_release(uint64_t number);
void tcb_store_init(void);
uint64_t tcb_store_bytes(void);

/* Debug builds: a word just above each TCB, at the far end of its kernel stack, that a
 * stack growing too deep would overwrite (the invariant sweep looks at it). */
#define TCB_STACK_CANARY 0x5AFE57AC4C0FFEEull
static inline uint64_t *tcb_stack_canary(const struct tcb *t)
{
    return (uint64_t *)(uintptr_t)(t + 1);
}

static inline bool tcb_store_consistent(const struct tcb *t)
{
    return *tcb_stack_canary(t) == TCB_STACK_CANARY;
}

#endif
