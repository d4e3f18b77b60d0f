/* PREEMPT=none: a long SYS_UNMAP runs to completion whatever is pending, and never
 * asks the machine. */
#include <arch/host_irq.h>

#include "unit.h"

#define BASE (USER_BASE + 0x100000ull)
#define PAGES 1500

UNIT_TEST(test_unmap_runs_to_completion)
{
    reset();
    struct tcb *t = spawn(space_a, 100);
    for (uint64_t i = 0; i < PAGES; i++)
        EXPECT(arch_map_page(&space_a->arch, BASE + i * FRAME_SIZE, FRAME_SIZE * (i + 1), true));
    unsigned long checks = host_irq_pending_checks;
    uint64_t preemptions = kstat[KSTAT_PREEMPTIONS];
    host_irq_pending_after = 0;
    sys_call(t, SYS_UNMAP, space_a->handle, BASE, PAGES);
    host_irq_pending_after = -1;
    EXPECT_EQ(result_error(t), E_OK);
    EXPECT_EQ(host_irq_pending_checks, checks);
    EXPECT_EQ(kstat[KSTAT_PREEMPTIONS], preemptions);
    uint64_t frame;
    bool writable;
    EXPECT(!arch_lookup_page(&space_a->arch, BASE + (PAGES - 1) * FRAME_SIZE, &frame, &writable));
}
