/*
 * TASKS=caps: a task creates tasks from the quota its creator handed it, and destroying
 * a task gives everything made from that quota back to whoever paid.
 */
#include "syscall.h"
#include "tasks.h"
#include "unit.h"

static uint64_t task_create(struct tcb *t, uint64_t parent, uint64_t quota)
{
    sys_call(t, SYS_TASK_CREATE, parent, quota, 0);
    return result_error(t);
}

UNIT_TEST(test_caps_quota_bounds_creation)
{
    reset();
    struct tcb *root = spawn(space_a, 100);
    struct tcb *child = spawn(space_b, 100);
    uint32_t root_quota = space_a->task_quota;
    EXPECT_EQ(root_quota, TASKS_ROOT_QUOTA);
    EXPECT_EQ(task_create(child, space_b->handle, 0), E_QUOTA);  /* handed nothing */
    /* The root hands a new task T a quota of 3: four units from its own. */
    EXPECT_EQ(task_create(root, space_a->handle, 3), E_OK);
    struct space *t = space_lookup(result_value(root, 0));
    EXPECT(t != NULL && t->creator == space_a);
    EXPECT_EQ(t->task_quota, 3);
    EXPECT_EQ(space_a->task_quota, root_quota - 4);
    struct tcb *in_t = spawn(t, 100);
    for (unsigned i = 0; i < 3; i++)
        EXPECT_EQ(task_create(in_t, t->handle, 0), E_OK);
    EXPECT_EQ(task_create(in_t, t->handle, 0), E_QUOTA);       /* its quota, no more */
    EXPECT_EQ(t->task_quota, 0);
    /* The root can still create: one task's greed took nothing from it. */
    EXPECT_EQ(task_create(root, space_a->handle, 0), E_OK);
    struct space *other = space_lookup(result_value(root, 0));
    kernel_check_invariants();
    /* Revoking T (destroying it) returns all four units to the root. */
    sys_call(root, SYS_SPACE_DESTROY, t->handle, 0, 0);
    EXPECT_EQ(result_error(root), E_OK);
    EXPECT_EQ(space_a->task_quota, root_quota - 1);             /* `other` still stands */
    space_destroy(other);
    EXPECT_EQ(space_a->task_quota, root_quota);
    kernel_check_invariants();
}

/* The caller pays, whoever owns the new task. */
UNIT_TEST(test_caps_payer_and_owner)
{
    reset();
    struct tcb *root = spawn(space_a, 100);
    uint32_t root_quota = space_a->task_quota;
    EXPECT_EQ(task_create(root, space_b->handle, 0), E_OK);   /* owned by space_b */
    struct space *s = space_lookup(result_value(root, 0));
    EXPECT(s->creator == space_b);
    EXPECT_EQ(space_b->task_quota, 0);
    EXPECT_EQ(space_a->task_quota, root_quota - 1);
    /* Destroying the owner destroys it too; the payer gets its unit back. */
    space_destroy(space_b);
    EXPECT_EQ(space_a->task_quota, root_quota);
    kernel_check_invariants();
}

UNIT_TEST(test_caps_bad_input)
{
    reset();
    struct tcb *root = spawn(space_a, 100);
    struct tcb *child = spawn(space_b, 100);
    uint32_t root_quota = space_a->task_quota;
    EXPECT_EQ(task_create(root, space_a->handle, root_quota), E_QUOTA); /* no unit left for the task */
    EXPECT_EQ(task_create(root, space_a->handle, ~0ull), E_QUOTA);
    EXPECT_EQ(space_a->task_quota, root_quota);
    EXPECT_EQ(task_create(child, space_a->handle, 0), E_NO_PERMISSION);  /* not its to own */
    root_space = space_a;                              /* a creator of tasks learns ... */
    EXPECT_EQ(task_create(root, space_b->handle + 1, 0), E_INVALID_ARG); /* ... of a stale handle */
    root_space = NULL;
    kernel_check_invariants();
}
