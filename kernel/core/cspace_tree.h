/*
 * CSPACE=guarded: the shape of the CNode tree each task gets (space.h holds it). The
 * CAP_SLOTS leaf slots are the task's table (caps[]); above them CSPACE_DEPTH levels
 * of CNodes split the log2(CAP_SLOTS) index bits between them, the root's guard takes
 * every address bit above (guard value 0), and the lower levels have none. So address
 * i names leaf slot i whatever the depth (cspace_address() is the identity), an
 * address with any bit set above the index fails the root's guard, and the depth
 * changes only how many CNodes a decode crosses: one (sel4bench's shape: a single
 * CNode whose guard covers the rest of the word), two or three.
 */
#ifndef IPCLAB_CORE_CSPACE_TREE_H
#define IPCLAB_CORE_CSPACE_TREE_H

#include "cap.h"
#include "config.h"

#define CSPACE_INDEX_BITS 7           /* log2(CAP_SLOTS) */
_Static_assert((1u << CSPACE_INDEX_BITS) == CAP_SLOTS, "CAP_SLOTS is 2^CSPACE_INDEX_BITS");
#define CSPACE_ROOT_GUARD_BITS (64 - CSPACE_INDEX_BITS)

/* Radix of each level, most significant first, and the inner slots they need. */
#if CONFIG_CSPACE_DEPTH == 1
#define CSPACE_RADICES {7}
#define CSPACE_INNER_SLOTS 0
#elif CONFIG_CSPACE_DEPTH == 2
#define CSPACE_RADICES {4, 3}
#define CSPACE_INNER_SLOTS 16             /* the root's 16 slots */
#elif CONFIG_CSPACE_DEPTH == 3
#define CSPACE_RADICES {3, 2, 2}
#define CSPACE_INNER_SLOTS (8 + 32)       /* the root's 8, then 8 CNodes of 4 */
#else
#error "CSPACE_DEPTH: no tree shape for this depth"
#endif

struct cspace_tree {
    struct cap root;                      /* the task's root CNode capability */
    struct cap inner[CSPACE_INNER_SLOTS > 0 ? CSPACE_INNER_SLOTS : 1];
};

#endif
