/*
 * Workload `timeouts` (variants/experiments/timeouts.conf): the denial of service that
 * IPC timeouts were meant to answer. One server, K honest clients that call it in a
 * loop, and M malicious clients that send it a request with a plain send and never
 * wait for the reply (each sends its next request at once, so it is never receiving
 * when the server replies; all threads share one priority, and the malicious clients
 * start first, so their requests are queued first). How the server replies is the mode:
 *
 *   block       a send with an infinite timeout (TIMEOUTS=full only: the other modes'
 *               run needs no deadline, this one hangs and the root's receive timeout
 *               ends it): the first malicious request hangs the server for good;
 *   timeout_t1  a send with a finite timeout of 1 tick, then a receive (TIMEOUTS=full):
 *   timeout_t4  the same, 4 ticks: the server loses T per malicious request;
 *   zero        reply-and-wait, whose send never blocks (a zero timeout; thread IDs);
 *   replycap    reply-and-wait through the one-shot reply right a call leaves
 *               (DEST=endpoint): a malicious plain send leaves no reply right, so the
 *               reply fails at once and cannot block.
 * For M = 0, 1, 2, 4, 8 (len = M, space = cross: the server and the clients are in two
 * address spaces of their own), each mode runs until every honest client has made
 * `calls` calls (ARGS, default 40), or, in block mode, until the root's deadline of
 * `deadline` ticks (default 50) passes. Cases, one sample each:
 *   <mode>/cross/throughput     honest calls completed per 10^9 counter ticks of the run
 *                               (under icount: per second of guest time)
 *   <mode>/cross/worst_latency  the longest honest call, counter ticks (a call still
 *                               waiting at the deadline counts with its age then)
 *   pingpong/cross/round/len0   a bare call and reply-and-wait between two spaces, the
 *                               round trip as the IPC benchmark measures it: what
 *                               compiled-in timeout support costs the fast path
 * CHECKs: no honest call fails (before a block-mode teardown), and the server's replies
 * to malicious clients fail as the mode says (E_TIMEOUT, E_WOULD_BLOCK, E_INVALID_DEST)
 * once per malicious request it took.
 */
#include "workload.h"

#define HONEST 2
#define MAX_MALICIOUS 8
#define SWEEP 5                             /* M = 0, 1, 2, 4, 8 */
#define LABEL_HONEST 1
#define LABEL_MALICIOUS 2
#define SEND_SLOT 120u                      /* client space: SEND to the server's endpoint */
#define DONE_SLOT 121u                      /* client space: SEND to the root's endpoint */
#define PARK_SLOT 122u                      /* client space: RECV of an endpoint nobody sends to */
#define PINGPONG_MAX 256u


enum mode { BLOCK, TIMEOUT_T1, TIMEOUT_T4, ZERO, REPLYCAP, MODES };
static const char *const mode_name[MODES] = {"block", "timeout_t1", "timeout_t4", "zero",
                                             "replycap"};
static const uint64_t mode_ticks[MODES] = {0, 1, 4, 0, 0};

static const unsigned sweep_m[SWEEP] = {0, 1, 2, 4, 8};

/* Shared with the clients and the server (their spaces map the root image). */
static struct {
    volatile uint64_t completed[HONEST];
    volatile uint64_t worst[HONEST];
    volatile uint64_t call_start[HONEST];   /* 0 when not in a call */
    volatile uint64_t errors[HONEST];
    volatile uint64_t reply_failed;          /* server: replies that failed ... */
    volatile uint64_t reply_other;           /* ... with an error other than the mode's */
    volatile uint64_t malicious_taken;       /* server: malicious requests it received */
    volatile uint64_t server_errors;
    volatile uint64_t pingpong_errors;
} sh;

struct config {
    enum mode mode;
    bool endpoints;
    uint64_t calls;
    uint64_t server_dest;    /* what a client sends to: the server's thread ID or SEND_SLOT */
    uint64_t server_from;    /* what the server receives from */
    uint64_t done_dest;      /* where an honest client reports it is done */
    uint64_t park_from;      /* where a client that is done waits for nothing */
};
static struct config cfg;
static int64_t values[PINGPONG_MAX];

static uint64_t ipc(uint64_t nr, uint64_t dest, uint64_t tag, uint64_t from,
                    struct ipc_args *out)
{
    struct ipc_args a = {.nr = nr, .dest = dest, .tag = tag, .from = from};
    ipc_stub(&a);
    if (out)
        *out = a;
    return a.error;
}

static uint64_t expected_reply_error(void)
{
    switch (cfg.mode) {
    case TIMEOUT_T1:
    case TIMEOUT_T4:
        return E_TIMEOUT;
    case ZERO:
        return E_WOULD_BLOCK;
    case REPLYCAP:
        return E_INVALID_DEST;
    default:
        return E_OK;                /* block: never returns */
    }
}

/* The server: receive a request, reply as the mode says, count what the replies to
 * malicious clients did. */
static void server(uint64_t unused)
{
    (void)unused;
    struct ipc_args a;
    uint64_t error = ipc(SYS_RECV, 0, 0, cfg.server_from, &a);
    for (;;) {
        if (error != E_OK) {
            sh.server_errors++;
            error = ipc(SYS_RECV, 0, 0, cfg.server_from, &a);
            continue;
        }
        bool malicious = (a.tag & TAG_LABEL_MASK) >> TAG_LABEL_SHIFT == LABEL_MALICIOUS;
        sh.malicious_taken += malicious;
        uint64_t reply;
        if (cfg.mode == ZERO || cfg.mode == REPLYCAP) {
            reply = ipc(SYS_REPLY_WAIT, a.dest, 0, cfg.server_from, &a);
            if (reply == E_OK)
                continue;               /* the next request is in a */
        } else {
            uint64_t tag = cfg.mode == BLOCK ? 0 : tag_timeouts(0, mode_ticks[cfg.mode], 0);
            reply = ipc(SYS_SEND, a.dest, tag, 0, 0);
        }
        if (reply != E_OK) {
            sh.reply_failed++;
            sh.reply_other += reply != expected_reply_error() || !malicious;
        }
        error = ipc(SYS_RECV, 0, 0, cfg.server_from, &a);
    }
}

static void honest(uint64_t k)
{
    for (uint64_t i = 0; i < cfg.calls; i++) {
        uint64_t t0 = counter_read();
        sh.call_start[k] = t0;
        uint64_t error = ipc(SYS_CALL, cfg.server_dest, tag_make(0, LABEL_HONEST), 0, 0);
        uint64_t t1 = counter_read();
        sh.call_start[k] = 0;
        if (error != E_OK) {
            sh.errors[k]++;
            continue;
        }
        if (t1 - t0 > sh.worst[k])
            sh.worst[k] = t1 - t0;
        sh.completed[k]++;
    }
    ipc(SYS_SEND, cfg.done_dest, 0, 0, 0);
    for (;;)                            /* done: wait for nothing until destroyed */
        ipc(SYS_RECV, 0, 0, cfg.park_from, 0);
}

/* Sends a request, then at once the next: never receiving when the reply comes. */
static void malicious(uint64_t unused)
{
    (void)unused;
    for (;;)
        ipc(SYS_SEND, cfg.server_dest, tag_make(0, LABEL_MALICIOUS), 0, 0);
}

struct world {
    int64_t server_space, client_space;
    uint64_t endpoint, done_endpoint, park_endpoint; /* root slots (endpoints) */
    struct thread_info server, honest[HONEST], malicious[MAX_MALICIOUS];
    unsigned malicious_made, honest_made;
};

static uint64_t make_endpoint(uint64_t recv_into, uint64_t send_into, uint64_t send_slot)
{
    struct sys_result ep = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
    if (ep.error != E_OK)
        return IPC_NIL;
    if (recv_into && syscall5(SYS_CAP_MINT, recv_into, ep.value, ep.value, 0,
                              CAP_RIGHT_RECV).error != E_OK)
        return IPC_NIL;
    if (syscall5(SYS_CAP_MINT, send_into, ep.value, send_slot, 0, CAP_RIGHT_SEND).error
        != E_OK)
        return IPC_NIL;
    return ep.value;
}

static void teardown(struct world *w)
{
    /* Clients first: a server blocked replying to one is released, then goes too. */
    for (unsigned i = 0; i < w->honest_made; i++)
        thread_release(&w->honest[i]);
    for (unsigned i = 0; i < w->malicious_made; i++)
        thread_release(&w->malicious[i]);
    if (w->server.tid)
        thread_release(&w->server);
    if (w->server_space >= 0)
        syscall5(SYS_SPACE_DESTROY, (uint64_t)w->server_space, 0, 0, 0, 0);
    if (w->client_space >= 0)
        syscall5(SYS_SPACE_DESTROY, (uint64_t)w->client_space, 0, 0, 0, 0);
    if (w->endpoint != IPC_NIL)
        syscall5(SYS_CAP_DELETE, w->endpoint, 0, 0, 0, 0);
    if (w->done_endpoint != IPC_NIL)
        syscall5(SYS_CAP_DELETE, w->done_endpoint, 0, 0, 0, 0);
    if (w->park_endpoint != IPC_NIL)
        syscall5(SYS_CAP_DELETE, w->park_endpoint, 0, 0, 0, 0);
}

/* What one run measured, read before its threads are torn down. */
struct result {
    int64_t throughput, worst;
    uint64_t errors, hung, malicious_taken, reply_failed, reply_other;
};

/* One run: mode, m malicious clients. Returns 0 or the setup's error. */
static uint64_t run_once(unsigned m, uint64_t deadline, struct result *r)
{
    struct world w = {.server_space = -1, .client_space = -1, .endpoint = IPC_NIL,
                      .done_endpoint = IPC_NIL, .park_endpoint = IPC_NIL};
    *r = (struct result){0};
    sh = (__typeof__(sh)){0};
    uint64_t error = E_OK;
    w.server_space = space_with_root_image();
    w.client_space = space_with_root_image();
    if (w.server_space < 0 || w.client_space < 0)
        error = E_NO_MEMORY;
    if (!error && cfg.endpoints) {
        w.endpoint = make_endpoint((uint64_t)w.server_space, (uint64_t)w.client_space,
                                   SEND_SLOT);
        w.done_endpoint = make_endpoint(0, (uint64_t)w.client_space, DONE_SLOT);
        struct sys_result park = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
        if (park.error == E_OK) {
            w.park_endpoint = park.value;
            park.error = syscall5(SYS_CAP_MINT, (uint64_t)w.client_space, park.value,
                                  PARK_SLOT, 0, CAP_RIGHT_RECV).error;
        }
        if (w.endpoint == IPC_NIL || w.done_endpoint == IPC_NIL || park.error != E_OK)
            error = E_NO_MEMORY;
        cfg.server_dest = SEND_SLOT;
        cfg.server_from = w.endpoint;
        cfg.done_dest = DONE_SLOT;
        cfg.park_from = PARK_SLOT;
    }
    if (!error)
        error = (uint64_t)thread_spawn((uint64_t)w.server_space, server, 0, BENCH_PRIORITY,
                                       &w.server);
    if (!cfg.endpoints) {
        cfg.server_dest = w.server.tid;
        cfg.server_from = IPC_ANY;
        cfg.done_dest = kip->root_tid;
        cfg.park_from = kip->root_tid;  /* the root never sends to a client */
    }
    /* The malicious clients first: they queue their requests at once. */
    for (unsigned i = 0; i < m && !error; i++, w.malicious_made++)
        error = (uint64_t)thread_spawn((uint64_t)w.client_space, malicious, 0,
                                       BENCH_PRIORITY, &w.malicious[i]);
    for (unsigned k = 0; k < HONEST && !error; k++, w.honest_made++)
        error = (uint64_t)thread_spawn((uint64_t)w.client_space, honest, k, BENCH_PRIORITY,
                                       &w.honest[k]);
    uint64_t start = counter_read(), end = start;
    /* The threads run once the root blocks: in its receive of the done reports. */
    uint64_t from = cfg.endpoints ? w.done_endpoint : IPC_ANY;
    uint64_t tag = deadline ? tag_timeouts(0, 0, deadline) : 0;
    for (unsigned k = 0; k < HONEST && !error; k++) {
        uint64_t got = ipc(SYS_RECV, 0, tag, from, 0);
        end = counter_read();
        if (got == E_TIMEOUT) {
            r->hung = 1;
            break;
        }
        r->errors += got != E_OK;
    }
    uint64_t calls = 0, longest = 0;
    for (unsigned k = 0; k < HONEST; k++) {
        calls += sh.completed[k];
        if (sh.worst[k] > longest)
            longest = sh.worst[k];
        if (r->hung && sh.call_start[k] && end - sh.call_start[k] > longest)
            longest = end - sh.call_start[k];   /* still waiting: its age so far */
        r->errors += sh.errors[k];
    }
    r->throughput = end > start ? (int64_t)(calls * 1000000000ull / (end - start)) : 0;
    r->worst = (int64_t)longest;
    r->malicious_taken = sh.malicious_taken;
    r->reply_failed = sh.reply_failed;
    r->reply_other = sh.reply_other + sh.server_errors;
    teardown(&w);
    return error;
}

static unsigned measure_mode(const struct workload_env *env, unsigned id)
{
    int64_t throughput[SWEEP], worst[SWEEP];
    uint64_t errors = 0, setup = E_OK, reply_mismatch = 0, unanswered = 0;
    uint64_t deadline = cfg.mode == BLOCK ? workload_arg("deadline", 50) : 0;
    for (unsigned s = 0; s < SWEEP; s++) {
        struct result r;
        uint64_t e = run_once(sweep_m[s], deadline, &r);
        setup = setup ? setup : e;
        throughput[s] = r.throughput;
        worst[s] = r.worst;
        errors += r.errors;
        /* Every reply that failed went to a malicious client, with the mode's error,
         * and (but in block mode) each malicious request taken cost one such reply;
         * in block mode one malicious client hangs the server, and none does not. */
        reply_mismatch += r.reply_other;
        if (cfg.mode != BLOCK)      /* (one reply may be under way when the run ends) */
            unanswered += r.malicious_taken - r.reply_failed > 1;
        else
            unanswered += r.hung != (sweep_m[s] > 0);
    }
    char name[48];
    const char *mn = mode_name[cfg.mode];
    unsigned n = 0;
    for (const char *p = mn; *p; p++)
        name[n++] = *p;
    const char *suffix[] = {"_setup", "_honest_errors", "_reply_errors", "_replies_per_request"};
    uint64_t got[] = {setup, errors, reply_mismatch, unanswered};
    for (unsigned c = 0; c < 4; c++) {
        unsigned k = n;
        for (const char *p = suffix[c]; *p; p++)
            name[k++] = *p;
        name[k] = '\0';
        report_check_count(env->checks, env->failed, name, 0, got[c]);
    }
    for (unsigned s = 0; s < SWEEP; s++) {
        report_case(id++, mn, "cross", sweep_m[s], "throughput", 0, &throughput[s], 1);
        report_case(id++, mn, "cross", sweep_m[s], "worst_latency", 0, &worst[s], 1);
    }
    return 2 * SWEEP;
}

/* ------------------------------------------------------------- the bare ping-pong */
static volatile uint64_t pp_from;

static void pingpong_server(uint64_t unused)
{
    (void)unused;
    struct ipc_args a;
    if (ipc(SYS_RECV, 0, 0, pp_from, &a) != E_OK)
        sh.pingpong_errors++;
    for (;;) {
        ipc(SYS_REPLY_WAIT, a.dest, 0, pp_from, &a);
        if (a.error != E_OK)
            sh.pingpong_errors++;
    }
}

static unsigned pingpong(const struct workload_env *env, unsigned id)
{
    unsigned samples = env->samples < PINGPONG_MAX ? env->samples : PINGPONG_MAX;
    int64_t space = space_with_root_image();
    uint64_t ep = IPC_NIL, dest = IPC_NIL, error = space < 0 ? E_NO_MEMORY : E_OK;
    pp_from = IPC_ANY;
    if (!error && cfg.endpoints) {
        ep = make_endpoint((uint64_t)space, kip->root_space, SEND_SLOT);
        error = ep == IPC_NIL ? E_NO_MEMORY : E_OK;
        pp_from = ep;
        dest = SEND_SLOT;
    }
    struct thread_info t = {0};
    if (!error)
        error = (uint64_t)thread_spawn((uint64_t)space, pingpong_server, 0, BENCH_PRIORITY,
                                       &t);
    if (!cfg.endpoints)
        dest = t.tid;
    uint64_t errors = error;
    for (unsigned i = 0; i < env->warmup + samples && !error; i++) {
        struct ipc_args a;
        errors += ipc(SYS_CALL, dest, 0, 0, &a) != E_OK;
        if (i >= env->warmup)
            values[i - env->warmup] = (int64_t)(a.t_after - a.t_before - env->overhead);
    }
    report_check_count(env->checks, env->failed, "pingpong_errors", 0,
                       errors + sh.pingpong_errors);
    report_case(id, "pingpong", "cross", 0, "round", env->overhead, values, samples);
    if (t.tid)
        thread_release(&t);
    if (space >= 0)
        syscall5(SYS_SPACE_DESTROY, (uint64_t)space, 0, 0, 0, 0);
    if (ep != IPC_NIL) {
        syscall5(SYS_CAP_DELETE, ep, 0, 0, 0, 0);
        syscall5(SYS_CAP_DELETE, SEND_SLOT, 0, 0, 0, 0);
    }
    return 1;
}

static unsigned timeouts_run(const struct workload_env *env)
{
    cfg.endpoints = kip_config_is("dest", "endpoint");
    cfg.calls = workload_arg("calls", 40);
    bool full = kip_config_is("timeouts", "full");
    bool run[MODES] = {
        [BLOCK] = full && !cfg.endpoints, [TIMEOUT_T1] = full && !cfg.endpoints,
        [TIMEOUT_T4] = full && !cfg.endpoints, [ZERO] = !cfg.endpoints,
        [REPLYCAP] = cfg.endpoints};
    unsigned planned = 1;
    for (unsigned m = 0; m < MODES; m++)
        planned += run[m] ? 2 * SWEEP : 0;
    report_plan(planned);
    unsigned id = env->first_case;
    id += pingpong(env, id);
    for (unsigned m = 0; m < MODES; m++) {
        if (!run[m])
            continue;
        cfg.mode = (enum mode)m;
        id += measure_mode(env, id);
    }
    return id - env->first_case;
}

WORKLOAD(timeouts, "timeouts", timeouts_run);
