/*
 * Capabilities: a per-task table of slots, each naming an object with rights and a
 * badge (endpoints under DEST=endpoint, notifications under NOTIFY=notify). Slot 0 is never filled, so IPC_NIL is
 * never a capability. Who may copy what is in cap.c (and abi.h): the rule of seL4's
 * mint, over this kernel's task tree. How a capability address reaches a slot is the
 * CSPACE axis (cspace.h): an index into the table, or a walk through guarded CNodes
 * whose capabilities (CAP_CNODE) sit above the table.
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
    CAP_CNODE = 3,          /* CSPACE=guarded: a CNode of the capability space's tree */
    CAP_REPLY = 4,          /* REPLY=cap: the right to reply once to a caller */
    CAP_REPLY_MASTER = 5,   /* REPLY=cap: the parent of every reply right to its thread */
};

struct endpoint;
struct notification;
struct tcb;

struct cap {
    uint8_t type;
    uint8_t rights;
    uint8_t guard_bits;     /* CNode: how many address bits its guard takes */
    uint8_t radix;          /* CNode: log2 of its number of slots */
    union {
        struct endpoint *ep;        /* CAP_ENDPOINT */
        struct notification *ntfn;  /* CAP_NOTIFICATION */
        struct cap *slots;          /* CAP_CNODE: its 2^radix slots */
        struct tcb *tcb;            /* CAP_REPLY, CAP_REPLY_MASTER: the caller */
    };
    union {
        uint64_t badge;         /* CAP_ENDPOINT, CAP_NOTIFICATION: 0 unbadged */
        uint64_t guard;         /* CAP_CNODE: the value its guard bits must hold */
    };
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
 * created; both are capability addresses, cspace.h), with at most its rights; a new badge only on an unbadged source (badge 0
 * keeps the source's). Returns an error code. */
int cap_mint(struct space *actor, uint64_t src, struct space *to, uint64_t dst,
             uint64_t badge, uint64_t rights);
/* Empty the slot of s an address names (nothing if it is empty or names none); the
 * last capability to an object destroys it. Returns an error code. */
int cap_delete(struct space *s, uint64_t slot);
/* The address of the lowest empty slot of s, or 0 when the table is full. */
uint64_t cap_free_slot(struct space *s);

#endif
