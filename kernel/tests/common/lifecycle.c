/*
 * Lifetimes: what a dead thread or a destroyed space owned comes back, and IDs and
 * handles are never reused under a new owner (issue "isolation and authority").
 */
#include "unit.h"

UNIT_TEST(test_thread_cycles_cost_no_frames)
{
    reset();
    struct tcb *t = spawn(space_b, 10);  /* the page tables for the UTCB area exist now */
    thread_kill(t);
    uint64_t before = frame_free_count();
    for (unsigned i = 0; i < 1000; i++)
        thread_kill(spawn(space_b, 10));
    EXPECT_EQ(frame_free_count(), before);
    kernel_check_invariants();
}

UNIT_TEST(test_dead_thread_utcb_unmapped)
{
    reset();
    struct tcb *t = spawn(space_b, 10);
    uint64_t addr = t->utcb_addr, frame;
    bool writable;
    EXPECT(arch_lookup_page(&space_b->arch, addr, &frame, &writable));
    EXPECT(thread_owns_frame(frame));
    thread_kill(t);
    EXPECT(!arch_lookup_page(&space_b->arch, addr, &frame, &writable));
    EXPECT(!thread_owns_frame(frame));
}

/* A UTCB cannot be shared into another space: it would outlive its thread. */
UNIT_TEST(test_utcb_not_shareable)
{
    reset();
    struct tcb *t = spawn(space_a, 10);
    EXPECT_EQ(space_map(space_a, t->utcb_addr, space_b, USER_BASE + 0x100000, 1, true),
              E_INVALID_ARG);
}

/* A slot whose version would wrap is retired, never reused under an old ID. */
UNIT_TEST(test_thread_slot_retired_before_wrap)
{
    reset();
    thread_next_version[0] = (uint32_t)(TID_VERSION_MASK - 1);
    struct tcb *last = spawn(space_a, 10);
    EXPECT(last == tcb_at(0));
    EXPECT_EQ(last->tid & TID_VERSION_MASK, TID_VERSION_MASK - 1);
    uint64_t old = last->tid;
    thread_kill(last);
    struct tcb *next = spawn(space_a, 10);
    EXPECT(next != tcb_at(0));
    EXPECT(thread_lookup(old) == NULL);
}

UNIT_TEST(test_space_destroy)
{
    reset();
    struct space *s = space_create(space_a);
    EXPECT(s != NULL);
    uint64_t handle = s->handle;
    uint64_t before = frame_free_count();
    struct tcb *t = spawn(s, 10);
    EXPECT(space_lookup(handle) == s);
    space_destroy(s);
    EXPECT_EQ(t->state, THREAD_FREE);
    EXPECT(space_lookup(handle) == NULL);           /* the handle is stale */
    struct space *again = space_create(space_a);
    EXPECT(again == s && again->handle != handle);  /* slot reused, new version */
    EXPECT(frame_free_count() >= before - 2);       /* only the new space's two tables */
    EXPECT(space_may_control(space_a, again));
    EXPECT(!space_may_control(space_b, again));
    EXPECT(!space_may_control(again, space_a));
    kernel_check_invariants();
}
