/* SYS_UNMAP's arguments, authority and effect (its preemption: preempt-<value>/). */
#include "unit.h"

#define BASE (USER_BASE + 0x100000ull)

static bool mapped(struct space *s, uint64_t addr)
{
    uint64_t frame;
    bool writable;
    return arch_lookup_page(&s->arch, addr, &frame, &writable);
}

UNIT_TEST(test_unmap_rules)
{
    reset();
    struct tcb *root = spawn(space_a, 100);
    struct tcb *child = spawn(space_b, 100);
    for (unsigned i = 0; i < 4; i++)
        EXPECT(arch_map_page(&space_b->arch, BASE + i * FRAME_SIZE, FRAME_SIZE * (i + 1), true));
    sys_call(child, SYS_UNMAP, space_b->handle, BASE, 1);
    EXPECT_EQ(result_error(child), E_NO_PERMISSION);
    sys_call(root, SYS_UNMAP, space_b->handle, BASE + 8, 1);
    EXPECT_EQ(result_error(root), E_INVALID_ARG);
    sys_call(root, SYS_UNMAP, space_b->handle, BASE, 0);
    EXPECT_EQ(result_error(root), E_INVALID_ARG);
    sys_call(root, SYS_UNMAP, space_b->handle, FRAME_SIZE, 1);
    EXPECT_EQ(result_error(root), E_BAD_ADDRESS);
    sys_call(root, SYS_UNMAP, space_b->handle, BASE, ~0ull >> 12);
    EXPECT_EQ(result_error(root), E_BAD_ADDRESS);
    sys_call(root, SYS_UNMAP, space_b->handle + 1, BASE, 1);
    EXPECT_EQ(result_error(root), E_INVALID_ARG);
    EXPECT(mapped(space_b, BASE));

    /* Pages 1 and 2 of 4; a range with absent pages is fine. */
    sys_call(root, SYS_UNMAP, space_b->handle, BASE + FRAME_SIZE, 2);
    EXPECT_EQ(result_error(root), E_OK);
    EXPECT(mapped(space_b, BASE) && mapped(space_b, BASE + 3 * FRAME_SIZE));
    EXPECT(!mapped(space_b, BASE + FRAME_SIZE) && !mapped(space_b, BASE + 2 * FRAME_SIZE));
    sys_call(root, SYS_UNMAP, space_b->handle, BASE, 8);
    EXPECT_EQ(result_error(root), E_OK);
    EXPECT(!mapped(space_b, BASE) && !mapped(space_b, BASE + 3 * FRAME_SIZE));
    kernel_check_invariants();
}
