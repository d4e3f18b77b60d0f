/* SCHED=lazy: blocked threads stay queued until a pick passes and drops them. */
#include "unit.h"

void run(struct tcb *t)
{
    current = t; /* lazy: the running thread stays in the queue */
}

/* The pick that chose the next thread dropped the blocked receiver from the queue; the
 * fast path declines a receiver that is not queued, and the general path puts it back
 * when it switches to it. Model that one general-path switch. */
void prepare_fast_switch(struct tcb *receiver, uint64_t dest)
{
    EXPECT(!receiver->queued);
    EXPECT(fastpath_call(dest, 0) == NULL);
    sched_wake(receiver);
}

UNIT_TEST(test_lazy_policy)
{
    reset();
    struct tcb *a = spawn(space_a, 50);
    struct tcb *b = spawn(space_a, 50);
    EXPECT(sched_pick() == a);
    EXPECT(a->queued);                   /* the running thread stays queued */
    a->state = THREAD_RECV_BLOCKED;
    sched_block(a);
    EXPECT(a->queued);                   /* ... and a blocking one too */
    uint64_t dropped = sched_lazy_dropped;
    EXPECT(sched_pick() == b);
    EXPECT_EQ(sched_lazy_dropped, dropped + 1);
    EXPECT(!a->queued);                  /* until a pick walks past it */
    /* Switched to directly while not queued: put back, as the running thread must be. */
    a->state = THREAD_READY;
    sched_activate_direct(a);
    EXPECT(a->queued);
    EXPECT(sched_fast_switch_ok(a));
    sched_remove(a);
    EXPECT(!a->queued);
    EXPECT(!sched_fast_switch_ok(a));
}
