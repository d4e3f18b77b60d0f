/*
 * PREEMPT=points: SYS_UNMAP stops at a preemption point when an interrupt is pending,
 * with the space consistent (the pages before the point gone, the rest mapped) and the
 * call rewound with its remaining range in the arguments; run again, it finishes.
 */
#include <arch/host_irq.h>

#include "preempt.h"
#include "unit.h"

#define BASE (USER_BASE + 0x100000ull)
#define PAGES (2 * PREEMPT_UNITS + 3)

static bool mapped(uint64_t addr)
{
    uint64_t frame;
    bool writable;
    return arch_lookup_page(&space_a->arch, addr, &frame, &writable);
}

static struct tcb *setup(void)
{
    reset();
    struct tcb *t = spawn(space_a, 100);
    for (uint64_t i = 0; i < PAGES; i++)
        EXPECT(arch_map_page(&space_a->arch, BASE + i * FRAME_SIZE, FRAME_SIZE * (i + 1), true));
    t->regs.ip = 0x1000;
    return t;
}

/* The thread executes its trap again: the host's stand-in for returning to user mode. */
static struct tcb *reenter(struct tcb *t)
{
    t->regs.ip += HOST_SYSCALL_BYTES;
    return sys_call(t, t->regs.syscall, t->regs.arg[0], t->regs.arg[1], t->regs.arg[2]);
}

UNIT_TEST(test_unmap_stops_at_point_and_restarts)
{
    struct tcb *t = setup();
    uint64_t preemptions = kstat[KSTAT_PREEMPTIONS];
    unsigned long checks = host_irq_pending_checks;
    host_irq_pending_after = 0;              /* an interrupt waits from the first point */
    EXPECT(sys_call(t, SYS_UNMAP, space_a->handle, BASE, PAGES) == t);
    EXPECT_EQ(host_irq_pending_checks, checks + 1);
    EXPECT_EQ(kstat[KSTAT_PREEMPTIONS], preemptions + 1);
    EXPECT_EQ(t->regs.syscall, SYS_UNMAP);   /* no result: the call is rewound ... */
    EXPECT_EQ(t->regs.ip, 0x1000 - HOST_SYSCALL_BYTES);
    EXPECT_EQ(t->regs.arg[0], space_a->handle);
    EXPECT_EQ(t->regs.arg[1], BASE + PREEMPT_UNITS * FRAME_SIZE);  /* ... past the work done */
    EXPECT_EQ(t->regs.arg[2], PAGES - PREEMPT_UNITS);
    EXPECT(!mapped(BASE) && !mapped(BASE + (PREEMPT_UNITS - 1) * FRAME_SIZE));
    EXPECT(mapped(BASE + PREEMPT_UNITS * FRAME_SIZE) && mapped(BASE + (PAGES - 1) * FRAME_SIZE));
    kernel_check_invariants();

    host_irq_pending_after = -1;             /* the interrupt was taken: none waits */
    EXPECT(reenter(t) == t);
    EXPECT_EQ(result_error(t), E_OK);
    EXPECT_EQ(kstat[KSTAT_PREEMPTIONS], preemptions + 1);
    for (uint64_t i = 0; i < PAGES; i++)
        EXPECT(!mapped(BASE + i * FRAME_SIZE));
    kernel_check_invariants();
}

/* Interrupts always pending: it still makes progress, one batch per entry. */
UNIT_TEST(test_unmap_progress_under_constant_interrupts)
{
    struct tcb *t = setup();
    uint64_t preemptions = kstat[KSTAT_PREEMPTIONS];
    host_irq_pending_after = 0;
    sys_call(t, SYS_UNMAP, space_a->handle, BASE, PAGES);
    unsigned entries = 1;
    while (t->regs.syscall == SYS_UNMAP && entries < 10) {
        reenter(t);
        entries++;
    }
    host_irq_pending_after = -1;
    EXPECT_EQ(result_error(t), E_OK);
    unsigned batches = (PAGES + PREEMPT_UNITS - 1) / PREEMPT_UNITS;
    EXPECT_EQ(entries, batches);             /* one batch of PREEMPT_UNITS per entry */
    EXPECT_EQ(kstat[KSTAT_PREEMPTIONS], preemptions + batches - 1);
    EXPECT(!mapped(BASE + (PAGES - 1) * FRAME_SIZE));
    kernel_check_invariants();
}

/* No point falls after the last page: a range of exactly PREEMPT_UNITS never stops. */
UNIT_TEST(test_unmap_no_point_after_last_page)
{
    struct tcb *t = setup();
    host_irq_pending_after = 0;
    sys_call(t, SYS_UNMAP, space_a->handle, BASE, PREEMPT_UNITS);
    host_irq_pending_after = -1;
    EXPECT_EQ(result_error(t), E_OK);
    EXPECT(mapped(BASE + PREEMPT_UNITS * FRAME_SIZE));
}
