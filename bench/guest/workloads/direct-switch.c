/*
 * Workload direct-switch (variants/experiments/direct-switch.conf): what the SWITCH
 * rule costs and what it does to priorities. A client (the root task, priority 100)
 * calls a server whose priority is below (90, len 0), equal to (100, len 1) or above
 * (110, len 2) its own. Then, with the RPCs going on, a top-priority periodic thread H
 * (200) is woken by the user timer every `period`; each time it releases a mid-priority
 * CPU-bound thread M (95), which computes for `burst` counter ticks, by a non-blocking
 * send, and finishes its job.
 *
 *   rpc/same/round        one RPC, the client's round trip, alone (nothing else ready)
 *   rpc/same/count_picks  scheduler invocations (KSTAT_SCHED_PICKS) in that RPC
 *   rpc/same/loaded       one RPC while H and M run
 *   high/self/release     H's release latency: its wake-up - the timer's deadline
 *   high/self/response    H's response time: its job done - the deadline (a blind
 *                         direct switch to M on the send runs M's whole burst first)
 *   mid/self/release      M's wait: its wake-up - H's send (a lower server running on
 *                         the client's time keeps it waiting)
 *
 * len is the server's priority relative to the client's (0 below, 1 equal, 2 above).
 * ARGS: rpcs=<RPCs per phase> periods=<H's periods> period=<ticks> burst=<ticks>.
 */
#include "irq.h"
#include "workload.h"

#define CLIENT_PRIORITY BENCH_PRIORITY
#define MID_PRIORITY (BENCH_PRIORITY - 5)
#define HIGH_PRIORITY (BENCH_PRIORITY + 100)
#define MAX_PERIODS 512
#define MAX_RPCS 4096

static const unsigned server_prio[] = {CLIENT_PRIORITY - 10, CLIENT_PRIORITY,
                                       CLIENT_PRIORITY + 10};

static int by_endpoint;
static uint64_t server_ep, mid_ep;      /* endpoint slots (DEST=endpoint) */
static struct thread_info server_t, mid_t, high_t;
static uint64_t period, burst;
static unsigned periods;

static volatile uint64_t high_done, high_errors, mid_sent_at, mid_runs, mid_count;
static int64_t rpc_round[MAX_RPCS], rpc_picks[MAX_RPCS], rpc_loaded[MAX_RPCS];
static int64_t release[MAX_PERIODS], response[MAX_PERIODS], mid_wait[MAX_PERIODS];

static uint64_t recv_from(uint64_t ep)
{
    return by_endpoint ? ep : IPC_ANY;
}

/* The server: take a call, reply to it and wait for the next, for ever. */
static void server(uint64_t unused)
{
    (void)unused;
    struct sys_result r = ipc_op(SYS_RECV, 0, 0, recv_from(server_ep));
    for (;;)
        r = ipc_op(SYS_REPLY_WAIT, r.value, 0, recv_from(server_ep));
}

/* M: released by H, computes for `burst` ticks, waits for the next release. */
static void mid(uint64_t unused)
{
    (void)unused;
    for (;;) {
        ipc_op(SYS_RECV, 0, 0, recv_from(mid_ep));
        uint64_t woke = counter_read();
        if (mid_count < MAX_PERIODS)
            mid_wait[mid_count++] = (int64_t)(woke - mid_sent_at);
        mid_runs++;
        while (counter_read() - woke < burst)
            ;
    }
}

static uint64_t mid_dest(void)
{
    return by_endpoint ? mid_ep : mid_t.tid;
}

/* H: periodic, top priority, on the user timer. */
static void high(uint64_t unused)
{
    (void)unused;
    struct irq_handle h;
    high_errors += irq_open(&h, IRQ_LINE_TIMER, IPC_NIL) != E_OK;
    uint64_t deadline = counter_read() + period;
    timer_arm(deadline);
    for (unsigned i = 0; i < periods; i++) {
        high_errors += irq_wait(&h, 0, 0) != E_OK;
        release[i] = (int64_t)(counter_read() - deadline);
        mid_sent_at = counter_read();
        ipc_op(SYS_SEND, mid_dest(), TAG_SEND_NONBLOCK, 0);  /* M still busy: skipped */
        response[i] = (int64_t)(counter_read() - deadline);
        deadline += period;
        if (i + 1 < periods)
            high_errors += timer_arm(deadline) != E_OK;
        high_errors += irq_ack(&h) != E_OK;
    }
    high_done = 1;
    for (;;)
        irq_wait(&h, 0, 0);
}

static uint64_t call_server(void)
{
    return ipc_op(SYS_CALL, by_endpoint ? server_ep : server_t.tid, 0, 0).error;
}

static uint64_t picks(void)
{
    return syscall5(SYS_KSTAT, KSTAT_SCHED_PICKS, 0, 0, 0, 0).value;
}

static unsigned run(const struct workload_env *env)
{
    unsigned rpcs = (unsigned)workload_arg("rpcs", 200);
    periods = (unsigned)workload_arg("periods", 50);
    period = workload_arg("period", 200000);
    burst = workload_arg("burst", 50000);
    if (rpcs > MAX_RPCS)
        rpcs = MAX_RPCS;
    if (periods > MAX_PERIODS)
        periods = MAX_PERIODS;
    rpcs = workload_cap(env, rpcs);         /* each is a sample of its cases */
    periods = workload_cap(env, periods);
    by_endpoint = kip_config_is("dest", "endpoint");
    report_plan(6 * 3);
    unsigned id = env->first_case, errors = 0;
    uint64_t root = kip->root_space;
    for (unsigned rel = 0; rel < 3; rel++) {
        if (by_endpoint) {
            server_ep = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0).value;
            mid_ep = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0).value;
        }
        errors += thread_spawn(root, server, 0, server_prio[rel], &server_t) != E_OK;
        /* A server below the client has not run yet: the first call finds it waiting. */
        call_server();

        /* Alone: the RPC's cost and the scheduler invocations in it. */
        for (unsigned i = 0; i < rpcs; i++) {
            uint64_t p0 = picks();
            uint64_t t0 = counter_read();
            errors += call_server() != E_OK;
            rpc_round[i] = (int64_t)(counter_read() - t0);
            rpc_picks[i] = (int64_t)(picks() - p0);
        }

        /* Loaded: M released by H every period while the RPCs go on. */
        high_done = high_errors = mid_runs = mid_count = 0;
        errors += thread_spawn(root, mid, 0, MID_PRIORITY, &mid_t) != E_OK;
        errors += thread_spawn(root, high, 0, HIGH_PRIORITY, &high_t) != E_OK;
        unsigned loaded = 0;
        while (!high_done) {
            uint64_t t0 = counter_read();
            errors += call_server() != E_OK;
            if (loaded < rpcs)
                rpc_loaded[loaded++] = (int64_t)(counter_read() - t0);
        }
        unsigned mids = (unsigned)mid_count;
        if (mids == 0) {                /* M never ran: its wait so far, a lower bound */
            mid_wait[0] = (int64_t)(counter_read() - mid_sent_at);
            mids = 1;
        }
        report_check_count(env->checks, env->failed, "direct_switch_high_errors", 0,
                           high_errors);
        report_case(id++, "rpc", "same", rel, "round", 0, rpc_round, rpcs);
        report_case(id++, "rpc", "same", rel, "count_picks", 0, rpc_picks, rpcs);
        report_case(id++, "rpc", "same", rel, "loaded", 0, rpc_loaded, loaded ? loaded : 1);
        report_case(id++, "high", "self", rel, "release", 0, release, periods);
        report_case(id++, "high", "self", rel, "response", 0, response, periods);
        report_case(id++, "mid", "self", rel, "release", 0, mid_wait,
                    workload_cap(env, mids));
        thread_release(&high_t);
        thread_release(&mid_t);
        thread_release(&server_t);
        if (by_endpoint) {
            syscall5(SYS_CAP_DELETE, server_ep, 0, 0, 0, 0);
            syscall5(SYS_CAP_DELETE, mid_ep, 0, 0, 0, 0);
        }
    }
    report_check_count(env->checks, env->failed, "direct_switch_calls_ok", 0, errors);
    return id - env->first_case;
}

WORKLOAD(direct_switch, "direct-switch", run);
