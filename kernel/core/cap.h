/*
 * Capabilities (endpoint addressing): a per-task table of slots, each naming an
 * endpoint with rights and a badge. Slot 0 is never filled, so IPC_NIL is never a cap.
 */
#ifndef IPCLAB_CORE_CAP_H
#define IPCLAB_CORE_CAP_H

#include <stddef.h>
#include <stdint.h>

#include <ipclab/abi.h>

enum cap_type {
    CAP_EMPTY = 0,
    CAP_ENDPOINT = 1,
};

struct endpoint;

struct cap {
    uint8_t type;
    uint8_t rights;
    struct endpoint *ep;
    uint64_t badge;
};

struct space;

/* The capability in slot of table if it is of type and grants every right asked, else
 * NULL. Inline: the IPC fast path may call nothing out of line. */
static inline struct cap *cap_lookup(struct cap *table, uint64_t slot, unsigned type,
                                     unsigned rights)
{
    if (slot == IPC_NIL || slot >= CAP_SLOTS)
        return NULL;
    struct cap *c = &table[slot];
    if (c->type != type || (c->rights & rights) != rights)
        return NULL;
    return c;
}
/* Copy src into slot dst of another task with a new badge and at most its rights. */
int cap_mint(struct space *from, uint64_t src, struct space *to, uint64_t dst,
             uint64_t badge, uint64_t rights);
/* Lowest empty slot of s, or 0 when the table is full. */
uint64_t cap_free_slot(struct space *s);

#endif
