/* Ready queues under either policy: priority order, round robin, timeslices. */
#include "unit.h"

/* Under lazy scheduling a blocked thread may stay queued; a pick must never return it. */
static void block(struct tcb *t)
{
    t->state = THREAD_RECV_BLOCKED;
    sched_block(t);
}

UNIT_TEST(test_sched_priorities)
{
    reset();
    struct tcb *low = spawn(space_a, 10);
    struct tcb *high = spawn(space_a, 200);
    struct tcb *mid = spawn(space_a, 64);
    struct tcb *zero = spawn(space_a, 0);
    struct tcb *top = spawn(space_a, 255);
    EXPECT(sched_pick() == top);
    block(top);
    EXPECT(sched_pick() == high);
    block(high);
    EXPECT(sched_pick() == mid);
    block(mid);
    EXPECT(sched_pick() == low);
    block(low);
    EXPECT(sched_pick() == zero);
    block(zero);
    EXPECT(sched_pick() == NULL);
}

UNIT_TEST(test_sched_round_robin)
{
    reset();
    struct tcb *a = spawn(space_a, 50);
    struct tcb *b = spawn(space_a, 50);
    struct tcb *c = spawn(space_a, 50);
    struct tcb *first = sched_pick();
    EXPECT(first == a);
    sched_rotate(first);
    EXPECT(sched_pick() == b);
    sched_rotate(b);
    EXPECT(sched_pick() == c);
    sched_rotate(c);
    EXPECT(sched_pick() == a);
}

UNIT_TEST(test_sched_timeslice)
{
    reset();
    struct tcb *a = spawn(space_a, 7);
    unsigned ticks = 0;
    while (!sched_tick(a) && ticks < 1000)
        ticks++;
    EXPECT_EQ(ticks + 1, SCHED_TIMESLICE_TICKS);
    EXPECT_EQ(a->timeslice_left, SCHED_TIMESLICE_TICKS);
}

UNIT_TEST(test_sched_remove_leaves_queue)
{
    reset();
    struct tcb *a = spawn(space_a, 50);
    struct tcb *b = spawn(space_a, 50);
    sched_remove(a);
    EXPECT(!a->queued);
    EXPECT(sched_pick() == b);
}
