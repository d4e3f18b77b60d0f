/*
 * Workload `process-hierarchy` (variants/experiments/process-hierarchy.conf): tasks as
 * classic L4 made them (TASKS=ids: task IDs from one global table, first come first
 * served, owned by their creator and killed with it) against tasks made from a quota
 * (TASKS=caps: the creator pays from what its own creator handed it, and destroying
 * the task gives everything made from it back).
 *
 * Cases:
 *   tasks/self/create (len = n)   a subtree of n tasks: a task T and n - 1 tasks owned by
 *                                 T, made by the root task one system call each; one
 *                                 sample = the instructions of those n calls divided by
 *                                 n (rounded), n = 1, 2, 4, ..., 256
 *   tasks/self/destroy (len = n)  destroying T, which destroys the whole subtree: the
 *                                 one system call
 *   exhaust/self/free (len 0)     task IDs free before the attack (the root probes by
 *                                 creating until refused, then gives them back)
 *   exhaust/self/taken (len 0)    how many tasks one misbehaving client takes: a task the
 *                                 root made with a quota of `quota` (ARGS; ids: no quota),
 *                                 whose thread creates tasks until refused
 *   exhaust/self/left (len 0)     how many the root can still create after that
 * Each size is measured `reps` times (ARGS, default 5); a size whose subtree cannot be
 * made (an architecture with fewer address-space IDs) is a SKIP. Before each size the
 * table holds only the root's own tasks, so every sample starts from the same state.
 * CHECKs: every subtree is made and destroyed without error and leaves the table as it
 * found it (the probe count afterwards equals the one before); the misbehaving
 * client is refused with E_QUOTA under caps and E_NO_MEMORY under ids.
 */
#include "workload.h"

#define MAX_N 256
#define SIZES 9                         /* 1, 2, 4, ..., 256 */
#define MAX_REPS 16
#define MAX_HANDLES 320
#define PARK_SLOT 121u                  /* misbehaving task: RECV of an endpoint nobody uses */
#define ATTACK_PRIORITY (BENCH_PRIORITY + 10)

extern char __image_base[], __image_end[];

static uint64_t handles[MAX_HANDLES];
static int64_t create_cost[SIZES][MAX_REPS], destroy_cost[SIZES][MAX_REPS];
static bool size_ok[SIZES];

static volatile struct {
    uint64_t own, park_from;
    uint64_t taken, last_error, done;
} attack;

static uint64_t read_overhead(void)
{
    uint64_t best = ~0ull;
    for (unsigned i = 0; i < 16; i++) {
        uint64_t a = counter_read(), b = counter_read();
        if (b - a < best)
            best = b - a;
    }
    return best;
}

/* Create tasks of the root's until refused; returns how many (and destroys them). */
static unsigned probe(void)
{
    unsigned n = 0;
    while (n < MAX_HANDLES) {
        struct sys_result r = syscall5(SYS_TASK_CREATE, kip->root_space, 0, 0, 0, 0);
        if (r.error != E_OK)
            break;
        handles[n++] = r.value;
    }
    for (unsigned i = 0; i < n; i++)
        syscall5(SYS_SPACE_DESTROY, handles[i], 0, 0, 0, 0);
    return n;
}

/* One subtree of n tasks: made, then destroyed. Returns the number of failed calls. */
static uint64_t subtree(unsigned n, uint64_t overhead, int64_t *create, int64_t *destroy)
{
    uint64_t errors = 0, sum = 0;
    uint64_t t0 = counter_read();
    struct sys_result top = syscall5(SYS_TASK_CREATE, kip->root_space, 0, 0, 0, 0);
    uint64_t t1 = counter_read();
    if (top.error != E_OK)
        return 1;
    sum += t1 - t0 - overhead;
    for (unsigned i = 1; i < n; i++) {
        t0 = counter_read();
        struct sys_result r = syscall5(SYS_TASK_CREATE, top.value, 0, 0, 0, 0);
        t1 = counter_read();
        errors += r.error != E_OK;
        sum += t1 - t0 - overhead;
    }
    t0 = counter_read();
    uint64_t e = syscall5(SYS_SPACE_DESTROY, top.value, 0, 0, 0, 0).error;
    t1 = counter_read();
    errors += e != E_OK;
    *create = (int64_t)((sum + n / 2) / n);
    *destroy = (int64_t)(t1 - t0 - overhead);
    return errors;
}

static void attacker(uint64_t unused)
{
    (void)unused;
    for (;;) {
        struct sys_result r = syscall5(SYS_TASK_CREATE, attack.own, 0, 0, 0, 0);
        attack.last_error = r.error;
        if (r.error != E_OK)
            break;
        attack.taken++;
    }
    attack.done = 1;
    for (;;) {                          /* nobody sends here: blocked for good */
        struct ipc_args a = {.nr = SYS_RECV, .from = attack.park_from};
        ipc_stub(&a);
    }
}

/* The misbehaving client: a task with `quota` (caps) running attacker(). Returns what
 * it took; *left = what the root can create afterwards. */
static uint64_t exhaust(uint64_t quota, bool caps, bool endpoints, uint64_t *left,
                        uint64_t *refused_with)
{
    attack.taken = attack.done = 0;
    attack.last_error = ~0ull;
    struct sys_result g = syscall5(SYS_TASK_CREATE, kip->root_space, caps ? quota : 0, 0, 0, 0);
    if (g.error != E_OK)
        return 0;
    uint64_t base = (uint64_t)(uintptr_t)__image_base;
    uint64_t pages = ((uint64_t)(uintptr_t)__image_end - base) / USER_PAGE_SIZE;
    syscall5(SYS_MAP, g.value, base, base, pages, MAP_WRITABLE);
    attack.own = g.value;
    attack.park_from = kip->root_tid;
    uint64_t park = IPC_NIL;
    if (endpoints) {
        struct sys_result ep = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
        if (ep.error == E_OK) {
            park = ep.value;
            syscall5(SYS_CAP_MINT, g.value, park, PARK_SLOT, 0, CAP_RIGHT_RECV);
            attack.park_from = PARK_SLOT;
        }
    }
    struct thread_info t;
    if (thread_spawn(g.value, attacker, 0, ATTACK_PRIORITY, &t) == E_OK) {
        /* It runs above the root until it is refused and blocks. */
        *left = probe();
        thread_release(&t);
    }
    *refused_with = attack.last_error;
    syscall5(SYS_SPACE_DESTROY, g.value, 0, 0, 0, 0);  /* and everything it took */
    if (park != IPC_NIL)
        syscall5(SYS_CAP_DELETE, park, 0, 0, 0, 0);
    return attack.done ? attack.taken : 0;
}

static unsigned hierarchy_run(const struct workload_env *env)
{
    bool caps = kip_config_is("tasks", "caps");
    bool endpoints = kip_config_is("dest", "endpoint");
    unsigned reps = (unsigned)workload_arg("reps", 5);
    uint64_t quota = workload_arg("quota", 4);
    if (reps < 1 || reps > MAX_REPS)
        reps = 5;
    uint64_t overhead = read_overhead();
    uint64_t free_before = probe();
    uint64_t errors = 0, leaks = 0;
    unsigned measured = 0;
    for (unsigned s = 0; s < SIZES; s++) {
        unsigned n = 1u << s;
        size_ok[s] = n + 1 <= free_before + 1 && n <= free_before;
        for (unsigned r = 0; r < reps && size_ok[s]; r++)
            errors += subtree(n, overhead, &create_cost[s][r], &destroy_cost[s][r]);
        measured += size_ok[s];
    }
    leaks += probe() != free_before;
    uint64_t left = 0, refused = 0;
    uint64_t taken = exhaust(quota, caps, endpoints, &left, &refused);
    leaks += probe() != free_before;

    report_plan(2 * measured + 3);
    report_check_count(env->checks, env->failed, "subtree_errors", 0, errors);
    report_check_count(env->checks, env->failed, "table_as_before", 0, leaks);
    report_check_count(env->checks, env->failed, "attacker_refused_with",
                       caps ? E_QUOTA : E_NO_MEMORY, refused);
    unsigned id = env->first_case;
    for (unsigned s = 0; s < SIZES; s++) {
        if (!size_ok[s]) {
            report_skip("tasks", "self", 1u << s, "table_too_small");
            continue;
        }
        report_case(id++, "tasks", "self", 1u << s, "create", overhead, create_cost[s], reps);
        report_case(id++, "tasks", "self", 1u << s, "destroy", overhead, destroy_cost[s],
                    reps);
    }
    int64_t v[3] = {(int64_t)free_before, (int64_t)taken, (int64_t)left};
    report_case(id++, "exhaust", "self", 0, "free", 0, &v[0], 1);
    report_case(id++, "exhaust", "self", 0, "taken", 0, &v[1], 1);
    report_case(id++, "exhaust", "self", 0, "left", 0, &v[2], 1);
    return id - env->first_case;
}

WORKLOAD(process_hierarchy, "process-hierarchy", hierarchy_run);
