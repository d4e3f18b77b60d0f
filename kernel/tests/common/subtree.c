/*
 * The owner tree both TASKS values keep (space.c): destroying a task destroys
 * everything under it, deep chains and wide fans alike, with their threads, and leaves
 * the tree and the table consistent.
 */
#include "unit.h"

/* A chain of n tasks under top, each owned by the one before. */
static struct space *chain(struct space *top, unsigned n)
{
    struct space *s = top, *last = top;
    for (unsigned i = 0; i < n; i++) {
        last = space_create(s);
        EXPECT(last != NULL);
        s = last;
    }
    return last;
}

UNIT_TEST(test_destroy_deep_and_wide_subtrees)
{
    reset();
    struct space *t = space_create(space_a);
    struct space *deepest = chain(t, 40);
    struct tcb *in_deepest = spawn(deepest, 100);
    for (unsigned i = 0; i < 40; i++)
        EXPECT(space_create(t) != NULL);             /* a fan beside the chain */
    EXPECT(space_tree_consistent());
    uint64_t handle = deepest->handle, top = t->handle;
    uint64_t tid = in_deepest->tid;
    kernel_check_invariants();
    space_destroy(t);
    EXPECT(space_lookup(top) == NULL);
    EXPECT(space_lookup(handle) == NULL);
    EXPECT(thread_lookup(tid) == NULL);              /* its threads went with it */
    EXPECT(space_a->first_child == space_b);         /* the rest of the tree untouched */
    EXPECT(space_tree_consistent());
    kernel_check_invariants();
    /* Every slot is free again: the table holds as many new tasks as before. */
    unsigned made = 0;
    while (space_create(space_a))
        made++;
    EXPECT_EQ(made, MAX_SPACES - 2);
}
