/*
 * TCB=varray: thread number n's TCB is block n of the region (tcb_varray.h); a block
 * has memory of its own only while a thread holds its number, the frame goes back when
 * the thread dies, and a number no thread holds reads as a free TCB.
 */
#include "tcb_store.h"
#include "unit.h"

UNIT_TEST(test_varray_address_arithmetic)
{
    reset();
    for (uint64_t n = 0; n < MAX_THREADS; n += MAX_THREADS / 7 + 1)
        EXPECT((uintptr_t)tcb_at(n) == TCB_REGION_BASE + n * TCB_BLOCK_SIZE);
    EXPECT((uintptr_t)tcb_at(MAX_THREADS - 1) + TCB_BLOCK_SIZE ==
           TCB_REGION_BASE + (uint64_t)MAX_THREADS * TCB_BLOCK_SIZE);
}

UNIT_TEST(test_varray_pages_on_demand)
{
    reset();                                  /* space_a and space_b, no thread yet */
    EXPECT_EQ(tcb_store_bytes(), arch_tcb_region_table_pages() * TCB_PAGE_SIZE);
    EXPECT(!arch_tcb_region_backed((uintptr_t)tcb_at(0)));
    EXPECT_EQ(tcb_at(MAX_THREADS - 1)->state, THREAD_FREE);   /* never used: free */
    EXPECT(thread_lookup(tid_make(MAX_THREADS - 1, 1)) == NULL);
    uint64_t base = tcb_store_bytes();
    struct tcb *a = spawn(space_a, 100), *b = spawn(space_a, 100);
    EXPECT(a == tcb_at(0) && b == tcb_at(1));
    EXPECT(arch_tcb_region_backed((uintptr_t)a) && arch_tcb_region_backed((uintptr_t)b));
    EXPECT(!arch_tcb_region_backed((uintptr_t)tcb_at(2)));
    EXPECT_EQ(tcb_store_bytes(), base + 2 * TCB_BLOCK_SIZE);
    /* A dead thread's block goes back to the zero page, and its frame to the kernel;
     * the next thread with the number gets a fresh one. */
    uint64_t frames = frame_free_count();
    uint64_t old_tid = b->tid;
    thread_kill(b);
    EXPECT(!arch_tcb_region_backed((uintptr_t)b));
    EXPECT_EQ(tcb_store_bytes(), base + TCB_BLOCK_SIZE);
    EXPECT_EQ(frame_free_count(), frames + 2);          /* its TCB page and its UTCB */
    EXPECT_EQ(b->state, THREAD_FREE);
    EXPECT(thread_lookup(old_tid) == NULL);
    struct tcb *again = spawn(space_b, 100);
    EXPECT(again == b);
    EXPECT_EQ(tcb_store_bytes(), base + 2 * TCB_BLOCK_SIZE);
    EXPECT(thread_lookup(again->tid) == again);
    EXPECT(thread_lookup(old_tid) == NULL);
    kernel_check_invariants();
}

/* The word above each TCB, at the far end of its kernel stack, is checked by the
 * invariant sweep: a stack that grew into it is caught. */
UNIT_TEST(test_varray_stack_canary)
{
    reset();
    struct tcb *a = spawn(space_a, 100);
    EXPECT(tcb_store_consistent(a));
    *tcb_stack_canary(a) = 0;                 /* what an overflowing stack would do */
    EXPECT(!tcb_store_consistent(a));
    *tcb_stack_canary(a) = TCB_STACK_CANARY;
    kernel_check_invariants();
}

/* Thread numbers at and past the end of the array name nothing. */
UNIT_TEST(test_varray_numbers_outside)
{
    reset();
    struct tcb *a = spawn(space_a, 100);
    EXPECT(thread_lookup(tid_make(MAX_THREADS, 1)) == NULL);
    EXPECT(thread_lookup(tid_make(MAX_THREADS + 1000, 1)) == NULL);
    EXPECT(thread_lookup(tid_make(0xffff, 1)) == NULL);
    EXPECT(thread_lookup(a->tid) == a);
}
