/*
 * The IPC ping-pong: a client (the root thread) calls a server that answers with
 * reply-and-wait, in one address space and across two, at each message length.
 *
 * One-way cost is measured the sel4bench way: the client's counter read just before
 * its call against the server's read just after its receive returns (metric "call"),
 * and the server's read just before its reply against the client's read just after
 * its call returns (metric "reply"); "round" is the client's whole call. Each value
 * has the overhead of the same stub with a nop for the trap subtracted (main.c).
 *
 * Before timing a length, a few exchanges with the VERIFY label have the server invert
 * every word it received and send it back, so the client can check that each word
 * travelled both ways, by whatever route (registers or UTCB) the variant uses.
 *
 * Under the cache/TLB model (clock=model) each length is timed a second time cold,
 * against a second server (server_cold) in the same space: the client flushes every
 * cache and TLB just before each call and that server just before each reply
 * (model_flush), so "call" and "reply" each start from an empty machine. "round" has
 * no cold case: the server's flush would fall inside its window. The hot server's
 * code has not one instruction for the model, since its loop is in every round window.
 *
 * The same exchanges prove that "cross" really is two address spaces: one user address
 * (PRIVATE_ADDRESS) maps a page of the client's in the client's space and another page
 * in the server's, each holding its owner's mark. A kernel that skipped the switch
 * would run the server on the client's page tables, and one side would read the other's
 * mark (CHECK isolation_*).
 */
#include "runtime.h"

#define MAX_ITERATIONS 0x8000u       /* the label carries the iteration number */
#define LABEL_VERIFY 0x8000u
#define VERIFY_ROUNDS 3
#define CLIENT_BADGE 0xB0B
#define SEND_CAP_SLOT_BASE 40
#define PRIVATE_ADDRESS (KIP_ADDRESS + 0x400000ull)
#define CLIENT_MARK 0xC11E47C11E47ull
#define SERVER_MARK 0x5E12FE125E12ull

static const unsigned lengths[] = {0, 1, 2, 4, 8, 16};

static uint64_t call_before[MAX_ITERATIONS], call_after[MAX_ITERATIONS];
static uint64_t recv_after[MAX_ITERATIONS], reply_before[MAX_ITERATIONS];
static int64_t values[MAX_SAMPLES];

struct server_ctx {
    uint64_t recv_from;
    uint64_t utcb_addr;
    uint64_t private_mark;          /* what the server must read at PRIVATE_ADDRESS */
    volatile uint64_t sender_seen;  /* what the server's receive reported as sender */
    volatile uint64_t errors;
    volatile uint64_t isolation_errors; /* requests during which it read another mark */
};

/* The pages behind PRIVATE_ADDRESS: the client's in its space, the server's in the
 * cross server's space (ipc_benchmarks maps them). */
static uint64_t client_private[USER_PAGE_SIZE / 8] __attribute__((aligned(4096)));
static uint64_t server_private[USER_PAGE_SIZE / 8] __attribute__((aligned(4096)));

static uint64_t private_word(void)
{
    return *(volatile uint64_t *)(uintptr_t)PRIVATE_ADDRESS;
}

static struct server_ctx server_ctx[2];
static struct server_ctx server_ctx_cold[2];   /* the cold servers (model only) */

/* How many leading message words travel in registers; the rest go in the UTCB.
 * Set by the client from the kernel info page before any server starts: a server in
 * another address space cannot read the KIP (only the root task has it mapped). */
static unsigned words_in_registers;

/* Where message word i travels in this variant: a register slot of the stub's
 * arguments, or the UTCB. */
static uint64_t *message_word(struct ipc_args *a, struct utcb *utcb, unsigned i)
{
    return i < words_in_registers ? &a->mr[i] : &utcb->mr[i];
}

/* The server's loop. `cold` is a constant in each of its two instances (always
 * inlined), so the hot one compiles to the loop without the flush. */
static inline __attribute__((always_inline)) void serve(uint64_t arg, const int cold)
{
    struct server_ctx *ctx = (struct server_ctx *)(uintptr_t)arg;
    struct utcb *utcb = (struct utcb *)(uintptr_t)ctx->utcb_addr;
    struct ipc_args a = {.nr = SYS_RECV, .from = ctx->recv_from};
    ipc_stub(&a);
    for (;;) {
        if (a.error != E_OK) {
            ctx->errors++;
            a = (struct ipc_args){.nr = SYS_RECV, .from = ctx->recv_from};
            ipc_stub(&a);
            continue;
        }
        uint64_t label = (a.tag & TAG_LABEL_MASK) >> TAG_LABEL_SHIFT;
        uint64_t len = tag_len(a.tag);
        ctx->sender_seen = a.dest;
        if (label & LABEL_VERIFY) {
            for (unsigned i = 0; i < len; i++)
                *message_word(&a, utcb, i) = ~*message_word(&a, utcb, i);
            ctx->isolation_errors += private_word() != ctx->private_mark;
        } else {
            recv_after[label] = a.t_after;
        }
        a.nr = SYS_REPLY_WAIT;
        a.tag = tag_make(len, label);
        a.from = ctx->recv_from;
        if (cold && !(label & LABEL_VERIFY))
            model_flush();
        ipc_stub(&a); /* a.dest still names the client (thread-ID addressing) */
        if (!(label & LABEL_VERIFY))
            reply_before[label] = a.t_before;
    }
}

static void server(uint64_t arg)
{
    serve(arg, 0);
}

static void server_cold(uint64_t arg)
{
    serve(arg, 1);
}

static uint64_t pattern(unsigned len, unsigned round, unsigned i)
{
    return 0x5eed000000000000ull | ((uint64_t)len << 24) | ((uint64_t)round << 16) | i;
}

/* Echo check: every word comes back inverted. Returns the number of bad words; counts
 * the rounds after which the client did not read its own mark at PRIVATE_ADDRESS. */
static uint64_t verify_length(uint64_t dest, unsigned len, struct utcb *utcb,
                              uint64_t *isolation_errors)
{
    uint64_t bad = 0;
    for (unsigned round = 0; round < VERIFY_ROUNDS; round++) {
        struct ipc_args a = {.nr = SYS_CALL, .dest = dest};
        a.tag = tag_make(len, LABEL_VERIFY | round);
        for (unsigned i = 0; i < len; i++)
            *message_word(&a, utcb, i) = pattern(len, round, i);
        ipc_stub(&a);
        if (a.error != E_OK || tag_len(a.tag) != len) {
            bad += len + 1;
            continue;
        }
        for (unsigned i = 0; i < len; i++)
            bad += *message_word(&a, utcb, i) != ~pattern(len, round, i);
        *isolation_errors += private_word() != CLIENT_MARK;
    }
    return bad;
}

static void check_name(char *buf, const char *what, const char *space, unsigned len)
{
    unsigned n = 0;
    for (const char *p = what; *p; p++)
        buf[n++] = *p;
    buf[n++] = '_';
    for (const char *p = space; *p; p++)
        buf[n++] = *p;
    buf[n++] = '_';
    buf[n++] = 'l';
    if (len >= 10)
        buf[n++] = (char)('0' + len / 10);
    buf[n++] = (char)('0' + len % 10);
    buf[n] = '\0';
}

/* Start a server running fn in the given space; returns the client's destination for
 * it (with endpoints, the send capability goes in slot send_slot). */
static int start_server(void (*fn)(uint64_t), uint64_t send_slot, uint64_t space,
                        struct server_ctx *ctx, uint64_t *client_dest)
{
    ctx->recv_from = IPC_ANY;
    if (kip_config_is("dest", "endpoint")) {
        struct sys_result ep = syscall5(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0);
        if (ep.error != E_OK)
            return (int)ep.error;
        struct sys_result m = syscall5(SYS_CAP_MINT, kip->root_space, ep.value, send_slot,
                                       CLIENT_BADGE, CAP_RIGHT_SEND);
        if (m.error == E_OK && space != kip->root_space)
            m = syscall5(SYS_CAP_MINT, space, ep.value, ep.value, 0, CAP_RIGHT_RECV);
        if (m.error != E_OK)
            return (int)m.error;
        ctx->recv_from = ep.value;
        *client_dest = send_slot;
    }
    /* The server runs only once the client blocks (same priority), by which time
     * ctx is complete. */
    struct thread_info t;
    int error = thread_spawn(space, fn, (uint64_t)(uintptr_t)ctx, BENCH_PRIORITY, &t);
    ctx->utcb_addr = t.utcb_addr;
    if (!kip_config_is("dest", "endpoint"))
        *client_dest = t.tid;
    return error;
}

/* `iterations` timed calls of length len (each flushed first when cold), then one
 * untimed; returns the errors seen on either side. */
static uint64_t ping_pong(uint64_t dest, unsigned len, unsigned iterations,
                          struct server_ctx *ctx, int cold)
{
    uint64_t errors = 0;
    struct ipc_args a;
    for (unsigned i = 0; i < iterations; i++) {
        a = (struct ipc_args){.nr = SYS_CALL, .dest = dest, .tag = tag_make(len, i)};
        if (cold)
            model_flush();
        ipc_stub(&a);
        errors += a.error != E_OK;
        call_before[i] = a.t_before;
        call_after[i] = a.t_after;
    }
    /* One more, untimed: the server stores its last reply timestamp only when
     * its reply-and-wait returns, that is, when this request arrives. */
    a = (struct ipc_args){.nr = SYS_CALL, .dest = dest, .tag = tag_make(len, iterations)};
    ipc_stub(&a);
    errors += a.error != E_OK;
    return errors + ctx->errors;
}

/* The cold cases of one length (model only): call and reply, each window starting
 * right after a flush, against the space's cold server (started at the first length:
 * *dest is IPC_NIL until then). Returns the number of cases printed. */
static unsigned measure_cold(const char *space_name, uint64_t space, uint64_t *dest,
                             unsigned len, struct server_ctx *ctx, unsigned id,
                             unsigned samples, unsigned warmup, unsigned *checks,
                             unsigned *failed)
{
    char name[48];
    if (*dest == IPC_NIL) {
        int error = start_server(server_cold, SEND_CAP_SLOT_BASE + 2 + (space_name[0] == 'c'),
                                 space, ctx, dest);
        check_name(name, "server_cold_start", space_name, 0);
        report_check_count(checks, failed, name, E_OK, (uint64_t)error);
        if (error != E_OK) {
            *dest = IPC_NIL;
            return 0;
        }
    }
    uint64_t errors = ping_pong(*dest, len, warmup + samples, ctx, 1);
    check_name(name, "ipc_cold_errors", space_name, len);
    report_check_count(checks, failed, name, 0, errors);
    if (errors)
        return 0;
    struct overhead cold = model_run.cold;
    for (unsigned i = 0; i < samples; i++)
        values[i] = (int64_t)(recv_after[warmup + i] - call_before[warmup + i] - cold.ticks);
    report_case_at(id, "ipc", space_name, len, "call", 1, cold, values, &call_before[warmup],
                   samples);
    for (unsigned i = 0; i < samples; i++)
        values[i] = (int64_t)(call_after[warmup + i] - reply_before[warmup + i] - cold.ticks);
    report_case_at(id + 1, "ipc", space_name, len, "reply", 1, cold, values,
                   &reply_before[warmup], samples);
    return 2;
}

static unsigned measure_space(const char *space_name, uint64_t space, struct server_ctx *ctx,
                              struct server_ctx *ctx_cold, unsigned id, unsigned samples,
                              unsigned warmup, uint64_t overhead, unsigned *checks,
                              unsigned *failed)
{
    char name[48];
    uint64_t dest = IPC_NIL, cold_dest = IPC_NIL;
    unsigned first_id = id;
    int error = start_server(server, SEND_CAP_SLOT_BASE + (space_name[0] == 'c'), space, ctx,
                             &dest);
    check_name(name, "server_start", space_name, 0);
    report_check_count(checks, failed, name, E_OK, (uint64_t)error);
    if (error != E_OK)
        return 0;
    struct utcb *utcb = (struct utcb *)(uintptr_t)kip->root_utcb;
    unsigned iterations = warmup + samples;
    uint64_t client_isolation_errors = 0;

    for (unsigned l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++) {
        unsigned len = lengths[l];
        if (len > kip->max_words) {
            report_skip("ipc", space_name, len, "over_register_limit");
            continue;
        }
        check_name(name, "echo", space_name, len);
        report_check_count(checks, failed, name, 0,
                           verify_length(dest, len, utcb, &client_isolation_errors));

        uint64_t errors = ping_pong(dest, len, iterations, ctx, 0);
        check_name(name, "ipc_errors", space_name, len);
        report_check_count(checks, failed, name, 0, errors);
        if (errors) {
            /* Timestamps of failed exchanges measure nothing: record no values. */
            report_skip("ipc", space_name, len, "ipc_error");
            continue;
        }

        struct overhead hot = {overhead, model_run.hot.at};
        for (unsigned i = 0; i < samples; i++)
            values[i] = (int64_t)(recv_after[warmup + i] - call_before[warmup + i] - overhead);
        report_case_at(id++, "ipc", space_name, len, "call", 0, hot, values,
                       &call_before[warmup], samples);
        for (unsigned i = 0; i < samples; i++)
            values[i] = (int64_t)(call_after[warmup + i] - reply_before[warmup + i] - overhead);
        report_case_at(id++, "ipc", space_name, len, "reply", 0, hot, values,
                       &reply_before[warmup], samples);
        for (unsigned i = 0; i < samples; i++)
            values[i] = (int64_t)(call_after[warmup + i] - call_before[warmup + i] - overhead);
        report_case_at(id++, "ipc", space_name, len, "round", 0, hot, values,
                       &call_before[warmup], samples);
        if (model_run.on)
            id += measure_cold(space_name, space, &cold_dest, len, ctx_cold, id, samples,
                               warmup, checks, failed);
    }

    /* Each side read its own mark at PRIVATE_ADDRESS after every echo exchange. */
    check_name(name, "isolation_client", space_name, 0);
    report_check_count(checks, failed, name, 0, client_isolation_errors);
    check_name(name, "isolation_server", space_name, 0);
    report_check_count(checks, failed, name, 0, ctx->isolation_errors);

    /* What the server saw as sender: the badge with endpoints, never a thread ID. */
    uint64_t expect = kip_config_is("dest", "endpoint") ? CLIENT_BADGE : kip->root_tid;
    check_name(name, "sender_id", space_name, 0);
    report_check_count(checks, failed, name, expect, ctx->sender_seen);
    return id - first_id;
}

unsigned ipc_benchmarks(unsigned first_case_id, unsigned samples, unsigned warmup,
                        uint64_t overhead, unsigned *checks, unsigned *failed)
{
    unsigned id = first_case_id;
    words_in_registers = (unsigned)kip->reg_words;
    if (warmup + samples + 1 > MAX_ITERATIONS)
        warmup = MAX_ITERATIONS - samples - 1;
    client_private[0] = CLIENT_MARK;
    server_private[0] = SERVER_MARK;
    report_check_count(checks, failed, "map_private_client", E_OK,
                       syscall5(SYS_MAP, kip->root_space, (uint64_t)(uintptr_t)client_private,
                                PRIVATE_ADDRESS, 1, MAP_WRITABLE).error);
    /* The same-space server shares the client's page tables, so the client's mark. */
    server_ctx[0].private_mark = server_ctx_cold[0].private_mark = CLIENT_MARK;
    id += measure_space("same", kip->root_space, &server_ctx[0], &server_ctx_cold[0], id,
                        samples, warmup, overhead, checks, failed);
    int64_t other = space_with_root_image();
    report_check_count(checks, failed, "space_create_cross", 1, other >= 0);
    if (other < 0)
        return id - first_case_id;
    report_check_count(checks, failed, "map_private_server", E_OK,
                       syscall5(SYS_MAP, (uint64_t)other, (uint64_t)(uintptr_t)server_private,
                                PRIVATE_ADDRESS, 1, MAP_WRITABLE).error);
    server_ctx[1].private_mark = server_ctx_cold[1].private_mark = SERVER_MARK;
    id += measure_space("cross", (uint64_t)other, &server_ctx[1], &server_ctx_cold[1], id,
                        samples, warmup, overhead, checks, failed);
    return id - first_case_id;
}
