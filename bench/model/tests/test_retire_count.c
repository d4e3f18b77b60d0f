/* Retirement counting per block execution: complete blocks, faults in mid-block and at
 * the end, and QEMU's re-run of an interrupted MMIO instruction. */
#include "check.h"
#include "retire_count.h"

/* Run `started` instructions of b, as its hooks would. */
static void run(struct retire_count *rc, struct block_count *b, unsigned started)
{
    retire_block_entry(rc, b);
    b->started += started;
}

void test_retire_count(void)
{
    struct retire_count rc;
    retire_count_init(&rc);
    struct block_count a = {.insns = 5}, b = {.insns = 3};

    run(&rc, &a, 5);                  /* complete */
    CHECK_EQ(retire_count_now(&rc), 5);
    run(&rc, &b, 3);                  /* settles a: 5 */
    CHECK_EQ(rc.retired, 5);
    run(&rc, &a, 2);                  /* settles b: 3; a stops at its 2nd: a fault */
    run(&rc, &b, 3);
    CHECK_EQ(rc.retired, 5 + 3 + 1);
    CHECK_EQ(rc.faults_seen, 1);

    /* Early stop followed by an access of a never-started block: the MMIO re-run of the
     * interrupted instruction, which does retire. */
    struct block_count rerun = {.insns = 1};
    run(&rc, &a, 3);
    retire_memory_access(&rc, &rerun, 0);
    run(&rc, &b, 3);
    CHECK_EQ(rc.retired, 9 + 3 + 3);
    CHECK_EQ(rc.faults_seen, 1);

    /* A last instruction that always accesses memory: retired only if its access was
     * reported in this execution. */
    struct block_count r = {.insns = 4, .last_accesses_memory = true};
    uint64_t before = rc.retired + 3; /* b's 3, settled at r's entry */
    run(&rc, &r, 4);
    retire_memory_access(&rc, &r, 3);
    run(&rc, &b, 3);
    CHECK_EQ(rc.retired, before + 4);
    run(&rc, &r, 4);                   /* no access reported this time: it faulted */
    retire_memory_access(&rc, &r, 2); /* an earlier instruction's access does not count */
    run(&rc, &b, 3);
    CHECK_EQ(rc.retired, before + 4 + 3 + 3);
    CHECK_EQ(rc.faults_seen, 2);

    /* A last instruction of unknown memory use is taken to have retired. */
    struct block_count u = {.insns = 2};
    run(&rc, &u, 2);
    retire_finish(&rc);
    CHECK_EQ(rc.retired, before + 4 + 3 + 3 + 3 + 2);
    CHECK_EQ(retire_count_now(&rc), rc.retired);

    /* Mid-block, the count includes the instructions started so far. */
    retire_count_init(&rc);
    run(&rc, &a, 0);
    a.started += 2;
    CHECK_EQ(retire_count_now(&rc), 2);
}
