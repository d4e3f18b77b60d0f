/*
 * Workload preemption (variants/experiments/preemption.conf): interrupt latency while
 * the kernel runs a long operation. A low-priority thread (the root task) unmaps N
 * pages with one SYS_UNMAP, N = 1 ... 10^5 (the kernel's cost grows with N); the user
 * timer fires during it and wakes a top-priority handler, which reads the counter on
 * wake-up. Under PREEMPT=none the interrupt waits for the operation to end; under
 * PREEMPT=points the operation stops at the next point (every PREEMPT_UNITS pages),
 * the interrupt is taken, and the call restarts with the pages that are left.
 *
 * Where the interrupt falls in the operation is swept evenly: for sample i of S the
 * deadline is (i + 1/2) / S of the operation's length (measured first, without an
 * interrupt) after the call starts, so the distribution is that of an interrupt
 * arriving at a uniformly random moment of the operation.
 *
 *   CASE preempt/self/latency len=N        handler's wake-up stamp - the deadline
 *   CASE preempt/self/cost len=N           the operation alone, call to return
 *   CASE preempt/self/count_restarts len=N preemption points taken per operation
 *
 * ARGS: max_pages=<largest N> per_n=<samples S per N> (fewer for the two largest N,
 * whose operations are long). Counts are guest instructions under icount.
 */
#include "irq.h"
#include "workload.h"

#define HANDLER_PRIORITY (BENCH_PRIORITY + 50)
#define SOURCE (ROOT_IMAGE_BASE + 0x40000000ull)   /* N pages of the image, repeated */
#define TARGET (ROOT_IMAGE_BASE + 0x80000000ull)   /* what each operation unmaps */
#define MAX_PER_N 256
#define COST_RUNS 3

extern char __image_base[], __image_end[];

static volatile uint64_t deadline_now, handler_wakes, handler_errors;
static volatile int64_t last_latency;

static void handler(uint64_t unused)
{
    (void)unused;
    struct irq_handle h;
    if (irq_open(&h, IRQ_LINE_TIMER, IPC_NIL) != E_OK)
        handler_errors++;
    for (;;) {
        handler_errors += irq_wait(&h, 0, 0) != E_OK;
        uint64_t now = counter_read();
        last_latency = (int64_t)(now - deadline_now);
        handler_wakes++;
        handler_errors += irq_ack(&h) != E_OK;
    }
}

static uint64_t sys(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return syscall5(nr, a0, a1, a2, a3, 0).error;
}

/* `pages` pages of the root image, repeated, at SOURCE. */
static uint64_t map_source(uint64_t pages)
{
    uint64_t base = (uint64_t)(uintptr_t)__image_base;
    uint64_t image = ((uint64_t)(uintptr_t)__image_end - base) / USER_PAGE_SIZE;
    for (uint64_t done = 0; done < pages;) {
        uint64_t n = pages - done < image ? pages - done : image;
        uint64_t error = sys(SYS_MAP, kip->root_space, base, SOURCE + done * USER_PAGE_SIZE, n);
        if (error != E_OK)
            return error;
        done += n;
    }
    return E_OK;
}

/* Map N pages at TARGET, in batches small enough not to hold interrupts off long. */
static uint64_t map_target(uint64_t pages)
{
    for (uint64_t done = 0; done < pages;) {
        uint64_t n = pages - done < 512 ? pages - done : 512;
        uint64_t error = sys(SYS_MAP, kip->root_space, SOURCE + done * USER_PAGE_SIZE,
                             TARGET + done * USER_PAGE_SIZE, n);
        if (error != E_OK)
            return error;
        done += n;
    }
    return E_OK;
}

static uint64_t kstat(unsigned which)
{
    return syscall5(SYS_KSTAT, which, 0, 0, 0, 0).value;
}

static int64_t latency[MAX_PER_N], cost[COST_RUNS], restarts[MAX_PER_N];

static unsigned run(const struct workload_env *env)
{
    uint64_t max_pages = workload_arg("max_pages", 100000);
    unsigned per_n = (unsigned)workload_arg("per_n", 32);
    if (per_n > MAX_PER_N)
        per_n = MAX_PER_N;
    if (per_n < 2)
        per_n = 2;
    per_n = workload_cap(env, per_n);       /* each interrupt is a latency sample */
    static const uint64_t sizes[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    unsigned n_sizes = 0;
    while (n_sizes < sizeof(sizes) / sizeof(sizes[0]) && sizes[n_sizes] <= max_pages)
        n_sizes++;
    report_plan(3 * n_sizes);
    unsigned *checks = env->checks, *failed = env->failed;

    report_check_count(checks, failed, "preempt_source_mapped", E_OK,
                       map_source(sizes[n_sizes - 1]));
    struct thread_info t;
    report_check_count(checks, failed, "preempt_handler_started", E_OK,
                       (uint64_t)thread_spawn(kip->root_space, handler, 0, HANDLER_PRIORITY,
                                              &t));
    /* What arming the timer costs, so that a deadline can be placed after it. */
    uint64_t a = counter_read();
    syscall5(SYS_TIMER_ARM, 0, 0, 0, 0, 0);
    uint64_t arm_cost = counter_read() - a;

    unsigned id = env->first_case, errors = 0, missed = 0;
    for (unsigned s = 0; s < n_sizes; s++) {
        uint64_t pages = sizes[s];
        /* The two largest sizes take long: fewer samples, still evenly spread. */
        unsigned samples = s + 2 >= n_sizes && pages >= 10000 ? (per_n + 3) / 4 : per_n;
        uint64_t shortest = ~0ull;
        for (unsigned r = 0; r < COST_RUNS; r++) {
            errors += map_target(pages) != E_OK;
            uint64_t t0 = counter_read();
            errors += sys(SYS_UNMAP, kip->root_space, TARGET, pages, 0) != E_OK;
            cost[r] = (int64_t)(counter_read() - t0);
            if ((uint64_t)cost[r] < shortest)
                shortest = (uint64_t)cost[r];
        }
        for (unsigned i = 0; i < samples; i++) {
            errors += map_target(pages) != E_OK;
            uint64_t wakes = handler_wakes;
            uint64_t before = kstat(KSTAT_PREEMPTIONS);
            uint64_t phase = shortest * (2 * i + 1) / (2 * samples);
            uint64_t now = counter_read();
            deadline_now = now + arm_cost + phase;
            syscall5(SYS_TIMER_ARM, deadline_now, 0, 0, 0, 0);
            errors += sys(SYS_UNMAP, kip->root_space, TARGET, pages, 0) != E_OK;
            restarts[i] = (int64_t)(kstat(KSTAT_PREEMPTIONS) - before);
            uint64_t until = counter_read() + 4 * shortest + 100000;
            while (handler_wakes == wakes && counter_read() < until)
                ;                       /* it fell after the return: it comes now */
            missed += handler_wakes == wakes;
            latency[i] = last_latency;
        }
        report_case(id++, "preempt", "self", (unsigned)pages, "latency", 0, latency, samples);
        report_case(id++, "preempt", "self", (unsigned)pages, "cost", 0, cost, COST_RUNS);
        report_case(id++, "preempt", "self", (unsigned)pages, "count_restarts", 0, restarts,
                    samples);
    }
    report_check_count(checks, failed, "preempt_calls_ok", 0, errors);
    report_check_count(checks, failed, "preempt_every_interrupt_handled", 0, missed);
    report_check_count(checks, failed, "preempt_handler_errors", 0, handler_errors);
    thread_release(&t);
    sys(SYS_UNMAP, kip->root_space, SOURCE, sizes[n_sizes - 1], 0);
    return id - env->first_case;
}

WORKLOAD(preemption, "preemption", run);
