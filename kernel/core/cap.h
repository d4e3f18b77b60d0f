/*
 * Capabilities: a per-task table of slots, each naming an object with rights and a
 * badge (endpoints under DEST=endpoint, notifications under NOTIFY=notify). Slot 0 is never filled, so IPC_NIL is
 * never a capability. Who may copy what is in cap.c (and abi.h): the rule of seL4's
 * mint, over this kernel's task tree.
 */
#ifndef IPCLAB_CORE_CAP_H
#define IPCLAB_CORE_CAP_H

#include <stddef.h>
#include <stdint.h>

#include <ipclab/abi.h>

enum cap_type {
    CAP_EMPTY = 0,
    CAP_ENDPOINT = 1,       /* DEST=endpoint */
    CAP_NOTIFICATION = 2,   /* NOTIFY=notify */
};

struct endpoint;
struct notification;

struct cap {
    uint8_t type;
    uint8_t rights;
    union {                 /* the object, by type */
        struct endpoint *ep;
        struct notification *ntfn;
    };
    uint64_t badge;         /* 0: unbadged */
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

/* Copy actor's capability src into slot dst of `to` (actor's own space or one it
 * created), with at most its rights; a new badge only on an unbadged source (badge 0
 * keeps the source's). Returns an error code. */
int cap_mint(struct space *actor, uint64_t src, struct space *to, uint64_t dst,
             uint64_t badge, uint64_t rights);
/* Empty a slot of s (nothing if it is empty or out of range); the last capability to
 * an object destroys it. Returns an error code. */
int cap_delete(struct space *s, uint64_t slot);
/* Lowest empty slot of s, or 0 when the table is full. */
uint64_t cap_free_slot(struct space *s);

#endif
