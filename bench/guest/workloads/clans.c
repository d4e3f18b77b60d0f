/*
 * Workload `clans` (variants/experiments/clans.conf): what communication control by
 * clans and chiefs costs. A client calls a server across k = 0, 1, 2, 3 clan
 * boundaries (COMMCTL=clans; without clans only k = 0, the same call between two
 * tasks, for the comparison): the client's task is in the clan of chief X1, X1's in
 * the clan of X2, ..., Xk in the top clan with the server, so a request goes
 * client -> X1 -> ... -> Xk -> server and the reply back the same way, each chief an
 * ordinary thread in a task of its own that receives the redirected message and passes
 * it on with SYS_CLAN_FORWARD. With endpoints the same control comes from who holds a
 * capability to the server's endpoint, and costs nothing per IPC.
 *
 * Cases (space = cross, len = k), measured as the IPC benchmark does (ipc_bench.c),
 * each sample with the stub's overhead subtracted:
 *   clans/cross/call   one way: the client's counter before its call to the server's
 *                      after its receive returns
 *   clans/cross/reply  one way back: the server's counter before its reply-and-wait to
 *                      the client's after its call returns
 *   clans/cross/round  the client's whole call
 * CHECKs: no IPC failed; the server saw the client's thread ID (with clans: as the
 * chiefs passed the message on, from the original sender) or its badge; each chief
 * passed on every request and every reply.
 */
#include "workload.h"

#define MAX_K 3
#define MAX_ITER 0x4000u
#define WORK_PRIORITY (BENCH_PRIORITY + 10)   /* above the root, which waits below */
#define SEND_SLOT 120u                         /* client's task: SEND to the server's endpoint */
#define PARK_SLOT 121u                         /* client's task: RECV of an endpoint nobody uses */
#define CLIENT_BADGE 0xC1u

static uint64_t call_before[MAX_ITER], call_after[MAX_ITER];
static uint64_t recv_after[MAX_ITER], reply_before[MAX_ITER];
static int64_t values[MAX_ITER];

static volatile struct {
    uint64_t iterations;
    uint64_t server_dest, server_from;
    uint64_t park_from;      /* where the client, done, waits for nothing */
    uint64_t sender_seen, errors, done;
    uint64_t forwarded[MAX_K];
} sh;

static void server(uint64_t unused)
{
    (void)unused;
    struct ipc_args a = {.nr = SYS_RECV, .from = sh.server_from};
    ipc_stub(&a);
    for (;;) {
        if (a.error != E_OK) {
            sh.errors++;
            a = (struct ipc_args){.nr = SYS_RECV, .from = sh.server_from};
            ipc_stub(&a);
            continue;
        }
        uint64_t label = (a.tag & TAG_LABEL_MASK) >> TAG_LABEL_SHIFT;
        recv_after[label] = a.t_after;
        sh.sender_seen = a.dest;
        a = (struct ipc_args){.nr = SYS_REPLY_WAIT, .dest = a.dest, .tag = tag_make(0, label),
                              .from = sh.server_from};
        ipc_stub(&a);
        reply_before[label] = a.t_before;
    }
}

/* A chief: passes on every redirected message, counting them. */
static void chief(uint64_t index)
{
    for (;;) {
        struct ipc_args a = {.nr = SYS_RECV, .from = IPC_ANY};
        ipc_stub(&a);
        if (a.error != E_OK || !(a.tag & TAG_REDIRECTED)) {
            sh.errors++;
            continue;
        }
        struct ipc_args f = {.nr = SYS_CLAN_FORWARD,
                             .tag = a.tag & (TAG_LEN_MASK | TAG_LABEL_MASK)};
        ipc_stub(&f);
        if (f.error != E_OK)
            sh.errors++;
        sh.forwarded[index]++;
    }
}

/* The calls, and one more untimed: the server stores its last reply's timestamp only
 * when its reply-and-wait returns, that is, when that request arrives. */
static void client(uint64_t unused)
{
    (void)unused;
    for (uint64_t i = 0; i <= sh.iterations; i++) {
        struct ipc_args a = {.nr = SYS_CALL, .dest = sh.server_dest, .tag = tag_make(0, i)};
        ipc_stub(&a);
        if (a.error != E_OK)
            sh.errors++;
        call_before[i] = a.t_before;
        call_after[i] = a.t_after;
    }
    sh.done = 1;
    for (;;) {                      /* nobody sends here: blocked for good */
        struct ipc_args a = {.nr = SYS_RECV, .from = sh.park_from};
        ipc_stub(&a);
    }
}

struct world {
    int64_t spaces[MAX_K + 2];
    unsigned nspaces;
    struct thread_info threads[MAX_K + 2];
    unsigned nthreads;
    uint64_t endpoint, park;
};

/* A task with the root image mapped, in the clan of `chief` (clans only). */
static int64_t task(struct world *w, bool clans, uint64_t chief, uint64_t *error)
{
    int64_t s = space_with_root_image();
    if (s < 0) {
        *error = E_NO_MEMORY;
        return -1;
    }
    w->spaces[w->nspaces++] = s;
    if (clans && !*error)
        *error = syscall5(SYS_CLAN_SET, (uint64_t)s, chief, 0, 0, 0).error;
    return s;
}

static struct thread_info *spawn(struct world *w, int64_t space, void (*fn)(uint64_t),
                                 uint64_t arg, uint64_t *error)
{
    struct thread_info *t = &w->threads[w->nthreads];
    if (!*error && space >= 0) {
        *error = (uint64_t)thread_spawn((uint64_t)space, fn, arg, WORK_PRIORITY, t);
        if (!*error)
            w->nthreads++;
    }
    return t;
}

static void teardown(struct world *w)
{
    for (unsigned i = 0; i < w->nthreads; i++)
        thread_release(&w->threads[i]);
    for (unsigned i = 0; i < w->nspaces; i++)
        syscall5(SYS_SPACE_DESTROY, (uint64_t)w->spaces[i], 0, 0, 0, 0);
    if (w->endpoint != IPC_NIL)
        syscall5(SYS_CAP_DELETE, w->endpoint, 0, 0, 0, 0);
    if (w->park != IPC_NIL)
        syscall5(SYS_CAP_DELETE, w->park, 0, 0, 0, 0);
}

static unsigned measure(const struct workload_env *env, unsigned id, unsigned k, bool clans,
                        bool endpoints)
{
    struct world w = {.endpoint = IPC_NIL, .park = IPC_NIL};
    uint64_t error = E_OK;
    sh = (__typeof__(sh)){0};
    unsigned samples = env->samples, warmup = env->warmup;
    if (warmup + samples + 1 > MAX_ITER)
        samples = MAX_ITER - 1 - warmup;
    sh.iterations = warmup + samples;
    /* The chiefs, from the top clan down. */
    uint64_t above = IPC_NIL;
    for (unsigned j = k; j >= 1; j--) {
        int64_t s = task(&w, clans, above, &error);
        above = spawn(&w, s, chief, j - 1, &error)->tid;
    }
    int64_t server_space = task(&w, clans, IPC_NIL, &error);
    int64_t client_space = task(&w, clans, above, &error);
    sh.server_from = IPC_ANY;
    sh.park_from = kip->root_tid;   /* thread IDs: the root never sends to the client */
    if (!error && endpoints) {
        struct sys_result park = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
        error = park.error;
        if (!error) {
            w.park = park.value;
            error = syscall5(SYS_CAP_MINT, (uint64_t)client_space, park.value, PARK_SLOT, 0,
                             CAP_RIGHT_RECV).error;
            sh.park_from = PARK_SLOT;
        }
    }
    if (!error && endpoints) {
        struct sys_result ep = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
        error = ep.error;
        if (!error) {
            w.endpoint = ep.value;
            error = syscall5(SYS_CAP_MINT, (uint64_t)server_space, ep.value, ep.value, 0,
                             CAP_RIGHT_RECV).error;
        }
        if (!error)
            error = syscall5(SYS_CAP_MINT, (uint64_t)client_space, ep.value, SEND_SLOT,
                             CLIENT_BADGE, CAP_RIGHT_SEND).error;
        sh.server_from = ep.value;
        sh.server_dest = SEND_SLOT;
    }
    struct thread_info *srv = spawn(&w, server_space, server, 0, &error);
    if (!endpoints)
        sh.server_dest = srv->tid;
    struct thread_info *cli = spawn(&w, client_space, client, 0, &error);
    /* Everything runs above the root: it gets the CPU back when the client is done. */
    for (unsigned spins = 0; !error && !sh.done && spins < 100000; spins++)
        syscall5(SYS_YIELD, 0, 0, 0, 0, 0);
    char name[32] = "clans_k0_ok";
    name[7] = (char)('0' + k);
    uint64_t bad = error + sh.errors + !sh.done;
    uint64_t expect_sender = endpoints ? CLIENT_BADGE : cli->tid;
    bad += sh.sender_seen != expect_sender;
    for (unsigned j = 0; j < k; j++)
        bad += sh.forwarded[j] != 2 * (sh.iterations + 1); /* each request and reply */
    report_check_count(env->checks, env->failed, name, 0, bad);
    for (unsigned i = 0; i < samples; i++)
        values[i] = bad ? 0 : (int64_t)(recv_after[warmup + i] - call_before[warmup + i] -
                                        env->overhead);
    report_case(id++, "clans", "cross", k, "call", env->overhead, values, samples);
    for (unsigned i = 0; i < samples; i++)
        values[i] = bad ? 0 : (int64_t)(call_after[warmup + i] - reply_before[warmup + i] -
                                        env->overhead);
    report_case(id++, "clans", "cross", k, "reply", env->overhead, values, samples);
    for (unsigned i = 0; i < samples; i++)
        values[i] = bad ? 0 : (int64_t)(call_after[warmup + i] - call_before[warmup + i] -
                                        env->overhead);
    report_case(id++, "clans", "cross", k, "round", env->overhead, values, samples);
    teardown(&w);
    return 3;
}

static unsigned clans_run(const struct workload_env *env)
{
    bool clans = kip_config_is("commctl", "clans");
    bool endpoints = kip_config_is("dest", "endpoint");
    unsigned max_k = clans ? MAX_K : 0;
    report_plan(3 * (max_k + 1));
    unsigned id = env->first_case;
    for (unsigned k = 0; k <= max_k; k++)
        id += measure(env, id, k, clans, endpoints);
    return id - env->first_case;
}

WORKLOAD(clans, "clans", clans_run);
