/* SCHED=benno: only runnable threads other than the running one are queued. */
#include "unit.h"

void run(struct tcb *t)
{
    sched_remove(t); /* Benno: the running thread is not in the queue */
    current = t;
}

/* Nothing to do: a blocked thread is never queued, so nothing was dropped. */
void prepare_fast_switch(struct tcb *receiver, uint64_t dest)
{
    (void)dest;
    EXPECT(!receiver->queued);
}

UNIT_TEST(test_benno_policy)
{
    reset();
    struct tcb *a = spawn(space_a, 50);
    struct tcb *b = spawn(space_a, 50);
    EXPECT(sched_pick() == a);
    EXPECT(!a->queued);                  /* the pick takes the thread out */
    a->state = THREAD_RECV_BLOCKED;
    sched_block(a);
    EXPECT(!a->queued);
    EXPECT(sched_pick() == b);
    EXPECT(!b->queued);
    a->state = THREAD_READY;
    sched_activate_direct(a);
    EXPECT(!a->queued);                  /* switched to directly: never queued */
    EXPECT(sched_fast_switch_ok(a));
    sched_wake(a);
    EXPECT(a->queued);
    EXPECT_EQ(sched_lazy_dropped, 0);    /* Benno never drops anyone */
    sched_remove(a);
    EXPECT(!a->queued);
}
