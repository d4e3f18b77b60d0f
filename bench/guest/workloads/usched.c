/*
 * Workload usched (variants/experiments/usched.conf): user-level scheduling against the
 * kernel's fixed-priority round robin, on the same threads (len 0: the kernel
 * schedules; len 1: a user-level scheduler does, through SYS_SCHED_*):
 *
 *   three CPU-bound workers and an IPC-bound client/server pair (priority 50, round
 *   robin among them every `slice` ticks: the kernel's tick in len 0, the scheduler's
 *   timer in len 1), a periodic thread P (100) released every `period` ticks, and a
 *   thread B (60) that P wakes each period and that blocks again at once.
 *
 * In len 1 the scheduler (200) owns the user timer and receives every event as a bit
 * of its notification (IRQ=notify, NOTIFY=notify): a parked thread became ready, the
 * thread it dispatched stopped, the timer fired; it keeps P first, B next, the others
 * round robin, and dispatches with SYS_SCHED_RUN.
 *
 *   usched/self/decision len=m   a scheduling decision after a block: B's stamp just
 *                                before it blocks to the first stamp of the worker
 *                                that runs next (the workers watch for it)
 *   usched/self/release len=m    P's release latency: its wake-up - its deadline
 *   usched/self/rpc len=m        one RPC of the pair (each needs two decisions in len 1)
 *   usched/self/count_work       work units done by each worker (throughput)
 *   usched/self/count_rpcs       RPCs completed
 *   usched/self/count_decisions  decisions taken: the kernel's picks (len 0), the user
 *                                scheduler's (len 1)
 *
 * Counter ticks are guest instructions under icount. ARGS: periods=<P's periods>
 * period=<ticks> slice=<ticks of a round-robin slice in len 1>.
 */
#include "irq.h"
#include "workload.h"

#define WORKERS 3
#define MANAGED (WORKERS + 4)               /* workers, client, server, P, B */
#define LOW_PRIORITY 50
#define B_PRIORITY 60
#define P_PRIORITY (BENCH_PRIORITY)
#define SCHED_PRIORITY (BENCH_PRIORITY + 100)
#define MAX_EVENTS 512
#define MAX_RPCS 4096
#define TIMER_BIT (1ull << 62)

enum { W0 = 0, CLIENT = WORKERS, SERVER, PERIODIC, BLOCKER };

static struct thread_info th[MANAGED], sched_t;
static uint64_t n_done, n_blocker, n_periodic, n_park; /* notification slots */
static uint64_t period, slice;
static unsigned periods, user_mode;
static int by_endpoint;
static uint64_t server_ep;

static volatile uint64_t stop, decision_pending, block_stamp, release_deadline;
static volatile uint64_t units[WORKERS], rpcs, n_decision, n_release, n_rpc_samples;
static int64_t decision[MAX_EVENTS], release[MAX_EVENTS], rpc[MAX_RPCS];
static volatile uint64_t user_decisions, sched_errors, call_started;

static void park(void)
{
    for (;;)
        syscall5(SYS_WAIT, n_park, 0, 0, 0, 0);
}

/* Whoever of the low threads runs first after B blocked times the decision. */
static inline void note_decision(void)
{
    if (decision_pending) {
        uint64_t now = counter_read();
        decision_pending = 0;
        if (n_decision < MAX_EVENTS)
            decision[n_decision++] = (int64_t)(now - block_stamp);
    }
}

static void worker(uint64_t w)
{
    while (!stop) {
        note_decision();
        units[w]++;
        for (volatile unsigned k = 0; k < 16; k++)
            ;
    }
    park();
}

static void server(uint64_t unused)
{
    (void)unused;
    uint64_t from = by_endpoint ? server_ep : IPC_ANY;
    struct sys_result r = ipc_op(SYS_RECV, 0, 0, from);
    for (;;) {
        note_decision();
        r = ipc_op(SYS_REPLY_WAIT, r.value, 0, from);
    }
}

static void client(uint64_t unused)
{
    (void)unused;
    uint64_t dest = by_endpoint ? server_ep : th[SERVER].tid;
    while (!stop) {
        note_decision();
        uint64_t t0 = counter_read();
        call_started = t0;
        ipc_op(SYS_CALL, dest, 0, 0);
        if (n_rpc_samples < MAX_RPCS)
            rpc[n_rpc_samples++] = (int64_t)(counter_read() - t0);
        rpcs++;
    }
    park();
}

/* B: woken by P each period, blocks again at once: the decision the workers time. */
static void blocker(uint64_t unused)
{
    (void)unused;
    for (;;) {
        syscall5(SYS_WAIT, n_blocker, 0, 0, 0, 0);
        if (stop)
            park();
        decision_pending = 1;
        block_stamp = counter_read();
    }
}

/* P's job, the same in both modes: note the release, wake B, finish; the last period
 * stops everyone and wakes the root. */
static void periodic_job(unsigned i, uint64_t woke)
{
    if (n_release < MAX_EVENTS)
        release[n_release++] = (int64_t)(woke - release_deadline);
    syscall5(SYS_SIGNAL, n_blocker, 0, 0, 0, 0);
    if (i + 1 == periods) {
        stop = 1;
        syscall5(SYS_SIGNAL, n_done, 0, 0, 0, 0);
    }
}

/* len 0: P owns the timer and is scheduled by the kernel. */
static void periodic_kernel(uint64_t unused)
{
    (void)unused;
    struct irq_handle h;
    sched_errors += irq_open(&h, IRQ_LINE_TIMER, IPC_NIL) != E_OK;
    release_deadline = counter_read() + period;
    timer_arm(release_deadline);
    for (unsigned i = 0; i < periods; i++) {
        irq_wait(&h, 0, 0);
        uint64_t woke = counter_read();
        periodic_job(i, woke);
        release_deadline += period;
        if (i + 1 < periods)
            timer_arm(release_deadline);
        irq_ack(&h);
    }
    irq_close(&h);
    park();
}

/* len 1: P waits for the scheduler's signal at each release. */
static void periodic_user(uint64_t unused)
{
    (void)unused;
    for (unsigned i = 0; i < periods; i++) {
        syscall5(SYS_WAIT, n_periodic, 0, 0, 0, 0);
        periodic_job(i, counter_read());
    }
    park();
}

/* ---- the user-level scheduler (len 1) ---- */

static int ready[MANAGED];

static void user_scheduler(uint64_t unused)
{
    (void)unused;
    struct sys_result n = syscall5(SYS_NOTIFY_CREATE, 0, 0, 0, 0, 0);
    sched_errors += n.error != E_OK;
    uint64_t timer_slot = 59;               /* a badged copy: the timer's own bit */
    sched_errors += syscall5(SYS_CAP_MINT, kip->root_space, n.value, timer_slot, TIMER_BIT,
                             CAP_RIGHT_SEND).error != E_OK;
    sched_errors += syscall5(SYS_SCHED_CONTROL, n.value, 0, 0, 0, 0).error != E_OK;
    struct irq_handle h;
    sched_errors += irq_open(&h, IRQ_LINE_TIMER, timer_slot) != E_OK;
    for (unsigned i = 0; i < MANAGED; i++)
        sched_errors += syscall5(SYS_SCHED_MANAGE, th[i].tid, 1, 0, 0, 0).error != E_OK;
    uint64_t next_release = counter_read() + period;
    release_deadline = next_release;
    uint64_t slice_end = 0;
    int current = -1;           /* the thread dispatched last */
    int turn = -1;              /* the low thread whose round-robin slice it is */
    int handoff = -1;           /* a low thread woken while the turn's holder ran */
    unsigned rr = 0, released = 0;
    timer_arm(next_release);
    for (;;) {
        uint64_t bits = syscall5(SYS_WAIT, n.value, 0, 0, 0, 0).value;
        uint64_t now = counter_read();
        user_decisions++;
        if (bits & USCHED_EVENT_STOPPED) {     /* the dispatched thread blocked */
            if (current >= 0)
                ready[current] = 0;
            current = -1;
        }
        for (unsigned i = 0; i < MANAGED; i++)
            if (bits & (1ull << (th[i].tid >> TID_VERSION_BITS))) {
                ready[i] = 1;
                if (i < WORKERS + 2 && (int)i != turn)
                    handoff = (int)i;       /* woken by the one running, most likely */
            }
        if (turn >= 0 && !ready[turn]) {
            /* It blocked: a low thread it woke (the other end of an RPC) takes over
             * the rest of the slice, as the kernel's direct switch would have it. */
            turn = handoff >= 0 && ready[handoff] && now < slice_end ? handoff : -1;
            handoff = -1;
        }
        if (bits & TIMER_BIT) {
            if (now >= next_release && released < periods) {
                release_deadline = next_release;
                syscall5(SYS_SIGNAL, n_periodic, 0, 0, 0, 0);   /* P is ready now */
                ready[PERIODIC] = 1;
                released++;
                next_release += period;
            }
            if (turn >= 0 && now >= slice_end)
                turn = -1;                  /* its slice is over: round robin */
            irq_ack(&h);
        }
        if (turn < 0)                       /* the next low thread gets a fresh slice */
            for (unsigned k = 0; k < WORKERS + 2 && turn < 0; k++) {
                unsigned c = (rr + k) % (WORKERS + 2);
                if (ready[c]) {
                    turn = (int)c;
                    rr = c + 1;
                    slice_end = now + slice;
                }
            }
        /* P first, B next, then the low thread whose turn it is. */
        int choice = ready[PERIODIC] ? PERIODIC : ready[BLOCKER] ? BLOCKER : turn;
        if (choice >= 0 && choice != current) {
            uint64_t e = syscall5(SYS_SCHED_RUN, th[choice].tid, 0, 0, 0, 0).error;
            if (e == E_OK) {
                current = choice;
            } else {
                ready[choice] = 0;          /* stale: it blocked meanwhile */
                sched_errors += e != E_WOULD_BLOCK;
            }
        }
        uint64_t wake = released < periods ? next_release : ~0ull;
        if (turn >= 0 && slice_end < wake)
            wake = slice_end;
        if (wake != ~0ull)
            timer_arm(wake);
    }
}

static uint64_t kstat_picks(void)
{
    return syscall5(SYS_KSTAT, KSTAT_SCHED_PICKS, 0, 0, 0, 0).value;
}

static unsigned phase(const struct workload_env *env, unsigned mode, unsigned id)
{
    uint64_t root = kip->root_space;
    user_mode = mode;
    stop = decision_pending = 0;
    call_started = counter_read();
    n_decision = n_release = n_rpc_samples = rpcs = user_decisions = 0;
    for (unsigned w = 0; w < WORKERS; w++)
        units[w] = 0;
    for (unsigned i = 0; i < MANAGED; i++)
        ready[i] = 0;
    n_done = syscall5(SYS_NOTIFY_CREATE, 0, 0, 0, 0, 0).value;
    n_blocker = syscall5(SYS_NOTIFY_CREATE, 0, 0, 0, 0, 0).value;
    n_periodic = syscall5(SYS_NOTIFY_CREATE, 0, 0, 0, 0, 0).value;
    if (by_endpoint)
        server_ep = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0).value;
    static const unsigned prio[MANAGED] = {LOW_PRIORITY, LOW_PRIORITY, LOW_PRIORITY,
                                           LOW_PRIORITY, LOW_PRIORITY, P_PRIORITY, B_PRIORITY};
    unsigned errors = 0;
    for (unsigned i = 0; i < MANAGED; i++)
        errors += thread_make(root, prio[i], &th[i]) != E_OK;
    if (mode)       /* the scheduler takes them over before they start */
        errors += thread_spawn(root, user_scheduler, 0, SCHED_PRIORITY, &sched_t) != E_OK;
    uint64_t picks = kstat_picks();
    errors += thread_begin(&th[SERVER], server, 0) != E_OK;
    errors += thread_begin(&th[BLOCKER], blocker, 0) != E_OK;
    for (unsigned w = 0; w < WORKERS; w++)
        errors += thread_begin(&th[W0 + w], worker, w) != E_OK;
    errors += thread_begin(&th[CLIENT], client, 0) != E_OK;
    errors += thread_begin(&th[PERIODIC], mode ? periodic_user : periodic_kernel, 0) != E_OK;
    syscall5(SYS_WAIT, n_done, 0, 0, 0, 0);     /* until P's last period */
    int64_t decisions = (int64_t)(mode ? user_decisions : kstat_picks() - picks);
    if (mode)
        errors += thread_release(&sched_t) != E_OK;   /* every thread back to the kernel */
    for (unsigned i = 0; i < MANAGED; i++)
        errors += thread_release(&th[i]) != E_OK;
    report_check_count(env->checks, env->failed, mode ? "usched_user_calls_ok"
                                                      : "usched_kernel_calls_ok", 0,
                       errors + sched_errors);
    int64_t work[WORKERS], count_rpcs = (int64_t)rpcs;
    for (unsigned w = 0; w < WORKERS; w++)
        work[w] = (int64_t)units[w];
    unsigned nd = n_decision ? (unsigned)n_decision : 1;
    if (!n_decision)
        decision[0] = 0;
    report_case(id++, "usched", "self", mode, "decision", 0, decision,
                workload_cap(env, nd));
    report_case(id++, "usched", "self", mode, "release", 0, release,
                workload_cap(env, (unsigned)n_release));
    if (!n_rpc_samples)             /* none finished: the first call's wait so far */
        rpc[n_rpc_samples++] = (int64_t)(counter_read() - call_started);
    report_case(id++, "usched", "self", mode, "rpc", 0, rpc,
                workload_cap(env, (unsigned)n_rpc_samples));
    report_case(id++, "usched", "self", mode, "count_work", 0, work, WORKERS);
    report_case(id++, "usched", "self", mode, "count_rpcs", 0, &count_rpcs, 1);
    report_case(id++, "usched", "self", mode, "count_decisions", 0, &decisions, 1);
    syscall5(SYS_CAP_DELETE, n_done, 0, 0, 0, 0);
    syscall5(SYS_CAP_DELETE, n_blocker, 0, 0, 0, 0);
    syscall5(SYS_CAP_DELETE, n_periodic, 0, 0, 0, 0);
    if (by_endpoint)
        syscall5(SYS_CAP_DELETE, server_ep, 0, 0, 0, 0);
    return id;
}

static unsigned run(const struct workload_env *env)
{
    periods = (unsigned)workload_arg("periods", 1000);
    period = workload_arg("period", 500000);
    slice = workload_arg("slice", 10000000);
    if (!kip_config_is("notify", "notify") || !kip_config_is("irq", "notify")) {
        report_plan(0);
        out_str("usched: needs NOTIFY=notify and IRQ=notify (the scheduler's events are "
                "notification bits)\n");
        report_check_count(env->checks, env->failed, "usched_needs_notifications", 1, 0);
        return 0;
    }
    by_endpoint = kip_config_is("dest", "endpoint");
    n_park = syscall5(SYS_NOTIFY_CREATE, 0, 0, 0, 0, 0).value;
    report_plan(12);
    unsigned id = phase(env, 0, env->first_case);
    id = phase(env, 1, id);
    return id - env->first_case;
}

WORKLOAD(usched, "usched", run);
