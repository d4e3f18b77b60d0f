/*
 * Counting retired instructions the way QEMU's -icount does, from what a QEMU 7.2
 * plugin can see. The TSC a guest reads under -icount shift=0 counts instructions
 * that completed; a plugin sees instructions *start* (its execution hooks run before
 * the instruction). The two differ when an instruction faults: QEMU rolls the count
 * back past it (it will run again, or never), while its hook has already run.
 *
 * So instructions are counted per execution of a translation block: hooks add to the
 * block's `started` counter, and when the next block starts, the previous one is
 * settled:
 *   - it stopped early (fewer started than it has): its last started instruction
 *     faulted, so it did not retire. Exception: if in the meantime a memory access
 *     was reported for an instruction of a block that never started, QEMU re-ran the
 *     interrupted instruction alone after an MMIO access in mid-block (cpu_io_recompile,
 *     which instruments only memory accesses), and it did retire.
 *   - it ran to its end: its last instruction faulted only if it is one that always
 *     accesses memory (push, pop, call, ret, leave, jumps through memory: decoded) and
 *     no access of it was reported in this execution (memory hooks run after a
 *     completed access).
 * Whether an instruction accesses memory is never learnt from its memory hooks: QEMU
 * 7.2 also reports, against the last instruction of a block, the stack pushes of an
 * interrupt delivered right after it. What this cannot see is a fault of a block's
 * last instruction outside that decoded list (README.md, "Known limitations").
 */
#ifndef IPCLAB_MODEL_RETIRE_COUNT_H
#define IPCLAB_MODEL_RETIRE_COUNT_H

#include <stdbool.h>
#include <stdint.h>

/* One translated block. `started` is the target of QEMU inline adds: it must not move. */
struct block_count {
    uint64_t started;          /* instructions started, over all executions */
    uint64_t started_at_entry; /* `started` when its current execution began */
    uint64_t entry_serial;     /* which block execution that was */
    uint32_t insns;            /* instructions in the block */
    bool last_accesses_memory; /* its last instruction always accesses memory (decoded) */
    uint64_t last_access_serial; /* block execution in which the last instruction last accessed memory */
};

struct retire_count {
    uint64_t retired;          /* retired before the current block's execution */
    struct block_count *current;
    uint64_t serial;           /* block executions so far */
    bool foreign_access;       /* memory access of a never-started block since current began */
    uint64_t faults_seen;      /* instructions that started but did not retire */
};

void retire_count_init(struct retire_count *rc);

/* Block b starts an execution (called from its first instruction's hook, before that
 * instruction counts itself). */
void retire_block_entry(struct retire_count *rc, struct block_count *b);

/* A memory access completed for instruction `index` of block b. */
void retire_memory_access(struct retire_count *rc, struct block_count *b, uint32_t index);

/* Instructions retired before the instruction whose hook is running now. */
uint64_t retire_count_now(const struct retire_count *rc);

/* End of the run: settle the last block as if another started. */
void retire_finish(struct retire_count *rc);

#endif
