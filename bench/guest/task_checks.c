/*
 * Task creation and destruction from user mode (TASKS axis).
 *
 *   both  a task made under a task the root made dies with it (the owner tree), and
 *         every handle of the dead subtree is stale afterwards: refused as a parent
 *         and as a task to destroy; a task may not create under a task it does not own;
 *   caps  a quota the root does not have is E_QUOTA; a task the root made with no
 *         quota cannot create (E_QUOTA), one handed a quota of 2 creates two and no
 *         more; destroying it gives the root its units back;
 *   ids   a quota is E_INVALID_ARG (task IDs come with none); a task the root made
 *         with nothing creates tasks all the same, first come first served.
 */
#include "runtime.h"

extern char __image_base[], __image_end[];

static unsigned *n_checks, *n_failed;

static void check(const char *name, uint64_t expect, uint64_t got)
{
    report_check_count(n_checks, n_failed, name, expect, got);
}

static struct sys_result task_create(uint64_t parent, uint64_t quota)
{
    return syscall5(SYS_TASK_CREATE, parent, quota, 0, 0, 0);
}

/* A thread in a task of the root's: creates tasks in its own task until refused or
 * `limit` is reached, counting them. */
static volatile struct {
    uint64_t own;            /* its task's handle */
    uint64_t limit;
    uint64_t made, last_error, done;
} child;

static void creating_thread(uint64_t unused)
{
    (void)unused;
    for (;;) {
        struct sys_result r = task_create(child.own, 0);
        child.last_error = r.error;
        if (r.error != E_OK || ++child.made == child.limit)
            break;
    }
    child.done = 1;
    for (;;)
        syscall5(SYS_YIELD, 0, 0, 0, 0, 0);
}

/* Run creating_thread in task t (the root image mapped into it by the caller). */
static void run_child(uint64_t t, uint64_t limit, struct thread_info *th)
{
    child.own = t;
    child.limit = limit;
    child.made = child.done = 0;
    child.last_error = ~0ull;
    if (thread_spawn(t, creating_thread, 0, BENCH_PRIORITY, th) != E_OK)
        return;
    for (unsigned i = 0; i < 1000 && !child.done; i++)
        syscall5(SYS_YIELD, 0, 0, 0, 0, 0);
}

/* A task of the root's with the root image mapped (its threads run the root's code). */
static uint64_t image_task(uint64_t quota)
{
    struct sys_result r = task_create(kip->root_space, quota);
    if (r.error != E_OK)
        return 0;
    uint64_t base = (uint64_t)(uintptr_t)__image_base;
    uint64_t pages = ((uint64_t)(uintptr_t)__image_end - base) / USER_PAGE_SIZE;
    syscall5(SYS_MAP, r.value, base, base, pages, MAP_WRITABLE);
    return r.value;
}

void task_checks(unsigned *checks, unsigned *failed)
{
    n_checks = checks;
    n_failed = failed;
    bool caps = kip_config_is("tasks", "caps");
    /* The owner tree: T, and U made by the root under T (the root owns T). */
    struct sys_result t = task_create(kip->root_space, caps ? 1 : 0);
    check("task_create", E_OK, t.error);
    struct sys_result u = task_create(t.value, 0);
    check("task_create_under_own_task", E_OK, u.error);
    struct sys_result w = task_create(u.value, 0);
    check("task_create_under_foreign_task", E_NO_PERMISSION, w.error); /* U is T's */
    check("task_destroy_subtree", E_OK, syscall5(SYS_SPACE_DESTROY, t.value, 0, 0, 0, 0).error);
    check("task_stale_parent", E_INVALID_ARG, task_create(t.value, 0).error);
    check("task_stale_destroy", E_INVALID_ARG,
          syscall5(SYS_SPACE_DESTROY, t.value, 0, 0, 0, 0).error);
    check("task_stale_child_destroy", E_INVALID_ARG,
          syscall5(SYS_SPACE_DESTROY, u.value, 0, 0, 0, 0).error);

    struct thread_info th;
    if (caps) {
        check("task_quota_too_large", E_QUOTA, task_create(kip->root_space, ~0ull).error);
        uint64_t none = image_task(0);
        run_child(none, 8, &th);
        check("task_caps_no_quota", E_QUOTA, child.last_error);
        check("task_caps_no_quota_made", 0, child.made);
        thread_release(&th);
        syscall5(SYS_SPACE_DESTROY, none, 0, 0, 0, 0);
        uint64_t two = image_task(2);
        run_child(two, 8, &th);
        check("task_caps_quota_made", 2, child.made);
        check("task_caps_quota_spent", E_QUOTA, child.last_error);
        thread_release(&th);
        check("task_caps_revoke", E_OK, syscall5(SYS_SPACE_DESTROY, two, 0, 0, 0, 0).error);
    } else {
        check("task_ids_no_quota", E_INVALID_ARG, task_create(kip->root_space, 1).error);
        uint64_t any = image_task(0);
        run_child(any, 3, &th);
        check("task_ids_anyone_creates", 3, child.made);
        thread_release(&th);
        check("task_ids_kill", E_OK, syscall5(SYS_SPACE_DESTROY, any, 0, 0, 0, 0).error);
    }
    check("task_kernel_runs_on", E_OK, syscall5(SYS_NULL, 0, 0, 0, 0, 0).error);
}
