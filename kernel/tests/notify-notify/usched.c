/*
 * User-level scheduling (core/usched.c; its events need notifications): who may be the
 * scheduler and what it may manage, parked threads never run nor queue, a dispatched
 * one runs at its own priority, and the scheduler is told when a parked thread becomes
 * ready and when the dispatched one stops.
 */
#include "usched.h"
#include "unit.h"

static uint64_t bit(const struct tcb *t)
{
    return 1ull << (t->tid >> TID_VERSION_BITS);
}

static uint64_t poll_events(struct tcb *sched, uint64_t n)
{
    sys_call(sched, SYS_POLL, n, 0, 0);
    return result_error(sched) == E_OK ? result_value(sched, 0) : 0;
}

UNIT_TEST(test_usched_authority)
{
    reset();
    struct tcb *sched = spawn(space_a, 200);
    struct tcb *w = spawn(space_a, 50);
    struct tcb *stranger = spawn(space_b, 50);
    sys_call(sched, SYS_NOTIFY_CREATE, 0, 0, 0);
    uint64_t n = result_value(sched, 0);
    sys_call(sched, SYS_SCHED_RUN, w->tid, 0, 0);
    EXPECT_EQ(result_error(sched), E_NOT_OWNER);          /* no scheduler yet */
    sys_call(stranger, SYS_SCHED_CONTROL, 5, 0, 0);
    EXPECT_EQ(result_error(stranger), E_NO_PERMISSION);   /* not the root task */
    sys_call(sched, SYS_SCHED_CONTROL, n + 1, 0, 0);
    EXPECT_EQ(result_error(sched), E_INVALID_CAP);
    sys_call(sched, SYS_SCHED_CONTROL, n, 0, 0);
    EXPECT_EQ(result_error(sched), E_OK);
    sys_call(sched, SYS_SCHED_CONTROL, n, 0, 0);
    EXPECT_EQ(result_error(sched), E_INVALID_ARG);        /* once */
    sys_call(w, SYS_SCHED_MANAGE, sched->tid, 1, 0);
    EXPECT_EQ(result_error(w), E_NOT_OWNER);              /* only the scheduler */
    sys_call(sched, SYS_SCHED_MANAGE, stranger->tid, 1, 0);
    EXPECT_EQ(result_error(sched), E_INVALID_ARG);        /* not its task's */
    sys_call(sched, SYS_SCHED_MANAGE, sched->tid, 1, 0);
    EXPECT_EQ(result_error(sched), E_INVALID_ARG);        /* not itself */
    sys_call(sched, SYS_SCHED_MANAGE, w->tid + 1, 1, 0);
    EXPECT_EQ(result_error(sched), E_INVALID_DEST);       /* a stale ID */
    sys_call(sched, SYS_SCHED_RUN, w->tid, 0, 0);
    EXPECT_EQ(result_error(sched), E_NOT_MANAGED);
    sys_call(sched, SYS_SCHED_MANAGE, w->tid, 0, 0);
    EXPECT_EQ(result_error(sched), E_NOT_MANAGED);
    kernel_check_invariants();
}

UNIT_TEST(test_usched_park_dispatch_events)
{
    reset();
    struct tcb *sched = spawn(space_a, 200);
    struct tcb *w1 = spawn(space_a, 50);
    struct tcb *w2 = spawn(space_a, 50);
    struct tcb *helper = spawn(space_a, 10);
    sys_call(sched, SYS_NOTIFY_CREATE, 0, 0, 0);
    uint64_t n = result_value(sched, 0);
    sys_call(sched, SYS_NOTIFY_CREATE, 0, 0, 0);          /* w1 blocks on this later */
    uint64_t other = result_value(sched, 0);
    sys_call(sched, SYS_SCHED_CONTROL, n, 0, 0);
    sys_call(sched, SYS_SCHED_MANAGE, w1->tid, 1, 0);
    EXPECT_EQ(result_error(sched), E_OK);
    sys_call(sched, SYS_SCHED_MANAGE, w2->tid, 1, 0);
    EXPECT(!w1->queued && !w2->queued);                   /* parked: out of the queues */
    EXPECT_EQ(w1->prio, 0);
    EXPECT_EQ(poll_events(sched, n), bit(w1) | bit(w2));  /* both were ready */
    kernel_check_invariants();

    /* The scheduler waits: nothing it manages runs on its own. */
    EXPECT(sys_call(sched, SYS_WAIT, n, 0, 0) == helper);
    kernel_check_invariants();

    /* An event (a signal of its notification, as the timer's would be) wakes it;
     * dispatched, w1 runs at its own priority once the scheduler waits again. */
    sys_call(helper, SYS_SIGNAL, n, 0, 0);
    EXPECT_EQ(sched->state, THREAD_READY);
    sys_call(sched, SYS_SCHED_RUN, w1->tid, 0, 0);
    EXPECT_EQ(result_error(sched), E_OK);
    EXPECT_EQ(w1->prio, 50);
    EXPECT(w1->queued || !w2->queued);
    EXPECT(sys_call(sched, SYS_WAIT, n, 0, 0) == w1);
    kernel_check_invariants();

    /* w1 blocks: the scheduler is told its thread stopped, and runs. */
    EXPECT(sys_call(w1, SYS_WAIT, other, 0, 0) == sched);
    EXPECT_EQ(result_value(sched, 0) & USCHED_EVENT_STOPPED, USCHED_EVENT_STOPPED);
    EXPECT_EQ(w1->prio, 0);                               /* parked again */
    kernel_check_invariants();

    /* w1 becomes ready again while parked: an event, and no queue place. */
    sys_call(sched, SYS_SIGNAL, other, 0, 0);
    EXPECT_EQ(w1->state, THREAD_READY);
    EXPECT(!w1->queued);
    EXPECT_EQ(poll_events(sched, n) & bit(w1), bit(w1));
    sys_call(sched, SYS_SCHED_RUN, w2->tid, 0, 0);
    sys_call(sched, SYS_SCHED_RUN, w1->tid, 0, 0);        /* w2 parked, w1 dispatched */
    EXPECT(!w2->queued && w2->prio == 0);
    kernel_check_invariants();

    /* Dead threads are refused; the end gives every thread back. */
    thread_kill(w2);
    sys_call(sched, SYS_SCHED_RUN, w2->tid, 0, 0);
    EXPECT_EQ(result_error(sched), E_INVALID_DEST);
    sys_call(sched, SYS_SCHED_CONTROL, IPC_NIL, 0, 0);
    EXPECT_EQ(result_error(sched), E_OK);
    EXPECT_EQ(w1->prio, 50);
    EXPECT(w1->queued);
    EXPECT(!usched_active);
    kernel_check_invariants();
}
