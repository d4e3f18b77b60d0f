/* Thread IDs (number and version) and thread creation's argument checks. */
#include "unit.h"

UNIT_TEST(test_thread_ids)
{
    reset();
    struct tcb *a = spawn(space_a, 10);
    uint64_t old = a->tid;
    EXPECT(thread_lookup(old) == a);
    EXPECT(thread_lookup(old + 1) == NULL);                       /* wrong version */
    EXPECT(thread_lookup(tid_make(MAX_THREADS, 1)) == NULL);       /* out of range */
    EXPECT(thread_lookup(tid_make(MAX_THREADS - 1, 1)) == NULL);   /* free slot */
    EXPECT(thread_lookup(IPC_NIL) == NULL);
    thread_kill(a);
    EXPECT(thread_lookup(old) == NULL);
    struct tcb *again = spawn(space_a, 10);
    EXPECT(again == a);                  /* the slot is reused ... */
    EXPECT(again->tid != old);           /* ... under a new version */
    EXPECT(thread_lookup(old) == NULL);
    EXPECT(thread_lookup(again->tid) == again);
}

UNIT_TEST(test_thread_create_arguments)
{
    reset();
    int error;
    struct tcb *t = spawn_inactive(space_a, 1);
    uint64_t used_utcb = t->utcb_addr;
    EXPECT(thread_create(space_a, used_utcb + FRAME_SIZE + 8, 1, &error) == NULL);
    EXPECT_EQ(error, E_INVALID_ARG);                                /* unaligned */
    EXPECT(thread_create(space_a, used_utcb + FRAME_SIZE, SCHED_PRIOS, &error) == NULL);
    EXPECT_EQ(error, E_INVALID_ARG);                                /* priority */
    EXPECT(thread_create(space_a, 0x1000, 1, &error) == NULL);
    EXPECT_EQ(error, E_INVALID_ARG);                                /* below the user half */
    EXPECT(thread_create(space_a, used_utcb, 1, &error) == NULL);
    EXPECT_EQ(error, E_INVALID_ARG);                                /* hides a mapping */
    EXPECT_EQ(t->state, THREAD_INACTIVE);
}
