/*
 * CSPACE=guarded: a capability address is decoded through the task's tree of guarded
 * CNodes (cnode.h; its shape in cspace_tree.h), from the root CNode capability the
 * space holds, over the full 64 bits of the address, as seL4 decodes an invocation's
 * address. The fast path decodes it the same way. The operations are those listed in
 * cspace.h; cspace_flat.h is the other alternative.
 */
#ifndef IPCLAB_CORE_CSPACE_GUARDED_H
#define IPCLAB_CORE_CSPACE_GUARDED_H

#include "cap.h"
#include "cnode.h"
#include "cspace_tree.h"
#include "space.h"

static inline void cspace_init(struct space *s)
{
    static const uint8_t radix[CONFIG_CSPACE_DEPTH] = CSPACE_RADICES;
    uint8_t guard_bits[CONFIG_CSPACE_DEPTH] = {CSPACE_ROOT_GUARD_BITS};
    ASSERT(cnode_inner_slots(CONFIG_CSPACE_DEPTH, radix) == CSPACE_INNER_SLOTS);
    cnode_tree_build(&s->cspace.root, s->cspace.inner, s->caps, CONFIG_CSPACE_DEPTH, radix,
                     guard_bits);
}

/* Any slot the address decodes to (only leaves: every path through the tree takes all
 * 64 bits), except leaf 0, which is never filled. */
static inline struct cap *cspace_slot(struct space *s, uint64_t cptr)
{
    struct cap *slot = cnode_decode(&s->cspace.root, cptr, CNODE_ADDRESS_BITS);
    return slot == &s->caps[IPC_NIL] ? NULL : slot;
}

static inline struct cap *cspace_lookup(struct space *s, uint64_t cptr, unsigned type,
                                        unsigned rights)
{
    struct cap *c = cnode_decode(&s->cspace.root, cptr, CNODE_ADDRESS_BITS);
    if (!c || c->type != type || (c->rights & rights) != rights)
        return NULL;
    return c;
}

static inline uint64_t cspace_address(uint64_t index)
{
    return index;
}

#endif
