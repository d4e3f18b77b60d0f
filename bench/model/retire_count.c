/*
 * Retired-instruction counting per block execution; the reasoning is in the header.
 */
#include "retire_count.h"

#include <stddef.h>

void retire_count_init(struct retire_count *rc)
{
    *rc = (struct retire_count){0};
}

/* How many of the block's started instructions retired in its current execution. */
static uint64_t settle(struct retire_count *rc, const struct block_count *b)
{
    uint64_t started = b->started - b->started_at_entry;
    if (started == 0)
        return 0;
    bool faulted;
    if (started < b->insns)
        faulted = !rc->foreign_access;
    else
        faulted = b->last_accesses_memory && b->last_access_serial != b->entry_serial;
    rc->faults_seen += faulted;
    return started - faulted;
}

void retire_block_entry(struct retire_count *rc, struct block_count *b)
{
    if (rc->current)
        rc->retired += settle(rc, rc->current);
    rc->serial++;
    b->started_at_entry = b->started;
    b->entry_serial = rc->serial;
    rc->current = b;
    rc->foreign_access = false;
}

void retire_memory_access(struct retire_count *rc, struct block_count *b, uint32_t index)
{
    if (b != rc->current) {
        rc->foreign_access = true;
        return;
    }
    if (index + 1 == b->insns)
        b->last_access_serial = b->entry_serial;
}

uint64_t retire_count_now(const struct retire_count *rc)
{
    const struct block_count *b = rc->current;
    return rc->retired + (b ? b->started - b->started_at_entry : 0);
}

void retire_finish(struct retire_count *rc)
{
    if (rc->current)
        rc->retired += settle(rc, rc->current);
    rc->current = NULL;
}
