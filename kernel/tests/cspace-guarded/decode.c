/*
 * CSPACE=guarded: the CNode decoder (cnode.h) on trees built by hand, with guards at
 * several levels, wrong guards, wrong depths and addresses that run off the tree; and
 * the tree every task gets (cspace_tree.h), as the IPC paths, mint and delete use it.
 */
#include "cnode.h"
#include "cspace.h"
#include "dest.h"
#include "unit.h"

/* Two levels: the root has 4 slots and a 4-bit guard 0xA; its slot 1 holds a CNode of
 * 8 slots with a 3-bit guard 0x5, its slot 2 an endpoint-like leaf, slot 3 is empty.
 * A full decode of slot 6 below root slot 1 takes 4 + 2 + 3 + 3 = 12 bits:
 *   1010 01 101 110 */
static struct cap level2[8], level1[4], root;

static void build_by_hand(void)
{
    for (unsigned i = 0; i < 8; i++)
        level2[i] = (struct cap){.type = CAP_ENDPOINT, .badge = 100 + i};
    level1[0] = (struct cap){.type = CAP_EMPTY};
    level1[1] = cnode_cap(level2, 3, 3, 0x5);
    level1[2] = (struct cap){.type = CAP_ENDPOINT, .badge = 42};
    level1[3] = (struct cap){.type = CAP_EMPTY};
    root = cnode_cap(level1, 2, 4, 0xA);
}

#define ADDR(g1, i1, g2, i2) (((uint64_t)(g1) << 8) | ((i1) << 6) | ((g2) << 3) | (i2))

UNIT_TEST(test_cnode_decode_two_levels)
{
    build_by_hand();
    for (unsigned i = 0; i < 8; i++)
        EXPECT(cnode_decode(&root, ADDR(0xA, 1, 0x5, i), 12) == &level2[i]);
    /* Bits above the depth are not looked at (seL4's rule for a depth below 64). */
    EXPECT(cnode_decode(&root, (0xFFull << 40) | ADDR(0xA, 1, 0x5, 6), 12) == &level2[6]);
    /* The same address decoded over all 64 bits: 52 zero bits meet the 4-bit guard. */
    EXPECT(cnode_decode(&root, ADDR(0xA, 1, 0x5, 6), 64) == NULL);
}

UNIT_TEST(test_cnode_decode_wrong_guards)
{
    build_by_hand();
    EXPECT(cnode_decode(&root, ADDR(0xB, 1, 0x5, 6), 12) == NULL);   /* root guard */
    EXPECT(cnode_decode(&root, ADDR(0x2, 1, 0x5, 6), 12) == NULL);   /* one bit off */
    EXPECT(cnode_decode(&root, ADDR(0xA, 1, 0x4, 6), 12) == NULL);   /* second guard */
    EXPECT(cnode_decode(&root, ADDR(0xA, 1, 0x7, 6), 12) == NULL);
}

UNIT_TEST(test_cnode_decode_depths)
{
    build_by_hand();
    /* A leaf at the first level is named by the 6 bits that reach it, exactly. */
    EXPECT(cnode_decode(&root, (0xA << 2) | 2, 6) == &level1[2]);
    EXPECT(cnode_decode(&root, (0xA << 2) | 3, 6) == &level1[3]);   /* empty, but named */
    /* Depth too short for the root's guard and radix: a depth mismatch. */
    EXPECT(cnode_decode(&root, 0xA, 4) == NULL);
    EXPECT(cnode_decode(&root, 0xA, 5) == NULL);
    /* Depth that stops inside the second CNode's guard or radix. */
    EXPECT(cnode_decode(&root, ADDR(0xA, 1, 0x5, 6) >> 1, 11) == NULL);
    EXPECT(cnode_decode(&root, ADDR(0xA, 1, 0x5, 6) >> 3, 9) == NULL);
    /* Bits left over at a slot that is no CNode: the address runs off the tree. */
    EXPECT(cnode_decode(&root, (((0xAull << 2) | 2) << 6) | 7, 12) == NULL);
    EXPECT(cnode_decode(&root, (((0xAull << 2) | 3) << 6) | 7, 12) == NULL);
    EXPECT(cnode_decode(&root, (((0xAull << 2) | 0) << 6), 12) == NULL);
    /* Too deep: a full address with more bits below it. */
    EXPECT(cnode_decode(&root, ADDR(0xA, 1, 0x5, 6) << 4, 16) == NULL);
}

/* A one-level CNode whose guard fills the word, as sel4bench shapes its threads'. */
UNIT_TEST(test_cnode_decode_full_word_guard)
{
    static struct cap slots[64];
    struct cap r = cnode_cap(slots, 6, 58, 0);
    for (uint64_t i = 0; i < 64; i++)
        EXPECT(cnode_decode(&r, i, 64) == &slots[i]);
    EXPECT(cnode_decode(&r, 64, 64) == NULL);
    EXPECT(cnode_decode(&r, 1ull << 63, 64) == NULL);
    EXPECT(cnode_decode(&r, ~0ull, 64) == NULL);
    struct cap g = cnode_cap(slots, 6, 58, 0x2AAAAAAAAAAAAAAull);
    EXPECT(cnode_decode(&g, (0x2AAAAAAAAAAAAAAull << 6) | 9, 64) == &slots[9]);
    EXPECT(cnode_decode(&g, 9, 64) == NULL);
}

/* The tree each task gets: address i names table slot i; nothing else names any. */
UNIT_TEST(test_task_cspace_tree)
{
    reset();
    for (uint64_t i = 1; i < CAP_SLOTS; i++) {
        EXPECT(cspace_slot(space_a, i) == &space_a->caps[i]);
        EXPECT_EQ(cspace_address(i), i);
    }
    EXPECT(cspace_slot(space_a, IPC_NIL) == NULL);
    EXPECT(cspace_slot(space_a, CAP_SLOTS) == NULL);
    for (unsigned bit = CSPACE_INDEX_BITS; bit < 64; bit++)
        EXPECT(cspace_slot(space_a, (1ull << bit) | 5) == NULL);
    EXPECT(cspace_slot(space_a, ~0ull) == NULL);
    EXPECT_EQ(space_a->cspace.root.type, CAP_CNODE);
    EXPECT_EQ(space_a->cspace.root.guard_bits, CSPACE_ROOT_GUARD_BITS);
}

/* Mint, delete and IPC through addresses with a guard bit set: each refused, and the
 * slot the address would have named without that bit untouched. */
UNIT_TEST(test_guarded_addresses_refused)
{
    reset();
    struct ipc_pair p;
    make_pair(&p, 100, 100);
    uint64_t bad = p.call_dest | (1ull << 40);
    EXPECT(cspace_lookup(space_b, bad, CAP_ENDPOINT, 0) == NULL);
    EXPECT(cspace_lookup(space_b, p.call_dest, CAP_ENDPOINT, CAP_RIGHT_SEND) != NULL);
    EXPECT_EQ(cap_delete(space_b, bad), E_INVALID_CAP);
    EXPECT(cspace_lookup(space_b, p.call_dest, CAP_ENDPOINT, CAP_RIGHT_SEND) != NULL);
    uint64_t free_slot = cap_free_slot(space_b);
    EXPECT_EQ(cap_mint(space_a, p.recv_from, space_b, free_slot | (1ull << CSPACE_INDEX_BITS), 0,
                       CAP_RIGHT_SEND), E_INVALID_ARG);
    EXPECT_EQ(space_b->caps[free_slot].type, CAP_EMPTY);
    EXPECT_EQ(cap_mint(space_a, p.recv_from | (1ull << 63), space_b, free_slot, 0,
                       CAP_RIGHT_SEND), E_INVALID_CAP);
    run(p.client);
    ipc_general(p.client, SYS_CALL, bad, 0, 0);
    EXPECT_EQ(result_error(p.client), E_INVALID_CAP);
    EXPECT_EQ(p.client->state, THREAD_READY);
    kernel_check_invariants();
}
