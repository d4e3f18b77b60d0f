/*
 * TASKS=ids: task IDs from the global table to whoever asks first; the creator owns
 * what it creates, and destroying a task kills everything it created, recursively.
 */
#include "syscall.h"
#include "tasks.h"
#include "unit.h"

static uint64_t task_create(struct tcb *t, uint64_t parent, uint64_t quota)
{
    sys_call(t, SYS_TASK_CREATE, parent, quota, 0);
    return result_error(t);
}

/* One task with no quota at all takes every free ID; then nobody can create. */
UNIT_TEST(test_ids_first_come_first_served)
{
    reset();
    struct tcb *root = spawn(space_a, 100);
    struct tcb *greedy = spawn(space_b, 100);
    unsigned taken = 0;
    while (task_create(greedy, space_b->handle, 0) == E_OK)
        taken++;
    EXPECT_EQ(result_error(greedy), E_NO_MEMORY);
    EXPECT_EQ(taken, MAX_SPACES - 2);                 /* all but the two that existed */
    EXPECT_EQ(task_create(root, space_a->handle, 0), E_NO_MEMORY);
    kernel_check_invariants();
    /* Killing the greedy task's owner... here its own creator kills it: all return. */
    sys_call(root, SYS_SPACE_DESTROY, space_b->handle, 0, 0);
    EXPECT_EQ(result_error(root), E_OK);
    EXPECT_EQ(task_create(root, space_a->handle, 0), E_OK);
    kernel_check_invariants();
}

/* Hierarchical kill: T creates A, A creates B; destroying T takes A and B. Only an
 * owner acts on its task. */
UNIT_TEST(test_ids_hierarchical_kill)
{
    reset();
    struct tcb *root = spawn(space_a, 100);
    EXPECT_EQ(task_create(root, space_a->handle, 0), E_OK);
    struct space *t = space_lookup(result_value(root, 0));
    struct tcb *in_t = spawn(t, 100);
    EXPECT_EQ(task_create(in_t, t->handle, 0), E_OK);
    struct space *a = space_lookup(result_value(in_t, 0));
    struct tcb *in_a = spawn(a, 100);
    EXPECT_EQ(task_create(in_a, a->handle, 0), E_OK);
    uint64_t b = result_value(in_a, 0);
    sys_call(root, SYS_SPACE_DESTROY, b, 0, 0);
    EXPECT_EQ(result_error(root), E_NO_PERMISSION);   /* the root does not own B */
    uint64_t tids[2] = {in_t->tid, in_a->tid};
    sys_call(root, SYS_SPACE_DESTROY, t->handle, 0, 0);
    EXPECT_EQ(result_error(root), E_OK);
    EXPECT(space_lookup(b) == NULL);
    EXPECT(thread_lookup(tids[0]) == NULL && thread_lookup(tids[1]) == NULL);
    kernel_check_invariants();
}

UNIT_TEST(test_ids_bad_input)
{
    reset();
    struct tcb *root = spawn(space_a, 100);
    EXPECT_EQ(task_create(root, space_a->handle, 1), E_INVALID_ARG); /* no quotas here */
    root_space = space_a;                              /* a creator of tasks learns ... */
    EXPECT_EQ(task_create(root, space_b->handle + 1, 0), E_INVALID_ARG); /* ... of a stale handle */
    root_space = NULL;
    kernel_check_invariants();
}
