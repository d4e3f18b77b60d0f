/*
 * Workload tcb_array (mode=tcb_array; experiment tcb-array): IPC among P threads with
 * random partners, P = 2, 4, ... up to 4096 (or as many as the kernel's TCBs allow,
 * the configuration string's threads=), to see what the TCB axis (table or virtual
 * array) costs as the working set of TCBs grows: instructions now (icount), memory-
 * hierarchy misses once a cache model exists, and the memory the threads take.
 *
 * P server threads (thread-ID addressing: each is named by its own ID) wait in an
 * open receive; the root calls one chosen at random for every sample (xorshift, fixed
 * seed), so each IPC touches a TCB that the previous one most likely did not. The
 * one-way costs are measured as the IPC benchmark does (ipc_bench.c): "call" from the
 * root's counter read before its call to the server's after its receive, "reply" from
 * the server's read before its reply-and-wait to the root's after its call, "round"
 * the root's whole call; the nop stub's overhead is subtracted. Under clock=model each
 * case also gives its samples' starts, so every sample gets its misses per level and
 * modelled cycles (bench/FORMAT.md "Under the model"). Servers are created
 * as P grows (a server keeps its TCB for the whole run); each uses the upper part of
 * its own UTCB page as its stack (the kernel writes message words only in the first
 * ABI_UTCB_WORDS words), so the root image does not grow for every variant.
 *
 * Output: PLAN, then for each P the CASEs bench=tcb_array space=same len=P metric=
 * call, reply and round; a CHECK that every call succeeded; the frames the kernel
 * handed out so far, as log text ("tcb_array memory P=... frames_used=...") and, at
 * the end, as one case per P, bench=tcb_memory metric=kernel_bytes: those frames
 * (UTCBs, page tables and, under TCB=varray, TCB pages) plus, under TCB=table, the
 * table the kernel holds from boot (THREADS entries of the size the kernel reports).
 */
#include "workload.h"

#define MAX_SERVERS 4096
#define MAX_ITERATIONS 8192
#define LABEL_FLUSH 0xffffu          /* an untimed call: the server stores its last reply */
#define SERVER_UTCB_AREA (ROOT_UTCB_ADDRESS + 0x4000000)
#define STACK_BOTTOM (ABI_UTCB_WORDS * 8)  /* below: the UTCB's message words */

static uint64_t server_tid[MAX_SERVERS];
static uint64_t call_before[MAX_ITERATIONS], call_after[MAX_ITERATIONS];
static uint64_t recv_after[MAX_ITERATIONS], reply_before[MAX_ITERATIONS];
static int64_t values[MAX_ITERATIONS];
static int64_t kernel_bytes[16];            /* per P level: 2, 4, ... 4096 */
static volatile uint64_t server_errors;

static void tcb_server(uint64_t unused)
{
    (void)unused;
    struct ipc_args a = {.nr = SYS_RECV, .from = IPC_ANY};
    ipc_stub(&a);
    for (;;) {
        uint64_t label = (a.tag & TAG_LABEL_MASK) >> TAG_LABEL_SHIFT;
        server_errors += a.error != E_OK;
        if (a.error == E_OK && label != LABEL_FLUSH)
            recv_after[label] = a.t_after;
        a.nr = SYS_REPLY_WAIT;     /* a.dest: the root's ID, from the receive */
        a.tag = tag_make(0, label);
        a.from = IPC_ANY;
        ipc_stub(&a);
        /* Returns with the next request: the reply's timestamp is now complete. */
        if (label != LABEL_FLUSH)
            reply_before[label] = a.t_before;
    }
}

/* Servers up to count: each created in the root's space with its UTCB at its slot of
 * the area and its stack in the UTCB's upper part, then let run into its receive. */
static bool grow_servers(unsigned have, unsigned count)
{
    for (unsigned i = have; i < count; i++) {
        uint64_t utcb = SERVER_UTCB_AREA + (uint64_t)i * USER_PAGE_SIZE;
        struct sys_result t = syscall5(SYS_THREAD_CREATE, kip->root_space, utcb,
                                       BENCH_PRIORITY, 0, 0);
        if (t.error != E_OK)
            return false;
        server_tid[i] = t.value;
        uint64_t sp = thread_stack_pointer(utcb + USER_PAGE_SIZE);
        if (syscall5(SYS_THREAD_START, t.value, (uint64_t)(uintptr_t)tcb_server, sp, 0,
                     0).error != E_OK)
            return false;
    }
    for (unsigned i = 0; i < 4; i++)       /* round robin: each new one runs and blocks */
        syscall5(SYS_YIELD, 0, 0, 0, 0, 0);
    return true;
}

/* The nop stub's cost, the minimum over some runs (as main.c measures it), and where
 * that window starts, so that under clock=model its misses are subtracted too. */
static struct overhead stub_overhead(void)
{
    struct ipc_args a = {.nr = SYS_NULL};
    struct overhead best = {~0ull, 0};
    for (unsigned i = 0; i < 200; i++) {
        ipc_stub_nop(&a);
        if (a.t_after - a.t_before < best.ticks)
            best = (struct overhead){a.t_after - a.t_before, a.t_before};
    }
    return best;
}

static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

static void print_memory(unsigned p, uint64_t frames_at_start)
{
    out_str("tcb_array memory P=");
    out_u64(p);
    out_str(" frames_used=");
    out_u64(frames_at_start - kip->frames_free);
    out_str(" frames_free=");
    out_u64(kip->frames_free);
    out_str("\n");
}

static unsigned tcb_array_run(const struct workload_env *env)
{
    unsigned samples = env->samples, warmup = env->warmup;
    unsigned *checks = env->checks, *failed = env->failed;
    uint64_t threads = cmdline_u64(kip->config, "threads", 128);
    unsigned max_p = threads > MAX_SERVERS + 16 ? MAX_SERVERS : (unsigned)(threads - 16);
    unsigned levels = 0;
    for (unsigned p = 2; p <= max_p; p *= 2)
        levels++;
    bool thread_ids = !kip_config_is("dest", "endpoint");
    report_plan(thread_ids ? levels * 4 : 0);
    report_check_count(checks, failed, "tcb_array_needs_thread_ids", 1, thread_ids);
    if (!thread_ids)
        return 0;
    if (warmup + samples + 1 > MAX_ITERATIONS)
        samples = MAX_ITERATIONS - warmup - 1;
    unsigned iterations = warmup + samples;
    struct overhead ov = stub_overhead();
    uint64_t overhead = ov.ticks;
    uint64_t frames_at_start = kip->frames_free;
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    unsigned have = 0, id = 0;
    uint64_t errors = 0;
    print_memory(0, frames_at_start);
    for (unsigned p = 2; p <= max_p; p *= 2) {
        if (!grow_servers(have, p)) {
            report_check_count(checks, failed, "tcb_array_servers_created", p, have);
            return id;
        }
        have = p;
        print_memory(p, frames_at_start);
        uint64_t table = kip_config_is("tcb", "table") ? threads * kip->tcb_bytes : 0;
        kernel_bytes[id / 3] = (int64_t)((frames_at_start - kip->frames_free) *
                                         USER_PAGE_SIZE + table);
        for (unsigned i = 0; i < iterations; i++) {
            struct ipc_args a = {.nr = SYS_CALL, .dest = server_tid[next_random(&rng) % p],
                                 .tag = tag_make(0, i)};
            ipc_stub(&a);
            errors += a.error != E_OK;
            call_before[i] = a.t_before;
            call_after[i] = a.t_after;
        }
        for (unsigned k = 0; k < p; k++) {     /* every server stores its last reply */
            struct ipc_args a = {.nr = SYS_CALL, .dest = server_tid[k],
                                 .tag = tag_make(0, LABEL_FLUSH)};
            ipc_stub(&a);
            errors += a.error != E_OK;
        }
        for (unsigned i = 0; i < samples; i++)
            values[i] = (int64_t)(recv_after[warmup + i] - call_before[warmup + i] - overhead);
        /* With each window's start: under clock=model each sample gets its misses. */
        report_case_at(id++, "tcb_array", "same", p, "call", 0, ov, values,
                       &call_before[warmup], samples);
        for (unsigned i = 0; i < samples; i++)
            values[i] = (int64_t)(call_after[warmup + i] - reply_before[warmup + i] - overhead);
        report_case_at(id++, "tcb_array", "same", p, "reply", 0, ov, values,
                       &reply_before[warmup], samples);
        for (unsigned i = 0; i < samples; i++)
            values[i] = (int64_t)(call_after[warmup + i] - call_before[warmup + i] - overhead);
        report_case_at(id++, "tcb_array", "same", p, "round", 0, ov, values,
                       &call_before[warmup], samples);
    }
    unsigned level = 0;
    for (unsigned p = 2; p <= max_p; p *= 2, level++)
        report_case(id++, "tcb_memory", "same", p, "kernel_bytes", 0, &kernel_bytes[level], 1);
    report_check_count(checks, failed, "tcb_array_ipc_errors", 0, errors + server_errors);
    report_check_count(checks, failed, "tcb_array_servers_created", max_p, have);
    return id;
}

WORKLOAD(tcb_array, "tcb_array", tcb_array_run);
