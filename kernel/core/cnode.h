/*
 * Guarded CNodes (CSPACE=guarded): a capability space shaped as in seL4. A CNode is an
 * array of 2^radix capability slots; a capability to it (CAP_CNODE) carries a guard of
 * guard_bits bits. A capability address is decoded from its most significant bit
 * down: at each CNode the next guard_bits bits must equal the guard, the next radix
 * bits index a slot, and if address bits remain that slot must hold a CNode
 * capability, where decoding goes on. The address names the slot reached when the
 * bits run out exactly.
 *
 * cnode_decode() is the one decoder: the general path, mint and delete, and the fast
 * path all use it (inline: the fast path may call nothing out of line). The tree a
 * task gets is built by cnode_tree_build() (cspace_guarded.h decides its shape).
 */
#ifndef IPCLAB_CORE_CNODE_H
#define IPCLAB_CORE_CNODE_H

#include <stdbool.h>
#include <stdint.h>

#include "assert.h"
#include "cap.h"

/* The widest CNode and the longest address (bits) a decode takes. */
#define CNODE_MAX_RADIX 32
#define CNODE_ADDRESS_BITS 64

/*
 * The slot that the low `depth` bits of cptr name in the tree under root (a CNode
 * capability), or NULL: a guard that does not match, a CNode that needs more bits than
 * are left (a depth mismatch), or bits left over at a slot that holds no CNode. Bits
 * of cptr above depth are not looked at. 1 <= depth <= 64.
 */
static inline struct cap *cnode_decode(const struct cap *root, uint64_t cptr, unsigned depth)
{
    ASSERT(root->type == CAP_CNODE);
    ASSERT(depth >= 1 && depth <= CNODE_ADDRESS_BITS);
    /* The undecoded bits, kept at the top of a word: each level shifts out its own. */
    uint64_t addr = cptr << (CNODE_ADDRESS_BITS - depth);
    unsigned left = depth;
    const struct cap *node = root;
    for (;;) {
        unsigned guard_bits = node->guard_bits, radix = node->radix;
        if (guard_bits + radix > left)
            return NULL;                                  /* depth mismatch */
        if (guard_bits) {
            if (addr >> (CNODE_ADDRESS_BITS - guard_bits) != node->guard)
                return NULL;                              /* guard mismatch */
            addr <<= guard_bits;
        }
        struct cap *slot = &node->slots[addr >> (CNODE_ADDRESS_BITS - radix)];
        left -= guard_bits + radix;
        if (left == 0)
            return slot;
        if (slot->type != CAP_CNODE)
            return NULL;                                  /* ran off the tree */
        addr <<= radix;
        node = slot;
    }
}

/* A capability to a CNode of 2^radix slots at `slots`, with a guard. */
static inline struct cap cnode_cap(struct cap *slots, unsigned radix, unsigned guard_bits,
                                   uint64_t guard)
{
    ASSERT(radix >= 1 && radix <= CNODE_MAX_RADIX);
    ASSERT(guard_bits + radix <= CNODE_ADDRESS_BITS);
    ASSERT(guard < (1ull << guard_bits));
    return (struct cap){.type = CAP_CNODE, .guard_bits = (uint8_t)guard_bits,
                        .radix = (uint8_t)radix, .slots = slots, .guard = guard};
}

/*
 * A full tree of `levels` levels over the 2^(sum of radix) leaf slots at `leaves`:
 * level k's CNodes have radix[k] slots and guard guard_bits[k] (guard value 0); the
 * inner levels' CNodes are laid out one after the other in `inner`, which must hold
 * cnode_inner_slots() slots. Leaf i is then named by address i (with zero guards). The
 * root CNode capability goes to *root.
 */
static inline unsigned cnode_inner_slots(unsigned levels, const uint8_t *radix)
{
    unsigned total = 0, width = 1;
    for (unsigned k = 0; k + 1 < levels; k++) {
        width <<= radix[k];
        total += width;
    }
    return total;
}

static inline void cnode_tree_build(struct cap *root, struct cap *inner, struct cap *leaves,
                                    unsigned levels, const uint8_t *radix,
                                    const uint8_t *guard_bits)
{
    /* The slots of level k's CNodes: the inner storage, then the leaves. */
    struct cap *level_slots = levels > 1 ? inner : leaves;
    *root = cnode_cap(level_slots, radix[0], guard_bits[0], 0);
    unsigned width = 1u << radix[0];                  /* slots at the current level */
    for (unsigned k = 0; k + 1 < levels; k++) {
        struct cap *next = k + 2 < levels ? level_slots + width : leaves;
        for (unsigned j = 0; j < width; j++)
            level_slots[j] = cnode_cap(next + ((uint64_t)j << radix[k + 1]), radix[k + 1],
                                       guard_bits[k + 1], 0);
        level_slots = next;
        width <<= radix[k + 1];
    }
}

#endif
