/*
 * FPU=lazy: user threads may use the FPU, and each thread's FPU registers survive
 * other threads' use of theirs. (FPU=none denies it: isolation.c checks that a use
 * kills the thread; this replaces that check when the kernel says fpu=lazy.)
 *
 *   - two threads fill all their XMM registers and an x87 register with values of
 *     their own, then take turns (yield) and check them after every turn;
 *   - each sees a clean register file at its first use, never the other's values;
 *   - a client and a server that both use the FPU exchange IPCs (the fast path
 *     switches between them) and check their registers after every exchange.
 * Every thread is destroyed at the end, so no thread owns the FPU during the IPC
 * benchmark that follows.
 */
#include "runtime.h"

#define TURNS 6
#define EXCHANGES 6
#define SEED_A 0xA000000000000000ull
#define SEED_B 0xB000000000000000ull
#define SEED_CLIENT 0xC000000000000000ull
#define SEED_SERVER 0x5000000000000000ull

struct fpu_user {
    uint64_t seed;
    uint64_t dest, from, never;      /* IPC partners (client and server only) */
    volatile uint64_t first_seen, wrong, errors, done;
};

static struct fpu_user user_a = {.seed = SEED_A}, user_b = {.seed = SEED_B};
static struct fpu_user client = {.seed = SEED_CLIENT}, server = {.seed = SEED_SERVER};

static void park(uint64_t never)
{
    for (;;) {
        struct ipc_args a = {.nr = SYS_RECV, .from = never};
        ipc_stub(&a);
    }
}

static void yielder(uint64_t arg)
{
    struct fpu_user *u = (struct fpu_user *)(uintptr_t)arg;
    u->first_seen = arch_fpu_first();
    arch_fpu_fill(u->seed);
    for (unsigned i = 0; i < TURNS; i++) {
        syscall5(SYS_YIELD, 0, 0, 0, 0, 0);
        u->wrong += arch_fpu_wrong(u->seed);
    }
    u->done = 1;
    park(u->never);
}

static void fpu_server(uint64_t arg)
{
    struct fpu_user *u = (struct fpu_user *)(uintptr_t)arg;
    arch_fpu_fill(u->seed);
    struct ipc_args a = {.nr = SYS_RECV, .from = u->from};
    ipc_stub(&a);
    for (;;) {
        u->errors += a.error != E_OK;
        u->wrong += arch_fpu_wrong(u->seed);
        u->done++;
        a.nr = SYS_REPLY_WAIT;       /* a.dest names the client under thread IDs */
        a.tag = 0;
        a.from = u->from;
        ipc_stub(&a);
    }
}

static void fpu_client(uint64_t arg)
{
    struct fpu_user *u = (struct fpu_user *)(uintptr_t)arg;
    arch_fpu_fill(u->seed);
    for (unsigned i = 0; i < EXCHANGES; i++) {
        struct ipc_args a = {.nr = SYS_CALL, .dest = u->dest};
        ipc_stub(&a);
        u->errors += a.error != E_OK;
        u->wrong += arch_fpu_wrong(u->seed);
    }
    u->done = 1;
    park(u->never);
}

void fpu_lazy_checks(unsigned *checks, unsigned *failed)
{
    uint64_t never = IPC_ANY;
    bool endpoints = kip_config_is("dest", "endpoint");
    if (endpoints) {
        struct sys_result a = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
        struct sys_result b = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
        report_check_count(checks, failed, "fpu_lazy_endpoints", E_OK, a.error | b.error);
        never = a.value;
        server.from = b.value;
        client.dest = b.value;
    } else {
        server.from = IPC_ANY;
    }
    user_a.never = user_b.never = client.never = never;
    struct thread_info ta, tb, ts, tc;
    uint64_t spawned = 0;
    spawned += thread_spawn(kip->root_space, yielder, (uint64_t)(uintptr_t)&user_a,
                            BENCH_PRIORITY, &ta) == E_OK;
    spawned += thread_spawn(kip->root_space, yielder, (uint64_t)(uintptr_t)&user_b,
                            BENCH_PRIORITY, &tb) == E_OK;
    spawned += thread_spawn(kip->root_space, fpu_server, (uint64_t)(uintptr_t)&server,
                            BENCH_PRIORITY, &ts) == E_OK;
    if (!endpoints)
        client.dest = ts.tid;
    spawned += thread_spawn(kip->root_space, fpu_client, (uint64_t)(uintptr_t)&client,
                            BENCH_PRIORITY, &tc) == E_OK;
    report_check_count(checks, failed, "fpu_lazy_threads_spawned", 4, spawned);
    for (unsigned i = 0; i < 64 && !(user_a.done && user_b.done && client.done); i++)
        syscall5(SYS_YIELD, 0, 0, 0, 0, 0);
    report_check_count(checks, failed, "fpu_lazy_threads_done", 1,
                       user_a.done && user_b.done && client.done);
    report_check_count(checks, failed, "fpu_lazy_first_use_clean", 0,
                       user_a.first_seen | user_b.first_seen);
    report_check_count(checks, failed, "fpu_lazy_registers_survive_turns", 0,
                       user_a.wrong + user_b.wrong);
    report_check_count(checks, failed, "fpu_lazy_ipc_exchanges", EXCHANGES, server.done);
    report_check_count(checks, failed, "fpu_lazy_ipc_errors", 0, client.errors + server.errors);
    report_check_count(checks, failed, "fpu_lazy_registers_survive_ipc", 0,
                       client.wrong + server.wrong);
    thread_release(&ta);
    thread_release(&tb);
    thread_release(&ts);
    thread_release(&tc);
    if (endpoints) {
        syscall5(SYS_CAP_DELETE, never, 0, 0, 0, 0);
        syscall5(SYS_CAP_DELETE, server.from, 0, 0, 0, 0);
    }
}
