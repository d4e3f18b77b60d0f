/*
 * FPU=lazy: who owns the FPU registers, when the FPU is on, and whose values they
 * hold (core/fpu.h), on the host's pretend FPU (arch/host/include/arch/fpu.h). A test
 * plays a thread's FPU use by writing host_fpu_regs while host_fpu_on, and a use
 * while off by calling fpu_first_use() as the #NM handler does.
 */
#include "fpu.h"
#include "unit.h"

static void use(struct tcb *t, uint64_t value)
{
    if (!host_fpu_on)
        fpu_first_use(t);                     /* the trap of a use while off */
    EXPECT(host_fpu_on);
    for (unsigned i = 0; i < HOST_FPU_REGS; i++)
        host_fpu_regs[i] = value + i;
}

static unsigned holds(uint64_t value)
{
    unsigned bad = 0;
    for (unsigned i = 0; i < HOST_FPU_REGS; i++)
        bad += host_fpu_regs[i] != value + i;
    return bad;
}

static unsigned clean(void)
{
    unsigned bad = 0;
    for (unsigned i = 0; i < HOST_FPU_REGS; i++)
        bad += host_fpu_regs[i] != 0;
    return bad;
}

static void fresh(void)
{
    reset();
    fpu_init_owner();
    for (unsigned i = 0; i < HOST_FPU_REGS; i++)
        host_fpu_regs[i] = 0xDEAD;            /* whatever a previous test left */
}

UNIT_TEST(test_fpu_first_use_takes_ownership)
{
    fresh();
    struct tcb *a = spawn(space_a, 100);
    EXPECT(fpu_owner == NULL && !host_fpu_on);
    fpu_switch(a);
    EXPECT(!host_fpu_on);                     /* nobody owns it: off, untouched */
    fpu_first_use(a);
    EXPECT(fpu_owner == a && host_fpu_on && a->fpu_used);
    EXPECT_EQ(clean(), 0);                    /* a clean state, not 0xDEAD */
}

UNIT_TEST(test_fpu_state_survives_other_users)
{
    fresh();
    struct tcb *a = spawn(space_a, 100), *b = spawn(space_b, 100);
    fpu_switch(a);
    use(a, 0xA0);
    fpu_switch(b);
    EXPECT(!host_fpu_on);                     /* b does not own it */
    EXPECT_EQ(holds(0xA0), 0);                /* nothing moved yet: lazy */
    unsigned long saves = host_fpu_saves;
    use(b, 0xB0);                             /* traps: a's state saved, b's fresh */
    EXPECT_EQ(host_fpu_saves, saves + 1);
    EXPECT(fpu_owner == b);
    fpu_switch(a);
    EXPECT(!host_fpu_on);
    fpu_first_use(a);                         /* a's next use: b saved, a restored */
    EXPECT_EQ(holds(0xA0), 0);
    fpu_switch(b);
    fpu_first_use(b);
    EXPECT_EQ(holds(0xB0), 0);
}

/* Back to the owner: on again with no trap, no save, no restore. */
UNIT_TEST(test_fpu_owner_needs_no_trap)
{
    fresh();
    struct tcb *a = spawn(space_a, 100), *b = spawn(space_b, 100);
    fpu_switch(a);
    use(a, 0x10);
    unsigned long saves = host_fpu_saves, restores = host_fpu_restores;
    fpu_switch(b);                            /* b never touches it */
    fpu_switch(a);
    EXPECT(host_fpu_on && fpu_enabled);
    EXPECT_EQ(host_fpu_saves, saves);
    EXPECT_EQ(host_fpu_restores, restores);
    EXPECT_EQ(holds(0x10), 0);
    /* Switching between two threads that are not the owner writes nothing. */
    struct tcb *c = spawn(space_b, 100);
    fpu_switch(b);
    unsigned long toggles = host_fpu_toggles;
    fpu_switch(c);
    fpu_switch(b);
    EXPECT_EQ(host_fpu_toggles, toggles);
}

/* The owner dies: nobody owns the FPU, it is off, and the next user starts clean
 * (never with the dead thread's values); a new thread in its TCB slot too. */
UNIT_TEST(test_fpu_owner_dies)
{
    fresh();
    struct tcb *a = spawn(space_a, 100), *b = spawn(space_b, 100);
    fpu_switch(a);
    use(a, 0x77);
    thread_kill(a);
    EXPECT(fpu_owner == NULL && !host_fpu_on);
    fpu_switch(b);
    use(b, 0);
    EXPECT(fpu_owner == b);
    fpu_switch(b);
    struct tcb *again = spawn(space_a, 100);
    EXPECT(again == a);
    EXPECT(!again->fpu_used);
    fpu_switch(again);
    fpu_first_use(again);
    EXPECT_EQ(clean(), 0);
    kernel_check_invariants();
}

/* A thread that used the FPU, died, and whose state was saved on the way is not
 * restored into its successor either. */
UNIT_TEST(test_fpu_saved_state_not_inherited)
{
    fresh();
    struct tcb *a = spawn(space_a, 100), *b = spawn(space_b, 100);
    fpu_switch(a);
    use(a, 0x55);
    fpu_switch(b);
    use(b, 0x66);                             /* a's state saved into its TCB */
    thread_kill(a);
    struct tcb *again = spawn(space_a, 100);
    fpu_switch(again);
    fpu_first_use(again);
    EXPECT_EQ(clean(), 0);
}
